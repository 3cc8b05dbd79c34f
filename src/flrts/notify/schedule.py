"""Notification sweeps (every scheduler tick, when there is work) and due reminders (checked
every second by the scheduler's leader), declared on their functions; importing the modules
declares them and the jobs notify queues (the jobs app imports every app's schedule.py)."""

from flrts.notify import (  # noqa: F401  (@scheduled and @job declarations)
    events,
    reminder_delivery,
    reminder_dispatch,
    service,
    sweeps,
)
