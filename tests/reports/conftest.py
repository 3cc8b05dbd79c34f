"""Fixtures for the reports: Parser Log rows and Telegram updates at chosen local times, and a
site config pointed at the fake Telegram server.

The site's zone in tests is America/Chicago (the default `time_zone`); the fixture days are in
March 2026, after the DST change of 8 March, so Chicago is UTC-5 there.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

CHICAGO = ZoneInfo("America/Chicago")
_update_ids = itertools.count(1000)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A wall-clock time in the site's zone, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CHICAGO)


@pytest.fixture
def make_log(db: Any) -> Callable[..., Any]:
    from flrts.nlp.models import ParserLog

    def make(at: dt.datetime, outcome: str = "Pending", **fields: Any) -> ParserLog:
        values: dict[str, Any] = {
            "original_message": "check the pump",
            "request_timestamp": at,
            "user_accepted": outcome,
            "confidence_score": 0.9,
            "response_duration_ms": 100,
            "estimated_cost_usd": Decimal("0"),
            "model_name": "",
            "parser": "offline",
            **fields,
        }
        log = ParserLog(**values)
        log.save()
        return log

    return make


@pytest.fixture
def make_update(db: Any) -> Callable[..., Any]:
    from flrts.telegram.models import TelegramUpdate

    def make(at: dt.datetime, user: int | None = 501, kind: str = "message", **fields: Any) -> Any:
        return TelegramUpdate.objects.create(
            update_id=next(_update_ids),
            kind=kind,
            telegram_user_id=user,
            chat_id=user,
            received_at=at,
            status=fields.pop("status", "done"),
            **fields,
        )

    return make


@pytest.fixture
def fake_telegram() -> Iterator[Any]:
    from tests.fakes.telegram_server import FakeTelegram

    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def bot_config(settings: Any, fake_telegram: Any) -> Iterator[Any]:
    """The site config with a bot token, the fake's URL and a team chat."""
    from flrts.telegram.config import reset_clients

    config = settings.SITE.config
    saved = dict(config)
    config.update(
        {
            "telegram_bot_token": fake_telegram.token,
            "telegram_api_url": fake_telegram.api_url,
            "telegram_team_chat_id": -100123,
            "telegram_chat_interval": 0,
        }
    )
    reset_clients()
    yield fake_telegram
    config.clear()
    config.update(saved)
    reset_clients()
