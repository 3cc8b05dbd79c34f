"""When is a scheduled job due? The latest slot at or before now, in the site's time zone."""

from __future__ import annotations

import datetime as dt

from croniter import croniter
from django.conf import settings

from flrts.core.timezones import zone


def tick_interval() -> int:
    return settings.SITE.get_int("scheduler_interval", 60, minimum=1)


def latest_slot(frequency: str, cron: str, now: dt.datetime) -> dt.datetime:
    """The most recent slot <= now (an aware UTC datetime)."""
    if frequency in ("all", "second"):
        step = 1 if frequency == "second" else tick_interval()
        epoch = int(now.timestamp()) // step * step
        return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
    local = now.astimezone(zone(settings.SITE_TIME_ZONE))
    # croniter's get_prev excludes its base; a second later makes "exactly on the slot" count.
    it = croniter(cron, local + dt.timedelta(seconds=1))
    prev: dt.datetime = it.get_prev(dt.datetime)
    return prev.astimezone(dt.UTC)


def next_slot(frequency: str, cron: str, after: dt.datetime) -> dt.datetime:
    if frequency in ("all", "second"):
        step = 1 if frequency == "second" else tick_interval()
        return latest_slot(frequency, cron, after) + dt.timedelta(seconds=step)
    local = after.astimezone(zone(settings.SITE_TIME_ZONE))
    nxt: dt.datetime = croniter(cron, local).get_next(dt.datetime)
    return nxt.astimezone(dt.UTC)
