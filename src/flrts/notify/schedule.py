"""Notification sweeps, every scheduler tick (a minute by default)."""

from flrts.jobs import registry

registry.register("all", "flrts.notify.sweeps.sweep_overdue")
registry.register("all", "flrts.notify.sweeps.send_due_soon")
registry.register("all", "flrts.notify.sweeps.send_daily_summaries")
