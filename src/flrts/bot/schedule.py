"""The bot's scheduled jobs are declared on their functions; importing the module declares them
(the jobs app imports every app's schedule.py at start-up)."""

from flrts.bot import webhook_check  # noqa: F401  (@scheduled: check_telegram_webhook)
