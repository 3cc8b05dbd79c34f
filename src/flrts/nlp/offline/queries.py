"""Query filters for "what's overdue at Crystal Peak?", "show me Taylor's open tasks this week"."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from flrts.nlp.offline.when import When
from flrts.nlp.types import QueryFilters

_STATUS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:overdue|late|past\s+due|behind|missed)\b"), "overdue"),
    (
        re.compile(r"\bdue\s+today\b|\btoday'?s\s+tasks\b|\b(?:for|on)\s+today\b"),
        "due_today",
    ),
    # work still to do, even when the words "finish" or "done" appear in it
    (
        re.compile(
            r"\b(?:need|needs|have|has|got|left)\s+to\s+(?:do|finish|complete|get\s+done)\b"
            r"|\b(?:working\s+on|doing|busy\s+with|on\s+deck)\b"
        ),
        "open",
    ),
    (re.compile(r"\b(?:finish(?:ed)?|complete(?:d)?|done|close[ds]?|wrapped\s+up)\b"), "completed"),
    (
        re.compile(
            r"\b(?:open|outstanding|pending|on\s+\w+\s+plate|to-?do|left|have|has|assigned)\b"
        ),
        "open",
    ),
]
_THIS_WEEK_RE = re.compile(r"\bthis\s+week\b")
_NEXT_WEEK_RE = re.compile(r"\bnext\s+week\b")


def query_filters(
    low: str,
    when: When,
    assignee: str | None,
    site: str | None,
    now: dt.datetime,
    sender_zone: ZoneInfo,
) -> QueryFilters:
    status = next((value for pattern, value in _STATUS if pattern.search(low)), None)
    today = now.astimezone(sender_zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    after: dt.date | None = None
    before: dt.date | None = None
    if _THIS_WEEK_RE.search(low):
        after, before = monday, monday + dt.timedelta(days=6)
    elif _NEXT_WEEK_RE.search(low):
        after, before = monday + dt.timedelta(days=7), monday + dt.timedelta(days=13)
    elif when.day is not None and status != "due_today":
        after = before = when.day
    return QueryFilters(
        status=status, assignee=assignee, site=site, due_after=after, due_before=before
    )
