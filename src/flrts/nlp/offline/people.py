"""Who the message is for: the assignee slot ("Colin, ...", "for Joel", "have Bryan ...").

A person is the assignee only when named in an assignee position; "call Colin about the invoice"
names Colin but does not assign him anything. A capitalised word in such a position that is not
a known person (nor a site, contractor or common word) is an *unknown person*: the parser then
leaves the assignee empty and asks, instead of guessing a colleague with a similar name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flrts.nlp.offline.entities import NOT_NAMES, Match
from flrts.nlp.offline.text import Span
from flrts.nlp.offline.verbs import TASK_VERBS
from flrts.nlp.offline.when import WEEKDAYS
from flrts.nlp.types import Intent

_N = r"(?P<n>@?[A-Za-z][\w'’-]*)"
_VERBS = frozenset(TASK_VERBS.split("|"))
_PREFIX = r"^\s*(?:(?:urgent|asap|emergency|important)\s*[:!\-–]\s*)?"
# Ordered from the strongest signal to the weakest; (pattern, may name an unknown person).
_SLOTS: list[tuple[re.Pattern[str], bool]] = [
    (re.compile(r"^\s*(?:(?:hey|hi|yo|ok|okay|morning)\s+)?" + _N + r"\s*[,:\-–]\s", re.I), True),
    (
        re.compile(
            r"\b(?:assign(?:ed)?|reassign|re-assign|hand\s+(?:it\s+)?(?:off|over)|give|pass)\b"
            r"[^.!?]{0,60}?\bto\s+" + _N,
            re.I,
        ),
        True,
    ),
    (re.compile(r"\bassign(?:ed)?\s+(?:it\s+|this\s+|that\s+)?(?:to\s+)?" + _N, re.I), True),
    (re.compile(r"\b(?:have|ask|tell|get|need|want|remind)\s+" + _N + r"\b", re.I), True),
    (
        re.compile(
            _PREFIX + _N + r"(?:'s|’s)?\s+(?:needs?\s+to|should|must|has\s+to|to\s+(?!the\b)"
            r"|will|can|could|please|pls|is\s+going\s+to|gotta|needs\b)",
            re.I,
        ),
        True,
    ),
    (re.compile(_PREFIX + _N + r"\s+(?P<v>[a-z-]+)\b", re.I), True),
    (re.compile(r"\b(?:for|to)\s+" + _N + r"(?=\s+to\b)", re.I), True),
    (re.compile(r"\bfor\s+" + _N, re.I), True),
    (re.compile(r"\bit'?s\s+(?:for\s+)?" + _N, re.I), False),
    # "okay so tomorrow at 7:30 Shane needs to meet them": a known name before a modal, anywhere
    (re.compile(r"\b" + _N + r"\s+(?:needs?\s+to|has\s+to|must|is\s+going\s+to|should)\b"), False),
]
_VERB_SLOT = 5
# "Colin check ...", "..., Taylor set it up tomorrow": a known person opening a clause.
_CLAUSE_OPEN_RE = re.compile(
    r"(?:^|[,.;:!?–—]|\s-)\s*(?:(?:urgent|asap|emergency|important|hey|hi|ok|okay|so|and|also"
    r"|then|pls|please|fyi)\s*[:!,\-–]?\s*)*$",
    re.I,
)
_NOT_AFTER_NAME = frozenset(
    [
        "is",
        "was",
        "are",
        "were",
        "has",
        "had",
        "and",
        "or",
        "said",
        "says",
        "told",
        "asked",
        "wants",
        "thinks",
        "knows",
        "got",
        "did",
        "called",
        "mentioned",
        "from",
        "at",
        "in",
        "on",
        "of",
        "with",
        "says'",
        "isn't",
        "wasn't",
    ]
)
_NEXT_WORD_RE = re.compile(r"\s*([A-Za-z'’-]+)")
_VERB_SOON_RE = re.compile(
    r"(?:\s+[\w:']+){1,4}?\s+(?:" + TASK_VERBS + r")\s+(?:the|a|an|my|our|all|some)\b", re.I
)
_UPDATE_TO_RE = re.compile(r"\bto\s+" + _N, re.I)
_SELF_RE = re.compile(
    r"^\s*(?:i|i'll|i\s+will|i'm\s+going\s+to|i\s+need\s+to|i\s+have\s+to|i\s+should|i\s+gotta"
    r"|i\s+must|note\s+to\s+self)\b|\bremind\s+(?:me|us)\b|\bfor\s+me\b|\bassign\s+(?:it\s+|this\s+)?"
    r"to\s+me\b|\bmy\s+(?:tasks?|plate|list|jobs?)\b|\bdo\s+i\s+have\b|\bi\s+(?:have|own)\b"
    r"|\bme\s+to\b",
    re.I,
)
_DETERMINER_AFTER_VERB = re.compile(
    r"\s+(?:(?:the|a|an|my|our|his|her|their|some|something|it|this|that|all|pump)\b|#|\d)",
    re.I,
)


@dataclass
class Assignee:
    person: str | None = None
    span: Span | None = None  # slot text to drop from the subject
    unknown: str | None = None  # name in an assignee slot that matches nobody
    candidates: list[str] = field(default_factory=list)  # ambiguous first name
    fuzzy_via: str | None = None  # the typo that was matched, for the rationale
    is_self: bool = False


def _person_at(matches: list[Match], pos: int) -> list[Match]:
    return [m for m in matches if m.kind == "person" and m.start <= pos < m.end]


def _other_at(matches: list[Match], pos: int) -> bool:
    return any(m.kind != "person" and m.start <= pos < m.end for m in matches)


def _looks_like_name(token: str) -> bool:
    bare = token.lstrip("@").rstrip("'’s").lower()
    if token.startswith("@"):
        return len(bare) >= 2
    return (
        token[:1].isupper()
        and not token.isupper()
        and bare not in NOT_NAMES
        and bare not in WEEKDAYS
        and bare not in _VERBS
        and len(bare) >= 2
    )


def _clause_opener(text: str, matches: list[Match]) -> Match | None:
    for m in matches:
        if m.kind != "person" or m.via.endswith(("'s", "’s")):
            continue
        if not _CLAUSE_OPEN_RE.search(text[: m.start]):
            continue
        nxt = _NEXT_WORD_RE.match(text, m.end)
        if nxt and nxt.group(1).lower() not in _NOT_AFTER_NAME:
            return m
        # "Sarah at eight tomorrow walk the fence": a time between the name and the verb
        if nxt and nxt.group(1).lower() in ("at", "by", "on") and _VERB_SOON_RE.match(text, m.end):
            return m
    return None


def _known(found: Match, span: Span) -> Assignee:
    span = (min(span[0], found.start), max(span[1], found.end))
    return Assignee(person=found.key, span=span, fuzzy_via=found.via if found.fuzzy else None)


def find_assignee(text: str, matches: list[Match], sender: str, intent: Intent) -> Assignee:
    """The assignee for `intent`; the sender when the message says me/I (remind me, my tasks)."""
    if intent in (Intent.CREATE_FIELD_REPORT, Intent.HELP, Intent.UNKNOWN):
        return Assignee()
    if intent in (Intent.CREATE_LIST, Intent.ADD_LIST_ITEMS, Intent.COMPLETE_LIST_ITEMS):
        return Assignee()
    if intent == Intent.UPDATE_TASK:  # "reassign the compressor job to Taylor"
        for m in _UPDATE_TO_RE.finditer(text):
            people = _person_at(matches, m.start("n"))
            if people:
                return _known(people[0], (m.start(), m.end("n")))
    opener = _clause_opener(text, matches)
    for i, (slot, may_be_unknown) in enumerate(_SLOTS):
        if i == _VERB_SLOT and opener is not None:
            return _opener_result(text, opener)
        for m in slot.finditer(text):
            pos = m.start("n")
            token = m.group("n")
            if i == _VERB_SLOT:  # "<Name> <verb> the ...": only a real verb followed by its object
                verb = m.group("v").lower()
                if verb not in _VERBS or not _DETERMINER_AFTER_VERB.match(text, m.end("v")):
                    continue
            people = _person_at(matches, pos)
            span = (m.start(), m.end("n")) if i not in (1, _VERB_SLOT) else (pos, m.end("n"))
            if i == 1:  # "assign the fan swap to Rodrigo": keep "the fan swap" for the subject
                span = (text.rfind("to", 0, pos), m.end("n"))
            if people:
                ids = sorted({p.key for p in people})
                if len(ids) > 1:
                    return Assignee(span=span, candidates=ids)
                return _known(people[0], span)
            if _other_at(matches, pos):
                continue
            if token.lower() in ("me", "us", "myself"):
                return Assignee(person=sender, span=span, is_self=True)
            if may_be_unknown and _looks_like_name(token):
                return Assignee(span=span, unknown=token.lstrip("@"))
    if opener is not None:
        return _opener_result(text, opener)
    if intent == Intent.QUERY_TASKS:
        people = [m for m in matches if m.kind == "person"]
        if people:
            return Assignee(person=people[0].key, span=(people[0].start, people[0].end))
    if _SELF_RE.search(text):
        return Assignee(person=sender, is_self=True)
    handles = [m for m in matches if m.kind == "person" and m.via.startswith("@")]
    if handles:
        return Assignee(person=handles[0].key, span=(handles[0].start, handles[0].end))
    return Assignee()


_HELPER_AFTER_NAME_RE = re.compile(
    r"(?:'s|’s)?\s*[,:\-–]?\s*(?:needs?\s+to|should|must|has\s+to|to\b|will|can|could|please"
    r"|pls|is\s+going\s+to|gotta)?",
    re.I,
)


def _opener_result(text: str, opener: Match) -> Assignee:
    """Drop the name and a helper phrase after it ("Colin needs to") from the subject."""
    tail = _HELPER_AFTER_NAME_RE.match(text, opener.end)
    end = tail.end() if tail else opener.end
    return Assignee(
        person=opener.key,
        span=(opener.start, end),
        fuzzy_via=opener.via if opener.fuzzy else None,
    )
