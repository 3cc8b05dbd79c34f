"""The one table operations keep: who was issued which SSH certificate, and when."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from flrts.core.models import PermKind


class SSHCertificate(models.Model):
    """An OpenSSH user certificate issued by `flrts ssh-ca sign` (the log, not the key)."""

    doctype: ClassVar[str] = "SSH Certificate"
    perm_kind: ClassVar[str] = PermKind.SYSTEM

    serial = models.PositiveBigIntegerField(unique=True)
    key_id = models.CharField(max_length=255)
    principal = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=100, help_text="SHA256 of the signed public key")
    valid_after = models.DateTimeField()
    valid_before = models.DateTimeField()
    issued_by = models.CharField(max_length=140, help_text="Who ran the command (OS user)")
    issued_on = models.CharField(max_length=255, help_text="Host the command ran on")
    issued_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = "SSH certificate"

    def __str__(self) -> str:
        return f"{self.key_id} ({self.principal}) until {self.valid_before:%Y-%m-%d %H:%M} UTC"
