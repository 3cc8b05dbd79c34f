"""Scheduled jobs of the integrations app (see flrts.jobs.registry)."""

from flrts.jobs import registry

# Every scheduler tick; the job itself waits for ERPNext Settings' pull interval.
registry.register("all", "flrts.integrations.erpnext.sync.scheduled_pull")
