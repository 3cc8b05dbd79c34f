from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from flrts.core.models import PermKind


class NotificationStatus(models.TextChoices):
    SENT = "sent"
    DEFERRED = "deferred"  # quiet hours: a job sends it when the window ends
    NO_CHANNEL = "no channel"  # the person has no usable channel (or turned them all off)
    FAILED = "failed"


class Notification(models.Model):
    """What was told to whom. `key`, when set, is unique: the ledger of "told once"."""

    perm_kind: ClassVar[str] = PermKind.SYSTEM
    doctype: ClassVar[str] = "Notification"

    key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=255, blank=True)
    text = models.TextField()
    channels = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=12, choices=NotificationStatus.choices)
    error = models.CharField(max_length=500, blank=True)
    creation = models.DateTimeField(default=timezone.now, db_index=True)
    send_after = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-creation", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} to {self.user_id}: {self.status}"
