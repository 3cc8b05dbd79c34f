"""How the desk's timeline, Kanban cards and calendar write a moment: in the reader's zone, with
the zone's abbreviation ("Fri 5 Jun 08:00 CDT"); a date without a time stays a date ("Fri 5 Jun"),
because a date-only due is a day in the task's own zone, not an instant."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def reader_zone() -> dt.tzinfo:
    """The zone of the person reading (set per request by UserTimezoneMiddleware)."""
    return timezone.get_current_timezone()


def moment(at: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    local = at.astimezone(tz or reader_zone())
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M} {local.tzname()}"


def day(value: dt.date) -> str:
    return f"{value:%a} {value.day} {value:%b}"


def moment_or_day(at: dt.datetime | None, date: dt.date | None, has_time: bool) -> str:
    """A due or start: the instant in the reader's zone when it has a time, else the date."""
    if date is None:
        return "none"
    if not has_time or at is None:
        return day(date)
    return moment(at)
