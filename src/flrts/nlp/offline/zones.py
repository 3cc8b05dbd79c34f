"""Time-zone words: "3pm Central", "9am PT", "10 his time", "Colin's time", "my time"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

# US abbreviations are read as the region's zone, not as a fixed offset: someone who writes "CST"
# in July means Chicago wall-clock time (CDT), which is what a person would expect.
ZONE_WORDS: dict[str, str] = {
    "central": "America/Chicago",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "ct": "America/Chicago",
    "eastern": "America/New_York",
    "est": "America/New_York",
    "edt": "America/New_York",
    "et": "America/New_York",
    "pacific": "America/Los_Angeles",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
    "mountain": "America/Denver",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "mt": "America/Denver",
    "arizona": "America/Phoenix",
    "alaska": "America/Anchorage",
    "akst": "America/Anchorage",
    "akdt": "America/Anchorage",
    "hawaii": "Pacific/Honolulu",
    "hst": "Pacific/Honolulu",
    "utc": "UTC",
    "gmt": "UTC",
    "zulu": "UTC",
}

# Only looked for right after a time ("3pm Central"), where the words cannot mean anything else.
ZONE_AFTER_TIME_RE = re.compile(
    r"\s*(?:(?:in\s+)?(?P<word>central|eastern|pacific|mountain|arizona|alaska|hawaii)(?:\s+time)?"
    r"|(?P<abbr>cst|cdt|ct|est|edt|et|pst|pdt|pt|mst|mdt|mt|akst|akdt|hst|utc|gmt|zulu)\b"
    r"(?:\s+time)?"
    r"|(?P<pron>my|his|her|their|your)\s+time|(?P<name>[a-z][a-z'’]*?)(?:'s|’s)\s+time)"
)
# "... his time" / "in Central time" anywhere in the message also sets the zone for its times.
ZONE_ANYWHERE_RE = re.compile(
    r"\b(?:(?P<pron>my|his|her|their|your)\s+time|(?P<name>[a-z]+)(?:'s|’s)\s+time"
    r"|(?:in\s+)?(?P<word>central|eastern|pacific|mountain|arizona|alaska|hawaii)\s+time)\b"
)


@dataclass(frozen=True)
class ZoneHint:
    kind: str  # "named" | "sender" | "other" (his/her/their/<name>'s time)
    zone: str | None  # IANA name for "named"
    name: str | None  # the person's name for "<name>'s time"
    start: int
    end: int


def hint_from_match(m: re.Match[str], base: int = 0) -> ZoneHint:
    start, end = m.start() + base, m.end() + base
    if m.group("word"):
        return ZoneHint("named", ZONE_WORDS[m.group("word")], None, start, end)
    if "abbr" in m.re.groupindex and m.group("abbr"):
        return ZoneHint("named", ZONE_WORDS[m.group("abbr")], None, start, end)
    pron = m.group("pron")
    if pron in ("my",):
        return ZoneHint("sender", None, None, start, end)
    if pron == "your":
        return ZoneHint("other", None, None, start, end)
    if pron:
        return ZoneHint("other", None, None, start, end)
    return ZoneHint("other", None, m.group("name"), start, end)


@lru_cache(maxsize=64)
def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):  # an invalid zone in a profile must not break parsing
        return ZoneInfo("UTC")
