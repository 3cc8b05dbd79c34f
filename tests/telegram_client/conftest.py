"""Fixtures for the Bot API client tests: a fake Telegram over real HTTP and a client whose
sleeps are recorded instead of slept, so retry and pacing tests are instant."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from flrts.telegram.client import BotClient, RetryPolicy
from flrts.telegram.ratelimit import ChatRateLimiter, no_rate_limit
from tests.fakes import telegram_server
from tests.fakes.telegram_server import FakeTelegram

fake_telegram = telegram_server.fake_telegram  # a started fake, stopped after the test


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    # These tests run without Django (`-p no:django`); pyproject still names the settings module,
    # and with warnings as errors pytest would fail on the then-unknown ini key.
    if not pluginmanager.has_plugin("django"):
        parser.addini("DJANGO_SETTINGS_MODULE", "read by pytest-django; unused here")


class Sleeps:
    """Stands in for `time.sleep`: records each requested wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)

    @property
    def total(self) -> float:
        return sum(self.waits)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


MakeClient = Callable[..., BotClient]


@pytest.fixture
def make_client(fake_telegram: FakeTelegram, sleeps: Sleeps) -> Iterator[MakeClient]:
    """Build clients against the fake; pacing is off unless a `rate_limiter` is passed."""
    clients: list[BotClient] = []

    def make(
        token: str | None = None,
        *,
        retry: RetryPolicy | None = None,
        rate_limiter: ChatRateLimiter | None = None,
        timeout: float = 5.0,
    ) -> BotClient:
        client = BotClient(
            token or fake_telegram.token,
            fake_telegram.api_url,
            timeout=timeout,
            retry=retry,
            sleep=sleeps,
            rate_limiter=rate_limiter or no_rate_limit(),
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> BotClient:
    return make_client()
