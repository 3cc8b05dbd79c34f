"""`flrts telegram set-webhook | webhook-info | delete-webhook | poll | set-commands`."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from flrts.capture.commands import COMMANDS
from flrts.tasks.models import Task
from flrts.telegram.models import TelegramUpdate
from tests.fakes import telegram_updates as tu

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("telegram", *args, stdout=out)
    return out.getvalue()


def test_set_webhook_info_and_delete(bot: Any) -> None:
    out = run("set-webhook", "https://ops.example.com", "--max-connections", "20", "--drop-pending")
    assert (
        "Webhook set: https://ops.example.com/api/method/flrts_extensions.telegram.webhook" in out
    )
    [call] = bot.fake.calls("setWebhook")
    assert call.params["secret_token"] == bot.secret
    assert call.params["max_connections"] == 20 and call.params["drop_pending_updates"] is True
    assert sorted(call.params["allowed_updates"]) == ["callback_query", "message", "my_chat_member"]
    assert [c["command"] for c in bot.fake.commands] == [name for name, _ in COMMANDS]
    info = run("webhook-info")
    assert "ops.example.com" in info and "pending updates: 0" in info
    run("delete-webhook")
    assert bot.fake.webhook_url == ""


def test_set_webhook_generates_a_secret(bot: Any, settings: Any) -> None:
    settings.SITE.config["telegram_webhook_secret"] = ""
    from flrts.sites import read_json

    out = run("set-webhook", "https://ops.example.com/telegram/webhook")
    secret = bot.fake.webhook_secret
    assert secret and len(secret) >= 32 and "Generated" in out and secret not in out
    saved = read_json(settings.SITE.path / "site_config.json")
    assert saved["telegram_webhook_secret"] == secret


def test_set_commands(bot: Any) -> None:
    run("set-commands")
    assert len(bot.fake.commands) == len(COMMANDS)


def test_poll_uses_the_same_processing(bot: Any, team: Any) -> None:
    update = bot.fake.push_update(tu.text_message(1001, "Colin check pump at Big Sky"))
    out = run("poll", "--once", "--timeout", "0")
    assert "Stored 1 update(s)" in out
    row = TelegramUpdate.objects.get(update_id=update["update_id"])
    assert (row.source, row.status) == ("poll", "done")
    card = bot.last_card(1001)
    bot.fake.push_update(tu.callback(1001, bot.button(card, "cap:ok:"), card["message_id"]))
    run("poll", "--once", "--timeout", "0")
    assert Task.objects.count() == 1
    run("poll", "--once", "--timeout", "0")  # nothing new: the offset moved on
    assert TelegramUpdate.objects.count() == 2


def test_without_a_token(settings: Any, team: Any) -> None:
    settings.SITE.config.pop("telegram_bot_token", None)
    with pytest.raises(CommandError, match="telegram_bot_token"):
        run("webhook-info")
