"""FLRTS: field reports, lists, reminders, tasks and sub-tasks."""

__version__ = "0.1.0"
