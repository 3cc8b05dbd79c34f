"""Text helpers shared by the offline extractors: a lower-cased view with stable offsets, spans.

Every extractor reports the character spans it used, so the subject can be what is left once
people, places, dates and priority words are taken out. Offsets always refer to the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Span = tuple[int, int]

# e-mail addresses are one token, so "taylor@example.com" is never read as the person Taylor
_WORD_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|[@#]?[A-Za-z0-9][A-Za-z0-9'’_.\-/]*")
_SPACE_RE = re.compile(r"\s+")

NUMBER_WORDS: dict[str, float] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "dozen": 12,
    "a dozen": 12,
    "a couple": 2,
    "a couple of": 2,
    "couple": 2,
    "a few": 3,
    "few": 3,
    "half a dozen": 6,
}


def vocabulary(prose: str) -> frozenset[str]:
    """A word list written as a paragraph, so it reads as a list and not as 150 lines."""
    return frozenset(prose.split())


def lower_same_length(text: str) -> str:
    """Lower-case without changing any offset (a few characters grow when lowered, e.g. 'İ')."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@dataclass(frozen=True)
class Word:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower()


def words(text: str) -> list[Word]:
    """Words with their offsets; trailing sentence punctuation is not part of a word."""
    out: list[Word] = []
    for m in _WORD_RE.finditer(text):
        token = m.group(0)
        end = m.end()
        while token and token[-1] in ".'’-/":
            token = token[:-1]
            end -= 1
        if token:
            out.append(Word(token, m.start(), end))
    return out


@dataclass
class SpanSet:
    """Character spans claimed by extractors."""

    spans: list[Span] = field(default_factory=list)

    def add(self, start: int, end: int) -> None:
        if end > start:
            self.spans.append((start, end))

    def overlaps(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.spans)

    def remove_from(self, text: str) -> str:
        """The text with every claimed span blanked (kept as spaces so offsets stay meaningful)."""
        chars = list(text)
        for s, e in self.spans:
            for i in range(max(0, s), min(len(chars), e)):
                chars[i] = " "
        return "".join(chars)


def squash(text: str) -> str:
    """Collapse runs of white space."""
    return _SPACE_RE.sub(" ", text).strip()


def parse_number(token: str) -> float | None:
    token = token.strip().lower()
    if token in NUMBER_WORDS:
        return NUMBER_WORDS[token]
    try:
        return float(token.replace(",", ""))
    except ValueError:
        return None
