"""Subjects and task references: what is left of a message once people, times and cue words go."""

from __future__ import annotations

import re

from flrts.nlp.offline.text import SpanSet, squash, vocabulary

_LEAD_RE = re.compile(
    r"^(?:(?:hey|hi|yo|ok|okay|so|also|and|then|pls|please|plz|kindly|can\s+you|could\s+you"
    r"|would\s+you|will\s+you|i\s+need\s+you\s+to|we\s+need\s+to|need\s+to|needs\s+to|to"
    r"|(?:new\s+)?task|todo|to-?do|create\s+(?:a\s+)?(?:new\s+)?task(?:\s+to)?|add\s+(?:a\s+)?"
    r"(?:new\s+)?task(?:\s+to)?|make\s+sure(?:\s+to)?|don'?t\s+forget\s+to|remember\s+to|go"
    r"|remind(?:er)?|set\s+(?:a\s+|me\s+a\s+)?reminder|i\s+need\s+to|i\s+have\s+to|i\s+should"
    r"|i\s+gotta|i'?ll|i\s+will|should|must|has\s+to|have\s+to|gotta|with\s+title|titled"
    r"|called|with|for|that|the\s+task\s+of|about|is|will|of)\b[\s,:\-–!]*)+",
    re.IGNORECASE,
)
_TRAIL_RE = re.compile(
    r"(?:[\s,;:\-–]+|\s+(?:to|and|for|by|on|at|in|please|pls|thanks|thx|ty|asap|is|due|it|also"
    r"|then|ok|okay|done)\b)+$|[\s,;:\-–!?.]+$",
    re.IGNORECASE,
)
_PLEASE_RE = re.compile(r"\b(?:please|pls|plz|kindly)\b[,]?\s*", re.IGNORECASE)
_PUNCT_ONLY_RE = re.compile(r"^[\W_]*$")
TASK_NAME_RE = re.compile(r"\b(?:task|tsk|mv|mntc)-\d{4}-\d{3,6}\b|\bTASK-\d+\b", re.IGNORECASE)
_VAGUE_SUBJECTS = vocabulary(
    """
    thing things stuff something it this that task todo job work item usual same one ones
    whatever anything everything
    """
)
# A verb with only a pronoun for its object says what to do to nothing: "do it", "handle that".
_EMPTY_OBJECT_VERBS = vocabulary("do handle sort fix take deal look get finish cover manage")
_FILLER = frozenset({"the", "a", "an", "some", "of", "care", "with", "at", "out", "up"})


def clean_subject(text: str, claimed: SpanSet) -> str | None:
    """The message minus claimed spans and cue words, first letter capitalised."""
    rest = squash(_PLEASE_RE.sub("", claimed.remove_from(text)))
    rest = re.sub(r"\s+([,.;:!?])", r"\1", rest)
    for _ in range(3):
        before = rest
        rest = _LEAD_RE.sub("", rest).strip()
        rest = _TRAIL_RE.sub("", rest).strip()
        rest = re.sub(r"^[,;:.!\-–\s]+", "", rest)
        if rest == before:
            break
    rest = re.sub(r"\s*,\s*,+", ",", rest).strip(" ,;:-")
    if not rest or _PUNCT_ONLY_RE.match(rest):
        return None
    return rest[:1].upper() + rest[1:]


def is_vague(subject: str | None) -> bool:
    """True when the subject says nothing a person could act on ("thing", "stuff", "do it")."""
    if not subject:
        return True
    words = re.findall(r"[a-z0-9#]+", subject.lower())
    return (
        not words
        or " ".join(words) in _VAGUE_SUBJECTS
        or all(w in _VAGUE_SUBJECTS | _FILLER for w in words)
        or (
            words[0] in _EMPTY_OBJECT_VERBS
            and all(w in _VAGUE_SUBJECTS | _FILLER for w in words[1:])
        )
    )


_REF_STRIP_RE = re.compile(
    r"^(?:(?:i'?m|we'?re|i\s+am|i|we|all|just|ok|okay|so|please|pls|can\s+you|mark|marked|set"
    r"|done|finished|completed|complete|closed|close|wrapped\s+up|knocked\s+out|with|the|my|our"
    r"|that|move|push|postpone|reschedule|delay|bump|reassign|re-assign|shift|extend|change|update"
    r"|make|hand\s+off|hand\s+over|give)\b[\s,:]*)+",
    re.IGNORECASE,
)
_REF_TRAIL_RE = re.compile(
    r"(?:\s+(?:is|are|was|were|has\s+been|have\s+been|'s|now|all|as|to|back|out|off|over|up|for"
    r"|done|finished|complete|completed|fixed|sorted|resolved|taken\s+care\s+of|closed|handled"
    r"|task|job|ticket|the\s+due\s+date\s+of|due\s+date|deadline|priority|of|and|it|too"
    r"|can\s+wait|instead|submitted|sent|filed|signed\s+off|wrapped\s+up|squared\s+away)\b"
    r"|[\s,.;:!?\-–]+|'s)+$",
    re.IGNORECASE,
)


_REF_FIELD_RE = re.compile(
    r"^(?:the\s+)?(?:due\s+date|deadline|priority|time|date)\s+(?:of|for|on)\s+", re.I
)


def task_reference(text: str, claimed: SpanSet) -> str | None:
    """A task name (TASK-2026-00042) when given, else the words that identify the task."""
    if m := TASK_NAME_RE.search(text):
        return m.group(0).upper()
    rest = squash(claimed.remove_from(text))
    for _ in range(3):
        before = rest
        rest = _REF_STRIP_RE.sub("", rest).strip()
        rest = _REF_FIELD_RE.sub("", rest).strip()
        rest = _REF_TRAIL_RE.sub("", rest).strip()
        if rest == before:
            break
    rest = re.sub(r"^(?:the|a|an)\s+", "", rest, flags=re.IGNORECASE)
    return rest or None
