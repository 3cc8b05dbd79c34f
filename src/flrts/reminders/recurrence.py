"""Occurrences of a reminder: the RRULE is expanded in the reminder's own zone, on wall-clock
time, so "every day at 09:00 New York" stays 09:00 across DST. A wall time that does not exist
(spring forward) moves forward by the gap; one that occurs twice (fall back) is sent once, at
its first occurrence (`local_to_utc`)."""

from __future__ import annotations

import datetime as dt

from dateutil.rrule import rrulestr

from flrts.core.timezones import local_to_utc, zone

# Slack when converting the cursor: a DST shift can put a UTC instant's local time up to an
# hour away from its neighbours.
_SLACK = dt.timedelta(hours=3)
_MAX_STEPS = 5000


def next_occurrence(
    remind_at: dt.datetime, recurrence: str, tz_name: str, after: dt.datetime
) -> dt.datetime | None:
    """The first occurrence strictly after `after` (UTC), or None when the rule has ended."""
    if not recurrence:
        return remind_at if remind_at > after else None
    tz = zone(tz_name)
    start = remind_at.astimezone(tz).replace(tzinfo=None)
    rule = rrulestr(recurrence.removeprefix("RRULE:"), dtstart=start, ignoretz=True)
    cursor = after.astimezone(tz).replace(tzinfo=None) - _SLACK
    if cursor < start:
        cursor = start - dt.timedelta(seconds=1)
    for _ in range(_MAX_STEPS):
        local = rule.after(cursor, inc=False)
        if local is None:
            return None
        instant = local_to_utc(local.date(), local.time(), tz_name)
        if instant > after:
            return instant
        cursor = local
    return None


def occurrences(
    remind_at: dt.datetime, recurrence: str, tz_name: str, start: dt.datetime, end: dt.datetime
) -> list[dt.datetime]:
    """Every occurrence in [start, end) (UTC); for previews and tests."""
    out: list[dt.datetime] = []
    cursor = start - dt.timedelta(microseconds=1)
    while True:
        nxt = next_occurrence(remind_at, recurrence, tz_name, cursor)
        if nxt is None or nxt >= end:
            return out
        out.append(nxt)
        cursor = nxt
