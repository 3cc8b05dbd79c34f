"""Reminders in the scheduler: checked every second by the leader (and runnable by hand)."""

from flrts.jobs import registry

registry.register("second", "flrts.reminders.dispatch.dispatch_due")
