"""Recurrence phrases -> an RRULE body ("FREQ=WEEKLY;BYDAY=MO;BYHOUR=8;BYMINUTE=0").

Common phrasings are handled by rules here so the output is canonical and the time of day comes
from the same time reader as everything else; anything else starting with "every" is handed to
`recurrent`. The first occurrence is computed with dateutil.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from dateutil.rrule import rrulestr

from flrts.nlp.offline.text import NUMBER_WORDS, Span
from flrts.nlp.offline.when import WEEKDAYS, When

_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_WD_FULL = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_WD_ANY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_ORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_ORD["last"] = -1

_TRIGGER_RE = re.compile(
    r"\b(?:every|each|daily|weekly|monthly|hourly|nightly|biweekly|fortnightly|weekdays"
    r"|once\s+a\s+(?:day|week|month)|(?:" + _WD_FULL + r")s)\b"
)
_OTHER_RE = re.compile(r"\b(?:every|each)\s+other\s+(?P<u>day|week|month|" + _WD_ANY + r")\b")
_EVERY_N_RE = re.compile(
    r"\bevery\s+(?P<n>\d+|two|three|four|five|six|ten|twelve)\s+(?P<u>hours?|days?|weeks?|months?)\b"
)
_WORKDAYS_RE = re.compile(
    r"\b(?:(?:every|each)\s+(?:weekday|work\s*day|business\s+day)s?|weekdays"
    r"|(?:mon(?:day)?)\s*(?:through|thru|to|-)\s*(?:fri(?:day)?))\b"
)
_DAILY_RE = re.compile(
    r"\b(?:daily|nightly|once\s+a\s+day|(?:every|each)\s+(?:day|morning|afternoon|evening|night"
    r"|shift))\b"
)
_WEEKDAY_LIST_RE = re.compile(
    r"\b(?:every|each)\s+(?:(?:" + _WD_ANY + r")s?\b(?:\s*(?:,|and|&|\+)\s*)?)+"
)
_PLURAL_WD_RE = re.compile(r"\b(?:on\s+)?(?:" + _WD_FULL + r")s\b")
_WEEKLY_RE = re.compile(
    r"\b(?:weekly|(?:every|each)\s+week|once\s+a\s+week)(?:\s+on\s+(?:" + _WD_ANY + r"))?\b"
)
_BIWEEKLY_RE = re.compile(r"\b(?:biweekly|fortnightly)\b")
_MONTHLY_RE = re.compile(r"\b(?:monthly|(?:every|each)\s+month|once\s+a\s+month)\b")
_MONTHDAY_RE = re.compile(r"\bon\s+the\s+(?P<d>[12]?\d|3[01])(?:st|nd|rd|th)\b")
_NTH_WD_RE = re.compile(
    r"\b(?:on\s+)?(?:the\s+)?(?P<o>first|1st|second|2nd|third|3rd|fourth|4th|last)\s+"
    r"(?P<wd>" + _WD_ANY + r")\s+of\s+(?:every|each|the)\s+month\b"
)
_HOURLY_RE = re.compile(r"\b(?:hourly|(?:every|each)\s+hour)\b")
_EVERY_CLAUSE_RE = re.compile(r"\bevery\b[^,.;!?]*")
_WD_IN_RE = re.compile(r"\b(?P<wd>" + _WD_ANY + r")s?\b")


@dataclass
class Recurrence:
    freq: str
    interval: int = 1
    byday: list[str] = field(default_factory=list)
    bymonthday: int | None = None
    time: dt.time | None = None
    spans: list[Span] = field(default_factory=list)

    @property
    def rule(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval > 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.byday:
            parts.append("BYDAY=" + ",".join(self.byday))
        if self.bymonthday is not None:
            parts.append(f"BYMONTHDAY={self.bymonthday}")
        if self.time is not None and self.freq != "HOURLY":
            parts.append(f"BYHOUR={self.time.hour};BYMINUTE={self.time.minute}")
        return ";".join(parts)


def _weekday_codes(segment: str) -> list[str]:
    seen: list[str] = []
    for m in _WD_IN_RE.finditer(segment):
        code = _CODES[WEEKDAYS[m.group("wd")]]
        if code not in seen:
            seen.append(code)
    return seen


def _n(token: str) -> int:
    return int(token) if token.isdigit() else int(NUMBER_WORDS.get(token, 1))


def extract_recurrence(low: str, when: When) -> Recurrence | None:
    """The recurrence the message states, or None (most messages: one cheap regex search)."""
    if not _TRIGGER_RE.search(low):
        return None
    rec: Recurrence | None = None
    if m := _NTH_WD_RE.search(low):
        code = _CODES[WEEKDAYS[m.group("wd")]]
        rec = Recurrence("MONTHLY", byday=[f"{_ORD[m.group('o')]}{code}"], spans=[m.span()])
    elif m := _EVERY_N_RE.search(low):
        unit = m.group("u").rstrip("s").upper()
        freq = {"HOUR": "HOURLY", "DAY": "DAILY", "WEEK": "WEEKLY", "MONTH": "MONTHLY"}[unit]
        rec = Recurrence(freq, interval=_n(m.group("n")), spans=[m.span()])
    elif m := _OTHER_RE.search(low):
        unit = m.group("u")
        if unit in WEEKDAYS:
            rec = Recurrence("WEEKLY", 2, [_CODES[WEEKDAYS[unit]]], spans=[m.span()])
        else:
            freq = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY"}[unit]
            rec = Recurrence(freq, 2, spans=[m.span()])
    elif m := _WORKDAYS_RE.search(low):
        rec = Recurrence("WEEKLY", byday=_CODES[:5], spans=[m.span()])
    elif m := _HOURLY_RE.search(low):
        rec = Recurrence("HOURLY", spans=[m.span()])
    elif m := _DAILY_RE.search(low):
        rec = Recurrence("DAILY", spans=[m.span()])
    elif (m := _WEEKDAY_LIST_RE.search(low)) and _weekday_codes(m.group(0)):
        # before "weekly": in "every Friday ... the weekly report" the weekday is the rule
        rec = Recurrence("WEEKLY", byday=_weekday_codes(m.group(0)), spans=[m.span()])
    elif m := _BIWEEKLY_RE.search(low):
        rec = Recurrence("WEEKLY", 2, _weekday_codes(low), spans=[m.span()])
    elif m := _WEEKLY_RE.search(low):
        rec = Recurrence("WEEKLY", byday=_weekday_codes(m.group(0)), spans=[m.span()])
    elif m := _PLURAL_WD_RE.search(low):
        rec = Recurrence("WEEKLY", byday=_weekday_codes(low[m.start() :]), spans=[m.span()])
    elif m := _MONTHLY_RE.search(low):
        rec = Recurrence("MONTHLY", spans=[m.span()])
        if d := _MONTHDAY_RE.search(low):
            rec.bymonthday = int(d.group("d"))
            rec.spans.append(d.span())
    elif m := _EVERY_CLAUSE_RE.search(low):
        rec = _from_recurrent(m.group(0))
        if rec is not None:
            rec.spans.append(m.span())
    if rec is None:
        return None
    monthly_without_day = rec.freq == "MONTHLY" and rec.bymonthday is None and not rec.byday
    if monthly_without_day and (d := _MONTHDAY_RE.search(low)):
        rec.bymonthday = int(d.group("d"))
        rec.spans.append(d.span())
    rec.time = when.time
    return rec


@lru_cache(maxsize=256)
def _recurrent_rule(phrase: str) -> str | None:
    from recurrent.event_parser import RecurringEvent

    event = RecurringEvent(now_date=dt.datetime(2026, 1, 5, 12, 0))
    out = event.parse(phrase)
    return out if isinstance(out, str) and event.is_recurring else None


def load_fallback() -> None:
    """Import and run recurrent once, ahead of the first message that needs it (warm-up)."""
    _recurrent_rule("every second tuesday of the month")


def _from_recurrent(phrase: str) -> Recurrence | None:
    """Fallback for phrasings the rules above do not know; recurrent's time is ignored."""
    raw = _recurrent_rule(phrase)
    if not raw:
        return None
    params = dict(p.split("=", 1) for p in raw.removeprefix("RRULE:").split(";") if "=" in p)
    freq = params.get("FREQ")
    if freq not in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY"):
        return None
    rec = Recurrence(freq, interval=int(params.get("INTERVAL", "1") or 1))
    if params.get("BYDAY"):
        rec.byday = params["BYDAY"].split(",")
    if params.get("BYMONTHDAY", "").lstrip("-").isdigit():
        rec.bymonthday = int(params["BYMONTHDAY"])
    return rec


def first_occurrence(
    rule: str, after: dt.datetime, default_time: dt.time | None = None
) -> dt.datetime | None:
    """The first occurrence strictly after `after` (aware), in `after`'s zone.

    A rule without a time of day fires at `default_time` (e.g. the morning default for a
    reminder); the RRULE itself is left without BYHOUR so it says only what the message said.
    """
    body = rule
    if default_time is not None and "BYHOUR" not in rule and "HOURLY" not in rule:
        body += f";BYHOUR={default_time.hour};BYMINUTE={default_time.minute}"
    naive = after.replace(tzinfo=None, second=0, microsecond=0)
    try:
        nxt = rrulestr(body, dtstart=naive).after(naive)
    except (ValueError, TypeError):
        return None
    if nxt is None:
        return None
    return nxt.replace(second=0, tzinfo=after.tzinfo)
