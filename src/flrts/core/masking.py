"""Secrets out of text: masking by key (`password=...`, `"token": "..."`) and by shape (bot
tokens, API keys), as first two + stars + last two.

One module for every place that writes text someone else reads later: logs, the Error Log, the
Parser Log, access logs. Pure Python with no Django import, so settings (before Django is set
up) and the parser tests (without Django) use it too. Linear in the length of the text, which
is first cut to `MAX_MASKED` characters.
"""

from __future__ import annotations

import re
from typing import Any

# `key=value` / `"key": "value"` pairs whose key names a secret (tokens in URLs and dicts too).
# Linear on any input: a key starts only where a run of letters starts (the look-behind), is
# read possessively (`++`, no backtracking into it), and the value is read once after the key;
# the earlier single pattern (`[a-z_]*(?:password|...)[a-z_]*`) re-scanned every run from every
# position, which made a 4,000-letter method name take seconds (issue 12).
_KEY = re.compile(r"(?i)(?<![a-z_])[\"']?+([a-z_]++)[\"']?+\s*+[:=]\s*+[\"']?+")
_SECRET_NAME = re.compile(
    r"(?i)password|passwd|pwd|secret|token|api_key|apikey|sid|authorization|cookie"
)
_VALUE = re.compile(r"[^\s\"',;&]{3,}+")
# A log line or context value longer than this is cut before it is masked or written.
MAX_MASKED = 32 * 1024

# Bot API URLs carry the token right after "bot" (`/bot123:ABC.../sendMessage`), with no word
# boundary before the digits, so the shape-based patterns of the parser guard miss it.
_BOT_URL_TOKEN = re.compile(r"(?<=bot)\d{6,12}:[A-Za-z0-9_\-]{30,}")

# Ordered from most to least specific; a pattern with a group "secret" masks only that group.
_SECRET_PATTERNS: list[re.Pattern[str]] = [
    # OpenAI / Anthropic / generic "sk-" keys, GitHub, Slack, AWS access keys, Telegram bot tokens
    re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{16,}"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),
    re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    re.compile(r"\b\d{6,12}:[A-Za-z0-9_\-]{30,}\b"),
    # "Bearer abc...", "token key:secret"
    re.compile(r"(?i)(?<=\bbearer\s)[A-Za-z0-9._\-+/=]{12,}"),
    re.compile(r"(?i)(?<=\btoken\s)[A-Za-z0-9]{8,}:[A-Za-z0-9]{8,}"),
    # "password: hunter2", "pwd=...", "api key is ...", "secret - ...". Python's `re` only allows
    # fixed-width look-behind, so the keyword is matched and only the group "secret" is masked.
    # The keyword needs a separator (":", "=", "-", "is") unless the value itself holds a digit, so
    # ordinary talk like "password reset for the portal" or "the pin on the coupling" is left alone.
    re.compile(
        r"(?i)\b(?:password|passwd|pwd|passcode|pin|api[ _-]?key|secret|token)"
        r"(?:\s+is\s+|\s*[:=]\s*|\s+-\s+)(?P<secret>[^\s,;]{4,})"
    ),
    re.compile(
        r"(?i)\b(?:password|passwd|pwd|passcode|api[ _-]?key)\s+"
        r"(?P<secret>(?=[^\s,;]*\d)[^\s,;]{4,})"
    ),
]


def mask_value(value: str) -> str:
    """First two + stars + last two; short values are fully starred."""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def _mask_match(match: re.Match[str]) -> str:
    """Mask the group "secret" when the pattern has one (keeping the keyword), else the match."""
    if "secret" not in match.re.groupindex:
        return mask_value(match.group(0))
    start, end = match.span("secret")
    offset = match.start()
    whole = match.group(0)
    return whole[: start - offset] + mask_value(match.group("secret")) + whole[end - offset :]


def mask_secrets(text: str) -> str:
    """Replace anything that looks like a credential with its masked form."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(_mask_match, text)
    return text


def _mask(value: str) -> str:
    return mask_value(value)


def cap(text: str, limit: int = MAX_MASKED) -> str:
    """At most `limit` characters, saying how many were cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def _mask_keyed(text: str) -> str:
    out: list[str] = []
    done = 0  # everything before this index is already in `out`
    for key in _KEY.finditer(text):
        if key.start() < done or not _SECRET_NAME.search(key.group(1)):
            continue
        value = _VALUE.match(text, key.end())
        if value is None:
            continue
        out += [text[done : value.start()], _mask(value.group())]
        done = value.end()
    out.append(text[done:])
    return "".join(out)


def mask_text(text: object, limit: int | None = MAX_MASKED) -> str:
    """Mask secrets by key (`password=...`, `"token": "..."`) and by shape (bot tokens, keys).
    Linear in the length of `text`, which is first cut to `limit` characters."""
    masked = _mask_keyed(str(text) if limit is None else cap(str(text), limit))
    masked = _BOT_URL_TOKEN.sub(lambda m: _mask(m.group(0)), masked)
    return mask_secrets(masked)


def is_secret_name(name: str) -> bool:
    return _SECRET_NAME.search(name) is not None


def mask_pairs(pairs: Any) -> dict[str, str]:
    """Query or form fields with secret-looking names masked whole."""
    out = {}
    for key, value in pairs.items():
        key = cap(str(key), 200)
        out[key] = _mask(cap(str(value))) if is_secret_name(key) else mask_text(value)
    return out


def mask_query(query: str) -> str:
    """A raw query string with the values of secret-named parameters masked (access logs)."""
    parts = []
    for pair in cap(query).split("&"):
        name, sep, value = pair.partition("=")
        if not sep:
            parts.append(mask_text(pair))
        else:
            masked = _mask(value) if is_secret_name(name) else mask_text(value)
            parts.append(f"{mask_text(name)}={masked}")
    return "&".join(parts)
