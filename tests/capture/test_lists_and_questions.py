"""Lists: an item already open is not added twice; a quantity given for it is merged.
Questions answer once: one message, a row of buttons per task."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from flrts.lists.models import FlrtsList, ListItem
from flrts.tasks.models import Task

pytestmark = pytest.mark.django_db(transaction=True)

JOEL = 1001


@pytest.fixture
def desk(team: Any) -> Client:
    client = Client()
    client.force_login(team.joel)
    return client


def say(client: Client, text: str) -> list[dict[str, Any]]:
    response = client.post("/telegram/chat/send", json.dumps({"text": text}), "application/json")
    assert response.status_code == 200, response.content
    return list(response.json()["replies"])


def confirm(client: Client, card: dict[str, Any]) -> dict[str, Any]:
    data = card["buttons"][0][0]["data"]
    assert data.startswith("cap:ok:")
    body = json.dumps({"data": data, "line": card["line_id"]})
    return dict(client.post("/telegram/chat/action", body, "application/json").json())


@pytest.fixture
def shopping(team: Any) -> FlrtsList:
    flrts_list = FlrtsList(list_name="Shopping", list_type="Shopping")
    flrts_list.owner = team.joel
    flrts_list.save()
    ListItem.objects.create(list=flrts_list, idx=0, item_text="filters", quantity=3)
    ListItem.objects.create(list=flrts_list, idx=1, item_text="gloves")
    ListItem.objects.create(list=flrts_list, idx=2, item_text="tape", is_completed=True)
    return flrts_list


def _items(flrts_list: FlrtsList) -> dict[tuple[str, bool], Any]:
    return {(i.item_text, i.is_completed): i.quantity for i in flrts_list.items.all()}


def test_an_open_item_is_not_added_twice(desk: Client, shopping: FlrtsList) -> None:
    [card] = say(desk, "add gloves, tape, rags to the Shopping list")
    saved = confirm(desk, card)["replies"][0]["text"]
    assert "gloves: already on the list, not added again" in saved
    assert saved.startswith("✅ Added 2 to")  # tape (the open one was done) and rags
    items = _items(shopping)
    assert (
        list(shopping.items.filter(item_text="gloves").values_list("id", flat=True)).__len__() == 1
    )
    assert ("tape", True) in items and ("tape", False) in items and ("rags", False) in items


def test_a_quantity_merges_into_the_open_item(desk: Client, shopping: FlrtsList) -> None:
    [card] = say(desk, "add 2 more filters to the Shopping list")
    saved = confirm(desk, card)["replies"][0]["text"]
    assert "filters: already on the list, now × 5 (was × 3)" in saved
    assert shopping.items.filter(item_text="filters").count() == 1
    assert _items(shopping)[("filters", False)] == Decimal("5")
    [card] = say(desk, "add 4 gloves to the Shopping list")  # an open item with no quantity
    confirm(desk, card)
    assert _items(shopping)[("gloves", False)] == Decimal("4")


def _late_tasks(team: Any, count: int) -> list[Task]:
    from flrts.core.context import acting_as
    from flrts.org.models import Site

    viper = Site.objects.get(site_name="Viper")
    tasks = []
    with acting_as(team.joel):
        for n in range(count):
            task = Task(subject=f"Late job {n}", assigned_to=team.joel, site=viper)
            task.set_due(timezone.now() - dt.timedelta(days=n + 1))
            task.save()
            tasks.append(task)
    return tasks


def test_a_question_answers_once_with_buttons_per_task(desk: Client, team: Any) -> None:
    tasks = _late_tasks(team, 9)
    [answer] = say(desk, "What's overdue at Viper?")
    for task in tasks:
        assert answer["text"].count(task.name) == 1
    data = [row[0]["data"] for row in answer["buttons"]]
    # The first 8 (the most overdue first) get a row each.
    oldest_first = sorted(tasks, key=lambda t: t.due_at)
    assert data == [f"task:done:{t.name}" for t in oldest_first[:8]]


def test_telegram_question_answers_once(bot: Any, team: Any) -> None:
    tasks = _late_tasks(team, 2)
    bot.say(JOEL, "What's overdue at Viper?")
    [answer] = bot.fake.sent_messages(JOEL)
    assert all(answer["text"].count(t.name) == 1 for t in tasks)
    assert len(answer["reply_markup"]["inline_keyboard"]) == 2


def test_the_stored_conversation_keeps_the_last_200_lines(team: Any) -> None:
    from flrts.capture import transcript
    from flrts.capture.models import ChatMessage
    from flrts.capture.replies import Reply
    from flrts.capture.session import Conversation

    conv = Conversation(team.joel, channel="desk", chat_id=f"desk:{team.joel.pk}")
    other = Conversation(team.colin, channel="desk", chat_id=f"desk:{team.colin.pk}")
    transcript.record_out(other, [Reply("Colin's line")])
    transcript.record_out(conv, [Reply(f"line {n}") for n in range(205)])
    kept = list(ChatMessage.objects.filter(user=team.joel).values_list("text", flat=True))
    assert len(kept) == 200 and kept[0] == "line 5" and kept[-1] == "line 204"
    assert ChatMessage.objects.filter(user=team.colin).count() == 1
