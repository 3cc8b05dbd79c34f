"""List operations: which list, what kind, and which items (create, add to, check off)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from flrts.nlp.offline.entities import Match
from flrts.nlp.offline.intent import ADD_ITEMS_RE
from flrts.nlp.offline.items import parse_items
from flrts.nlp.offline.narrative import is_past_verb
from flrts.nlp.offline.text import Span
from flrts.nlp.types import Intent, ListItemSpec, ParseContext

_TYPE_WORDS = {
    "shopping": "shopping",
    "grocery": "shopping",
    "supply": "shopping",
    "supplies": "shopping",
    "parts": "shopping",
    "check": "checklist",
    "checklist": "checklist",
    "punch": "checklist",
    "packing": "checklist",
    "to-do": "checklist",
    "todo": "checklist",
    "inventory": "inventory",
    "stock": "inventory",
}
# "new list Viper Rebuild Parts", "start a checklist Crystal Peak Startup - …"
_NEW_LIST_NAME_RE = re.compile(
    r"\b(?:create|make|start|new|set\s+up|open|begin)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:list|checklist)"
    r"\s*[:\-–]?\s+(?!called\b|named\b|titled\b|for\b|with\b)(?P<name>[^,.!?:\n]+?)"
    r"(?=\s+(?:with|containing)\b|\s+[-–]\s|[,.!?:\n]|$)",
    re.I,
)
_NAMED_RE = re.compile(
    r"\b(?:list|checklist)\s+(?:called|named|titled)\s+[\"'“]?(?P<name>[^\"'”,.!?]+?)[\"'”]?"
    r"(?=\s+(?:with|for|containing)\b|[,.!?]|$)",
    re.I,
)
_COLON_RE = re.compile(r"\b(?:list|checklist)\s*:\s*(?P<name>[^,.!?\n]+)", re.I)
_FOR_RE = re.compile(
    r"\b(?:list|checklist)\s+for\s+(?:the\s+)?(?P<name>[^,.!?]+?)(?=\s+(?:with|containing)\b|[,.!?:]|$)",
    re.I,
)
_BEFORE_RE = re.compile(
    r"\b(?:create|make|start|new|set\s+up|open|begin)\s+(?:up\s+)?(?:a\s+|an\s+|the\s+|my\s+)?"
    r"(?:new\s+)?(?P<name>[\w\s'&-]+?)\s+(?:list|checklist)\b",
    re.I,
)
_TYPED_FOR_RE = re.compile(
    r"\b(?P<type>shopping|grocery|supply|parts|packing|inventory)\s+(?:list|checklist)\s+for\b",
    re.I,
)
_WITH_ITEMS_RE = re.compile(r"\b(?:with|containing|including)\s+(?P<items>.+)$", re.I)
_REF_LIST_RE = re.compile(
    r"\b(?:on|from|off|in|to|onto|for)\s+(?:the\s+|my\s+|our\s+)?(?P<name>[\w\s'&-]+?)\s+"
    r"(?:list|checklist)\b",
    re.I,
)
_COMPLETE_ITEMS_RE = re.compile(
    r"\b(?:mark(?:ed)?|check(?:ed)?(?:\s+off)?|cross(?:ed)?(?:\s+off)?|tick(?:ed)?(?:\s+off)?|got"
    r"|bought|picked\s+up|purchased|grabbed|strike)\s+(?:off\s+)?(?P<items>.+?)\s+(?:(?:as\s+)?(?:done|"
    r"bought|got|purchased|complete|picked\s+up|gotten)\b|off\b|on\b|from\b|for\b|in\b)",
    re.I,
)
_LIST_COLON_ITEMS_RE = re.compile(
    r"\blist\s*(?::|\s-|–)\s*(?:(?:please\s+)?add\s+)?(?P<items>.+)$", re.I
)
_STRIP_RE = re.compile(r"^(?:the|my|our|a|an|new)\s+", re.I)
_ADD_TO_HEADING_RE = re.compile(
    r"\badd\s+to\s+(?:the\s+|my\s+|our\s+)?[^:\n]+?\s*[:\-–]\s*(?P<items>.+)$", re.I | re.S
)
# "we're out of sugar and stir sticks" names the items a later "add them" means
_NEED_RE = re.compile(
    r"\b(?:out\s+of|(?:running\s+)?low\s+on|short\s+on|need(?:\s+more)?)\s+(?P<items>[^,.;!?]+)",
    re.I,
)
_MARKS_RE = re.compile(r"\s*[✅✓✔☑]+\s*")
_TRAILING_PREP_RE = re.compile(r"[\s,]*(?:\b(?:on|from|for|in|off)\b[\s,]*)*$", re.I)
_ITEMS_THEN_TICK_RE = re.compile(
    r"^\s*(?:the\s+)?(?P<items>.+?)\s+(?:(?:were|was|are|is|all)\s+)?(?:bought|picked\s+up"
    r"|purchased|received|got|grabbed|done)\s+(?:for|from|on|off|in)\b",
    re.I,
)
_DASH_ITEMS_RE = re.compile(r"\s*[-–:]\s*(?P<items>.+)$")  # used with .match(text, pos)
# after a list that opens the message: "add: a, b", "- add 2 x and a y", "+ a + b", ": a, b"
_LIST_FIRST_RE = re.compile(
    r"^\s*(?:list|checklist)?\s*[:,\-–]?\s*(?:(?:please\s+|pls\s+)?(?:add|need|needs)\b\s*[:\-–]?\s*)?"
    r"(?P<items>.+)$",
    re.I | re.S,
)
# "… received, check them off", "… bought", "✅"
_TICK_WORDS_RE = re.compile(
    r"\b(?:check|cross|tick)(?:ed)?\s+(?:them|it|those|these)?\s*off\b"
    r"|\b(?:received|bought|got|picked\s+up|purchased|grabbed|done|in\s+stock|are\s+in|is\s+in)\b"
    r"|[✅✓✔]",
    re.I,
)


@dataclass
class ListOp:
    name: str | None = None
    list_type: str | None = None
    items: list[ListItemSpec] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)


def _known(name: str | None, context: ParseContext) -> str | None:
    """The context list meant by `name`: a close match, or the only list whose name holds it."""
    if not name or not context.lists:
        return None
    words = name.lower().split()
    holding = [
        lst.name for lst in context.lists if all(w in lst.name.lower().split() for w in words)
    ]
    if len(holding) == 1:
        return holding[0]
    choices = [lst.name for lst in context.lists]
    best = process.extractOne(
        name, choices, scorer=fuzz.token_sort_ratio, processor=str.lower, score_cutoff=85
    )
    return best[0] if best else None


def _list_type(text: str) -> str | None:
    for word, kind in _TYPE_WORDS.items():
        if re.search(r"\b" + re.escape(word) + r"\b", text, re.I):
            return kind
    return None


_INNER_PREP_RE = re.compile(r".*\b(?:on|from|off|in|to|onto|for|into)\s+", re.I)
_AFTER_ITEMS_RE = re.compile(r",\s*(?:cross|check|tick|mark|strike)\b.*$", re.I)
_PRONOUN_ITEMS = frozenset({"them", "it", "those", "these", "all", "everything"})


def _clean_name(name: str) -> str:
    name = _INNER_PREP_RE.sub("", " ".join(name.split()))  # "zip ties from the Viper" -> "Viper"
    name = _STRIP_RE.sub("", name)
    return name.strip(" -:")


def _new_list(text: str, site: str | None) -> ListOp:
    """ "create a new list called X", "start a shopping list for <site>", "new list X - a, b"."""
    op = ListOp(list_type=_list_type(text) or "custom")
    name: re.Match[str] | None = None
    for pattern in (_NAMED_RE, _COLON_RE, _FOR_RE, _NEW_LIST_NAME_RE, _BEFORE_RE):
        if name := pattern.search(text):
            break
    if name is None:
        return op
    raw = _clean_name(name.group("name"))
    typed = _TYPED_FOR_RE.search(text)
    if raw and typed and name.re is _FOR_RE:  # "a shopping list for Thunder Ridge"
        raw = f"{raw} {typed.group('type').title()}"
    elif raw and raw.lower() in _TYPE_WORDS:  # "start a shopping list for Thunder Ridge"
        owner = _FOR_RE.search(text)
        raw = f"{site or (_clean_name(owner.group('name')) if owner else '')} {raw.title()}"
    op.name = raw.strip() or None
    items = _WITH_ITEMS_RE.search(text)
    if items is None and name.re is _NEW_LIST_NAME_RE:  # "new list Storm Prep - tarps, pumps"
        items = _DASH_ITEMS_RE.match(text, name.end())
    if items is not None:
        op.items = parse_items(items.group("items"))
    return op


def list_operation(
    text: str,
    intent: Intent,
    matches: list[Match],
    context: ParseContext,
    site: str | None,
    opening: int | None = None,
) -> ListOp:
    """The list operation in `text`; `opening` is where a list that opens the message ends."""
    op = ListOp()
    entity = next((m for m in matches if m.kind == "list"), None)
    if intent == Intent.CREATE_LIST:
        return _new_list(text, site)
    if entity is not None:
        op.name = entity.key
    elif (m := _REF_LIST_RE.search(text)) and (
        known := _known(_clean_name(m.group("name")), context)
    ):
        op.name = known
    if opening is not None and (items := _items_after_list(text[opening:], intent)) is not None:
        op.items = items
    elif intent == Intent.ADD_LIST_ITEMS:
        op.items = _added_items(text)
        m_add = ADD_ITEMS_RE.search(text.lower())
        if m_add and op.name is None:
            op.name = _clean_name(text[m_add.start("list") : m_add.end("list")])
    elif intent == Intent.COMPLETE_LIST_ITEMS:
        op.items = _ticked_items(text, entity)
    if op.name is None and (m := _REF_LIST_RE.search(text)):
        op.name = _clean_name(m.group("name"))
    if op.name and entity is None:
        op.name = _known(op.name, context) or op.name
    op.list_type = _list_type(op.name or "") or _list_type(text)
    return op


def _added_items(text: str) -> list[ListItemSpec]:
    """ "add a, b to the X list", "Add to X: a, b", "we're out of a and b, add them to X"."""
    if m := _ADD_TO_HEADING_RE.search(text):
        return parse_items(m.group("items"))
    if m := ADD_ITEMS_RE.search(text.lower()):
        items = parse_items(text[m.start("items") : m.end("items")])
        if all(i.name.lower() in _PRONOUN_ITEMS for i in items) and (need := _NEED_RE.search(text)):
            return parse_items(need.group("items"))
        return items
    if m := _LIST_COLON_ITEMS_RE.search(text):
        return parse_items(m.group("items"))
    return []


def _ticked_items(text: str, entity: Match | None) -> list[ListItemSpec]:
    """ "check off a from X", "a and b bought for X", "a ✅ b ✅ X"."""
    if _MARKS_RE.search(text):
        segment = text[: entity.start] if entity is not None else text
        segment = _TRAILING_PREP_RE.sub("", _MARKS_RE.sub(",", segment))
    elif m := _COMPLETE_ITEMS_RE.search(text):
        segment = _AFTER_ITEMS_RE.sub("", m.group("items"))
    elif m := _ITEMS_THEN_TICK_RE.match(text):
        segment = m.group("items")
    else:
        return []
    return [i for i in parse_items(segment) if i.name.lower() not in _PRONOUN_ITEMS]


def _items_after_list(rest: str, intent: Intent) -> list[ListItemSpec] | None:
    """Items written after the list's name ("Viper shopping add: rags, gloves")."""
    m = _LIST_FIRST_RE.match(rest)
    if m is None:
        return None
    segment = m.group("items")
    if intent == Intent.COMPLETE_LIST_ITEMS:
        segment = _TICK_WORDS_RE.sub(" ", segment)
    items = [i for i in parse_items(segment) if i.name.lower() not in _PRONOUN_ITEMS]
    if intent == Intent.COMPLETE_LIST_ITEMS:  # "impact driver returned": the item is done
        items = [_without_past_verb(i) for i in items]
    return items or None


def _without_past_verb(item: ListItemSpec) -> ListItemSpec:
    words = item.name.split()
    if len(words) > 1 and is_past_verb(words[-1].lower()):
        return item.model_copy(update={"name": " ".join(words[:-1])})
    return item
