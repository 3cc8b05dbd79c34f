"""A reminder's RRULE in words: `FREQ=WEEKLY;BYDAY=MO` starting Monday 08:00 reads
"every Monday at 08:00".

The rule is parsed by dateutil with the reminder's first time as DTSTART, exactly as the scheduler
expands it (flrts.reminders.recurrence), and the words are written from dateutil's normalised
rule: what dateutil fills in from the start (the weekday of a weekly rule, the day of a monthly
one, the time) is what fires, so it is what we say. Parts we have no words for (BYYEARDAY,
BYWEEKNO, BYEASTER, seconds) fall back to the rule itself, marked as custom.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.rrule import rrule, rrulestr

from flrts.core.display import when

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
UNITS = {0: "year", 1: "month", 2: "week", 3: "day", 4: "hour", 5: "minute", 6: "second"}
WEEKDAYS = (0, 1, 2, 3, 4)
WEEKEND = (5, 6)
_ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st, 112th."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def _position(n: int) -> str:
    """first, second, last, second-to-last, 7th."""
    if n in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[n]
    if n == -2:
        return "second-to-last"
    if n < 0:
        return f"{ordinal(-n)}-to-last"
    return ordinal(n)


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _day_set(days: tuple[int, ...]) -> str:
    days = tuple(sorted(set(days)))
    if days == WEEKDAYS:
        return "weekday"
    if days == tuple(range(7)):
        return "day"
    return _join([DAYS[d] for d in days])


def _every(count: int, unit: str) -> str:
    return f"every {unit}" if count == 1 else f"every {count} {unit}s"


def _month_day(n: int) -> str:
    if n == -1:
        return "the last day"
    if n < 0:
        return f"the {_position(n)} day"
    return f"the {ordinal(n)}"


def _times(rule: Any) -> str:
    hours = sorted(rule._byhour or ())
    minutes = sorted(rule._byminute or ())
    if not hours or not minutes:
        return ""
    return "at " + _join([f"{h:02d}:{m:02d}" for h in hours for m in minutes])


def _custom(text: str) -> str:
    return f"custom rule: {text}"


def _monthly_days(rule: Any) -> str | None:
    """The days of a monthly (or yearly) rule, or None when it has no words for them."""
    if rule._bynweekday:
        if rule._bysetpos:
            return None
        parts = [f"the {_position(n)} {DAYS[day]}" for day, n in sorted(rule._bynweekday)]
        return _join(parts)
    if rule._byweekday and rule._bysetpos:
        positions = [_position(p) for p in sorted(rule._bysetpos, key=lambda p: (p < 0, abs(p)))]
        return f"the {_join(positions)} {_day_set(rule._byweekday)}"
    if rule._byweekday:
        return f"every {_day_set(rule._byweekday)}"
    if rule._bysetpos:
        return None
    days = [*sorted(rule._bymonthday), *sorted(rule._bynmonthday, reverse=True)]
    if not days:
        return None
    return _join([_month_day(d) for d in days])


def _period(rule: Any) -> str | None:
    freq, interval = rule._freq, rule._interval
    unit = UNITS[freq]
    if freq >= 4:  # hourly, minutely, secondly: the time parts are the step itself
        return _every(interval, unit)
    if freq == 3:  # daily
        if rule._byweekday and len(set(rule._byweekday)) < 7:
            days = _day_set(rule._byweekday)
            return f"every {days}" if interval == 1 else f"{_every(interval, 'day')} on {days}s"
        return _every(interval, "day")
    if freq == 2:  # weekly
        days = _day_set(rule._byweekday or ())
        if interval == 1:
            return f"every {days}"
        return f"{_every(interval, 'week')} on {days}"
    found = _monthly_days(rule)
    if found is None:
        return None
    days = found
    if freq == 1:  # monthly
        if days.startswith("every "):
            return days if interval == 1 else f"{days}, {_every(interval, 'month')}"
        return f"{_every(interval, 'month')} on {days}"
    months = [MONTHS[m - 1] for m in sorted(rule._bymonth or ())]
    if rule._bynweekday or rule._bysetpos or rule._byweekday:
        return f"{_every(interval, 'year')} on {days} of {_join(months)}"
    if len(rule._bymonthday) == 1 and not rule._bynmonthday and len(months) == 1:
        return f"{_every(interval, 'year')} on {rule._bymonthday[0]} {months[0]}"
    return f"{_every(interval, 'year')} on {days} of {_join(months)}"


def _unsupported(rule: Any) -> bool:
    return bool(
        rule._byyearday
        or rule._byweekno
        or rule._byeaster
        or any(s != 0 for s in (rule._bysecond or ()))
    )


def describe(recurrence: str, start: dt.datetime) -> str:
    """The rule in words; `start` is the first time in the reminder's own zone (naive or aware)."""
    text = (recurrence or "").strip().removeprefix("RRULE:")
    if not text:
        return f"once, {when(start, start.tzinfo)}" if start.tzinfo else "once"
    local = start.replace(tzinfo=None)
    try:
        parsed = rrulestr(text, dtstart=local, ignoretz=True)
    except (ValueError, TypeError):
        return _custom(text)
    rule: Any = parsed  # dateutil keeps the normalised parts in underscore attributes
    if not isinstance(parsed, rrule) or _unsupported(rule):
        return _custom(text)
    period = _period(rule)
    if period is None:
        return _custom(text)
    time = ""
    if rule._freq <= 3:
        time = _times(rule)
    elif rule._freq == 4 and rule._byminute and len(rule._byminute) == 1:
        time = f"at :{next(iter(rule._byminute)):02d}"
    words = [f"{period} {time}" if time else period]
    if rule._count:
        words.append(f"{rule._count} times" if rule._count != 1 else "once")
    if rule._until:
        words.append(f"until {when(rule._until.date())}")
    return ", ".join(words)
