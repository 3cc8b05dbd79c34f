"""The outbound seam other apps use (reminders, reports): token → Telegram; no token → outbox."""

from __future__ import annotations

from typing import Any

import pytest

from flrts.telegram import outbound
from flrts.telegram.errors import ServerError
from flrts.telegram.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)


def test_without_a_token_messages_go_to_the_outbox(team: Any, settings: Any) -> None:
    settings.SITE.config.pop("telegram_bot_token", None)
    assert (
        outbound.send_text(team.colin, "🔔 Reminder", buttons=[("Done", "rem:done:REM-1")]) is None
    )
    row = OutboxMessage.objects.get()
    assert (row.user, row.chat_id, row.text) == (team.colin, 1002, "🔔 Reminder")
    assert row.buttons == [[{"text": "Done", "callback_data": "rem:done:REM-1"}]]
    assert outbound.outbox_for(team.colin) == [row]
    assert outbound.outbox_for(team.taylor) == []
    assert outbound.outbox_for(team.admin) == [row]


def test_with_a_token_it_sends_and_returns_the_message_id(bot: Any, team: Any) -> None:
    message_id = outbound.send_text(
        team.colin, "hello", buttons=[[("A", "a"), ("B", "b")]], reply_to=77
    )
    sent = bot.fake.last_message(1002)
    assert sent["message_id"] == message_id and sent["text"] == "hello"
    assert [b["text"] for b in sent["reply_markup"]["inline_keyboard"][0]] == ["A", "B"]
    assert bot.fake.calls("sendMessage")[-1].params["reply_parameters"]["message_id"] == 77
    assert OutboxMessage.objects.count() == 0


def test_long_text_is_split(bot: Any) -> None:
    outbound.send_text(1001, ("word " * 2000).strip())
    parts = bot.fake.sent_texts(1001)
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts)


def test_blocked_person_is_marked_and_skipped(bot: Any, team: Any) -> None:
    bot.fake.block(1003)
    assert outbound.send_text(team.taylor, "hi") is None
    team.taylor.refresh_from_db()
    assert "blocked" in team.taylor.telegram_blocked
    calls = len(bot.fake.calls("sendMessage"))
    assert outbound.send_text(team.taylor, "again") is None
    assert len(bot.fake.calls("sendMessage")) == calls  # not even tried


def test_chat_not_found_is_marked(bot: Any, team: Any) -> None:
    bot.fake.forget_chat(1004)
    assert outbound.send_text(1004, "hi") is None
    team.bryan.refresh_from_db()
    assert "chat_not_found" in team.bryan.telegram_blocked


def test_transient_failures_raise_for_the_job_to_retry(bot: Any, settings: Any) -> None:
    bot.fake.fail_next("sendMessage", 503, times=10)
    from flrts.telegram import config

    config.reset_clients()
    client = config.get_client()
    client._api.retry = type(client._api.retry)(max_attempts=2, backoff_base=0.01)
    with pytest.raises(ServerError):
        outbound.send_text(1001, "hi")


def test_documents_and_team_chat(bot: Any, settings: Any) -> None:
    settings.SITE.config["telegram_team_chat_id"] = "-100555"
    assert outbound.team_chat_id() == -100555
    outbound.send_document(-100555, b"%PDF-1.4", "daily.pdf", caption="Daily report")
    [doc] = bot.fake.documents(-100555)
    assert (doc.filename, doc.content, doc.caption) == ("daily.pdf", b"%PDF-1.4", "Daily report")
