"""The integrations' scheduled jobs are declared on their functions; importing the modules
declares them and the jobs they queue (the jobs app imports every app's schedule.py at start-up)."""

from flrts.integrations import webhooks  # noqa: F401  (@job: deliver, resend)
from flrts.integrations.erpnext import commands, sync  # noqa: F401  (@scheduled: scheduled_pull)
