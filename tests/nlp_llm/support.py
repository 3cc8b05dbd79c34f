"""Constants and stand-ins shared by the LLM parser tests."""

from __future__ import annotations

import datetime as dt

from flrts.nlp.types import Intent, ParseContext, ParseResult

API_KEY = "sk-test-Zq8vN3kLm2Pw9Rt5Xy7Bc4"
SENDER = "colin@example.com"


class StubOffline:
    """Stands in for the offline parser (written elsewhere) so fallback tests don't depend on it."""

    name = "offline"

    def __init__(self) -> None:
        self.calls = 0

    def parse(self, text: str, sender: str, now: dt.datetime, context: ParseContext) -> ParseResult:
        self.calls += 1
        return ParseResult(intent=Intent.CREATE_TASK, subject=text, parser="stub")
