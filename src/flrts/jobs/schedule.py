"""Housekeeping jobs of the jobs app itself."""

from flrts.jobs import registry

registry.register("hourly", "flrts.jobs.maintenance.check_telegram_webhook")
registry.register("daily_long", "flrts.jobs.maintenance.cleanup")
