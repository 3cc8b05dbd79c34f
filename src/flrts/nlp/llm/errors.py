"""The one exception the LLM parser raises, so callers handle a single type.

`kind` names the failure for the Parser Log's `error_type`; `transient` says whether trying again
later could help (timeouts, 429, 5xx, connection errors) or not (bad output, auth, refusals).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from flrts.nlp.llm.parser import LLMUsage

ErrorKind = Literal[
    "not_configured",
    "circuit_open",
    "timeout",
    "connection",
    "rate_limit",
    "server_error",
    "auth",
    "bad_request",
    "api_error",
    "refusal",
    "length",
    "content_filter",
    "invalid_output",
]

# Failures worth retrying later; everything else will fail the same way again.
TRANSIENT_KINDS: frozenset[str] = frozenset(
    {"circuit_open", "timeout", "connection", "rate_limit", "server_error"}
)


class LLMError(Exception):
    """A model call that did not produce a usable ParseResult (or transcript).

    The message never contains the API key: the client scrubs it before raising.
    `usage` is set when the model did answer (tokens were spent) but the answer was unusable,
    so the Parser Log can still record tokens and cost.
    """

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        transient: bool | None = None,
        status_code: int | None = None,
        code: str | None = None,
        usage: LLMUsage | None = None,
    ) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message
        self.transient = kind in TRANSIENT_KINDS if transient is None else transient
        self.status_code = status_code
        self.code = code  # API error code such as "insufficient_quota", when the server sent one
        self.usage = usage

    def __repr__(self) -> str:
        return f"LLMError(kind={self.kind!r}, transient={self.transient}, message={self.message!r})"
