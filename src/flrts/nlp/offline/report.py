"""Field-report details: readings ("pressure 45 psi"), equipment, issues and a one-line summary."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flrts.nlp.offline.text import Span
from flrts.nlp.types import ReadingSpec

_UNIT = (
    r"psi|bar|kpa|°\s?[fc]|deg(?:rees)?\s?[fc]?|[fc](?![a-z])|kwh|mwh|kw|mw|kv|volts?|v(?![a-z])"
    r"|amps?|a(?![a-z\s])|%|percent|rpm|[tpe]h/s|gpm|hz|db|gallons?|gal|ppm"
)
_METRIC = (
    r"oil\s+pressure|inlet\s+pressure|outlet\s+pressure|discharge\s+pressure|suction\s+pressure"
    r"|pressure|coolant\s+temp(?:erature)?|inlet\s+temp(?:erature)?|outlet\s+temp(?:erature)?"
    r"|ambient(?:\s+temp(?:erature)?)?|oil\s+temp(?:erature)?|temp(?:erature)?|voltage|volts"
    r"|current|amperage|amps|load|humidity|hash\s*rate|flow(?:\s+rate)?|speed|rpm|oil\s+level"
    r"|fuel\s+level|fuel|frequency|power|vibration|noise|level|runtime|hours"
)
_METRIC_FIRST_RE = re.compile(
    r"\b(?P<metric>" + _METRIC + r")\s*(?:is|was|at|of|reads?|reading|=|:|-|showing|now|back\s+to"
    r"|around|about|~|\s)*\s*(?P<val>-?\d+(?:\.\d+)?)\s*(?P<unit>" + _UNIT + r")?",
    re.IGNORECASE,
)
_VALUE_FIRST_RE = re.compile(
    r"(?<![\w#])(?P<val>-?\d+(?:\.\d+)?)\s*(?P<unit>" + _UNIT + r")(?![\w/])"
    r"(?:\s+(?:on|for|at|of)\s+(?:the\s+)?(?P<metric>[a-z]+(?:\s+[a-z]+)?))?",
    re.IGNORECASE,
)
_UNIT_METRIC = {
    "psi": "pressure",
    "bar": "pressure",
    "kpa": "pressure",
    "f": "temperature",
    "c": "temperature",
    "°f": "temperature",
    "°c": "temperature",
    "degrees": "temperature",
    "v": "voltage",
    "volts": "voltage",
    "volt": "voltage",
    "kv": "voltage",
    "a": "current",
    "amps": "current",
    "amp": "current",
    "kw": "power",
    "mw": "power",
    "kwh": "energy",
    "mwh": "energy",
    "%": "percent",
    "percent": "percent",
    "rpm": "speed",
    "th/s": "hashrate",
    "ph/s": "hashrate",
    "eh/s": "hashrate",
    "gpm": "flow",
    "hz": "frequency",
    "db": "noise",
    "gal": "fuel",
    "gallons": "fuel",
    "gallon": "fuel",
    "ppm": "concentration",
}
EQUIPMENT = (
    r"compressors?|generators?|gensets?|gen|transformers?|pumps?|fans?|miners?|asics?|conveyor(?:\s+belt)?"
    r"|switchgear|breakers?|chillers?|dry\s+coolers?|cooling\s+towers?|radiators?|containers?|pdus?"
    r"|ups|routers?|switch(?:es)?|inverters?|batter(?:y|ies)|engines?|turbines?|heaters?|valves?"
    r"|filters?|meters?|cameras?|gates?|fences?|tanks?|hvac|skids?|starlink|modem|solar\s+panels?"
    r"|panels?|belts?|bearings?|hoses?|seals?"
)
EQUIPMENT_RE = re.compile(
    r"\b(?P<eq>(?:" + EQUIPMENT + r")(?:\s*(?:#\s*|no\.?\s*)?\d+[a-z]?\b)?)", re.IGNORECASE
)
_ISSUE_RE = re.compile(
    r"\b(?:leak(?:s|ing|ed)?|issues?|problems?|broken|down|faults?|faulted|alarms?|alarming|tripped"
    r"|trips|fail(?:s|ed|ing|ure)?|noisy|noise|vibrat\w*|overheat\w*|smok\w*|crack(?:ed|s)?"
    r"|corro\w*|worn|offline|errors?|damaged|missing|stuck|low|dead|not\s+working|won'?t\s+start)\b",
    re.IGNORECASE,
)
_SENTENCE_RE = re.compile(r"[^.!?;\n]+")
_PREFIX_RE = re.compile(
    r"^\s*(?:(?:daily|shift|site|field)\s+)?(?:report|update|status|log|visit|notes?)\s*[:\-–]\s*",
    re.IGNORECASE,
)


@dataclass
class ReportDetails:
    summary: str | None = None
    readings: list[ReadingSpec] = field(default_factory=list)
    equipment: list[str] = field(default_factory=list)
    issues: str | None = None
    spans: list[Span] = field(default_factory=list)  # readings, so dates ignore "45 psi"


def find_readings(text: str) -> tuple[list[ReadingSpec], list[Span]]:
    readings: list[ReadingSpec] = []
    spans: list[Span] = []
    for m in _METRIC_FIRST_RE.finditer(text):
        unit = (m.group("unit") or "").lower().replace(" ", "") or None
        metric = " ".join(m.group("metric").lower().split())
        if metric in ("level", "hours") and unit is None:
            continue
        readings.append(ReadingSpec(metric=metric, value=float(m.group("val")), unit=unit))
        spans.append(m.span())
    for m in _VALUE_FIRST_RE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in spans):
            continue
        unit = m.group("unit").lower().replace(" ", "")
        metric = _UNIT_METRIC.get(unit) or _UNIT_METRIC.get(unit.rstrip("s"), "reading")
        if unit.startswith("deg"):
            metric = "temperature"
        if m.group("metric") and not m.group("metric").lower().startswith(("the ", "a ")):
            metric = m.group("metric").lower()
        readings.append(ReadingSpec(metric=metric, value=float(m.group("val")), unit=unit))
        spans.append(m.span())
    return readings, spans


def find_equipment(text: str) -> list[str]:
    seen: list[str] = []
    for m in EQUIPMENT_RE.finditer(text):
        eq = " ".join(m.group("eq").split())
        if eq.lower() not in (s.lower() for s in seen):
            seen.append(eq)
    return seen


def report_details(text: str) -> ReportDetails:
    readings, spans = find_readings(text)
    body = _PREFIX_RE.sub("", text).strip()
    sentences = [s.strip() for s in _SENTENCE_RE.findall(body) if s.strip()]
    summary = sentences[0] if sentences else body
    if len(summary) > 120:
        summary = summary[:117].rsplit(" ", 1)[0] + "..."
    issues = [s for s in sentences if _ISSUE_RE.search(s)]
    return ReportDetails(
        summary=summary[:1].upper() + summary[1:] if summary else None,
        readings=readings,
        equipment=find_equipment(text),
        issues="; ".join(issues) or None,
        spans=spans,
    )
