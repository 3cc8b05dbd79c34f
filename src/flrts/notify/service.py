"""`notify(user, kind, message)`: preferences, quiet hours, told-once, then the channels."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from flrts.jobs.queue import enqueue, enqueue_after_commit
from flrts.jobs.registry import job
from flrts.notify.channels import Message, channels_for, send_email, send_telegram
from flrts.notify.models import Notification, NotificationStatus

logger = logging.getLogger("flrts.notify")

__all__ = ["Message", "Outcome", "deliver", "notify"]


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | deferred | duplicate | no channel | failed
    channels: tuple[str, ...] = ()
    telegram_message_id: int | None = None
    send_after: dt.datetime | None = None


def notify(
    user: Any,
    kind: str,
    message: Message,
    *,
    once_key: str | None = None,
    respect_quiet: bool = True,
    now: dt.datetime | None = None,
) -> Outcome:
    """Tell `user` about `kind` now, or when their quiet hours end.

    With `once_key`, a second call with the same key does nothing ("duplicate"), even from
    another process. The call itself sends (use it from a job); quiet hours queue a job that
    sends at the end of the window.
    """
    now = now or timezone.now()
    if not user.is_active:
        return Outcome("no channel")
    send_after = user.quiet_hours_end_after(now) if respect_quiet else now
    deferred = send_after > now
    try:
        with transaction.atomic():
            row = Notification.objects.create(
                key=once_key,
                user=user,
                kind=kind,
                subject=message.subject[:255],
                text=message.text,
                status=NotificationStatus.DEFERRED if deferred else NotificationStatus.FAILED,
                send_after=send_after if deferred else None,
            )
            if deferred:
                enqueue_after_commit(
                    deliver_deferred,
                    queue="short",
                    run_after=send_after,
                    notification_id=row.pk,
                    message=message.to_json(),
                )
    except IntegrityError:
        return Outcome("duplicate")
    if deferred:
        return Outcome("deferred", send_after=send_after)
    return _send(row, user, message)


def deliver(user: Any, message: Message) -> Outcome:
    """Send through the person's channels now, without the ledger (reminders keep their own)."""
    channels = channels_for(user)
    if not channels:
        return Outcome("no channel")
    telegram_id = None
    for channel in channels:
        if channel == "telegram":
            telegram_id = send_telegram(user, message)
        else:
            send_email(user, message)
    return Outcome("sent", tuple(channels), telegram_id)


def _send(row: Notification, user: Any, message: Message) -> Outcome:
    try:
        outcome = deliver(user, message)
    except Exception as exc:
        Notification.objects.filter(pk=row.pk).update(
            status=NotificationStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:500]
        )
        # Let the job retry a transient failure; the once-key must not block that retry.
        Notification.objects.filter(pk=row.pk).update(key=None)
        raise
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.SENT if outcome.status == "sent" else outcome.status,
        channels=",".join(outcome.channels),
        sent_at=timezone.now() if outcome.status == "sent" else None,
    )
    return outcome


@job
def deliver_deferred(notification_id: int, message: dict[str, Any]) -> str:
    """The job that sends a message held back by quiet hours."""
    row = (
        Notification.objects.select_related("user")
        .filter(pk=notification_id, status=NotificationStatus.DEFERRED)
        .first()
    )
    if row is None:
        return "already sent"
    user = row.user
    now = timezone.now()
    later = user.quiet_hours_end_after(now)
    if later > now:  # they moved their quiet hours: wait again
        enqueue(
            deliver_deferred,
            queue="short",
            run_after=later,
            notification_id=row.pk,
            message=message,
        )
        return "deferred again"
    claimed = Notification.objects.filter(pk=row.pk, status=NotificationStatus.DEFERRED).update(
        status=NotificationStatus.FAILED
    )
    if not claimed:
        return "already sent"
    try:
        return _send(row, user, Message.from_json(message)).status
    except Exception:
        Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.DEFERRED)
        raise
