"""Housekeeping jobs of the jobs app itself, declared on their functions."""

from flrts.jobs import maintenance  # noqa: F401  (@scheduled: cleanup)
