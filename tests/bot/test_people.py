"""Who may talk to the bot: unknown senders, linking with /start CODE, disabled people, roles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from flrts.capture.models import Proposal
from flrts.people.models import TelegramLinkCode, User
from flrts.tasks.models import Task
from tests.fakes import telegram_updates as tu

pytestmark = pytest.mark.django_db(transaction=True)

STRANGER = 4242


def test_unknown_sender_gets_their_id_and_nothing_is_created(bot: Any) -> None:
    bot.say(STRANGER, "Colin check pump at Big Sky tomorrow")
    text = bot.last_text(STRANGER)
    assert str(STRANGER) in text and "/link" in text and "set-telegram" in text
    assert Task.objects.count() == 0 and Proposal.objects.count() == 0
    bot.press(STRANGER, "cap:ok:1:1", 5)
    assert bot.fake.callback_answers()[-1]["show_alert"] is True


def test_linking_with_a_one_time_code(bot: Any, team: Any) -> None:
    newbie = User.objects.create_user(
        username="nina@10nz.tools", email="nina@10nz.tools", full_name="Nina New", password="x"
    )
    code = TelegramLinkCode(user=newbie, created_by=team.admin)
    code.save()
    bot.command(STRANGER, "start", "nope")
    assert "not valid" in bot.last_text(STRANGER)
    bot.send(tu.command(STRANGER, "start", code.plain_code.lower(), username="nina_tg"))
    assert "linked" in bot.last_text(STRANGER).lower()
    newbie.refresh_from_db()
    assert (newbie.telegram_user_id, newbie.telegram_chat_id) == (STRANGER, STRANGER)
    assert newbie.telegram_username == "nina_tg"
    code.refresh_from_db()
    assert code.used_at is not None
    bot.command(9999, "start", code.plain_code)  # a second use
    assert "not valid" in bot.last_text(9999)
    assert User.objects.filter(telegram_user_id=9999).count() == 0
    bot.say(STRANGER, "Taylor needs to fix the server")
    assert "New task" in bot.last_card(STRANGER)["text"]


def test_expired_code_is_refused(bot: Any, team: Any) -> None:
    code = TelegramLinkCode(user=team.admin, expires_at=timezone.now() - dt.timedelta(minutes=1))
    code.save()
    bot.command(STRANGER, "start", code.plain_code)
    assert "expired" in bot.last_text(STRANGER)


def test_disabled_person_is_refused(bot: Any) -> None:
    bot.say(1006, "Colin check pump at Big Sky")
    assert "disabled" in bot.last_text(1006)
    assert Proposal.objects.count() == 0


def test_viewer_may_ask_but_not_create(bot: Any) -> None:
    bot.say(1005, "Colin check pump at Big Sky")
    assert "⛔" in bot.last_text(1005) and Proposal.objects.count() == 0
    bot.say(1005, "what's overdue at Viper?")
    assert "Overdue" in bot.last_text(1005) or "overdue" in bot.texts(1005)[-1]


def test_worker_may_not_complete_someone_elses_task(bot: Any, team: Any) -> None:
    from flrts.core.context import acting_as

    with acting_as(team.joel):
        task = Task(subject="Paint the fence", assigned_to=team.taylor)
        task.save()
    bot.say(1002, f"done {task.name}")
    assert "⛔" in bot.last_text(1002)
    bot.press(1002, f"task:done:{task.name}", 7)
    task.refresh_from_db()
    assert task.status == "Open"
    assert bot.fake.callback_answers()[-1]["show_alert"] is True
