"""Fixtures for the offline parser tests: the corpus context and a parse helper. No Django."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from flrts.nlp.evaluate import load_context
from flrts.nlp.offline import OfflineParser
from flrts.nlp.types import ParseContext, ParseResult

DATA = Path(__file__).resolve().parents[1] / "data" / "nlp" / "dev"
JOEL = "joel@10nz.tools"  # America/New_York
TAYLOR = "taylor@10nz.tools"  # America/Chicago
COLIN = "colin@10nz.tools"  # America/Los_Angeles
# Wednesday 2026-03-04 09:15 in New York; US daylight saving time starts Sunday 2026-03-08.
WED = dt.datetime.fromisoformat("2026-03-04T09:15:00-05:00")
# Friday 2026-03-06 16:40 in Chicago.
FRI = dt.datetime.fromisoformat("2026-03-06T16:40:00-06:00")


@pytest.fixture(scope="session")
def nlp_context() -> ParseContext:
    return load_context(DATA / "context.json")


@pytest.fixture
def parse(nlp_context: ParseContext) -> Callable[..., ParseResult]:
    parser = OfflineParser()

    def run(
        text: str,
        sender: str = JOEL,
        now: dt.datetime = WED,
        context: ParseContext | None = None,
    ) -> ParseResult:
        return parser.parse(text, sender, now, context or nlp_context)

    return run
