"""Secrets stored in the database (webhook secrets, the ERPNext API secret), encrypted.

Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from the site config's `encryption_key`
(Frappe's name for it), or from `secret_key` when that is not set. Rotating the key makes the
stored secrets unreadable: they must then be entered again (`decrypt` raises `SecretUnreadable`).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

_PREFIX = "fernet:"


class SecretUnreadable(Exception):
    """The stored secret cannot be decrypted with this site's key."""


def _fernet() -> Fernet:
    material = str(settings.SITE.get("encryption_key") or settings.SECRET_KEY)
    digest = hashlib.sha256(b"flrts.integrations:" + material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    if not stored.startswith(_PREFIX):
        raise SecretUnreadable("stored secret is not in the expected format")
    try:
        return _fernet().decrypt(stored[len(_PREFIX) :].encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "stored secret cannot be decrypted (was encryption_key changed?); enter it again"
        ) from None
