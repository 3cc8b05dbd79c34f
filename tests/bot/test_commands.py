"""Every bot command, through the webhook."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from flrts.capture.commands import COMMANDS
from flrts.capture.models import Proposal
from flrts.fieldreports.models import FieldReport
from flrts.lists.models import FlrtsList
from flrts.tasks.models import Task

pytestmark = pytest.mark.django_db(transaction=True)

JOEL = 1001


def _task(team: Any, subject: str, **kwargs: Any) -> Task:
    from flrts.core.context import acting_as

    with acting_as(team.joel):
        task = Task(subject=subject, **kwargs)
        due = kwargs.pop("due", None)
        if due is not None:
            task.set_due(due)
        task.save()
    return task


def test_start_and_help(bot: Any) -> None:
    bot.command(JOEL, "start")
    assert "Hello Joel" in bot.last_text(JOEL)
    bot.command(JOEL, "help")
    help_text = bot.last_text(JOEL)
    for name, _ in COMMANDS:
        assert f"/{name}" in help_text


def test_newtask_asks_then_takes_the_next_message(bot: Any) -> None:
    bot.command(JOEL, "newtask")
    assert "What's the task" in bot.last_text(JOEL)
    bot.command(JOEL, "newtask", "Colin check pump at Big Sky")
    assert "New task" in bot.last_card(JOEL)["text"]


def test_mytasks_today_overdue_have_task_buttons(bot: Any, team: Any) -> None:
    late = _task(team, "Grease bearings", assigned_to=team.joel)
    late.set_due(timezone.now() - dt.timedelta(days=1))
    late.save()
    soon = _task(team, "Call vendor", assigned_to=team.joel)
    soon.set_due(timezone.now().astimezone(team.joel.zone).date())
    soon.save()
    other = _task(team, "Someone else's", assigned_to=team.colin)
    bot.command(JOEL, "mytasks")
    [answer] = bot.fake.sent_messages(JOEL)  # one message, a row of buttons per task
    assert late.name in answer["text"] and soon.name in answer["text"]
    assert other.name not in answer["text"]
    rows = answer["reply_markup"]["inline_keyboard"]
    late_number = late.name.rsplit("-", 1)[-1]
    assert [b["text"] for b in rows[0]] == [
        f"✅ Done {late_number}",
        f"💤 Snooze {late_number}",
        f"➡️ Reassign {late_number}",
    ]
    assert rows[0][0]["callback_data"] == f"task:done:{late.name}" and len(rows) == 2
    bot.command(JOEL, "today")
    assert soon.name in bot.last_text(JOEL)
    bot.command(JOEL, "overdue")
    overdue_text = bot.last_text(JOEL)
    assert late.name in overdue_text and soon.name not in overdue_text
    # Done on one task of the list answer takes that task's row off; the other's row stays.
    bot.press(JOEL, f"task:done:{late.name}", answer["message_id"])
    late.refresh_from_db()
    assert late.status == "Completed"
    left = bot.fake.message(JOEL, answer["message_id"])["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in left] == [f"task:done:{soon.name}"]


def test_task_card_buttons(bot: Any, team: Any) -> None:
    task = _task(team, "Grease bearings", assigned_to=team.joel)
    task.set_due(timezone.now() + dt.timedelta(hours=2))
    task.save()
    before = task.due_at
    bot.press(JOEL, f"task:snooze:{task.name}", 10)
    task.refresh_from_db()
    assert task.due_at - before == dt.timedelta(days=1)
    bot.press(JOEL, f"task:reassign:{task.name}", 10)
    choices = bot.last(JOEL)["reply_markup"]["inline_keyboard"]
    taylor = next(row[0]["callback_data"] for row in choices if "Taylor" in row[0]["text"])
    bot.press(JOEL, taylor, 11)
    task.refresh_from_db()
    assert task.assigned_to == team.taylor
    bot.press(JOEL, f"task:done:{task.name}", 10)
    bot.press(JOEL, f"task:done:{task.name}", 10)  # a double tap
    task.refresh_from_db()
    assert task.status == "Completed"
    answers = [a["text"] for a in bot.fake.callback_answers()]
    assert answers[-2].startswith("Completed") and "already" in answers[-1]
    assert len(bot.fake.callback_answers()) == 5  # every press answered


def test_done_command(bot: Any, team: Any) -> None:
    task = _task(team, "Fix the router", assigned_to=team.joel)
    bot.command(JOEL, "done", task.name)
    task.refresh_from_db()
    assert task.status == "Completed" and task.name in bot.last_text(JOEL)
    bot.command(JOEL, "done", "TASK-2020-99999")
    assert "Can't find" in bot.last_text(JOEL)
    bot.command(JOEL, "done")
    assert "open tasks" in bot.texts(JOEL)[-1] or "Nothing" in bot.texts(JOEL)[-1]


def test_newlist_and_lists(bot: Any) -> None:
    bot.command(JOEL, "newlist")
    assert "called" in bot.last_text(JOEL)
    bot.command(JOEL, "newlist", "Tools")
    bot.confirm_last_card(JOEL)
    assert FlrtsList.objects.get().list_name == "Tools"
    bot.command(JOEL, "lists")
    assert "Tools" in bot.last_text(JOEL)


def test_guided_report(bot: Any, team: Any) -> None:
    bot.command(JOEL, "report")
    assert "Which site" in bot.last_text(JOEL) and "Viper" in bot.last_text(JOEL)
    bot.say(JOEL, "Atlantis")
    assert "don't know the site" in bot.last_text(JOEL)
    bot.say(JOEL, "viper")
    assert "What did you see" in bot.last_text(JOEL)
    bot.say(JOEL, "Compressor 2 running hot, temp 95C, pressure 120 psi")
    card = bot.last_card(JOEL)
    assert "Viper" in card["text"] and "pressure: 120 psi" in card["text"]
    bot.confirm_last_card(JOEL)
    report = FieldReport.objects.get()
    assert report.site.site_name == "Viper" and report.readings.count() >= 2


def test_remind(bot: Any) -> None:
    bot.command(JOEL, "remind")
    assert "remind you of" in bot.last_text(JOEL)
    bot.command(JOEL, "remind", "check the meters tomorrow at 9am")
    assert "Reminder" in bot.last_card(JOEL)["text"]


def test_settings(bot: Any, team: Any) -> None:
    bot.command(JOEL, "settings")
    assert "America/Chicago" in bot.last_text(JOEL)
    bot.command(JOEL, "settings", "timezone America/Denver")
    bot.command(JOEL, "settings", "quiet 22:00-07:00")
    bot.command(JOEL, "settings", "summary 7:30am")
    team.joel.refresh_from_db()
    assert team.joel.time_zone == "America/Denver"
    assert (team.joel.quiet_hours_start, team.joel.quiet_hours_end) == (dt.time(22), dt.time(7))
    assert team.joel.daily_summary_time == dt.time(7, 30)
    bot.command(JOEL, "settings", "timezone Mars/Olympus")
    assert "not a time zone" in bot.last_text(JOEL)
    bot.command(JOEL, "settings", "quiet off")
    team.joel.refresh_from_db()
    assert team.joel.quiet_hours_start is None
    bot.command(1005, "settings", "summary 08:00")  # a Viewer changes nothing
    assert "⛔" in bot.last_text(1005)


def test_cancel_command(bot: Any) -> None:
    bot.command(JOEL, "cancel")
    assert "no draft" in bot.last_text(JOEL)
    bot.say(JOEL, "Colin check pump at Big Sky")
    bot.command(JOEL, "cancel")
    assert "Nothing was saved" in bot.last_text(JOEL)
    assert Proposal.objects.get().state == "cancelled"


def test_unknown_command(bot: Any) -> None:
    bot.command(JOEL, "frobnicate")
    assert "/help" in bot.last_text(JOEL)


def test_command_with_bot_suffix_in_a_group(bot: Any) -> None:
    from tests.fakes import telegram_updates as tu

    bot.send(tu.command(JOEL, "help", chat_id=-100123, bot_username="flrts_test_bot"))
    assert "/newtask" in bot.last_text(-100123)
