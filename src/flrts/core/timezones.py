"""Time zone helpers: validation, local<->UTC, quiet-hour windows that may wrap midnight."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError

UTC = dt.UTC


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


# The longest IANA name is 32 characters; a longer one is refused before it becomes a file
# path (ZoneInfo raises OSError "File name too long" past 255 bytes).
MAX_ZONE_NAME = 64


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    if not isinstance(name, str) or len(name) > MAX_ZONE_NAME or "\x00" in name:
        raise ZoneInfoNotFoundError(f"No time zone named {str(name)[:MAX_ZONE_NAME]!r}")
    try:
        return ZoneInfo(name)
    except OSError:
        raise ZoneInfoNotFoundError(f"No time zone named {name!r}") from None


def validate_timezone(value: str) -> None:
    if isinstance(value, str) and value in _known_zones():
        return
    try:
        zone(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(
            "%(value)s is not an IANA time zone (for example America/Chicago)",
            code="invalid_timezone",
            params={"value": str(value)[:MAX_ZONE_NAME]},
        ) from None


def local_to_utc(day: dt.date, time: dt.time, tz_name: str) -> dt.datetime:
    """Wall-clock time in a zone to a UTC instant.

    A time that does not exist (the spring-forward gap) is moved forward by the gap; a time that
    occurs twice (fall back) takes the first occurrence.
    """
    # PEP 495: with fold=0 an ambiguous time is its first occurrence, and a time in the gap is
    # read with the offset from before the jump, which lands it the gap's length later.
    aware = dt.datetime.combine(day, time).replace(tzinfo=zone(tz_name), fold=0)
    return aware.astimezone(UTC)


def end_of_day_utc(day: dt.date, tz_name: str) -> dt.datetime:
    return local_to_utc(day, dt.time(23, 59, 59), tz_name)


def in_window(moment: dt.time, start: dt.time, end: dt.time) -> bool:
    """Is `moment` inside [start, end)? A window whose end is before its start wraps midnight."""
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def window_end_after(at: dt.datetime, start: dt.time, end: dt.time, tz_name: str) -> dt.datetime:
    """The UTC instant when the quiet window containing `at` ends (`at` itself if not inside)."""
    local = at.astimezone(zone(tz_name))
    if not in_window(local.time(), start, end):
        return at
    day = local.date()
    if start > end and local.time() >= start:
        day += dt.timedelta(days=1)
    return local_to_utc(day, end, tz_name)
