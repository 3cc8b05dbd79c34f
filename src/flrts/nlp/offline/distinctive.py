"""Which single words of a site's or contractor's name are enough to name it.

People shorten names: "Kessler" for Kessler Mechanical, "Granite Falls" for Granite Falls
Substation, "summit" for Summit Crane & Rigging. A word is *distinctive* when it is not a kind of
business or place ("Mechanical", "Services", "Substation", "Site"), not an everyday word that many
names share ("North", "Big", "Blue"), belongs to exactly one site or contractor, and is nobody's
name. The name minus its generic words ("Granite Falls") is a short form too.

Whether a distinctive word in a message really is the name is decided where it is matched
(`entities.find_entities`): it must be capitalised, unless the whole message is in lower case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flrts.nlp.offline.text import vocabulary

# Kinds of business and of place: "Kessler Mechanical" is not named by "mechanical".
GENERIC_WORDS = vocabulary(
    """
    mechanical mech services service electric electrical elec fire protection safety welding
    welders pump pumps well wells crane cranes rigging hvac fuel fuels oil gas networks
    network concrete industrial industries co inc llc ltd corp corporation company group
    contracting contractors contractor construction plumbing supply supplies solutions
    systems engineering energy power environmental equipment rental rentals repair repairs
    maintenance tech technologies trucking transport excavation paving roofing drilling
    controls automation instrumentation labs lab and of the site sites substation sub
    station yard mine mines plant facility shop office warehouse field pad camp farm center
    centre building tower pit quarry mill depot terminal
    """
)
# Everyday words that many names share and that mean something on their own.
COMMON_WORDS = vocabulary(
    """
    north south east west northern southern eastern western upper lower big little small
    great grand new old red blue green black white gray grey brown gold silver high low main
    central first second third top bottom mid middle inner outer lone twin point falls creek
    lake river hill hills valley ridge peak rock stone flat flats
    """
)
_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def name_tokens(name: str) -> list[str]:
    return [t.lower().rstrip("'’") for t in _TOKEN_RE.findall(name)]


def core_phrase(name: str) -> str | None:
    """The name without its generic words ("Granite Falls Substation" -> "granite falls")."""
    tokens = name_tokens(name)
    core = [t for t in tokens if t not in GENERIC_WORDS]
    if not core or len(core) == len(tokens):
        return None
    return " ".join(core)


def distinctive_words(
    names: Iterable[tuple[str, str, Iterable[str]]], taken: set[str]
) -> dict[str, tuple[str, str]]:
    """{word: (kind, key)} for (kind, key, [name and aliases]) entries.

    `taken` holds words that already mean something else (people's names, common words of the
    message language); a word two entities share names neither.
    """
    owners: dict[str, set[tuple[str, str]]] = {}
    for kind, key, spellings in names:
        for spelling in spellings:
            for token in name_tokens(spelling):
                if len(token) < 3 or token in GENERIC_WORDS or token in COMMON_WORDS:
                    continue
                owners.setdefault(token, set()).add((kind, key))
    return {
        token: next(iter(found))
        for token, found in owners.items()
        if len(found) == 1 and token not in taken
    }
