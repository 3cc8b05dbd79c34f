"""What the bot stores: every update as received (the webhook's idempotency key and audit trail)
and the outbox of messages that could not be sent because no bot token is configured."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from flrts.core.models import PermKind


class UpdateStatus(models.TextChoices):
    RECEIVED = "received"
    PROCESSING = "processing"
    DONE = "done"
    IGNORED = "ignored"
    FAILED = "failed"


class UpdateSource(models.TextChoices):
    WEBHOOK = "webhook"
    POLL = "poll"


class TelegramUpdate(models.Model):
    """One Bot API update, stored before the webhook answers. `update_id` is unique, so a
    repeated delivery (Telegram re-sends on timeouts and non-2xx) is recognised and ignored."""

    perm_kind: ClassVar[str] = PermKind.SYSTEM
    doctype: ClassVar[str] = "Telegram Update"

    update_id = models.BigIntegerField(unique=True)
    kind = models.CharField(max_length=40, blank=True, help_text="message, callback_query, ...")
    chat_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    telegram_user_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict)
    source = models.CharField(
        max_length=10, choices=UpdateSource.choices, default=UpdateSource.WEBHOOK
    )
    status = models.CharField(
        max_length=12, choices=UpdateStatus.choices, default=UpdateStatus.RECEIVED, db_index=True
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "Telegram update"

    def __str__(self) -> str:
        return f"update {self.update_id} ({self.kind}, {self.status})"

    @property
    def queue_ms(self) -> float | None:
        if self.started_at is None:
            return None
        return (self.started_at - self.received_at).total_seconds() * 1000

    @property
    def processing_ms(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds() * 1000


class OutboxStatus(models.TextChoices):
    QUEUED = "queued"  # no bot token: kept here and shown in the desk chat page
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(models.Model):
    """A Telegram message the bot would have sent. Kept when no bot token is configured, so a
    fresh install shows every notification in the desk instead of losing it."""

    perm_kind: ClassVar[str] = PermKind.SYSTEM
    doctype: ClassVar[str] = "Telegram Outbox"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="telegram_outbox",
    )
    chat_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    method = models.CharField(max_length=40, default="sendMessage")
    text = models.TextField()
    buttons = models.JSONField(default=list, blank=True)
    reply_to = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED, db_index=True
    )
    error = models.CharField(max_length=300, blank=True)
    creation = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-creation", "-id"]
        verbose_name = "outbox message"

    def __str__(self) -> str:
        who = self.user or self.chat_id or "?"
        return f"to {who}: {self.text[:60]}"

    def visible_to(self, user: Any) -> bool:
        return bool(user and (user.is_superuser or self.user_id == user.pk))
