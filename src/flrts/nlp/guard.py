"""The parser's front door: refuse what must never reach a parser, mask what must never be stored.

Runs before any parser and before anything is logged, so a pasted secret never lands in the
Parser Log, a task subject or a model's prompt.
"""

from __future__ import annotations

from flrts.core.masking import mask_secrets, mask_value
from flrts.nlp.types import ParseRefused

__all__ = ["check_input", "mask_secrets", "mask_value"]


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
