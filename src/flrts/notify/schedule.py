"""Notification sweeps, every scheduler tick (a minute by default), and due reminders, checked
every second by the scheduler's leader (and runnable by hand)."""

from flrts.jobs import registry

registry.register("all", "flrts.notify.sweeps.sweep_overdue")
registry.register("all", "flrts.notify.sweeps.send_due_soon")
registry.register("all", "flrts.notify.sweeps.send_daily_summaries")
registry.register("second", "flrts.notify.reminder_dispatch.dispatch_due")
