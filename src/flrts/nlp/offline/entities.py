"""Find the people, sites, contractors and lists a message names.

Matching is case-insensitive and works on 1-3 word windows: exact names, aliases, codes and
Telegram @usernames first, then rapidfuzz for typos ("Thunder Rdge", "Coln"). A fuzzy match on a
*person* needs a capitalised token and a high score, because silently turning an unknown name into
a known colleague is the one mistake the parser must never make; near misses are reported as
unknown names so the caller can ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from flrts.nlp.offline.distinctive import core_phrase, distinctive_words, name_tokens
from flrts.nlp.offline.text import Word, words
from flrts.nlp.offline.verbs import TASK_VERBS
from flrts.nlp.types import ParseContext

# Verbs that open a message ("Mark the filters done") and must not be read as a name there.
_VERBS = frozenset(TASK_VERBS.split("|")) | {"mark"}
WEEKDAY_WORDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PERSON_FUZZY_CUTOFF = 87.0
PLACE_FUZZY_CUTOFF = 85.0
_MAX_NGRAM = 4

# Capitalised words that look like names in assignee slots but are not people.
NOT_NAMES = frozenset(
    [
        "i",
        "me",
        "we",
        "us",
        "you",
        "he",
        "she",
        "they",
        "it",
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "please",
        "pls",
        "urgent",
        "asap",
        "emergency",
        "critical",
        "important",
        "site",
        "building",
        "unit",
        "pump",
        "generator",
        "compressor",
        "task",
        "tasks",
        "list",
        "reminder",
        "report",
        "field",
        "team",
        "everyone",
        "anyone",
        "someone",
        "somebody",
        "nobody",
        "crew",
        "all",
        "both",
        "ops",
        "tech",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "today",
        "tomorrow",
        "tonight",
        "morning",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "hey",
        "hi",
        "yo",
        "ok",
        "okay",
        "thanks",
        "thank",
        "no",
        "yes",
        "done",
        "add",
        "remind",
        "check",
        "fix",
        "make",
        "new",
        "high",
        "low",
        "sector",
        "area",
        "zone",
        "tower",
        "the",
        "shop",
        "office",
        "warehouse",
        "admin",
        "management",
        "security",
        "note",
        "notes",
        "fyi",
        "update",
        "status",
        "heads",
        "todo",
        "btw",
        "quick",
        "question",
        "ps",
        "just",
        "then",
        "guys",
        "folks",
        "hello",
        "need",
        "new",
        "also",
    ]
)


@dataclass(frozen=True)
class Match:
    kind: str  # "person" | "site" | "contractor" | "list"
    key: str  # person id, site name, contractor name or list name
    start: int
    end: int
    score: float  # 100 for exact
    via: str  # the text that matched

    @property
    def fuzzy(self) -> bool:
        return self.score < 100


@dataclass
class ContextIndex:
    """Lookup tables built once per context (cached by the parser)."""

    exact: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # phrase -> [(kind,key)]
    fuzzy_people: list[str] = field(default_factory=list)
    fuzzy_places: list[str] = field(default_factory=list)
    # "kessler" -> ("contractor", "Kessler Mechanical"): one word that names a site or contractor
    distinctive: dict[str, tuple[str, str]] = field(default_factory=dict)
    surnames: dict[str, str] = field(default_factory=dict)  # "tate" -> person id, when unique
    timezones: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # person id -> display name

    def _add(self, phrase: str, kind: str, key: str) -> None:
        phrase = " ".join(phrase.lower().split())
        if not phrase:
            return
        bucket = self.exact.setdefault(phrase, [])
        if (kind, key) not in bucket:
            bucket.append((kind, key))


def build_index(context: ParseContext) -> ContextIndex:
    idx = ContextIndex()
    first_names: dict[str, list[str]] = {}
    for p in context.people:
        idx.timezones[p.id] = p.timezone
        idx.names[p.id] = p.name
        idx._add(p.name, "person", p.id)
        first = p.name.split()[0].lower() if p.name.split() else ""
        if first:
            first_names.setdefault(first, []).append(p.id)
        for alias in p.aliases:
            idx._add(alias, "person", p.id)
        if p.telegram_username:
            handle = p.telegram_username.lstrip("@").lower()
            idx._add("@" + handle, "person", p.id)
            idx._add(handle, "person", p.id)
        idx._add("@" + first, "person", p.id)
    for first, ids in first_names.items():
        for pid in ids:  # an ambiguous first name maps to several ids: the caller asks
            idx._add(first, "person", pid)
    idx.fuzzy_people = sorted(
        {k for k, v in idx.exact.items() if any(kind == "person" for kind, _ in v)} - {""}
    )
    places: list[tuple[str, str, list[str]]] = []
    for s in context.sites:
        idx._add(s.name, "site", s.name)
        idx._add(s.name.replace(" ", ""), "site", s.name)
        if s.code:
            idx._add(s.code, "site", s.name)
        places.append(("site", s.name, [s.name, *s.aliases]))
        for alias in s.aliases:
            idx._add(alias, "site", s.name)
    for c in context.contractors:
        idx._add(c.name, "contractor", c.name)
        places.append(("contractor", c.name, [c.name]))
    # "Granite Falls" for Granite Falls Substation: a name without its generic words, when it
    # has two words or more (one word goes through the capitalisation rule below) and no other
    # site or contractor shortens to it.
    cores: dict[str, set[tuple[str, str]]] = {}
    for kind, key, spellings in places:
        for spelling in spellings:
            core = core_phrase(spelling)
            if core and len(core.split()) > 1 and core not in idx.exact:
                cores.setdefault(core, set()).add((kind, key))
    for core, owners in cores.items():
        if len(owners) == 1:
            idx._add(core, *next(iter(owners)))
    people_words = {w for p in context.people for w in name_tokens(" ".join([p.name, *p.aliases]))}
    surnames: dict[str, set[str]] = {}
    for p in context.people:
        tokens = name_tokens(p.name)
        if len(tokens) > 1 and tokens[-1] not in first_names and tokens[-1] not in NOT_NAMES:
            surnames.setdefault(tokens[-1], set()).add(p.id)
    idx.surnames = {name: next(iter(ids)) for name, ids in surnames.items() if len(ids) == 1}
    idx.distinctive = distinctive_words(places, people_words | NOT_NAMES | set(WEEKDAY_WORDS))
    for lst in context.lists:
        idx._add(lst.name, "list", lst.name)
        idx._add(lst.name + " list", "list", lst.name)
    idx.fuzzy_places = sorted(
        k
        for k, v in idx.exact.items()
        if len(k) >= 5 and any(kind in ("site", "contractor") for kind, _ in v)
    )
    return idx


_POSSESSIVE_RE = re.compile(r"(?:'s|’s|s')$")


def _ngrams(ws: list[Word], text: str) -> list[tuple[int, int, str]]:
    """(start word index, end word index exclusive, lower-cased phrase), longest first."""
    out: list[tuple[int, int, str]] = []
    for n in range(_MAX_NGRAM, 0, -1):
        for i in range(0, len(ws) - n + 1):
            phrase = text[ws[i].start : ws[i + n - 1].end].lower()
            out.append((i, i + n, " ".join(phrase.split())))
    return out


def find_entities(text: str, idx: ContextIndex) -> list[Match]:
    """All non-overlapping entity mentions, longest and most exact first."""
    ws = words(text)
    used = [False] * len(ws)
    found: list[Match] = []

    def claim(i: int, j: int, kind: str, key: str, score: float) -> None:
        for k in range(i, j):
            used[k] = True
        found.append(
            Match(kind, key, ws[i].start, ws[j - 1].end, score, text[ws[i].start : ws[j - 1].end])
        )

    grams = _ngrams(ws, text)
    # pass 1: exact names (possessives "Taylor's" count)
    for i, j, phrase in grams:
        if any(used[i:j]):
            continue
        hits = idx.exact.get(phrase) or idx.exact.get(_POSSESSIVE_RE.sub("", phrase))
        if not hits:
            continue
        # a person mentioned only by an ambiguous first name becomes one Match per candidate
        for kind, key in hits:
            found.append(
                Match(
                    kind,
                    key,
                    ws[i].start,
                    ws[j - 1].end,
                    100.0 if len(hits) == 1 else 99.0,
                    text[ws[i].start : ws[j - 1].end],
                )
            )
        for k in range(i, j):
            used[k] = True
    # pass 2: typos in site and contractor names (any case), then people (capitalised only)
    for i, j, phrase in grams:
        if any(used[i:j]) or len(phrase) < 5 or phrase in NOT_NAMES:
            continue
        if j - i == 1 and phrase.isdigit():
            continue
        best = process.extractOne(
            phrase, idx.fuzzy_places, scorer=fuzz.ratio, score_cutoff=PLACE_FUZZY_CUTOFF
        )
        if best is not None:
            kind, key = idx.exact[best[0]][0]
            claim(i, j, kind, key, float(best[1]))
    for i, j, phrase in grams:
        if j - i != 1 or used[i] or len(phrase) < 4 or phrase in NOT_NAMES:
            continue
        if not ws[i].text[:1].isupper() and not ws[i].text.startswith("@"):
            continue
        bare = _POSSESSIVE_RE.sub("", phrase)
        best = process.extractOne(
            bare, idx.fuzzy_people, scorer=fuzz.ratio, score_cutoff=PERSON_FUZZY_CUTOFF
        )
        if best is None and len(bare) >= 5:
            # one slip of the finger ("Coiln", "Tayler"): a single edit or swapped pair
            near = process.extractOne(
                bare, idx.fuzzy_people, scorer=DamerauLevenshtein.distance, score_cutoff=1
            )
            best = (near[0], 90.0, near[2]) if near is not None else None
        if best is not None:
            hits = idx.exact[best[0]]
            if len(hits) == 1:
                claim(i, j, "person", hits[0][1], float(best[1]))
    # pass 3: a site or contractor named by one distinctive word ("Kessler", "send Mark the
    # invoice"). It must look like a name: capitalised, unless the writer uses no capitals at all;
    # an imperative verb that opens the message ("Mark it done") is not a name.
    all_lower = not any(ch.isupper() for ch in text)
    for i, w in enumerate(ws):
        bare = _POSSESSIVE_RE.sub("", w.low)
        if not used[i] and bare in idx.surnames and w.text[:1].isupper():
            claim(i, i + 1, "person", idx.surnames[bare], 100.0)  # "Tate" for Owen Tate
            continue
        if used[i] or bare not in idx.distinctive:
            continue
        # the first word is often left in lower case even by people who capitalise names
        if not (w.text[:1].isupper() or all_lower or i == 0) or (i == 0 and bare in _VERBS):
            continue
        kind, key = idx.distinctive[bare]
        claim(i, i + 1, kind, key, 95.0)
    found.sort(key=lambda m: m.start)
    return found
