"""Report periods in the site's time zone, and the checks every filter goes through.

All reports count days and hours in the site's zone (`time_zone`), not UTC: a parse at 20:00
in Chicago belongs to that day, not the next. A bad filter raises `ReportFilterError` with one
sentence naming the filter; the desk shows it and the API answers 417 with it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from flrts.core.timezones import zone


class ReportFilterError(ValueError):
    """A filter value a person gave is wrong; the message is safe to show them."""


def site_zone_name() -> str:
    return str(settings.SITE_TIME_ZONE)


def site_today() -> dt.date:
    return timezone.now().astimezone(zone(site_zone_name())).date()


def day_start(day: dt.date, tz_name: str | None = None) -> dt.datetime:
    """Local midnight of `day` as an aware datetime (UTC instants compare correctly)."""
    tz = zone(tz_name or site_zone_name())
    return dt.datetime.combine(day, dt.time(0, 0)).replace(tzinfo=tz).astimezone(dt.UTC)


def local_date(instant: dt.datetime, tz_name: str | None = None) -> dt.date:
    return instant.astimezone(zone(tz_name or site_zone_name())).date()


def local_hour(instant: dt.datetime, tz_name: str | None = None) -> int:
    return instant.astimezone(zone(tz_name or site_zone_name())).hour


def days_in_month(day: dt.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def parse_date(value: Any, label: str) -> dt.date | None:
    """YYYY-MM-DD (a date or datetime object is taken as is); empty means "use the default"."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ReportFilterError(f"{label} must be a date like 2026-03-31")
    text = value.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        raise ReportFilterError(
            f"{label}: invalid date format {text[:40]!r}; use YYYY-MM-DD"
        ) from None


def parse_choice(value: Any, label: str, choices: tuple[str, ...], default: str) -> str:
    if value is None or value == "":
        return default
    text = str(value).strip().lower().replace(" ", "_")
    for choice in choices:
        if text == choice.lower().replace(" ", "_"):
            return choice
    raise ReportFilterError(f"{label} must be one of {', '.join(choices)}, got {str(value)[:40]!r}")


def parse_int(value: Any, label: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ReportFilterError(f"{label} must be a whole number")
    try:
        return int(str(value).strip())
    except ValueError:
        raise ReportFilterError(
            f"{label} must be a whole number, got {str(value)[:40]!r}"
        ) from None


def parse_text(value: Any, label: str, max_length: int = 140) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise ReportFilterError(f"{label} must be text")
    text = str(value).strip()
    if len(text) > max_length:
        raise ReportFilterError(f"{label} is too long (at most {max_length} characters)")
    return text


@dataclass(frozen=True)
class Period:
    """Whole local days from `start` to `end`, both included."""

    start: dt.date
    end: dt.date
    tz_name: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_utc(self) -> dt.datetime:
        return day_start(self.start, self.tz_name)

    @property
    def end_utc(self) -> dt.datetime:
        """Exclusive: local midnight after the last day."""
        return day_start(self.end + dt.timedelta(days=1), self.tz_name)

    def each_day(self) -> Iterator[dt.date]:
        for offset in range(self.days):
            yield self.start + dt.timedelta(days=offset)

    def elapsed_days(self, today: dt.date) -> int:
        """Days of the period up to today (today counts); at least 1."""
        last = min(self.end, today)
        return max(1, (last - self.start).days + 1)


def period(
    from_date: Any,
    to_date: Any,
    *,
    default_days: int,
    max_days: int,
    default_start: dt.date | None = None,
) -> Period:
    """The period from the filters: defaults, from <= to, and at most `max_days` days.

    The original reports silently cut a long range to 90 days; here it is an error, so nobody
    reads a 90-day answer to a 120-day question.
    """
    today = site_today()
    end = parse_date(to_date, "To date") or today
    start = parse_date(from_date, "From date")
    if start is None:
        start = default_start or end - dt.timedelta(days=default_days - 1)
    if start > end:
        raise ReportFilterError(f"From date {start} is after To date {end}")
    length = (end - start).days + 1
    if length > max_days:
        raise ReportFilterError(
            f"Date range cannot exceed {max_days} days (asked for {length} days)"
        )
    return Period(start=start, end=end, tz_name=site_zone_name())
