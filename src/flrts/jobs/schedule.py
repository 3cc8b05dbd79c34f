"""Housekeeping jobs of the jobs app itself."""

from flrts.jobs import registry

registry.register("daily_long", "flrts.jobs.maintenance.cleanup")
