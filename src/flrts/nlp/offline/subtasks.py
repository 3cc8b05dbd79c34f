"""Sub-tasks: the checklist a crew writes under a task.

A create-task message may carry a checklist in one of these forms (the task comes first):

- "<task>: drain the tank, replace the filter and test the valve": items after a colon in the
  first line. Every item must start with a verb and there must be at least two, so "check the
  pump: it is leaking again" stays one task.
- "<task>\\n- drain the tank\\n• replace filter\\n1. test valve": bullet or numbered lines after
  the first line; at least two, or one when the line before ends with a colon.
- "<task>:\\ndrain the tank\\nreplace the filter": one item a line after a line ending in a colon;
  at least two, each starting with a verb.
- "<task> with subtasks: a, b, c" (also "sub-tasks:", "steps:", "checklist:", "to-do:"), inline
  or on the following lines: the marker says it is a checklist, so any items count.

The part before the checklist must say something on its own (not only a name, a site, a time or
a label such as "URGENT:"). An item may name its own assignee ("Taylor: replace the filter",
"replace the filter (Taylor)"); otherwise it has none and the parent's applies. The caller decides
whether the message is a new task at all: lists, reports and reminders never get sub-tasks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flrts.nlp.offline.entities import Match
from flrts.nlp.offline.intent import CREATE_LIST_RE, TASK_VERBS
from flrts.nlp.offline.subject import clean_subject, is_vague
from flrts.nlp.offline.text import Span, SpanSet, lower_same_length
from flrts.nlp.types import SubTaskSpec

MAX_SUBTASKS = 20

# Verbs an unmarked item may start with: the task verbs plus common checklist steps.
_ITEM_VERBS = frozenset(TASK_VERBS.split("|")) | frozenset(
    [
        "add",
        "apply",
        "backup",
        "blow",
        "bolt",
        "cap",
        "close",
        "cover",
        "drill",
        "dust",
        "empty",
        "grab",
        "hose",
        "insulate",
        "lift",
        "log",
        "loosen",
        "mark",
        "move",
        "note",
        "open",
        "pack",
        "plug",
        "put",
        "re-seat",
        "reattach",
        "refit",
        "reinstall",
        "reseat",
        "replug",
        "rinse",
        "scrub",
        "seal",
        "shut",
        "store",
        "tape",
        "turn",
        "unplug",
        "upload",
        "use",
        "vacuum",
        "wipe",
    ]
)
_MARKER_RE = re.compile(
    r"(?:\b(?:with|and|plus|incl(?:uding)?)\s+)?(?:\b(?:the\s+)?following\s+)?(?<!\bthe\s)"
    r"\b(?:sub[\s-]?tasks?|steps|check[\s-]?list|to-?dos?)\s*:",
    re.IGNORECASE,
)
_COLON_RE = re.compile(r":(?=\s|$)")
_BULLET_RE = re.compile(r"[ \t]*(?:[-*•·‣◦▪–—+>]|\d{1,2}[.)]|\(\d{1,2}\)|\[[ xX]?\])[ \t]+")
_JOIN_RE = re.compile(r"\s+(?:and\s+then|and|then|&|\+|plus)\s+", re.IGNORECASE)
_FILLER_RE = re.compile(
    r"(?:(?:and|then|also|plus|please|pls|plz|kindly)\b\s*|[&+]\s*)+", re.IGNORECASE
)
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# after a name that opens an item: "Taylor: ...", "Taylor - ...", "Taylor to ..."
_NAME_PUNCT_RE = re.compile(r"\s*[:,\-–—]\s*")
_NAME_HELPER_RE = re.compile(
    r"\s+(?:needs?\s+to|should|must|has\s+to|to|will|can|please|pls)\s+", re.IGNORECASE
)
_ME_PREFIX_RE = re.compile(r"(?:me|myself)\s*[:\-–—]\s*", re.IGNORECASE)
_ME_SUFFIX_RE = re.compile(r"\s*[(\[]\s*(?:me|myself)\s*[)\]]\s*[.;,!]*\s*$", re.IGNORECASE)
_BEFORE_SUFFIX_RE = re.compile(r"(?:[(\[]|\s[-–—→]|\s)\s*$")
_AFTER_SUFFIX_RE = re.compile(r"\s*[)\]]?[\s.,;!]*")
_LEAD_PUNCT_RE = re.compile(r"^[\s,;:.\-–—•*]+")
_TRAIL_RE = re.compile(
    r"(?:[\s,;:.!?\-–—]+|\s+(?:please|pls|plz|thanks|thx|and|then|also))+$",
    re.IGNORECASE,
)
_NOTHING_RE = re.compile(
    r"^(?:etc|and\s+so\s+on|so\s+on|\.+|…|thanks|thank\s+you|thx|ty|cheers|please|pls)$",
    re.IGNORECASE,
)
_EMPTY_BRACKETS_RE = re.compile(r"\(\s*\)|\[\s*\]")
# a head that is only a label is not a task: "FYI: check the pump, clean the filter"
_LABELS = frozenset(
    ["fyi", "note", "notes", "ps", "btw", "heads up", "info", "re", "fw", "fwd", "update", "status"]
)
# "do the following:", "these steps:": a head that only points at the checklist
_POINTERS = frozenset(
    ["do", "the", "these", "this", "following", "as", "follows", "below", "steps", "list", "it"]
)


@dataclass
class Checklist:
    """Where the checklist is: `items` are the item texts, `region` everything to leave out of
    the parent (the opening colon or marker, bullets and items), `marker` the explicit word."""

    items: list[Span] = field(default_factory=list)
    region: list[Span] = field(default_factory=list)
    marker: Span | None = None

    def inside(self, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in self.region)

    def blank(self, text: str) -> str:
        """The text without the checklist (spaces keep the offsets)."""
        return SpanSet(list(self.region)).remove_from(text)


def _lines(text: str) -> list[Span]:
    out: list[Span] = []
    pos = 0
    for part in text.split("\n"):
        out.append((pos, pos + len(part)))
        pos += len(part) + 1
    return out


def _first_word(text: str, start: int, end: int) -> str:
    m = _WORD_RE.search(text, start, end)
    return m.group(0).lower() if m else ""


def _strip_filler(text: str, start: int, end: int) -> int:
    """Skip leading punctuation and "and/then/please" in text[start:end]."""
    while start < end and text[start] in " \t,;:.-–—•*":
        start += 1
    m = _FILLER_RE.match(text, start, end)
    return m.end() if m else start


def _starts_with_verb(text: str, start: int, end: int, people: list[Match]) -> bool:
    start = _strip_filler(text, start, end)
    person = next((m for m in people if m.start == start and m.end <= end), None)
    if person is not None:  # "Taylor: replace the filter", "Taylor replace the filter"
        after = _NAME_PUNCT_RE.match(text, person.end) or _NAME_HELPER_RE.match(text, person.end)
        start = after.end() if after else person.end
    elif m := _ME_PREFIX_RE.match(text, start, end):
        start = m.end()
    return _first_word(text, start, end) in _ITEM_VERBS


def _split_inline(text: str, start: int, end: int, people: list[Match]) -> list[Span]:
    """Split "a, b; c and d" into spans: on commas and semicolons outside brackets (not in
    "1,000"), then on "and"/"then" when a verb (or a person) follows."""
    parts: list[Span] = []
    depth = 0
    begin = start
    for i in range(start, end):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and (
            ch == ";" or (ch == "," and not (i + 1 < end and text[i + 1].isdigit()))
        ):
            parts.append((begin, i))
            begin = i + 1
    parts.append((begin, end))
    out: list[Span] = []
    for s, e in parts:
        cut = s
        for m in _JOIN_RE.finditer(text, s, e):
            if m.start() <= cut:
                continue
            after = m.end()
            if _first_word(text, after, e) in _ITEM_VERBS or any(p.start == after for p in people):
                out.append((cut, m.start()))
                cut = m.start()
        out.append((cut, e))
    return out


def _head_says_something(text: str, head_end: int, matches: list[Match], claimed: SpanSet) -> bool:
    """The part before the checklist is a task on its own, not only a name, site, time or label."""
    head = text[:head_end]
    gone = SpanSet([(s, min(e, head_end)) for s, e in claimed.spans if s < head_end])
    for m in matches:
        if m.start < head_end:
            gone.add(m.start, min(m.end, head_end))
    subject = clean_subject(head, gone)
    if subject is None or is_vague(subject):
        return False
    said = re.findall(r"[a-z]+", subject.lower())
    return " ".join(said) not in _LABELS and not set(said) <= _POINTERS


def _bulleted(
    text: str, lines: list[Span], bullets: list[Span], opener: Span | None, marker: Span | None
) -> tuple[Checklist, int, int]:
    """(checklist, head end, items needed) for bullet lines after the first line; an opener
    (colon or marker) right before the first bullet belongs to the list."""
    head_end = bullets[0][0]
    opened = opener is not None and opener[1] <= head_end and not text[opener[1] : head_end].strip()
    cl = Checklist(marker=marker if opened else None)
    if opened and opener is not None:
        head_end = opener[0]
        cl.region.append(opener)
    ends = dict(lines)
    for line_start, item_start in bullets:
        cl.region.append((line_start, ends[line_start]))
        cl.items.append((item_start, ends[line_start]))
    return cl, head_end, 1 if opened else 2


def _opened(text: str, lines: list[Span], opener: Span, people: list[Match]) -> Checklist:
    """Items after a colon or marker: the rest of its line, or one a line when the line ends."""
    line_end = next(e for s, e in lines if s <= opener[1] <= e)
    if not text[opener[1] : line_end].strip():
        rest = [(s, e) for s, e in lines if s > opener[1]]
        return Checklist(items=list(rest), region=[opener, *rest])
    items = _split_inline(text, opener[1], line_end, people)
    return Checklist(items=items, region=[(opener[0], line_end)])


def find_checklist(text: str, matches: list[Match], claimed: SpanSet) -> Checklist | None:
    """The checklist in `text`, or None. `claimed` holds the time and priority spans."""
    if ":" not in text and "\n" not in text:
        return None
    people = [m for m in matches if m.kind == "person"]
    lines = _lines(text)

    def free(s: int, e: int) -> bool:
        return not claimed.overlaps(s, e) and not any(m.start < e and s < m.end for m in matches)

    def accept(cl: Checklist, head_end: int, needed: int, explicit: bool) -> Checklist | None:
        # items that are only a time or a priority ("by Friday", "urgent") stay with the parent
        cl.items = [(s, e) for s, e in cl.items if _item_subject(text, s, e, claimed.spans)]
        if len(cl.items) < needed or not _head_says_something(text, head_end, matches, claimed):
            return None
        if not explicit and not all(_starts_with_verb(text, s, e, people) for s, e in cl.items):
            return None
        return cl

    # an explicit marker anywhere; "new checklist: ..." starts a list, it is not a marker
    new_list = CREATE_LIST_RE.search(lower_same_length(text)) if "list" in text.lower() else None
    marker = next(
        (
            m.span()
            for m in _MARKER_RE.finditer(text)
            if free(m.start(), m.end())
            and not (new_list and new_list.start() < m.end() and m.start() < new_list.end())
        ),
        None,
    )
    bullets: list[Span] = []  # (line start, item start) of bullet lines after the first line
    for s, e in lines[1:]:
        if b := _BULLET_RE.match(text, s, e):
            bullets.append((s, b.end()))
    if bullets:
        colons = [m.span() for m in _COLON_RE.finditer(text, 0, bullets[0][0]) if free(*m.span())]
        opener = marker or (colons[-1] if colons else None)
        listed, head_end, needed = _bulleted(text, lines, bullets, opener, marker)
        return accept(listed, head_end, needed, explicit=True)
    if marker is not None:
        return accept(_opened(text, lines, marker, people), marker[0], 1, explicit=True)
    # a colon in the first line ("URGENT: fix the door: ..." tries the second one too)
    for m in _COLON_RE.finditer(text, 0, lines[0][1]):
        if free(m.start(), m.end()) and (
            cl := accept(_opened(text, lines, m.span(), people), m.start(), 2, explicit=False)
        ):
            return cl
    return None


@dataclass
class SubTasks:
    specs: list[SubTaskSpec] = field(default_factory=list)
    fuzzy: list[tuple[str, str]] = field(default_factory=list)  # (typed, person id)
    dropped: int = 0  # items over the limit


def _item_assignee(
    text: str, start: int, end: int, people: list[Match], sender: str
) -> tuple[str | None, Span | None, Match | None]:
    """(person id, span to drop, the match) for an item that names its own assignee."""
    begin = _strip_filler(text, start, end)
    here = [m for m in people if start <= m.start and m.end <= end]
    opening = [m for m in here if m.start == begin]
    if opening and not opening[0].via.endswith(("'s", "’s")):
        m = opening[0]
        after = _NAME_PUNCT_RE.match(text, m.end, end) or _NAME_HELPER_RE.match(text, m.end, end)
        if after is not None or _first_word(text, m.end, end) in _ITEM_VERBS:
            if len({p.key for p in opening}) > 1:
                return None, None, None  # a first name two people share: leave it as typed
            return m.key, (begin, after.end() if after else m.end), m
    if me := _ME_PREFIX_RE.match(text, begin, end):
        return sender, me.span(), None
    if me := _ME_SUFFIX_RE.search(text, start, end):
        return sender, me.span(), None
    for m in reversed(here):
        tail = _AFTER_SUFFIX_RE.match(text, m.end, end)
        if tail is None or tail.end() != end:
            continue
        before = text[start : m.start]
        bracketed = before.rstrip().endswith(("(", "["))
        if not (m.via.startswith("@") or bracketed or re.search(r"\s[-–—→]\s*$", before)):
            continue
        if len({p.key for p in here if p.start == m.start}) > 1:
            return None, None, None
        lead = _BEFORE_SUFFIX_RE.search(text, start, m.start)
        return m.key, (lead.start() if lead else m.start, end), m
    return None, None, None


def _item_subject(text: str, start: int, end: int, gone: list[Span]) -> str | None:
    piece = SpanSet(
        [(max(s, start) - start, min(e, end) - start) for s, e in gone if s < end and start < e]
    )
    raw = " ".join(_EMPTY_BRACKETS_RE.sub(" ", piece.remove_from(text[start:end])).split())
    raw = re.sub(r"\s+([,.;:!?)])", r"\1", raw)
    raw = _LEAD_PUNCT_RE.sub("", raw)
    for _ in range(2):
        raw = _FILLER_RE.sub("", raw, count=1) if _FILLER_RE.match(raw) else raw
        raw = _TRAIL_RE.sub("", raw)
    raw = raw.strip(" ,;:-–—")
    if raw.count("(") < raw.count(")"):
        raw = raw.rstrip(")").strip()
    if not raw or _NOTHING_RE.match(raw) or is_vague(raw):
        return None
    return raw[:1].upper() + raw[1:]


def read_subtasks(
    text: str, checklist: Checklist, matches: list[Match], claimed: SpanSet, sender: str
) -> SubTasks:
    """One SubTaskSpec per non-empty item (at most MAX_SUBTASKS), subject capitalised."""
    people = [m for m in matches if m.kind == "person"]
    out = SubTasks()
    for start, end in checklist.items:
        gone = [(s, e) for s, e in claimed.spans if s < end and start < e]
        who, span, match = _item_assignee(text, start, end, people, sender)
        if span is not None:
            gone.append(span)
        subject = _item_subject(text, start, end, gone)
        if subject is None:
            continue
        if len(out.specs) == MAX_SUBTASKS:
            out.dropped += 1
            continue
        out.specs.append(SubTaskSpec(subject=subject[:255], assignee=who))
        if match is not None and match.fuzzy:
            out.fuzzy.append((match.via, match.key))
    return out
