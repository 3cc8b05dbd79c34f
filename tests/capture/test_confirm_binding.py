"""A typed "yes" confirms only the card the person saw: the latest card, if it is the last thing
the bot said and still pending; otherwise the bot asks which card. The chat page keeps its
history (cards and their buttons) across a reload. Telegram: a reply to a card binds to it."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from flrts.capture.models import Proposal
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


def press(client: Client, reply: dict[str, Any], prefix: str) -> dict[str, Any]:
    data = next(b["data"] for row in reply["buttons"] for b in row if b["data"].startswith(prefix))
    body = {"data": data, "line": reply["line_id"]}
    response = client.post("/telegram/chat/action", json.dumps(body), "application/json")
    assert response.status_code == 200, response.content
    return dict(response.json())


def reload(client: Client) -> list[dict[str, Any]]:
    """The history the page renders after a reload (its json_script), checked against the
    history endpoint."""
    page = client.get("/telegram/chat/")
    found = re.search(
        rb'<script id="chat-history" type="application/json">(.*?)</script>', page.content, re.S
    )
    assert found, "the page carries no history"
    history = json.loads(found.group(1))
    assert history == client.get("/telegram/chat/history").json()["messages"]
    return list(history)


def _task(team: Any, subject: str) -> Task:
    from flrts.core.context import acting_as

    with acting_as(team.joel):
        task = Task(subject=subject, assigned_to=team.joel)
        task.save()
    return task


def test_reload_shows_the_conversation_and_the_pending_card(desk: Client, team: Any) -> None:
    [card] = say(desk, "Colin check pump at Big Sky")
    history = reload(desk)
    assert [m["me"] for m in history] == [True, False]
    assert history[0]["text"] == "Colin check pump at Big Sky"
    shown = history[1]
    assert shown["text"] == card["text"] and shown["buttons"] == card["buttons"]
    assert shown["line_id"] == card["line_id"] and shown["note"] is None
    # The card is the last thing the bot said and still pending: "yes" confirms it.
    [saved] = say(desk, "yes")
    task = Task.objects.get()
    assert saved["kind"] == "saved" and task.assigned_to == team.colin
    after = reload(desk)
    card_again = next(m for m in after if m["line_id"] == card["line_id"])
    assert card_again["note"] == f"(saved as {task.name})" and card_again["buttons"] == []


def test_yes_after_something_else_asks_which_card(desk: Client, team: Any) -> None:
    """The reported case: a pending "done" draft, other talk, then a bare "yes"."""
    task = _task(team, "Grease bearings")
    [card] = say(desk, f"done {task.name}")
    assert card["kind"] == "card"
    say(desk, "/mytasks")
    [which] = say(desk, "yes")
    assert which["text"].startswith("❓ Which card do you want to confirm?")
    assert "Complete a task" in which["text"]
    task.refresh_from_db()
    assert task.is_open
    assert [b["text"] for b in which["buttons"][0]] == ["✅ Confirm 1", "❌ Cancel 1"]
    result = press(desk, which, "cap:ok:")
    task.refresh_from_db()
    assert result["toast"].startswith("Completed") or not task.is_open
    assert not task.is_open


def test_two_pending_cards(desk: Client, team: Any) -> None:
    [first] = say(desk, "Colin check pump at Big Sky")
    note, second = say(desk, "Taylor inspect the solar panels at Viper")
    assert "earlier draft is still waiting" in note["text"] and second["kind"] == "card"
    say(desk, "yes")  # the newer card, the last thing said
    assert list(Task.objects.values_list("assigned_to", flat=True)) == [team.taylor.pk]
    [which] = say(desk, "ok")  # the earlier card is pending but was not the last thing said
    assert "Which card" in which["text"] and "Check pump at Big Sky" in which["text"]
    assert "solar" not in which["text"] and Task.objects.count() == 1
    [cancelled] = say(desk, "cancel")
    assert "Which card do you want to cancel?" in cancelled["text"]
    press(desk, cancelled, "cap:no:")
    assert Proposal.objects.get(pk=first["proposal_id"]).state == "cancelled"
    [nothing] = say(desk, "yes")
    assert nothing["text"].startswith("There is nothing waiting")


def test_a_card_replaced_by_a_newer_version(desk: Client, team: Any) -> None:
    [v1] = say(desk, "Colin check pump at Big Sky")
    [v2] = say(desk, "no, it's for Taylor")
    assert "(v2)" in v2["text"]
    refused = press(desk, v1, "cap:ok:")
    assert "replaced by version 2" in refused["toast"] and not Task.objects.exists()
    old = next(m for m in reload(desk) if m["line_id"] == v1["line_id"])
    assert old["note"] == "(replaced by version 2)" and old["buttons"] == []
    say(desk, "confirm")
    assert Task.objects.get().assigned_to == team.taylor


def test_an_expired_card(desk: Client, team: Any) -> None:
    [card] = say(desk, "Colin check pump at Big Sky")
    Proposal.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert next(m for m in reload(desk) if m["line_id"] == card["line_id"])["note"] == "(expired)"
    [expired] = say(desk, "yes")
    assert expired["text"].startswith("⌛ That draft expired") and not Task.objects.exists()
    [again] = say(desk, "yes")
    assert again["text"].startswith("⌛ That draft expired")


def test_bad_line_is_refused(desk: Client) -> None:
    body = json.dumps({"data": "cap:ok:1:1", "line": "x"})
    assert desk.post("/telegram/chat/action", body, "application/json").status_code == 400
    assert Client().get("/telegram/chat/history").status_code == 403


# -- Telegram ---------------------------------------------------------------------------


def test_telegram_reply_binds_to_the_card_replied_to(bot: Any, team: Any) -> None:
    bot.say(JOEL, "Colin check pump at Big Sky")
    first = bot.last_card(JOEL)
    bot.say(JOEL, "Taylor inspect the solar panels at Viper")
    bot.say(JOEL, "yes", reply_to_message=first)  # a reply to the earlier card: that one
    assert list(Task.objects.values_list("assigned_to", flat=True)) == [team.colin.pk]


def test_telegram_reply_to_a_replaced_card_is_refused(bot: Any, team: Any) -> None:
    bot.say(JOEL, "Colin check pump at Big Sky")
    v1 = bot.last_card(JOEL)
    bot.say(JOEL, "no, it's for Taylor")
    assert "(v2)" in bot.last_card(JOEL)["text"]
    bot.say(JOEL, "yes", reply_to_message=v1)  # not saved: the card that counts is shown again
    assert "replaced by version 2" in bot.texts(JOEL)[-2] and not Task.objects.exists()
    assert "(v2)" in bot.last_text(JOEL) and "Taylor Smith" in bot.last_text(JOEL)
    bot.say(JOEL, "yes")
    assert Task.objects.get().assigned_to == team.taylor


def test_telegram_yes_after_other_talk_asks_which(bot: Any, team: Any) -> None:
    bot.say(JOEL, "Colin check pump at Big Sky")
    bot.command(JOEL, "lists")
    bot.say(JOEL, "yes")
    assert bot.last_text(JOEL).startswith("❓ Which card") and not Task.objects.exists()


def test_telegram_expired_card(bot: Any, team: Any) -> None:
    bot.say(JOEL, "Colin check pump at Big Sky")
    Proposal.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    bot.say(JOEL, "yes")
    assert bot.last_text(JOEL).startswith("⌛ That draft expired") and not Task.objects.exists()


def test_telegram_reply_corrects_the_card_replied_to(bot: Any, team: Any) -> None:
    bot.say(JOEL, "Colin check pump at Big Sky")
    first = bot.last_card(JOEL)
    bot.say(JOEL, "Taylor inspect the solar panels at Viper")
    bot.say(JOEL, "Bryan", reply_to_message=first)  # corrects the earlier card, not the latest
    corrected = bot.last_card(JOEL)["text"]
    assert "(v2)" in corrected and "Check pump at Big Sky" in corrected
    assert "S Bryan Aulds ✨" in corrected
    bot.say(JOEL, "yes")
    assert list(Task.objects.values_list("assigned_to", flat=True)) == [team.bryan.pk]
