"""@mentions in comments: which people a text names.

A mention is `@` followed by one of a person's handles: their full name, email, Telegram username
or, when no one else shares it, their first name ("@Taylor Reed", "@taylor@example.com",
"@taylorr", "@Taylor"). Matching ignores case, prefers the longest handle, and needs the handle
to end at a word boundary, so "@Taylors" names nobody.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from flrts.people.models import User


def handles(people: Iterable[User]) -> list[tuple[str, User]]:
    """(lower-case handle, person), longest first."""
    people = list(people)
    firsts = Counter(p.first_name_or_full.lower() for p in people if p.full_name)
    out: list[tuple[str, User]] = []
    for person in people:
        names = {person.full_name, person.email, person.telegram_username}
        first = person.first_name_or_full
        if person.full_name and firsts[first.lower()] == 1:
            names.add(first)
        out += [(name.lower(), person) for name in names if name and name.strip()]
    out.sort(key=lambda pair: len(pair[0]), reverse=True)
    return out


def find_mentions(text: str, people: Iterable[User] | None = None) -> list[User]:
    """The people `text` mentions, in order of first mention, each once."""
    if "@" not in text:
        return []
    found: dict[int, User] = {}
    for _start, _end, person in _matches(text, people):
        found.setdefault(person.pk, person)
    return list(found.values())


def mention_spans(text: str, people: Iterable[Any]) -> list[tuple[int, int]]:
    """Where in `text` the given people are mentioned: (start, end) of each `@handle`."""
    return [(start, end) for start, end, _person in _matches(text, people)]


def _matches(text: str, people: Iterable[Any] | None) -> Iterable[tuple[int, int, Any]]:
    table = handles(people if people is not None else User.objects.enabled())
    lowered = text.lower()
    start = lowered.find("@")
    while start != -1:
        if start == 0 or not _word(lowered[start - 1]):  # "bob@example" is an address
            rest = lowered[start + 1 :]
            for handle, person in table:
                if rest.startswith(handle) and not _word(rest[len(handle) : len(handle) + 1]):
                    yield start, start + 1 + len(handle), person
                    break
        start = lowered.find("@", start + 1)


def _word(char: str) -> bool:
    return bool(char) and (char.isalnum() or char == "_")
