"""Fixtures for the LLM parser tests: a fake OpenAI server, a small context, and configs.

No Django and no database: run with `pytest -p no:django tests/nlp_llm`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tests.fakes.openai_server import FakeOpenAIServer
from tests.nlp_llm.support import API_KEY, SENDER, StubOffline

from flrts.nlp.llm import LLMConfig, reset_breakers
from flrts.nlp.service import reset_parsers
from flrts.nlp.types import (
    ContractorRef,
    ListRef,
    ParseContext,
    PersonRef,
    SiteRef,
)


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    # Under `-p no:django` pyproject's DJANGO_SETTINGS_MODULE is an unknown ini key, and
    # filterwarnings=error turns that warning into a failure: declare the key when Django is off.
    if not pluginmanager.has_plugin("django"):
        parser.addini("DJANGO_SETTINGS_MODULE", "Django settings (unused without pytest-django)")


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    # Breakers and cached clients are process-wide; each test starts from closed circuits.
    reset_breakers()
    reset_parsers()
    yield
    reset_parsers()
    reset_breakers()


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(transcript="Check the generator at Viper tomorrow") as fake:
        yield fake


@pytest.fixture
def make_config(server: FakeOpenAIServer) -> Callable[..., LLMConfig]:
    def make(**overrides: Any) -> LLMConfig:
        values: dict[str, Any] = {
            "openai_api_key": API_KEY,
            "openai_base_url": server.base_url,
            "openai_timeout": 2,
            "openai_max_retries": 0,
            "openai_prices": {"gpt-4.1-mini": {"input": 0.40, "output": 1.60}},
        }
        values.update(overrides)
        return LLMConfig.from_site_config(values)

    return make


@pytest.fixture
def config(make_config: Callable[..., LLMConfig]) -> LLMConfig:
    return make_config()


@pytest.fixture
def now() -> dt.datetime:
    # Wednesday 10:00 in Chicago = 16:00 UTC
    return dt.datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("America/Chicago"))


@pytest.fixture
def context() -> ParseContext:
    return ParseContext(
        people=[
            PersonRef(
                id=SENDER,
                name="Colin Aulds",
                aliases=["Colin"],
                telegram_username="colin_a",
                timezone="America/Chicago",
            ),
            PersonRef(
                id="joel@example.com",
                name="Joel Fulford",
                aliases=["Joel", "JF"],
                telegram_username="joelf",
                timezone="America/Denver",
            ),
        ],
        sites=[
            SiteRef(name="Viper", code="VPR", aliases=["viper site"]),
            SiteRef(name="Thunder Ridge", code="TR", aliases=["thunder"]),
        ],
        contractors=[ContractorRef(name="Acme Electric")],
        lists=[ListRef(name="Viper shopping list", owner=SENDER)],
    )


@pytest.fixture
def offline() -> StubOffline:
    return StubOffline()
