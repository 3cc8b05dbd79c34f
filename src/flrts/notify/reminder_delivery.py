"""The delivery job: send each pending delivery once, by the person's channels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from flrts.jobs.errors import TransientError, is_transient
from flrts.jobs.registry import job
from flrts.notify import texts
from flrts.notify.service import Message, deliver
from flrts.reminders.models import DeliveryStatus, Reminder, ReminderDelivery, ReminderStatus

STOPPED = (ReminderStatus.COMPLETED, ReminderStatus.CANCELLED)


def buttons(delivery_id: int) -> list[list[tuple[str, str]]]:
    return [
        [("✅ Done", f"rem:done:{delivery_id}"), ("⏰ 15 min", f"rem:s15:{delivery_id}")],
        [("⏰ 1 h", f"rem:s60:{delivery_id}"), ("🌅 Tomorrow", f"rem:tmrw:{delivery_id}")],
    ]


def message_for(delivery: ReminderDelivery) -> Message:
    reminder, user = delivery.reminder, delivery.recipient
    text = texts.reminder(
        reminder.title, reminder.description, user, delivery.occurrence, delivery.late
    )
    task = reminder.related_task
    if task is not None:
        text += f"\nTask: {task.subject} ({task.name})"
    chat = user.telegram_chat_id or user.telegram_user_id
    reply_to = None
    if (
        reminder.telegram_message_id
        and reminder.telegram_chat_id
        and reminder.telegram_chat_id == chat
    ):
        reply_to = reminder.telegram_message_id
    return Message(
        text, subject=f"Reminder: {reminder.title}", buttons=buttons(delivery.pk), reply_to=reply_to
    )


@job
def deliver_reminders(delivery_ids: list[int]) -> str:
    """Safe to run again: a delivery already sent is skipped; one interrupted mid-send (the
    worker was killed) is sent again, so a crash can repeat a message, never lose one."""
    sent = skipped = 0
    pending = (
        ReminderDelivery.objects.filter(
            pk__in=delivery_ids, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
        )
        .select_related("reminder", "recipient", "reminder__related_task")
        .order_by("due_at", "pk")
    )
    for delivery in pending:
        outcome = deliver_one(delivery)
        sent += outcome == "sent"
        skipped += outcome != "sent"
    return f"{sent} sent, {skipped} not sent"


def deliver_one(delivery: ReminderDelivery, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    claimed = ReminderDelivery.objects.filter(
        pk=delivery.pk, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    ).update(status=DeliveryStatus.SENDING)
    if not claimed:
        return "taken"
    reminder = delivery.reminder
    if reminder.archived or reminder.status in STOPPED:
        _set(delivery, DeliveryStatus.SKIPPED)
        return "skipped"
    try:
        outcome = deliver(delivery.recipient, message_for(delivery))
    except Exception as exc:
        if is_transient(exc):
            _set(delivery, DeliveryStatus.PENDING, error=str(exc))
            raise TransientError(f"delivery {delivery.pk}: {exc}") from exc
        _set(delivery, DeliveryStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    if outcome.status != "sent":
        _set(delivery, DeliveryStatus.FAILED, error=outcome.status)
        return outcome.status
    sent_at = timezone.now()
    _set(
        delivery,
        DeliveryStatus.SENT,
        sent_at=sent_at,
        channels=",".join(outcome.channels),
        telegram_message_id=outcome.telegram_message_id,
    )
    Reminder.objects.filter(pk=reminder.pk).update(last_sent_at=sent_at)
    return "sent"


def _set(delivery: ReminderDelivery, status: str, **fields: Any) -> None:
    if "error" in fields:
        fields["error"] = str(fields["error"])[:500]
    ReminderDelivery.objects.filter(pk=delivery.pk).update(status=status, **fields)
