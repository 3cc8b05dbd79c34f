"""End-to-end fixtures: FakeTelegram as the Bot API, the real webhook served by live_server.

Tests marked `django_db(transaction=True)` get real commits, so `on_commit` fires and the
immediate task backend processes each update inside the webhook request: when `bot.send()`
returns, the bot's answers are already recorded by the fake.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.fakes import telegram_updates as tu
from tests.fakes.telegram_server import FakeTelegram

SECRET = "test-secret_0123456789"


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def team(transactional_db: Any) -> Any:
    """The crew of the original tests (§8.1): Joel, Bryan, Taylor, Colin; sites Big Sky & co."""
    from types import SimpleNamespace

    from django.core.cache import cache

    from flrts.org.models import Site
    from flrts.people.models import User

    cache.clear()

    def person(key: str, full: str, role: str, tz: str, tg: int | None, **extra: Any) -> User:
        user = User(
            username=f"{key}@10nz.tools",
            email=f"{key}@10nz.tools",
            full_name=full,
            role=role,
            time_zone=tz,
            telegram_user_id=tg,
            **extra,
        )
        user.set_password("password")
        user.save()
        return user

    for name, code in (
        ("Big Sky", "BS"),
        ("Viper", "VP"),
        ("Crystal Peak", "CP"),
        ("Thunder Ridge", "TR"),
    ):
        Site(site_name=name, site_code=code).save()
    return SimpleNamespace(
        joel=person("joel", "Joel Fulford", "Supervisor", "America/Chicago", 1001),
        colin=person("colin", "Colin Aulds", "Worker", "America/Chicago", 1002),
        taylor=person("taylor", "Taylor Smith", "Worker", "America/Los_Angeles", 1003),
        bryan=person(
            "bryan", "S Bryan Aulds", "Worker", "America/New_York", 1004, aliases=["Bryan"]
        ),
        viewer=person("vic", "Vic Viewer", "Viewer", "America/Denver", 1005),
        gone=person("dan", "Dan Gone", "Worker", "America/Chicago", 1006, is_active=False),
        admin=person("alice", "Alice Admin", "Admin", "America/New_York", 1007),
    )


@dataclass
class Bot:
    """Talks to the real webhook as Telegram would, and reads what the bot answered."""

    fake: FakeTelegram
    url: str
    secret: str = SECRET

    def send(self, update: dict[str, Any]) -> int:
        return self.fake.deliver(update, self.url, self.secret)

    def say(self, tg_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
        update = tu.text_message(tg_id, text, **kwargs)
        status = self.send(update)
        assert status == 200, status
        return update

    def command(self, tg_id: int, name: str, args: str = "") -> int:
        return self.send(tu.command(tg_id, name, args))

    def press(self, tg_id: int, data: str, message_id: int, **kwargs: Any) -> int:
        return self.send(tu.callback(tg_id, data, message_id, **kwargs))

    def texts(self, chat_id: int) -> list[str]:
        return self.fake.sent_texts(chat_id)

    def last(self, chat_id: int) -> dict[str, Any]:
        message = self.fake.last_message(chat_id)
        assert message is not None, "the bot sent nothing"
        return message

    def last_text(self, chat_id: int) -> str:
        return str(self.last(chat_id)["text"])

    def last_card(self, chat_id: int) -> dict[str, Any]:
        for message in reversed(self.fake.sent_messages(chat_id)):
            markup = message.get("reply_markup") or {}
            rows = markup.get("inline_keyboard") or []
            if any(b.get("callback_data", "").startswith("cap:ok:") for row in rows for b in row):
                return message
        raise AssertionError(f"no card sent; texts: {self.texts(chat_id)}")

    def button(self, message: dict[str, Any], prefix: str) -> str:
        for row in message["reply_markup"]["inline_keyboard"]:
            for button in row:
                if button.get("callback_data", "").startswith(prefix):
                    return str(button["callback_data"])
        raise AssertionError(f"no {prefix} button on {message['text']!r}")

    def confirm_last_card(self, tg_id: int) -> int:
        card = self.last_card(tg_id)
        return self.press(tg_id, self.button(card, "cap:ok:"), card["message_id"])


@pytest.fixture
def bot(fake_telegram: FakeTelegram, live_server: Any, settings: Any, team: Any) -> Bot:
    config = settings.SITE.config
    from flrts.telegram.config import reset_clients

    saved = dict(config)
    config.update(
        {
            "telegram_bot_token": fake_telegram.token,
            "telegram_api_url": fake_telegram.api_url,
            "telegram_webhook_secret": SECRET,
            "telegram_chat_interval": 0,
        }
    )
    reset_clients()
    yield Bot(fake_telegram, f"{live_server.url}/telegram/webhook")
    config.clear()
    config.update(saved)
    reset_clients()
