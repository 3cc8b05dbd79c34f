"""Field-report details: a short summary, the observations, the issues, readings and equipment.

A report is split into clauses (at commas, sentence ends, semicolons, dashes). The summary is the
report's title when it has one ("Red Butte quarterly safety walk: …"), otherwise its first clause.
A clause that reports a problem ("one exit light out", "small weep at the drain valve") is an
issue; "no leaks" and "no alarms" are not. The other clauses are the observations, so nothing is
written twice and nothing is lost. Readings come from `readings.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flrts.nlp.offline.readings import find_readings
from flrts.nlp.offline.text import Span
from flrts.nlp.types import ReadingSpec

EQUIPMENT = (
    r"compressors?|generators?|gensets?|gen|transformers?|pumps?|fans?|miners?|asics?|conveyor(?:\s+belt)?"
    r"|switchgear|breakers?|chillers?|dry\s+coolers?|cooling\s+towers?|radiators?|containers?|pdus?"
    r"|ups|routers?|switch(?:es)?|inverters?|batter(?:y|ies)|engines?|turbines?|heaters?|valves?"
    r"|filters?|meters?|cameras?|gates?|fences?|tanks?|hvac|skids?|starlink|modem|solar\s+panels?"
    r"|panels?|belts?|bearings?|hoses?|seals?|loaders?|trucks?|crushers?"
)
EQUIPMENT_RE = re.compile(
    r"\b(?P<eq>(?:" + EQUIPMENT + r")(?:\s*(?:#\s*|no\.?\s*)?\d+[a-z]?\b)?)", re.IGNORECASE
)
_PROBLEM = (
    r"leak(?:s|ing|ed)?|weep(?:s|ing)?|drip(?:s|ping)?|issues?|problems?|broken|busted|crack(?:ed|s|ing)?"
    r"|damaged?|worn|faults?|faulted|faulting|alarms?|alarming|trip(?:ped|ping|s)|fail(?:s|ed|ing"
    r"|ure)?|noisy|vibrating|overheat\w*|smok(?:e|ing)|corrod\w*|corrosion|rust(?:ed|y)?|offline"
    r"|errors?|missing|stuck|loose|dead|expired|blew|blown|fried|burnt|shorted|seized|jammed"
    r"|clogged|plugged|frayed|bent|torn|squeal\w*|grinding|knocking|slipping|sagging|won'?t\s+(?:start"
    r"|close|open|latch)|not\s+(?:working|running|starting)|check\s+engine|out\s+of\s+(?:service"
    r"|order)|washed\s+out|waiting\s+(?:on|for)\s+parts|running\s+hot|(?:a\s+bit|too|very)\s+"
    r"(?:high|low|hot)|(?:is|are|was|were|reads?|reading|getting)\s+(?:low|high|hot)"
    r"|(?:light|lights|bulb|bulbs|lamp|power|sign|camera|radio|heater|breaker)s?\s+(?:is\s+|are\s+)?out"
    r"|(?:is|are|was|were|went|go|gone)\s+(?:out|down)\b(?!\s+(?:to|at|on|of|here|there))"
    r"|\w+\s+down(?=\s*(?:[,.;]|$|again|since|hard))|(?<![\d.])\b[a-z]+\s+(?:low|high)(?=\s*(?:[,.;]|$))"
)
_PROBLEM_RE = re.compile(r"\b(?:" + _PROBLEM + r")\b", re.IGNORECASE)
# "no leaks", "no issues found", "nothing wrong": a problem word that says there is none.
_NEGATED_RE = re.compile(
    r"\b(?:no|zero|without|nothing|never)\s+(?:(?:new|active|visible|major|obvious|other|more)\s+)?"
    r"(?:" + _PROBLEM + r")\b|\bnot\s+(?:leaking|tripping|alarming|faulted|damaged|loose)\b",
    re.IGNORECASE,
)
_CLAUSE_RE = re.compile(r"[^,.;!?\n]+(?:\.\d[^,.;!?\n]*)*")
_TITLE_RE = re.compile(r"^\s*(?P<title>[^:\n]{3,80}?)\s*(?::|\s[-–—]\s)\s*(?P<body>\S.*)$", re.S)
_FILLER_TITLE = re.compile(
    r"\b(?:field|site|daily|shift|report|reports|update|status|log|notes?|visit|from|the|for|at)\b",
    re.IGNORECASE,
)


@dataclass
class ReportDetails:
    summary: str | None = None
    observations: str | None = None
    readings: list[ReadingSpec] = field(default_factory=list)
    equipment: list[str] = field(default_factory=list)
    issues: str | None = None
    spans: list[Span] = field(default_factory=list)  # readings, so dates ignore "45 psi"


def find_equipment(text: str) -> list[str]:
    seen: list[str] = []
    for m in EQUIPMENT_RE.finditer(text):
        eq = " ".join(m.group("eq").split())
        if eq.lower() not in (s.lower() for s in seen):
            seen.append(eq)
    return seen


def is_issue(clause: str) -> bool:
    """True when the clause reports a problem that is not denied ("no leaks" is not one)."""
    return bool(_PROBLEM_RE.search(_NEGATED_RE.sub(" ", clause)))


def clauses(text: str) -> list[str]:
    """The clauses of `text`, trimmed; decimals such as "20.9" stay whole."""
    return [c.strip(" -–—") for c in _CLAUSE_RE.findall(text) if c.strip(" -–—")]


def _capital(text: str) -> str:
    text = text.strip()
    if len(text) > 120:
        text = text[:117].rsplit(" ", 1)[0] + "..."
    return text[:1].upper() + text[1:]


def _without_place(clause: str, place_words: str) -> str:
    """ "Iron Creek pump 2 seal leaking" → "pump 2 seal leaking": the site is a field of its own,
    so an issue does not repeat it in front ("Viper down", with one word left, stays whole)."""
    places = {w.lower() for w in place_words.split()}
    words = clause.split()
    cut = 0
    while cut < len(words) and words[cut].lower() in places:
        cut += 1
    if cut and cut < len(words) and words[cut].lower() in ("at", "on", "in", "-", "–", "—"):
        cut += 1
    return " ".join(words[cut:]) if cut and len(words) - cut >= 2 else clause


def report_details(text: str, place_words: str = "") -> ReportDetails:
    """Split a report; `place_words` are names (site) a title may hold besides filler words."""
    readings, spans = find_readings(text)
    title, body = None, text
    if (m := _TITLE_RE.match(text)) and not any(s < m.end("title") for s, _ in spans):
        title, body = m.group("title").strip(), m.group("body")
    parts = clauses(body)
    lead: list[str] = []  # the clause the summary is made of, when it is not a bare title
    if title is not None:
        bare = _FILLER_TITLE.sub(" ", title).lower()
        for word in place_words.lower().split():
            bare = re.sub(r"\b" + re.escape(word) + r"\b", " ", bare)
        # "Field report Big Sky: all miners hashing": a title that is only a place and filler
        # says nothing, so the first observation goes with it.
        if not bare.split() and parts:
            lead = [parts.pop(0)]
            title = f"{title}: {lead[0]}"
        summary = title
    else:
        lead = [parts.pop(0)] if parts else []
        summary = lead[0] if lead else text
    issues = [c for c in lead + parts if is_issue(c)]
    observations = [c for c in parts if c not in issues]
    return ReportDetails(
        summary=_capital(summary) if summary else None,
        observations=", ".join(observations) or None,
        readings=readings,
        equipment=find_equipment(text),
        issues="; ".join(_without_place(c, place_words) for c in issues) or None,
        spans=spans,
    )
