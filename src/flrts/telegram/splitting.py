"""Splitting text into parts that fit one Telegram message.

Telegram's 4,096 limit counts UTF-16 code units, so an emoji costs two; measuring in those units
keeps every part valid. Parts end at a paragraph break if one falls in the second half of the
window, else at a line break, else at a space; only a single word longer than the limit is cut.
"""

from __future__ import annotations

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

_SEPARATORS = ("\n\n", "\n", " ")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split `text` into parts of at most `limit` UTF-16 units; short text is one part."""
    if limit < 2:
        raise ValueError("limit must be at least 2")
    parts: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        window = rest[: _fitting_prefix_length(rest, limit)]
        part, rest = _cut(rest, window)
        if part.strip():
            parts.append(part)
    if rest.strip() or not parts:
        parts.append(rest)
    return parts


def _cut(text: str, window: str) -> tuple[str, str]:
    # Prefer a boundary in the second half so parts stay reasonably full, then accept any.
    # A separator right after the window is a boundary too (the part just fits).
    size = len(window)
    for minimum in (size // 2, 1):
        for separator in _SEPARATORS:
            index = text[: size + len(separator)].rfind(separator)
            if index >= minimum:
                rest = text[index + len(separator) :]
                return text[:index].rstrip(), rest.lstrip("\n" if separator != " " else " ")
    return window, text[size:]


def _fitting_prefix_length(text: str, limit: int) -> int:
    """The number of characters of `text` whose UTF-16 length is at most `limit`."""
    if len(text) <= limit // 2:
        return len(text)
    count = 0
    units = 0
    for char in text:
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            break
        count += 1
    return count
