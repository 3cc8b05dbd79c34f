"""The bot's scheduled job (imported by the jobs app at start-up, like every app's schedule.py)."""

from flrts.jobs import registry

registry.register("hourly", "flrts.bot.webhook_check.check_telegram_webhook")
