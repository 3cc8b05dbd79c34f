"""List items with quantities: "filters, zip ties and 2 boxes of gloves" -> three ListItemSpecs."""

from __future__ import annotations

import re

from flrts.nlp.offline.text import NUMBER_WORDS
from flrts.nlp.types import ListItemSpec

UNITS = (
    "boxes|box|cases|case|packs|pack|packages|package|rolls|roll|bags|bag|gallons|gallon|gal"
    "|liters|liter|litres|litre|quarts|quart|qts|qt|feet|foot|ft|meters|meter|metres|metre"
    "|pairs|pair|bottles|bottle|cans|can|tubes|tube|spools|spool|drums|drum|pallets|pallet"
    "|sets|set|pieces|piece|pcs|lbs|lb|pounds|pound|kgs|kg|buckets|bucket|jugs|jug|totes|tote"
    "|cartons|carton|sheets|sheet|reels|reel|bundles|bundle|tubs|tub|sticks|stick|units|unit"
    "|containers|container|jars|jar|kits|kit|coils|coil|lengths|length"
)
_QTY = r"\d+(?:\.\d+)?|" + "|".join(
    re.escape(k) for k in sorted(NUMBER_WORDS, key=len, reverse=True) if k not in ("a", "an")
)
# A quantity is a word of its own: "AA batteries", "9V battery" and "C-clamps" hold none.
_ITEM_RE = re.compile(
    r"^(?:(?P<q>"
    + _QTY
    + r"|an?)(?:\s*x)?\s+)?(?:(?P<u>"
    + UNITS
    + r")\s+(?:of\s+)?)?(?P<name>.+?)"
    r"(?:\s+x\s*(?P<q2>\d+)|\s+\((?P<q3>\d+)\))?$",
    re.IGNORECASE,
)
_SPLIT_RE = re.compile(r"\s*(?:,|;|\n|\band\b|&|\+|\bplus\b|\balso\b)\s*", re.IGNORECASE)
_ARTICLE_RE = re.compile(r"^(?:the|some|more|extra|another|a\s+few|few|new|spare|our|my)\s+", re.I)
_TRAIL_RE = re.compile(r"\s+(?:too|as\s+well|please|pls|for\s+me)$", re.IGNORECASE)


def parse_item(raw: str) -> ListItemSpec | None:
    text = " ".join(raw.strip(" .!?:-").split())
    text = _TRAIL_RE.sub("", text)
    if not text:
        return None
    m = _ITEM_RE.match(text)
    if not m:
        return ListItemSpec(name=text)
    name = m.group("name")
    unit = m.group("u")
    q_raw = m.group("q") or m.group("q2") or m.group("q3")
    quantity: float | None = None
    if q_raw:
        low = q_raw.lower()
        if low in ("a", "an"):
            quantity = 1.0 if unit else None
        else:
            quantity = NUMBER_WORDS.get(low) or float(low)
    for _ in range(2):
        name = _ARTICLE_RE.sub("", name)
    name = name.strip(" .!?:-")
    if not name:
        return None
    return ListItemSpec(name=name, quantity=quantity, unit=unit.lower() if unit else None)


def parse_items(segment: str) -> list[ListItemSpec]:
    """Split a list of items on commas/and/&, keeping each item's quantity and unit."""
    out: list[ListItemSpec] = []
    for part in _SPLIT_RE.split(segment):
        item = parse_item(part)
        if item is not None and item.name.lower() not in ("the", "it", "them", "stuff"):
            out.append(item)
    return out
