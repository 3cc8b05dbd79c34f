from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from flrts.core.context import acting_as
from flrts.notify.channels import channels_for
from flrts.notify.models import Notification
from flrts.notify.service import Message, notify
from flrts.notify.sweeps import send_daily_summaries, send_due_soon, sweep_overdue
from flrts.telegram.models import OutboxMessage
from tests.jobs.support import drain

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("db_queue")]


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def test_channels_follow_preferences_and_fall_back(person: Any) -> None:
    both = person("both", "UTC", 1, notify_email=True)
    assert channels_for(both) == ["telegram", "email"]
    unlinked = person("unlinked", "UTC", None)
    assert channels_for(unlinked) == ["email"]  # wants Telegram, has no chat: email instead
    silent = person("silent", "UTC", 3, notify_telegram=False)
    assert channels_for(silent) == []


def test_told_once_per_key(person: Any) -> None:
    ann = person("ann", "UTC", 1)
    assert notify(ann, "x", Message("hello"), once_key="k1").status == "sent"
    assert notify(ann, "x", Message("hello"), once_key="k1").status == "duplicate"
    assert OutboxMessage.objects.count() == 1


def test_quiet_hours_across_midnight_defer_a_notification(person: Any) -> None:
    ann = person(
        "ann",
        "America/Chicago",
        1,
        quiet_hours_start=dt.time(22, 0),
        quiet_hours_end=dt.time(6, 30),
    )
    now = utc("2025-01-15T05:00")  # 23:00 in Chicago
    outcome = notify(ann, "x", Message("late news"), now=now)
    assert outcome.status == "deferred" and outcome.send_after == utc("2025-01-15T12:30")
    assert Notification.objects.get().status == "deferred"
    # 02:00 the next night is inside the window too (after midnight).
    assert notify(ann, "x", Message("m"), now=utc("2025-01-16T08:00")).status == "deferred"
    assert notify(ann, "x", Message("m"), now=utc("2025-01-16T13:00")).status == "sent"


def test_assigning_a_task_tells_the_assignee(
    person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from flrts.tasks.models import Task

    boss, wendy = person("boss", "UTC", 1), person("wendy", "America/Denver", 2)
    with django_capture_on_commit_callbacks(execute=True), acting_as(boss):
        task = Task(subject="Replace the filter", assigned_to=wendy)
        task.save()
    drain()
    msg = OutboxMessage.objects.get()
    assert msg.chat_id == 2 and "New task for you by Boss: Replace the filter" in msg.text


def test_completing_a_task_tells_its_creator(
    person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from flrts.tasks.models import Task

    boss, wendy = person("boss", "UTC", 1), person("wendy", "UTC", 2)
    with acting_as(boss):
        task = Task(subject="Fix the gate")
        task.save()
    with django_capture_on_commit_callbacks(execute=True), acting_as(wendy):
        task.complete(by=wendy)
    drain()
    msg = OutboxMessage.objects.get()
    assert msg.chat_id == 1 and "Fix the gate" in msg.text and "completed by Wendy" in msg.text


def test_overdue_sweep_marks_and_tells_once(person: Any) -> None:
    from flrts.tasks.models import Task

    wendy = person("wendy", "UTC", 2)
    task = Task(subject="Inspect belt", assigned_to=wendy, time_zone="UTC")
    task.set_due(utc("2025-01-10T09:00"))
    task.save()
    OutboxMessage.objects.all().delete()
    assert sweep_overdue(utc("2025-01-10T10:00")) == "1 tasks overdue"
    task.refresh_from_db()
    assert task.status == "Overdue"
    sweep_overdue(utc("2025-01-10T10:01"))
    assert [m.text.splitlines()[0] for m in OutboxMessage.objects.all()] == [
        f"🚨 OVERDUE TASK: Inspect belt ({task.name})"
    ]


def test_due_soon_uses_each_persons_lead_time(person: Any) -> None:
    from flrts.tasks.models import Task

    wendy = person("wendy", "UTC", 2, reminder_lead_minutes=30)
    task = Task(subject="Call crane", assigned_to=wendy, time_zone="UTC")
    task.set_due(utc("2025-01-10T09:00"))
    task.save()
    OutboxMessage.objects.all().delete()
    assert send_due_soon(utc("2025-01-10T08:20")) == "0 due-soon notices"
    assert send_due_soon(utc("2025-01-10T08:31")) == "1 due-soon notices"
    assert send_due_soon(utc("2025-01-10T08:32")) == "0 due-soon notices"
    assert "is due" in OutboxMessage.objects.get().text


def test_daily_summary_at_each_persons_local_time(person: Any) -> None:
    ny = person("ny", "America/New_York", 1, daily_summary_time=dt.time(7, 0))
    person("tokyo", "Asia/Tokyo", 2, daily_summary_time=dt.time(7, 0))
    assert send_daily_summaries(utc("2025-01-10T11:59")) == "0 summaries"
    assert send_daily_summaries(utc("2025-01-10T12:00")) == "1 summaries"  # 07:00 New York
    assert send_daily_summaries(utc("2025-01-10T12:05")) == "0 summaries"
    assert send_daily_summaries(utc("2025-01-10T22:00")) == "1 summaries"  # 07:00 Tokyo
    msg = OutboxMessage.objects.filter(chat_id=ny.telegram_chat_id).get()
    assert "Your day (Fri 10 Jan)" in msg.text


def test_sharing_a_list_tells_the_person(
    person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from flrts.lists.models import FlrtsList, ListShare

    boss, wendy = (
        person("boss", "UTC", 1),
        person("wendy", "UTC", 2, notify_telegram=False, notify_email=True),
    )
    with acting_as(boss):
        shopping = FlrtsList(list_name="Shopping")
        shopping.save()
    with django_capture_on_commit_callbacks(execute=True), acting_as(boss):
        ListShare.objects.create(list=shopping, user=wendy, permission="edit")
    drain()
    assert mail.outbox[0].subject == "List shared: Shopping"
    assert "Boss shared the list Shopping with you (edit access)" in mail.outbox[0].body


def test_an_inactive_person_is_not_told(person: Any) -> None:
    gone = person("gone", "UTC", 9, is_active=False)
    assert notify(gone, "x", Message("hi"), now=timezone.now()).status == "no channel"
