"""Priority words -> Priority.

ASAP / emergency / critical / immediately -> Urgent; urgent / important / high priority -> High;
low / whenever / no rush -> Low; nothing said -> None (the caller turns that into Medium for a new
task, and leaves it alone for an update or a correction).
"""

from __future__ import annotations

import re

from flrts.nlp.offline.text import Span
from flrts.nlp.types import Priority

# Checked in this order: "not urgent" must win over "urgent", "top priority" over "priority".
# "set the priority of the fan job to low": the level named after "to" is the priority.
_SET_TO_RE = re.compile(
    r"\b(?P<word>priority|pri)\b[^.!?\n]{0,50}?\bto\s+(?P<level>low|medium|normal|high|urgent|critical)\b"
)
_LEVELS = {
    "low": Priority.LOW,
    "medium": Priority.MEDIUM,
    "normal": Priority.MEDIUM,
    "high": Priority.HIGH,
    "urgent": Priority.HIGH,  # "urgent" is High, as everywhere else
    "critical": Priority.URGENT,
}
# "emergency lighting", "emergency stop": equipment, not a priority.
_EMERGENCY = (
    r"emergency(?!\s+(?:lighting|lights?|stops?|exits?|showers?|eyewash|generators?|gen|brakes?"
    r"|power|response|kits?|vehicles?|drills?|plans?|contacts?|numbers?|radios?|doors?|e-?stops?"
    r"|shut-?offs?|shutdown\s+switch))"
)
_RULES: list[tuple[re.Pattern[str], Priority]] = [
    (
        re.compile(
            r"\b(?:not\s+(?:urgent|a\s+priority|important|critical)|low[\s-]*pri(?:ority)?"
            r"|whenever(?:\s+you\s+(?:can|get\s+(?:a\s+)?(?:chance|time)))?|no\s+rush"
            r"|no\s+hurry|when\s+you\s+get\s+(?:a\s+)?(?:chance|time|a\s+minute)"
            r"|when(?:ever)?\s+you\s+have\s+(?:a\s+)?(?:sec|minute|time)|someday|eventually"
            r"|(?:priority|pri)\s*[:=]?\s*low)\b"
        ),
        Priority.LOW,
    ),
    (
        re.compile(
            r"\b(?:asap|a\.s\.a\.p\.?|"
            + _EMERGENCY
            + r"|critical|immediately|right\s+away|right\s+now"
            r"|top\s+priority|drop\s+everything|p0|(?:priority|pri)\s*[:=]?\s*urgent)\b"
        ),
        Priority.URGENT,
    ),
    (
        re.compile(
            r"\b(?:urgent(?:ly|e)?|important|high[\s-]*pri(?:ority)?|(?:priority|pri)\s*[:=]?\s*high"
            r"|p1|priority)\b"
        ),
        Priority.HIGH,
    ),
]
_BANG_RE = re.compile(r"!{3,}")


def find_priority(low: str) -> tuple[Priority | None, list[Span]]:
    """The priority the text states, and the spans of the words that said it."""
    if m := _SET_TO_RE.search(low):
        # the words "priority" and "to low" say it; what lies between names the task
        to = low.rfind("to", m.start(), m.start("level"))
        return _LEVELS[m.group("level")], [m.span("word"), (to, m.end())]
    for pattern, value in _RULES:
        spans = [m.span() for m in pattern.finditer(low)]
        if spans:
            return value, spans
    if _BANG_RE.search(low):
        return Priority.HIGH, [m.span() for m in _BANG_RE.finditer(low)]
    return None, []
