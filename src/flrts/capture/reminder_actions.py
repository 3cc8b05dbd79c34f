"""What the reminder's buttons do: Done, Snooze 15 min / 1 h / tomorrow morning.

`handle_callback(data, user)` takes the button's callback data (`rem:<action>:<delivery id>`)
and returns the text to show the person; the Telegram update handler calls it for callback
queries whose data starts with `rem:`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from flrts.core.timezones import local_to_utc
from flrts.notify.reminder_dispatch import queue_deliveries
from flrts.reminders.models import (
    DeliveryKind,
    Reminder,
    ReminderDelivery,
    ReminderStatus,
)

SNOOZES = {"s15": dt.timedelta(minutes=15), "s60": dt.timedelta(hours=1)}
MORNING = dt.time(8, 0)


class ReminderActionError(Exception):
    """A button that cannot be honoured; the message is safe to show the person."""


def tomorrow_morning(user: Any, now: dt.datetime) -> dt.datetime:
    local = now.astimezone(user.zone)
    return local_to_utc(local.date() + dt.timedelta(days=1), MORNING, user.time_zone)


def snooze(delivery: ReminderDelivery, user: Any, choice: str, now: dt.datetime | None = None):
    """Send this occurrence again later (`s15`, `s60` or `tmrw`); returns the new delivery."""
    now = now or timezone.now()
    if choice == "tmrw":
        at = tomorrow_morning(user, now)
    elif choice in SNOOZES:
        at = now + SNOOZES[choice]
    else:
        raise ReminderActionError("Unknown snooze choice.")
    at = at.replace(microsecond=0)
    reminder = delivery.reminder
    if reminder.status in (ReminderStatus.COMPLETED, ReminderStatus.CANCELLED):
        raise ReminderActionError("This reminder is already done.")
    with transaction.atomic():
        again, created = ReminderDelivery.objects.get_or_create(
            reminder=reminder,
            recipient=user,
            occurrence=at,
            defaults={"due_at": user.quiet_hours_end_after(at), "kind": DeliveryKind.SNOOZE},
        )
        ReminderDelivery.objects.filter(pk=delivery.pk).update(acknowledged_at=now)
        if not reminder.recurrence:
            Reminder.objects.filter(pk=reminder.pk).update(status=ReminderStatus.SNOOZED)
        if created:
            queue_deliveries([again], now)
    return again


def done(delivery: ReminderDelivery, user: Any, now: dt.datetime | None = None) -> None:
    """Done: a one-off reminder is completed; a recurring one keeps its later occurrences."""
    now = now or timezone.now()
    reminder = delivery.reminder
    with transaction.atomic():
        ReminderDelivery.objects.filter(pk=delivery.pk).update(acknowledged_at=now)
        if not reminder.recurrence:
            Reminder.objects.filter(pk=reminder.pk).update(
                status=ReminderStatus.COMPLETED, next_fire_at=None
            )


def handle_callback(data: str, user: Any, now: dt.datetime | None = None) -> str:
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != "rem" or not parts[2].isdigit():
        raise ReminderActionError("This button is not understood.")
    action, delivery_id = parts[1], int(parts[2])
    delivery = ReminderDelivery.objects.select_related("reminder").filter(pk=delivery_id).first()
    if delivery is None or delivery.recipient_id != user.pk:
        raise ReminderActionError("This reminder is not yours or no longer exists.")
    if action == "done":
        done(delivery, user, now)
        return f"✅ Done: {delivery.reminder.title}"
    again = snooze(delivery, user, action, now)
    local = again.occurrence.astimezone(user.zone)
    return f"⏰ Snoozed until {local:%a %H:%M}: {delivery.reminder.title}"
