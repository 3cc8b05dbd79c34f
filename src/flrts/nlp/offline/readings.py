"""Readings in a report: a value, its unit, and what was measured ("sump level 40%").

A reading is a number followed by a unit. What was measured is the short noun phrase written just
before it in the same clause ("discharge pressure back up to 55 psi" -> "discharge pressure"), or
just after it ("98% uptime", "1.8 in of rain"); with neither, the unit names it (480 V ->
"voltage"). A known measurement word earlier in the clause wins over a nearer noun ("Voltage at
the transformer 480V" -> "voltage"). A few measurement words also take a bare number ("pressure
45"). Units are kept as written.
"""

from __future__ import annotations

import re

from flrts.nlp.offline.text import Span, vocabulary
from flrts.nlp.types import ReadingSpec

# Units that may stand apart from the number; single capital letters only right after it.
_UNIT = (
    r"psig|psi|bar|kpa|mpa|inh2o|in\s?wc|in/s|mm/s|ips|[tpeg]h/s|gpm|lpm|scfm|cfm|rpm|hz|dba|db"
    r"|kwh|mwh|kva|kw|mw|kv|vac|vdc|volts?|amps?|°\s?[fc]|deg(?:rees)?\s?[fc]?|%|percent|ppm|ppb"
    r"|gallons?|gal|litres?|liters?|feet|ft|inches|tph|tpd|hrs|hours|lbs|lb|kg|mph|ohms?|megohms?"
    r"|ntu|(?<=\d)(?:[vafc]|in|mm|cm|m|l|h)|(?<=\d\s)[VAFC]|in(?=\s+of\b)"
)
_VALUE_RE = re.compile(
    r"(?<![\w.#/-])(?P<val>-?\d+(?:\.\d+)?)\s?(?P<unit>" + _UNIT + r")(?![\w/])", re.IGNORECASE
)
_MEASURES = (
    r"oil\s+pressure|inlet\s+pressure|outlet\s+pressure|discharge\s+pressure|suction\s+pressure"
    r"|pressure|coolant\s+temp(?:erature)?|inlet\s+temp(?:erature)?|outlet\s+temp(?:erature)?"
    r"|ambient(?:\s+temp(?:erature)?)?|oil\s+temp(?:erature)?|temp(?:erature)?|voltage|volts"
    r"|current|amperage|amps|load|humidity|hash\s*rate|flow(?:\s+rate)?|speed|rpm|oil\s+level"
    r"|fuel\s+level|frequency|power|vibration|runtime"
)
_MEASURE_RE = re.compile(r"\b(?P<metric>" + _MEASURES + r")\b", re.IGNORECASE)
# A measurement noun with a bare number after it: "pressure 45", "oil temp is 190". Words that
# are also verbs ("load 2 trucks", "power the unit") need a unit.
_BARE_MEASURES = (
    r"(?:oil|inlet|outlet|discharge|suction)\s+pressure|pressure|(?:coolant|inlet|outlet|oil)\s+"
    r"temp(?:erature)?|ambient|temp(?:erature)?|voltage|amperage|humidity|hash\s*rate|vibration"
    r"|runtime|(?:oil|fuel)\s+level"
)
_BARE_RE = re.compile(
    r"\b(?P<metric>" + _BARE_MEASURES + r")\s*(?:is|was|at|of|reads?|reading|=|:|-|~|\s)*\s*"
    r"(?P<val>-?\d+(?:\.\d+)?)\b(?![.\d])",
    re.IGNORECASE,
)
_UNIT_NAMES = {
    "psi": "pressure",
    "psig": "pressure",
    "bar": "pressure",
    "kpa": "pressure",
    "mpa": "pressure",
    "f": "temperature",
    "c": "temperature",
    "v": "voltage",
    "volt": "voltage",
    "volts": "voltage",
    "kv": "voltage",
    "vac": "voltage",
    "vdc": "voltage",
    "a": "current",
    "amp": "current",
    "amps": "current",
    "kw": "power",
    "mw": "power",
    "kva": "power",
    "kwh": "energy",
    "mwh": "energy",
    "%": "percent",
    "percent": "percent",
    "rpm": "speed",
    "th/s": "hashrate",
    "ph/s": "hashrate",
    "eh/s": "hashrate",
    "gpm": "flow",
    "cfm": "flow",
    "hz": "frequency",
    "db": "noise",
    "dba": "noise",
    "ppm": "concentration",
    "hrs": "hours",
    "hours": "hours",
}
_DURATION_UNITS = frozenset({"h", "hrs", "hours"})
_WHEN_BEFORE_RE = re.compile(r"\b(?:in|within|for|after|every|next|another|each)\s*\Z", re.I)
_CLAUSE_START_RE = re.compile(r".*(?:[,;:.!?\n(]|\s[-–—]\s|\b(?:and|with|but|then)\b)", re.S)
_CLAUSE_END_RE = re.compile(r"[,;:.!?\n)]|\s[-–—]\s")
# Words between a metric and its value ("pressure back up to 55 psi").
_LINKERS = vocabulary(
    """
    at is was were are of to reading reads read showing shows now back up down around about
    approx approximately ~ = : - from holding steady running sitting came in on the a an and
    still just only over under near roughly avg average max min peak
    """
)
_NOT_METRIC = vocabulary(
    """
    the a an and with all one two three some our my we i it they he she was were is are had have
    has been be got found replaced swapped cleaned checked adjusted topped dropped rose went
    """
)
_WORD_RE = re.compile(r"[A-Za-z][\w/+-]*|\d+[a-z]?\b", re.IGNORECASE)


def _metric_before(prefix: str) -> str | None:
    clause = _CLAUSE_START_RE.sub("", prefix)
    tokens = _WORD_RE.findall(clause)
    while tokens and tokens[-1].lower() in _LINKERS:
        tokens.pop()
    phrase: list[str] = []
    for token in reversed(tokens):
        if token.lower() in _NOT_METRIC or token.lower() in _LINKERS or len(phrase) == 3:
            break
        phrase.insert(0, token)
    if phrase and phrase[0].isdigit():
        phrase.pop(0)
    measure = _MEASURE_RE.search(clause)
    if measure and not any(measure.group("metric").lower() in w.lower() for w in phrase):
        return " ".join(measure.group("metric").lower().split())
    return " ".join(phrase).lower() or None


def _metric_after(suffix: str) -> str | None:
    clause = _CLAUSE_END_RE.split(suffix, maxsplit=1)[0]
    tokens = [t for t in _WORD_RE.findall(clause) if t.lower() not in ("on", "for", "of", "the")]
    words = [t for t in tokens[:2] if not t.isdigit() and t.lower() not in _NOT_METRIC]
    return " ".join(words).lower() or None


def _unit_name(unit: str) -> str:
    key = unit.lower().replace(" ", "").replace("°", "")
    if key.startswith("deg"):
        return "temperature"
    return _UNIT_NAMES.get(key, "reading")


def find_readings(text: str) -> tuple[list[ReadingSpec], list[Span]]:
    """Readings in `text` and the spans they cover (so "45 psi" is not read as a time)."""
    readings: list[ReadingSpec] = []
    spans: list[Span] = []
    for m in _VALUE_RE.finditer(text):
        unit = re.sub(r"\s+", "", m.group("unit"))
        if unit.lower() in _DURATION_UNITS and _WHEN_BEFORE_RE.search(text, 0, m.start()):
            continue  # "in 2 hours", "every 4 hrs": a time, not a reading
        metric = _metric_before(text[: m.start()])
        if metric is None:
            metric = _metric_after(text[m.end() :])
        readings.append(
            ReadingSpec(metric=metric or _unit_name(unit), value=float(m.group("val")), unit=unit)
        )
        spans.append(m.span())
    for m in _BARE_RE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in spans):
            continue
        metric = " ".join(m.group("metric").lower().split())
        readings.append(ReadingSpec(metric=metric, value=float(m.group("val")), unit=None))
        spans.append(m.span())
    return readings, spans
