"""Corrections to a pending proposal: change only what the correction mentions.

"no, it's for Taylor and it's urgent" changes the assignee and the priority; "change the due date
to Friday 3pm" changes the due moment; everything else, and the intent, stays as proposed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flrts.nlp.offline.entities import ContextIndex, Match
from flrts.nlp.offline.people import find_assignee
from flrts.nlp.offline.recurrence import Recurrence, first_occurrence
from flrts.nlp.offline.when import When
from flrts.nlp.types import Intent, ParseResult, Priority

_SUBJECT_RE = re.compile(
    r"\b(?:rename\s+(?:it|this|the\s+task)\s+(?:to\s+)?|call\s+it\s+|(?:the\s+)?(?:subject|title"
    r"|name)\s+(?:should\s+be|is|to)\s+)[\"'“]?(?P<s>[^\"'”]+?)[\"'”]?\s*[.!]?$",
    re.IGNORECASE,
)
_ME_RE = re.compile(r"\b(?:for|to)\s+me\b|\bi'?ll\s+(?:do|take|handle)\s+it\b", re.IGNORECASE)


def apply_correction(
    pending: ParseResult,
    text: str,
    sender: str,
    matches: list[Match],
    when: When,
    recurrence: Recurrence | None,
    priority: Priority | None,
    idx: ContextIndex,
    parser_name: str,
) -> ParseResult:
    changes: dict[str, Any] = {}
    clarify: str | None = None
    people = [m for m in matches if m.kind == "person"]
    who = find_assignee(text, matches, sender, pending.intent)
    if people:
        changes["assignee"] = who.person or people[-1].key
    elif _ME_RE.search(text):
        changes["assignee"] = sender
    elif who.unknown:
        clarify = f"I don't know anyone called {who.unknown}. Who should do this?"
    if priority is not None:
        changes["priority"] = priority
    old_moment = pending.remind_at if pending.intent == Intent.CREATE_REMINDER else pending.due
    if when.value is not None and when.day is None and when.time is not None and old_moment:
        # "make that 9am": a new time on the day already proposed, in that day's zone
        tz: dt.tzinfo | None = when.zone if when.zone_hint is not None else None
        if isinstance(old_moment, dt.datetime):
            tz = tz or old_moment.tzinfo
            day = old_moment.astimezone(tz).date() if old_moment.tzinfo else old_moment.date()
        else:
            day = old_moment
        when.value = dt.datetime.combine(day, when.time, tzinfo=tz or when.zone or dt.UTC)
    if when.value is not None:
        if pending.intent == Intent.CREATE_REMINDER:
            value = when.value
            if not isinstance(value, dt.datetime):
                tz = when.zone or dt.UTC
                value = dt.datetime.combine(value, dt.time(8, 0), tzinfo=tz)
            changes["remind_at"] = value
        else:
            changes["due"] = when.value
    if recurrence is not None:
        changes["recurrence"] = recurrence.rule
        if pending.intent == Intent.CREATE_REMINDER and pending.remind_at is not None:
            nxt = first_occurrence(recurrence.rule, pending.remind_at)
            if nxt is not None:
                changes["remind_at"] = nxt
    for kind, field in (("site", "site"), ("contractor", "contractor"), ("list", "list_name")):
        found = next((m for m in matches if m.kind == kind), None)
        if found is not None:
            changes[field] = found.key
    if m := _SUBJECT_RE.search(text):
        changes["subject"] = m.group("s").strip()
    result = pending.model_copy(update=changes, deep=True)
    result.parser = parser_name
    if clarify:
        result.clarify = clarify
        result.confidence = 0.4
    elif not changes:
        result.clarify = "What should I change?"
        result.confidence = 0.4
    else:
        result.clarify = None
        result.confidence = 0.9
    changed = ", ".join(sorted(changes)) or "nothing"
    result.rationale = f"Correction of the pending {pending.intent.value}: changed {changed}."
    return result
