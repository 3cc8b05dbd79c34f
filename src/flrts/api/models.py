"""API keys: one per user, Frappe-style `api_key:api_secret`; the secret is shown once.

The secret is 32 random hex characters, so a fast SHA-256 digest is a safe way to store it (a slow
password hash protects guessable passwords; it would only cost every API request a few ms).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKey(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_key_record"
    )
    api_key = models.CharField(max_length=40, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    creation = models.DateTimeField(default=timezone.now, editable=False)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.api_key} ({self.user})"

    def check_secret(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret_hash, digest(secret))

    @classmethod
    def generate(cls, user: Any) -> tuple[str, str]:
        """Make (or replace) the user's key; returns (api_key, api_secret). Shown once."""
        key, secret = secrets.token_hex(8), secrets.token_hex(16)
        with transaction.atomic():
            cls.objects.update_or_create(
                user=user,
                defaults={
                    "api_key": key,
                    "secret_hash": digest(secret),
                    "creation": timezone.now(),
                    "last_used": None,
                },
            )
        return key, secret
