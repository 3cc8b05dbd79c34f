"""How the desk's timeline, Kanban cards and calendar write a moment: the desk's one format
(`flrts.core.display.when`: "Fri 2026-06-05 08:00 CDT", in the reader's zone); a date without a
time stays a date ("Fri 2026-06-05"), because a date-only due is a day in the task's own zone, not
an instant."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from flrts.core.display import when


def reader_zone() -> dt.tzinfo:
    """The zone of the person reading (set per request by UserTimezoneMiddleware)."""
    return timezone.get_current_timezone()


def moment(at: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    return when(at, tz or reader_zone())


def day(value: dt.date) -> str:
    return when(value)


def moment_or_day(at: dt.datetime | None, date: dt.date | None, has_time: bool) -> str:
    """A due or start: the instant in the reader's zone when it has a time, else the date."""
    if date is None:
        return "none"
    if not has_time or at is None:
        return day(date)
    return moment(at)
