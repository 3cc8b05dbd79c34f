from __future__ import annotations

from typing import Any

from dateutil.rrule import rrulestr
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from flrts.core.models import Document, PermKind
from flrts.core.timezones import validate_timezone


class ReminderStatus(models.TextChoices):
    PENDING = "Pending"
    SENT = "Sent"
    SNOOZED = "Snoozed"
    COMPLETED = "Completed"
    CANCELLED = "Cancelled"


def validate_rrule(value: str) -> None:
    if not value:
        return
    body = value.removeprefix("RRULE:")
    try:
        rrulestr(body, ignoretz=True)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"Not a valid RRULE: {exc}") from None


class Reminder(Document):
    doctype = "Reminder"
    naming_series = "REM-.YYYY.-.#####"
    title_field = "title"

    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="reminders"
    )
    remind_at = models.DateTimeField(help_text="First (or only) time, UTC")
    time_zone = models.CharField(
        max_length=64, default="America/Chicago", validators=[validate_timezone]
    )
    recurrence = models.CharField(
        max_length=255, blank=True, validators=[validate_rrule], help_text="RFC 5545 RRULE"
    )
    related_task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="reminders"
    )
    status = models.CharField(
        max_length=12, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    next_fire_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    telegram_chat_id = models.BigIntegerField(null=True, blank=True)
    telegram_message_id = models.BigIntegerField(null=True, blank=True)
    source = models.CharField(max_length=10, default="web")

    class Meta:
        ordering = ["next_fire_at", "remind_at"]
        indexes = [models.Index(fields=["status", "next_fire_at"], name="reminder_due")]

    def validate(self) -> None:
        self.title = (self.title or "").strip()
        if not self.title:
            raise ValidationError({"title": "A reminder needs a title."})
        validate_timezone(self.time_zone)
        validate_rrule(self.recurrence)
        if self._state.adding and self.next_fire_at is None:
            self.next_fire_at = self.remind_at

    @classmethod
    def perm_scope(cls, user: Any) -> models.Q | None:
        mine = Reminder.recipients.through.objects.filter(user=user).values("reminder_id")
        return models.Q(owner=user) | models.Q(pk__in=mine)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"  # the reminder was completed or cancelled before its time came
    FAILED = "failed"


class DeliveryKind(models.TextChoices):
    OCCURRENCE = "occurrence"
    SNOOZE = "snooze"


class ReminderDelivery(models.Model):
    """One occurrence of a reminder for one person. The unique (reminder, recipient, occurrence)
    row is what makes each occurrence go out exactly once, across restarts and schedulers."""

    perm_kind = PermKind.SYSTEM
    doctype = "Reminder Delivery"

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_deliveries"
    )
    occurrence = models.DateTimeField(help_text="The occurrence (or snooze) instant, UTC")
    due_at = models.DateTimeField(help_text="When it may be sent (after quiet hours), UTC")
    kind = models.CharField(
        max_length=12, choices=DeliveryKind.choices, default=DeliveryKind.OCCURRENCE
    )
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    late = models.BooleanField(default=False, help_text="Sent after downtime, past its time")
    deferred = models.BooleanField(default=False, help_text="Held back by quiet hours")
    channels = models.CharField(max_length=40, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    telegram_message_id = models.BigIntegerField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    creation = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurrence", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "recipient", "occurrence"], name="one_delivery_per_occurrence"
            )
        ]
        verbose_name_plural = "reminder deliveries"

    def __str__(self) -> str:
        return f"{self.reminder_id} → {self.recipient_id} @ {self.occurrence:%Y-%m-%d %H:%M}"

    @property
    def lateness(self) -> float | None:
        if self.sent_at is None:
            return None
        return (self.sent_at - self.due_at).total_seconds()
