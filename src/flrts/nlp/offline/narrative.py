"""Is the message an account of work already done? Past tense and report headings.

Crews report in the past tense with whoever did the work as the subject: "Kessler was on site,
rebuilt the compressor", "we swapped the PDU", "crew poured the footing", or with no subject at
all: "rebuilt the intake louver". A site followed by what was done to it is a report heading:
"Big Sky rounds done, …", "Viper weekly walk: …". New work, by contrast, is imperative ("Colin
swap the PDU") or modal ("needs to", "should"); the caller checks those cues first.
"""

from __future__ import annotations

import re

from flrts.nlp.offline.report import is_issue
from flrts.nlp.offline.text import vocabulary

# Irregular past forms crews use; regular ones end in -ed.
_IRREGULAR_PAST = vocabulary(
    """
    was were had came went got found saw set put ran took made did blew broke left brought built
    rebuilt hit lost spent kept held drove dug fell froze gave hung lit led paid rode rose sent
    shut split swept threw tore wore wound began bought felt met sold laid heard knew shook woke
    caught fed bent burnt stood stuck swapped redid
    """
)
# Words ending in -ed that are not past verbs.
_NOT_PAST = vocabulary(
    "need feed speed bed shed seed red bleed breed weed proceed exceed succeed shred sled wed "
    "hundred embed"
)
# A past form right after these is an adjective or part of a request ("the cracked guard",
# "get it inspected", "is fixed" — that last one is a completion, read elsewhere).
_NOT_BEFORE = vocabulary(
    """
    the a an this that these those my our your his her their its some any all no every each to
    be been being get got have has will would should must can could need needs please pls is are
    am it them
    """
)
_WORD_RE = re.compile(r"[a-z][a-z'’-]*|\d[\w/.-]*")
_CLAUSE_END_RE = re.compile(r"[,.;:!?\n]|\s[-–—]\s")
_HEADING_NOUN_RE = re.compile(
    r"\b(?:rounds?|walk|walkdown|walk-?through|inspection|inspections|checks?|shift|daily|weekly"
    r"|monthly|quarterly|survey|patrol|audit|tests?|tour|update|status|log|notes|readings|report"
    r"|pm|startup|shutdown)\b"
)
# A clause that ends on the state something is in: "rest ok", "walkways clear".
_STATE_RE = re.compile(
    r"\b(?:ok|okay|good|fine|normal|running|stable|clear|dry|intact|online|quiet|secure)\s*$"
)
# "camera back online after …": a state reached, anywhere in the clause
_BACK_RE = re.compile(r"\b(?:back\s+(?:online|up|on|in\s+service)|running\s+again|restored)\b")
_TASK_OPENER_RE = re.compile(r"^\s*(?:please|pls|can|could|need|needs|should|must|to)\b")


def is_past_verb(word: str) -> bool:
    if word in _IRREGULAR_PAST:
        return True
    return len(word) > 4 and word.endswith("ed") and word not in _NOT_PAST


def _tells_past(clause: str) -> bool:
    words = _WORD_RE.findall(clause)[:7]
    for i, word in enumerate(words):
        if is_past_verb(word):
            return i == 0 or words[i - 1] not in _NOT_BEFORE
    return False


def narrates_work(low: str) -> bool:
    """True when the first clause (after a short "Site:" heading) tells what someone did, or
    when two clauses or more do ("snow removal done, lot plowed, walkways salted")."""
    first, _, rest = low.partition(":")
    if rest and len(first.split()) <= 6 and _tells_past(_CLAUSE_END_RE.split(rest, maxsplit=1)[0]):
        return True
    parts = _CLAUSE_END_RE.split(low)
    return _tells_past(parts[0]) or sum(_tells_past(p) for p in parts) >= 2


def reports_condition(low: str, site_end: int | None) -> bool:
    """ "Granite Falls battery room: 2 cells low, rest ok": a site, then the state things are in."""
    if site_end is None:
        return False
    parts = [p for p in _CLAUSE_END_RE.split(low[site_end:]) if p.strip()]
    return any(is_issue(p) or _STATE_RE.search(p) or _BACK_RE.search(p) for p in parts)


def site_heading(low: str, site_end: int | None) -> bool:
    """ "Big Sky rounds done, …", "Viper weekly walk: …": a site, then what kind of report it is.

    `site_end` is where the site name that opens the message ends (None: it does not open it).
    """
    if site_end is None:
        return False
    rest = low[site_end:]
    heading = _CLAUSE_END_RE.split(rest, maxsplit=1)[0]
    if len(heading.split()) > 6 or _TASK_OPENER_RE.match(heading):
        return False
    return bool(_HEADING_NOUN_RE.search(heading))
