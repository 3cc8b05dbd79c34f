"""The parser's front door: refuse what must never reach a parser, mask what must never be stored.

Runs before any parser and before anything is logged, so a pasted secret never lands in the
Parser Log, a task subject or a model's prompt.
"""

from __future__ import annotations

import re

from flrts.nlp.types import ParseRefused

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


def check_input(text: str | None, max_length: int = 1000) -> str:
    """Return the stripped text, or raise ParseRefused for empty or over-long input."""
    stripped = (text or "").strip()
    if not stripped:
        raise ParseRefused("empty", "The message is empty: tell me what to capture.")
    if len(stripped) > max_length:
        raise ParseRefused(
            "too_long",
            f"The message is {len(stripped):,} characters long; the limit is {max_length:,}. "
            "Split it into shorter messages.",
        )
    return stripped
