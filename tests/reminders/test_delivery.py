from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from flrts.capture.reminder_actions import ReminderActionError, handle_callback
from flrts.notify.reminder_dispatch import dispatch_due
from flrts.reminders.models import Reminder, ReminderDelivery, ReminderStatus
from flrts.telegram.models import OutboxMessage
from tests.jobs.support import drain

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("db_queue")]


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def reminder(people: list[Any], at: dt.datetime, **extra: Any) -> Reminder:
    r = Reminder(title=extra.pop("title", "Check the pump"), remind_at=at, **extra)
    r.owner = people[0]
    r.save()
    r.recipients.set(people)
    return r


def test_a_due_reminder_is_delivered_once_to_each_recipient(person: Any) -> None:
    ann, bob = person("ann", "America/Chicago", 11), person("bob", "Europe/Berlin", 12)
    r = reminder([ann, bob], utc("2025-06-01T14:00"))
    report = dispatch_due(utc("2025-06-01T14:00:00.3"))
    assert (report.claimed, report.deliveries) == (1, 2)
    assert dispatch_due(utc("2025-06-01T14:00:01")).claimed == 0
    drain()
    assert sorted(OutboxMessage.objects.values_list("chat_id", flat=True)) == [11, 12]
    r.refresh_from_db()
    assert r.status == ReminderStatus.SENT and r.next_fire_at is None and r.last_sent_at
    d = ReminderDelivery.objects.filter(recipient=ann).get()
    assert d.status == "sent" and not d.late and d.channels == "telegram"
    # Running the delivery job again sends nothing more.
    from flrts.notify.reminder_delivery import deliver_reminders

    assert deliver_reminders([d.pk]) == "0 sent, 0 not sent"
    assert OutboxMessage.objects.count() == 2


def test_the_reminder_replies_to_the_message_that_created_it(person: Any) -> None:
    ann = person("ann", "America/Chicago", 11)
    reminder([ann], utc("2025-06-01T14:00"), telegram_chat_id=11, telegram_message_id=77)
    dispatch_due(utc("2025-06-01T14:00:01"))
    drain()
    msg = OutboxMessage.objects.get()
    assert msg.reply_to == 77 and msg.text.startswith("🔔 Reminder: Check the pump")
    labels = [b["text"] for row in msg.buttons for b in row]
    assert labels == ["✅ Done", "⏰ 15 min", "⏰ 1 h", "🌅 Tomorrow"]


def test_a_recurring_reminder_moves_to_its_next_occurrence(person: Any) -> None:
    ann = person("ann", "America/New_York", 11)
    r = reminder(
        [ann], utc("2025-03-08T14:00"), recurrence="FREQ=DAILY", time_zone="America/New_York"
    )
    dispatch_due(utc("2025-03-08T14:00:00"))
    r.refresh_from_db()
    assert r.status == ReminderStatus.PENDING and r.next_fire_at == utc("2025-03-09T13:00")


def test_occurrences_missed_while_down_are_sent_once_marked_late(person: Any) -> None:
    ann = person("ann", "America/New_York", 11)
    r = reminder(
        [ann], utc("2025-03-01T14:00"), recurrence="FREQ=DAILY", time_zone="America/New_York"
    )
    # Down from 03-01 until 03-05 10:00Z: four occurrences missed.
    report = dispatch_due(utc("2025-03-05T10:00"))
    assert report.deliveries == 1
    d = ReminderDelivery.objects.get()
    assert d.late and d.occurrence == utc("2025-03-01T14:00")
    r.refresh_from_db()
    assert r.next_fire_at == utc("2025-03-05T14:00")
    drain()
    assert "(late: this was due" in OutboxMessage.objects.get().text


def test_quiet_hours_across_midnight_defer_to_the_end_of_the_window(person: Any) -> None:
    night = person(
        "nina",
        "America/Chicago",
        13,
        quiet_hours_start=dt.time(22, 0),
        quiet_hours_end=dt.time(7, 0),
    )
    local = timezone.now().astimezone(night.zone)
    tomorrow = local.date() + dt.timedelta(days=1)
    at = dt.datetime.combine(tomorrow, dt.time(23, 30), tzinfo=night.zone).astimezone(dt.UTC)
    reminder([night], at)
    dispatch_due(at)
    d = ReminderDelivery.objects.get()
    wake = dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time(7, 0), tzinfo=night.zone)
    assert d.deferred and d.due_at == wake.astimezone(dt.UTC)
    assert DBTaskResult.objects.get().run_after == wake.astimezone(dt.UTC)
    drain()
    assert not OutboxMessage.objects.exists()  # held until 07:00


def test_email_when_the_person_prefers_it(person: Any) -> None:
    eve = person("eve", "Asia/Tokyo", None, notify_telegram=False, notify_email=True)
    reminder([eve], utc("2025-06-01T00:00"), title="Call the supplier")
    dispatch_due(utc("2025-06-01T00:00:01"))
    drain()
    assert [m.subject for m in mail.outbox] == ["Reminder: Call the supplier"]
    assert mail.outbox[0].to == ["eve@example.com"] and not OutboxMessage.objects.exists()


def test_snooze_fifteen_minutes_sends_the_reminder_again(person: Any) -> None:
    ann = person("ann", "America/Chicago", 11)
    r = reminder([ann], utc("2025-06-01T14:00"))
    dispatch_due(utc("2025-06-01T14:00"))
    drain()
    first = ReminderDelivery.objects.get()
    now = utc("2025-06-01T14:01")
    assert (
        handle_callback(f"rem:s15:{first.pk}", ann, now)
        == "⏰ Snoozed until Sun 09:16: Check the pump"
    )
    again = ReminderDelivery.objects.exclude(pk=first.pk).get()
    assert again.kind == "snooze" and again.occurrence == utc("2025-06-01T14:16")
    r.refresh_from_db()
    assert r.status == ReminderStatus.SNOOZED
    drain()
    assert OutboxMessage.objects.count() == 2


def test_snooze_until_tomorrow_morning_is_eight_local(person: Any) -> None:
    ann = person("ann", "Australia/Sydney", 11)
    reminder([ann], utc("2025-06-01T10:00"))
    dispatch_due(utc("2025-06-01T10:00"))
    first = ReminderDelivery.objects.get()
    handle_callback(f"rem:tmrw:{first.pk}", ann, utc("2025-06-01T10:05"))  # 20:05 in Sydney
    again = ReminderDelivery.objects.exclude(pk=first.pk).get()
    assert again.occurrence == utc("2025-06-01T22:00")  # 08:00 AEST on 06-02


def test_done_completes_a_one_off_and_cancels_its_snoozes(person: Any) -> None:
    ann = person("ann", "America/Chicago", 11)
    r = reminder([ann], utc("2025-06-01T14:00"))
    dispatch_due(utc("2025-06-01T14:00"))
    first = ReminderDelivery.objects.get()
    handle_callback(f"rem:s60:{first.pk}", ann, utc("2025-06-01T14:01"))
    assert handle_callback(f"rem:done:{first.pk}", ann) == "✅ Done: Check the pump"
    r.refresh_from_db()
    assert r.status == ReminderStatus.COMPLETED
    drain()
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {"skipped"}


def test_someone_elses_button_is_refused(person: Any) -> None:
    ann, bob = person("ann", "America/Chicago", 11), person("bob", "America/Chicago", 12)
    reminder([ann], utc("2025-06-01T14:00"))
    dispatch_due(utc("2025-06-01T14:00"))
    d = ReminderDelivery.objects.get()
    with pytest.raises(ReminderActionError, match="not yours"):
        handle_callback(f"rem:done:{d.pk}", bob)
    with pytest.raises(ReminderActionError, match="not understood"):
        handle_callback("rem:done:abc", ann)


def test_a_button_naming_the_reminder_instead_of_a_delivery_changes_nothing(person: Any) -> None:
    """The product only sends reminder buttons by delivery id; callback data naming the reminder
    (an old card's `rem:done:REM-...`, or a forged one) used to complete or snooze it through a
    second path with other rules. It is refused now, and the reminder is left as it was."""
    from flrts.capture.conversation import Conversation, handle_action

    ann = person("ann", "America/Chicago", 11)
    r = reminder([ann], utc("2030-06-01T14:00"))
    for verb in ("done", "snooze"):
        result = handle_action(Conversation(ann), f"rem:{verb}:{r.name}")
        assert result.toast == "That button is no longer valid."
    r.refresh_from_db()
    assert r.status == ReminderStatus.PENDING and r.next_fire_at == utc("2030-06-01T14:00")


def test_a_pass_with_nothing_due_is_one_query_whatever_is_pending(person: Any) -> None:
    ann = person("ann", "America/Chicago", 11)
    future = utc("2030-01-01T00:00")
    Reminder.objects.bulk_create(
        [
            Reminder(name=f"REM-B-{i}", title="t", remind_at=future, next_fire_at=future)
            for i in range(300)
        ]
    )
    reminder([ann], utc("2025-06-01T14:00"))
    with CaptureQueriesContext(connection) as idle:
        dispatch_due(utc("2025-06-01T13:59"))
    assert len(idle) == 1
    sql = idle[0]["sql"]
    assert '"next_fire_at" <=' in sql.replace("`", '"') and "LIMIT" in sql
