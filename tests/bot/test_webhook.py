"""The webhook's HTTP contract: secret, size, JSON, idempotency, unhandled kinds, the store."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest

from flrts.telegram.models import TelegramUpdate
from tests.fakes import telegram_updates as tu

pytestmark = pytest.mark.django_db(transaction=True)


def post(url: str, body: bytes | str, secret: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return httpx.post(url, content=body, headers=headers, timeout=10)


def test_wrong_or_missing_secret_is_403_and_nothing_happens(bot: Any) -> None:
    body = json.dumps(tu.text_message(1001, "Colin check pump"))
    for secret in ("wrong", None, ""):
        response = post(bot.url, body, secret)
        assert response.status_code == 403
        assert response.json()["error"] == "Invalid webhook secret"
    assert TelegramUpdate.objects.count() == 0
    assert bot.fake.calls() == []


def test_no_secret_configured_refused_unless_developer_mode(bot: Any, settings: Any) -> None:
    settings.SITE.config["telegram_webhook_secret"] = ""
    settings.DEVELOPER_MODE = False
    response = post(bot.url, json.dumps(tu.text_message(1001, "hello")))
    assert response.status_code == 403 and "not configured" in response.json()["error"]
    settings.DEVELOPER_MODE = True
    assert post(bot.url, json.dumps(tu.text_message(1001, "/help"))).status_code == 200


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"{not json", 400), (b"\xff\xfe", 400), (b"[1, 2]", 400), (b'{"message": {}}', 400),
     (b'{"update_id": "7"}', 400)],
)  # fmt: skip
def test_bad_bodies(bot: Any, body: bytes, status: int) -> None:
    assert post(bot.url, body, bot.secret).status_code == status
    assert TelegramUpdate.objects.count() == 0


def test_damaged_text_is_kept_with_replacement_characters(bot: Any) -> None:
    """A NUL or a lone surrogate (valid JSON, unstorable text) must not lose the message."""
    update = tu.text_message(1001, "/help")
    update["message"]["from"]["last_name"] = "O\u0000Neil"
    body = json.dumps(update).replace("O\\u0000Neil", "O\\u0000Ne\\udaebil")
    assert "\\udaeb" in body
    assert post(bot.url, body, bot.secret).status_code == 200
    row = TelegramUpdate.objects.get()
    assert row.payload["message"]["from"]["last_name"] == "O\ufffdNe\ufffdil"
    assert row.status == "done" and "/newtask" in bot.last_text(1001)


def test_body_over_the_limit_is_413(bot: Any, settings: Any) -> None:
    settings.SITE.config["telegram_max_update_bytes"] = 2048
    update = tu.text_message(1001, "x" * 4000)
    assert post(bot.url, json.dumps(update), bot.secret).status_code == 413
    assert TelegramUpdate.objects.count() == 0


def test_get_is_refused(bot: Any) -> None:
    assert httpx.get(bot.url, timeout=10).status_code == 405


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 9_000_001, "poll": {"id": "1", "question": "?", "options": []}},
        {"update_id": 9_000_002, "message_reaction": {"chat": {"id": 1, "type": "private"}}},
        tu.edited_text_message(1001, "edited", message_id=5),
    ],
)
def test_unhandled_kinds_are_stored_as_ignored(bot: Any, update: dict[str, Any]) -> None:
    assert bot.send(update) == 200
    row = TelegramUpdate.objects.get()
    assert row.status == "ignored" and row.update_id == update["update_id"]
    assert bot.fake.sent_messages() == []


def test_update_is_stored_with_status_and_timing(bot: Any) -> None:
    update = bot.say(1001, "Colin check pump at Big Sky")
    row = TelegramUpdate.objects.get()
    assert row.update_id == update["update_id"] and row.payload == update
    assert (row.kind, row.chat_id, row.telegram_user_id) == ("message", 1001, 1001)
    assert row.status == "done" and row.error == ""
    assert row.received_at <= row.started_at <= row.finished_at
    assert row.attempts == 1


def test_message_without_text_gets_a_polite_answer(bot: Any) -> None:
    sticker = {"file_id": "s", "file_unique_id": "u", "width": 1, "height": 1, "type": "regular"}
    update = tu.message_update(1001, sticker=sticker)
    assert bot.send(update) == 200
    assert "I read text, voice notes, photos, documents and locations" in bot.last_text(1001)


def test_the_frappe_method_path_is_the_same_webhook(bot: Any, live_server: Any) -> None:
    url = f"{live_server.url}/api/method/flrts_extensions.telegram.webhook"
    assert bot.fake.deliver(tu.command(1001, "help"), url, bot.secret) == 200
    assert "/newtask" in bot.last_text(1001)
    response = post(url, "{}", "wrong")
    assert response.status_code == 403


def test_blocking_the_bot_is_recorded(bot: Any, team: Any) -> None:
    bot.send(tu.my_chat_member(1002, "kicked"))
    team.colin.refresh_from_db()
    assert team.colin.telegram_blocked.startswith("blocked")
    bot.say(1002, "/help")  # writing again lifts it
    team.colin.refresh_from_db()
    assert team.colin.telegram_blocked == ""


def test_send_failure_blocked_chat_marks_the_person(bot: Any, team: Any) -> None:
    bot.fake.block(1002)
    assert bot.say(1002, "Taylor fix the server")
    team.colin.refresh_from_db()
    assert "blocked" in team.colin.telegram_blocked


def test_rate_limited_send_is_retried(bot: Any) -> None:
    bot.fake.fail_next("sendMessage", 429, retry_after=1)
    bot.say(1001, "/help")
    assert "/newtask" in bot.last_text(1001)
    assert [c.status for c in bot.fake.calls("sendMessage")] == [429, 200]


def test_sqlite_webhook_waits_for_the_write_lock_and_stores(bot: Any) -> None:
    """Another writer holds SQLite's lock for a moment: the update is acknowledged after it
    lets go (the fine polling), stored once, and the connection's busy timeout is restored."""
    import sqlite3
    import time

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's single write lock")
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        result: dict[str, Any] = {}

        def deliver() -> None:
            started = time.monotonic()
            result["status"] = bot.send(tu.command(1001, "help"))
            result["seconds"] = time.monotonic() - started

        thread = threading.Thread(target=deliver)
        thread.start()
        time.sleep(0.3)
        assert "status" not in result  # still waiting for the lock
        holder.execute("COMMIT")
        thread.join(20)
    finally:
        holder.close()
    assert result["status"] == 200 and 0.3 <= result["seconds"] < 5
    assert TelegramUpdate.objects.count() == 1
    from flrts.bot.webhook import store_update

    assert store_update(tu.command(1001, "help"), enqueue=False) is not None  # in this thread
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == 20000
