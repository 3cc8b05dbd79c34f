"""Capture's scheduled jobs are declared on their functions; importing the module declares them
(the jobs app imports every app's schedule.py at start-up)."""

from flrts.capture import drafts  # noqa: F401  (@scheduled: expire_stale)
