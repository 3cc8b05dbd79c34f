"""Dates and times in a message -> an aware datetime, a date, or nothing.

Own rules handle the phrases crews actually type (tomorrow, Friday, next Monday, EOD, 3pm, at 8,
in 2 hours, end of the month, the 15th); dateparser (English only) is called just on short spans
that look like calendar dates ("March 14", "14 Mar 2027", "3/14"), and its answers are cached.

Rules (also in docs/nlp.md):
- A bare weekday ("Friday", "on Friday", "by Friday") is the first such day strictly after today:
  said on a Friday, "Friday" is a week later.
- "this Friday" is today when today is Friday, else the coming Friday.
- "next Friday" / "Friday next week" is the Friday of next calendar week (weeks start on Monday).
  For "next Monday" this is always the first Monday after today, the two readings agree.
- A time with no day is today if still ahead, else tomorrow. A day with no time is a date-only due.
- Vague words come from ParseDefaults: morning, afternoon, evening/tonight, end of day/EOD, close of
  business/COB. "noon"/"lunch" is 12:00, "midnight" is 23:59 of that day.
- A bare hour after at/by ("at 8", "by 3") is read as a working hour: 7-11 -> a.m., 12 -> noon,
  1-6 -> p.m.; "08:00"/"15:00" style times and am/pm are taken as written.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from flrts.nlp.offline.text import NUMBER_WORDS, Span
from flrts.nlp.offline.verbs import TASK_VERBS
from flrts.nlp.offline.zones import ZONE_AFTER_TIME_RE, ZONE_ANYWHERE_RE, ZoneHint, hint_from_match
from flrts.nlp.types import ParseDefaults

WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "weds": 2,
    "wed": 2,
    "thursday": 3,
    "thurs": 3,
    "thur": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sunday": 6,
}
_WD = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_NUM = r"\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a\s+couple(?:\s+of)?"
_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
# "mañana" and "hoy" are said on US sites in English sentences; "la mañana" is "the morning".
_TOMORROW = (
    r"tomorrow|tmrw|tmrow|tmr|tomorow|tommorow|tommorrow|tomorrrow|2moro|2morrow"
    r"|(?<!la\s)ma[ñn]ana"
)
_HOUR_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_MINUTE_WORDS = {"oh five": 5, "fifteen": 15, "thirty": 30, "forty five": 45, "forty-five": 45}
_SPOKEN_HOUR = "|".join(_HOUR_WORDS)
_SPOKEN_MINUTE = "|".join(sorted(_MINUTE_WORDS, key=len, reverse=True))
# What may follow a bare hour ("at 8 tomorrow", "by 3 his time", "at 9 walk the wall"); anything
# else ("at 3 Main Street", "by 2 trucks") means the number is not a time.
_ZONE_OK = (
    r"today|tomorrow|tonight|on|this|next|his|her|their|my|your|central|eastern|pacific|mountain"
    r"|arizona|alaska|hawaii|cst|cdt|ct|est|edt|et|pst|pdt|pt|mst|mdt|mt|utc|gmt|and|to|for|in|at"
    r"|every|each|then|please|pls|sharp|o'?clock|" + _WD + "|" + TASK_VERBS
)

# (kind, pattern); matched in this order, a later match may not overlap an earlier one.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "delta",
        re.compile(r"\bin\s+(?P<n>" + _NUM + r"|half\s+an?)\s+(?P<u>hours?|hrs?|minutes?|mins?)\b"),
    ),
    ("iso", re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b")),
    (
        "absdate",
        re.compile(
            r"\b(?:(?:" + _MONTH + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?"
            r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + _MONTH + r")\.?(?:,?\s+\d{4})?)\b"
        ),
    ),
    ("numdate", re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b")),
    ("tonight", re.compile(r"\btonight\b")),
    ("thispart", re.compile(r"\bthis\s+(?P<part>morning|afternoon|evening)\b")),
    ("dayafter", re.compile(r"\b(?:the\s+)?day\s+after\s+(?:" + _TOMORROW + r")\b")),
    ("tomorrow", re.compile(r"\b(?:" + _TOMORROW + r")\b")),
    ("today", re.compile(r"\b(?:today|tdy|hoy)\b")),
    ("yesterday", re.compile(r"\byesterday\b")),
    ("eow", re.compile(r"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?:work\s*)?week|eow)\b")),
    ("eom", re.compile(r"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month|eom)\b")),
    ("nextmonth", re.compile(r"\bnext\s+month\b")),
    (
        "weekday",
        re.compile(
            r"\b(?:(?P<mod>this\s+coming|this|next|coming|upcoming)\s+)?(?P<wd>" + _WD + r")s?\b"
            r"(?:\s+(?P<after>next\s+week|after\s+next|this\s+week))?"
        ),
    ),
    ("nextweek", re.compile(r"\bnext\s+week\b")),
    ("thisweek", re.compile(r"\bthis\s+week\b")),
    ("preweekend", re.compile(r"\bbefore\s+(?:the\s+|this\s+)?weekend\b")),
    ("weekend", re.compile(r"\b(?:this\s+|the\s+)?weekend\b")),
    ("indays", re.compile(r"\bin\s+(?P<n>" + _NUM + r")\s+(?P<u>days?|weeks?)\b")),
    ("fromnow", re.compile(r"\b(?P<n>" + _NUM + r")\s+(?P<u>days?|weeks?)\s+from\s+now\b")),
    (
        "ampm",
        re.compile(r"\b(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)(?![a-z])"),
    ),
    ("clock", re.compile(r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)\b(?!\s*(?:%|psi|v\b|a\b))")),
    ("noon", re.compile(r"\b(?:noon|midday|lunch\s*time|lunch)\b")),
    ("midnight", re.compile(r"\bmidnight\b")),
    ("cob", re.compile(r"\b(?:cob|close\s+of\s+(?:business|play)|eob|end\s+of\s+business)\b")),
    (
        "eod",
        re.compile(
            r"\b(?:eod|end\s+of\s+(?:the\s+)?(?:day|shift)|end\s+of\s+(?:the\s+)?workday)\b"
        ),
    ),
    (
        "vague",
        re.compile(
            r"\b(?:first\s+thing(?:\s+in\s+the\s+morning)?|(?:in\s+the\s+)?(?P<part>morning|"
            r"afternoon|evening|night))\b"
            # "the night shift", "morning crew": a team, not a time
            r"(?!\s+(?:shifts?|crews?|watch|guards?|lead|foreman|supervisors?|operators?|rounds))"
        ),
    ),
    (
        "bare",
        re.compile(
            r"\b(?:at|by|@|before|around|about|till|until)\s+(?P<h>\d{1,2})(?:\s*o'?clock)?\b"
            r"(?=\s*(?:$|[,.;!?)]|(?:" + _ZONE_OK + r")\b))"
        ),
    ),
    (
        "spoken",  # a time said in words: "at nine", "at four thirty", "by ten o'clock"
        re.compile(
            r"\b(?:at|by|@|before|around|about|till|until)\s+(?P<hw>" + _SPOKEN_HOUR + r")"
            r"(?:\s+(?P<mw>" + _SPOKEN_MINUTE + r"))?(?:\s*o'?clock)?\b"
            r"(?=\s*(?:$|[,.;!?)]|(?:" + _ZONE_OK + r")\b))"
        ),
    ),
    ("nth", re.compile(r"\b(?:on\s+)?the\s+(?P<d>[12]?\d|3[01])(?:st|nd|rd|th)\b")),
]
_LEAD_RE = re.compile(
    r"(?:\b(?:due|by|on|at|before|until|till|til|for|from|around|about|no\s+later\s+than|to)"
    r"\s+)+\Z"
)
_SINCE_RE = re.compile(r"\b(?:since|ever\s+since)\s+(?:last\s+)?\Z")
_AP_FIX = str.maketrans("", "", ". ")


@dataclass
class When:
    value: dt.datetime | dt.date | None = None
    spans: list[Span] = field(default_factory=list)
    time: dt.time | None = None  # the wall-clock time named, for recurrence BYHOUR/BYMINUTE
    day: dt.date | None = None
    zone: ZoneInfo | None = None
    zone_hint: ZoneHint | None = None
    past: bool = False  # "yesterday": only meaningful for reports
    weekdays: list[int] = field(default_factory=list)  # every weekday named, for recurrence
    vague: bool = False


def _count(token: str) -> float:
    token = " ".join(token.split())
    if token.startswith("half"):
        return 0.5
    if token.startswith("a couple"):
        return 2
    if token.isdigit():
        return float(token)
    return float(NUMBER_WORDS.get(token, 1))


def _working_hour(h: int) -> int:
    if 1 <= h <= 6:
        return h + 12
    return h


@lru_cache(maxsize=2048)
def _dateparser_date(span: str, today: dt.date) -> dt.date | None:
    """Calendar dates through dateparser: English only, future preferred, month-first numbers."""
    import dateparser

    settings: Any = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": dt.datetime.combine(today, dt.time(12, 0)),
        "DATE_ORDER": "MDY",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    got = dateparser.parse(span, languages=["en"], settings=settings)
    return got.date() if got else None


def _next_weekday(today: dt.date, wd: int, strictly_after: bool = True) -> dt.date:
    ahead = (wd - today.weekday()) % 7
    if ahead == 0 and strictly_after:
        ahead = 7
    return today + dt.timedelta(days=ahead)


def _next_week_day(today: dt.date, wd: int) -> dt.date:
    monday = today - dt.timedelta(days=today.weekday())
    return monday + dt.timedelta(days=7 + wd)


def _day_of(kind: str, m: re.Match[str], today: dt.date) -> dt.date | None:
    if kind in ("tonight", "thispart", "today"):
        return today
    if kind == "tomorrow":
        return today + dt.timedelta(days=1)
    if kind == "dayafter":
        return today + dt.timedelta(days=2)
    if kind == "yesterday":
        return today - dt.timedelta(days=1)
    if kind in ("eow", "preweekend"):
        return _next_weekday(today, 4, strictly_after=False)
    if kind == "eom":
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    if kind == "nextmonth":
        return (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    if kind == "nextweek":
        return _next_week_day(today, 0)
    if kind == "thisweek":
        return _next_weekday(today, 4, strictly_after=False)
    if kind == "weekend":
        return _next_weekday(today, 5, strictly_after=False)
    if kind == "weekday":
        wd = WEEKDAYS[m.group("wd")]
        mod = " ".join((m.group("mod") or "").split())
        after = " ".join((m.group("after") or "").split())
        if after == "after next":
            return _next_week_day(today, wd) + dt.timedelta(days=7)
        if mod == "next" or after == "next week":
            return _next_week_day(today, wd)
        if mod == "this" or after == "this week":
            return _next_weekday(today, wd, strictly_after=False)
        return _next_weekday(today, wd)
    if kind in ("indays", "fromnow"):
        n = int(_count(m.group("n")))
        return today + dt.timedelta(days=n * (7 if m.group("u").startswith("week") else 1))
    if kind == "nth":
        d = int(m.group("d"))
        y, mo = today.year, today.month
        for _ in range(13):  # the next month that has that day, today included
            if d <= calendar.monthrange(y, mo)[1] and dt.date(y, mo, d) >= today:
                return dt.date(y, mo, d)
            y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
        return None
    if kind in ("iso", "absdate", "numdate"):
        return _dateparser_date(" ".join(m.group(0).split()), today)
    return None


def _time_of(kind: str, m: re.Match[str], defaults: ParseDefaults) -> tuple[dt.time, bool] | None:
    """(time, vague) for a time match."""
    if kind == "ampm":
        h, mi = int(m.group("h")), int(m.group("m") or 0)
        if not 1 <= h <= 12 or mi > 59:
            return None
        pm = m.group("ap").translate(_AP_FIX).startswith("p")
        h = (h % 12) + (12 if pm else 0)
        return dt.time(h, mi), False
    if kind == "clock":
        raw_h, mi = m.group("h"), int(m.group("m"))
        h = int(raw_h)
        if len(raw_h) == 1 or (h <= 12 and not raw_h.startswith("0")):
            h = _working_hour(h) if h <= 12 else h
        return dt.time(h % 24, mi), False
    if kind == "spoken":
        h = _working_hour(_HOUR_WORDS[m.group("hw")])
        minute = _MINUTE_WORDS.get(" ".join((m.group("mw") or "").split()), 0)
        return dt.time(h, minute), False
    if kind == "bare":
        h = int(m.group("h"))
        if h > 23:
            return None
        return dt.time(_working_hour(h) if h <= 12 else h, 0), False
    if kind == "noon":
        return dt.time(12, 0), False
    if kind == "midnight":
        return dt.time(23, 59), False
    if kind == "cob":
        return defaults.close_of_business, True
    if kind == "eod":
        return defaults.end_of_day, True
    if kind in ("tonight",):
        return defaults.evening, True
    if kind in ("thispart", "vague"):
        part = m.group("part") or "morning"
        return {
            "morning": defaults.morning,
            "afternoon": defaults.afternoon,
            "evening": defaults.evening,
            "night": defaults.evening,
        }[part], True
    return None


_DAY_KINDS = frozenset(
    [
        "iso",
        "absdate",
        "numdate",
        "tonight",
        "thispart",
        "dayafter",
        "tomorrow",
        "today",
        "yesterday",
        "eow",
        "eom",
        "nextmonth",
        "weekday",
        "nextweek",
        "thisweek",
        "preweekend",
        "weekend",
        "indays",
        "fromnow",
        "nth",
    ]
)
_TIME_KINDS = frozenset(
    [
        "tonight",
        "thispart",
        "ampm",
        "clock",
        "noon",
        "midnight",
        "cob",
        "eod",
        "vague",
        "bare",
        "spoken",
    ]
)


def extract_when(
    low: str,
    now: dt.datetime,
    sender_zone: ZoneInfo,
    defaults: ParseDefaults,
    resolve_hint: Callable[[ZoneHint], ZoneInfo | None],
    blocked: Callable[[int, int], bool] | None = None,
) -> When:
    """Read the due moment of `low` (the lower-cased message) as seen from `now`.

    `resolve_hint` turns "his time"/"Colin's time"/"Central" into a zone (None: keep the sender's);
    `blocked` says a span already belongs to something else (a reading such as "45 psi").
    """
    accepted: list[tuple[str, re.Match[str]]] = []
    taken: list[Span] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(low):
            s, e = m.span()
            if any(a < e and s < b for a, b in taken) or (blocked and blocked(s, e)):
                continue
            accepted.append((kind, m))
            taken.append((s, e))
    out = When()
    if not accepted:
        return out
    accepted.sort(key=lambda km: km[1].start())

    # zone: right after a time ("3pm Central"), else anywhere ("... his time")
    hint: ZoneHint | None = None
    for kind, m in accepted:
        if kind in _TIME_KINDS:
            zm = ZONE_AFTER_TIME_RE.match(low, m.end())
            if zm and zm.group(0).strip():
                hint = hint_from_match(zm)
                break
    if hint is None:
        zm = ZONE_ANYWHERE_RE.search(low)
        if zm:
            hint = hint_from_match(zm)
    zone = sender_zone
    if hint is not None:
        out.zone_hint = hint
        out.spans.append((hint.start, hint.end))
        zone = resolve_hint(hint) or sender_zone
    out.zone = zone
    local_now = now.astimezone(zone)
    today = local_now.date()

    day: dt.date | None = None
    day_kind: str | None = None
    time_val: dt.time | None = None
    delta: dt.timedelta | None = None
    for kind, m in accepted:
        used = False
        if kind == "delta":
            n = _count(m.group("n"))
            unit = m.group("u")
            delta = dt.timedelta(hours=n) if unit.startswith("h") else dt.timedelta(minutes=n)
            used = True
        if kind == "weekday":
            out.weekdays.append(WEEKDAYS[m.group("wd")])
        if kind in _DAY_KINDS and _SINCE_RE.search(low, 0, m.start()):
            continue  # "sticking since Monday": when it began, not when it is due
        if kind in _DAY_KINDS:
            d = _day_of(kind, m, today)
            # first real day wins; "yesterday" only when nothing else is said;
            # "to Friday" (an update's new date) beats an earlier "from Monday"
            prefer_new = low[max(0, m.start() - 3) : m.start()] == "to "
            if d is not None and (
                day is None or day_kind == "yesterday" or (prefer_new and kind != "yesterday")
            ):
                day, day_kind = d, kind
            used = d is not None
        if kind in _TIME_KINDS:
            t = _time_of(kind, m, defaults)
            if t is not None:
                # the first exact time wins; a vague word only when no exact time is given
                if time_val is None or (out.vague and not t[1]):
                    time_val, out.vague = t
                used = True
        if used:
            s = m.start()
            lead = _LEAD_RE.search(low, 0, s)
            out.spans.append((lead.start() if lead else s, m.end()))

    out.past = day_kind == "yesterday"
    out.time = time_val
    out.day = day
    if delta is not None:
        out.value = (local_now + delta).replace(second=0, microsecond=0)
        return out
    if day is not None and time_val is not None:
        out.value = dt.datetime.combine(day, time_val, tzinfo=zone)
    elif time_val is not None:
        moment = dt.datetime.combine(today, time_val, tzinfo=zone)
        if moment <= local_now:
            moment = dt.datetime.combine(today + dt.timedelta(days=1), time_val, tzinfo=zone)
        out.value = moment
    elif day is not None:
        out.value = day
    return out
