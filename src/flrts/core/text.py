"""Text that no supported database can store.

PostgreSQL refuses a NUL character in any text (and in JSON); none of the three databases
can store a lone UTF-16 surrogate (`"\\ud800"` is valid JSON, not valid UTF-8). Entry points
that take free-form input (the REST API, the Telegram webhook, imports) check with
`unstorable` and answer with a clear error instead of failing inside the database.
"""

from __future__ import annotations

import re
from typing import Any

# NUL, and any surrogate left in a str (json.loads joins the valid pairs into one character)
_BAD = re.compile("[\x00\ud800-\udfff]")


def _problem(text: str) -> str | None:
    if "\x00" in text:
        return "a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "an unpaired surrogate (not valid Unicode)"
    return None


def unstorable(value: Any, where: str = "input") -> str | None:
    """A sentence naming where `value` holds unstorable text, or None when all is storable.

    Looks through dict keys and values and list items at any depth (no recursion); a value
    under a top-level key is named by that key."""
    stack: list[tuple[Any, str, bool]] = [(value, where, True)]
    while stack:
        item, name, top = stack.pop()
        if isinstance(item, str):
            if problem := _problem(item):
                return f"{name} contains {problem}"
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and (problem := _problem(key)):
                    return f"a key in {name} contains {problem}"
                stack.append((child, f"'{key}'" if top else name, False))
        elif isinstance(item, list | tuple):
            stack.extend((child, name, False) for child in item)
    return None


def _clean(text: str) -> str:
    return _BAD.sub("\ufffd", text)


def storable(value: Any) -> Any:
    """A copy of `value` with each NUL and unpaired surrogate replaced by U+FFFD, for input
    that must be kept even when damaged (a Telegram update is a person's message).
    May raise RecursionError on absurdly deep input, as `json.loads` does."""
    if isinstance(value, str):
        return _clean(value) if _problem(value) else value
    if isinstance(value, dict):
        return {(_clean(k) if isinstance(k, str) else k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(item) for item in value]
    return value
