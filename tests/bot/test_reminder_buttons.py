"""A delivered reminder's buttons work through the real webhook."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from flrts.notify.reminder_delivery import deliver_reminders
from flrts.notify.reminder_dispatch import dispatch_due
from flrts.reminders.models import Reminder, ReminderDelivery, ReminderStatus

COLIN = 1002


def _deliver_one_off(team: Any) -> ReminderDelivery:
    reminder = Reminder(
        title="Read the meters",
        remind_at=timezone.now() - dt.timedelta(seconds=5),
        time_zone=team.colin.time_zone,
        owner=team.colin,
    )
    reminder.save()
    reminder.recipients.add(team.colin)
    dispatch_due()
    delivery = ReminderDelivery.objects.get(reminder=reminder)
    deliver_reminders([delivery.pk])  # whether or not the queue already ran it: idempotent
    return delivery


def test_done_on_a_delivered_reminder_completes_it(bot: Any, team: Any) -> None:
    delivery = _deliver_one_off(team)
    message = bot.last(COLIN)
    assert "Read the meters" in message["text"]
    done = bot.button(message, "rem:done:")
    assert done == f"rem:done:{delivery.pk}"

    assert bot.press(COLIN, done, message["message_id"]) == 200

    assert bot.fake.callback_answers()[-1]["text"].startswith("✅ Done")
    reminder = Reminder.objects.get(pk=delivery.reminder_id)
    assert reminder.status == ReminderStatus.COMPLETED


def test_someone_elses_reminder_button_is_refused(bot: Any, team: Any) -> None:
    delivery = _deliver_one_off(team)
    assert bot.press(1003, f"rem:done:{delivery.pk}", 1) == 200  # Taylor presses it
    answer = bot.fake.callback_answers()[-1]
    assert "not yours" in answer["text"]
    assert Reminder.objects.get(pk=delivery.reminder_id).status != ReminderStatus.COMPLETED
