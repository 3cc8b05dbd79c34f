"""Parity: every command of the command table and every card action, through Telegram (real
webhook, FakeTelegram) and through the chat page (HTTP), give the same replies: the same text
and the same buttons (record names and ids normalised), the same toast, the same closing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from flrts.capture.commands import COMMANDS
from flrts.capture.models import ChatMessage, Proposal
from flrts.fieldreports.models import FieldReport
from flrts.lists.models import FlrtsList
from flrts.reminders.models import Reminder, ReminderDelivery
from flrts.tasks.models import Task
from tests.capture.parity import ChatPageSurface, Step, TelegramSurface, run

pytestmark = pytest.mark.django_db(transaction=True)

JOEL = 1001


def _clean(team: Any) -> None:
    for model in (Task, FieldReport, Reminder, FlrtsList, Proposal, ChatMessage):
        model.objects.all().delete()
    type(team.joel).objects.filter(pk=team.joel.pk).update(
        time_zone="America/Chicago",
        quiet_hours_start=None,
        quiet_hours_end=None,
        daily_summary_time=None,
    )


# One moment for both surfaces' worlds: a due time taken from the clock each time printed
# "19:59" on one surface and "20:00" on the other when a minute turned between them.
_NOW = timezone.now().replace(second=0, microsecond=0)


def _world(team: Any) -> dict[str, Any]:
    """Two tasks of Joel's (one overdue at Viper), a Shopping list with filters × 3, and a
    delivered reminder."""
    from flrts.core.context import acting_as
    from flrts.lists.models import ListItem
    from flrts.org.models import Site

    _clean(team)
    with acting_as(team.joel):
        late = Task(subject="Grease bearings", assigned_to=team.joel)
        late.site = Site.objects.get(site_name="Viper")
        late.set_due(_NOW - dt.timedelta(days=1))
        late.save()
        soon = Task(subject="Call vendor", assigned_to=team.joel)
        soon.set_due(timezone.now().astimezone(team.joel.zone).date())
        soon.save()
        shopping = FlrtsList(list_name="Shopping", list_type="Shopping")
        shopping.owner = team.joel
        shopping.save()
        ListItem.objects.create(list=shopping, idx=0, item_text="filters", quantity=3)
        reminder = Reminder(
            title="Read the meters",
            remind_at=timezone.now() + dt.timedelta(days=1),
            time_zone=team.joel.time_zone,
            owner=team.joel,
        )
        reminder.save()
    delivery = ReminderDelivery.objects.create(
        reminder=reminder, recipient=team.joel, occurrence=timezone.now(), due_at=timezone.now()
    )
    return {"late": late, "soon": soon, "delivery": delivery}


# Each script: the steps a person takes. Every command of COMMANDS appears, bare and (where it
# takes one) with an argument; every button verb is pressed.
SCRIPTS: dict[str, list[Step]] = {
    "start": [("say", "/start")],
    "link": [("say", "/link")],
    "help": [("say", "/help")],
    "newtask bare, then the task": [
        ("say", "/newtask"),
        ("say", "Colin check the pump at Big Sky tomorrow 2pm"),
    ],
    "newtask: edit, correct, confirm, confirm again": [
        ("say", "/newtask Colin check the pump at Big Sky tomorrow 2pm"),
        ("press", "cap:edit:"),
        ("say", "no, it's for Taylor and it's urgent"),
        ("press", "cap:ok:"),
        ("press", "cap:ok:"),
    ],
    "newtask: cancel": [("say", "/newtask Taylor fix the server"), ("press", "cap:no:")],
    "mytasks, done": [("say", "/mytasks"), ("press", "task:done:")],
    "today, snooze": [("say", "/today"), ("press", "task:snooze:")],
    "overdue, reassign, to": [
        ("say", "/overdue"),
        ("press", "task:reassign:"),
        ("press", "task:to:"),
    ],
    "done bare": [("say", "/done")],
    "done a task": [("say", lambda ctx: f"/done {ctx['late'].name}")],
    "done unknown": [("say", "/done TASK-2020-99999")],
    "newlist": [("say", "/newlist"), ("say", "/newlist Tools"), ("press", "cap:ok:")],
    "lists": [("say", "/lists")],
    "report guided": [
        ("say", "/report"),
        ("say", "Viper"),
        ("say", "pump pressure 45 psi, all good"),
        ("press", "cap:ok:"),
    ],
    "report with words": [("say", "/report Viper pump pressure 45 psi"), ("say", "yes")],
    "remind": [
        ("say", "/remind"),
        ("say", "/remind check the meters tomorrow at 8am"),
        ("say", "confirm"),
    ],
    "settings": [
        ("say", "/settings"),
        ("say", "/settings timezone America/Denver"),
        ("say", "/settings quiet 22:00-07:00"),
        ("say", "/settings summary 07:30"),
        ("say", "/settings colour blue"),
    ],
    "cancel": [
        ("say", "/cancel"),
        ("say", "Colin check the pump at Big Sky"),
        ("say", "/cancel"),
    ],
    "unknown command": [("say", "/frobnicate")],
    "question": [("say", "What's overdue at Viper?"), ("press", "task:done:")],
    "list item already open": [
        ("say", "add 2 filters, gloves to the Shopping list"),
        ("press", "cap:ok:"),
    ],
    "yes with nothing pending": [("say", "yes")],
    "reminder buttons": [
        ("press", lambda ctx: f"rem:s15:{ctx['delivery'].pk}"),
        ("press", lambda ctx: f"rem:s60:{ctx['delivery'].pk}"),
        ("press", lambda ctx: f"rem:tmrw:{ctx['delivery'].pk}"),
        ("press", lambda ctx: f"rem:done:{ctx['delivery'].pk}"),
    ],
    "a stale button": [("press", lambda ctx: "cap:ok:999999:1")],
}


def test_scripts_cover_every_command_and_button() -> None:
    said = {
        value.split()[0][1:]
        for steps in SCRIPTS.values()
        for kind, value in steps
        if kind == "say" and isinstance(value, str) and value.startswith("/")
    }
    said.add("done")  # "done a task" builds its text from the world
    assert {name for name, _ in COMMANDS} <= said
    pressed = {
        ":".join(value.split(":")[:2])
        for steps in SCRIPTS.values()
        for kind, value in steps
        if kind == "press" and isinstance(value, str)
    }
    pressed |= {"rem:done", "rem:s15", "rem:s60", "rem:tmrw"}
    assert pressed >= {
        "cap:ok", "cap:edit", "cap:no", "task:done", "task:snooze", "task:reassign", "task:to",
    }  # fmt: skip


def test_every_command_and_button_answers_the_same_on_both_surfaces(
    bot: Any, team: Any, live_server: Any
) -> None:
    page = ChatPageSurface(live_server.url, team.joel)
    mismatches = []
    try:
        for name, steps in SCRIPTS.items():
            telegram = run(TelegramSurface(bot, JOEL), steps, lambda: _world(team))
            chat = run(page, steps, lambda: _world(team))
            page.buttons.clear()
            for index, (on_telegram, on_page) in enumerate(zip(telegram, chat, strict=True)):
                assert on_telegram["replies"] or "toast" in on_telegram, (name, index)
                if on_telegram != on_page:
                    mismatches.append((name, index, on_telegram, on_page))
    finally:
        page.close()
    assert not mismatches, "\n\n".join(map(repr, mismatches))
