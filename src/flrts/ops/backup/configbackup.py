"""The site config in a backup: secrets masked, or (when asked) the whole config encrypted with a
passphrase (scrypt to derive the key, AES-GCM to seal), so a stolen backup holds no secrets."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from flrts.sites import SECRET_KEYS, mask

FORMAT = "flrts-encrypted-config-1"
MIN_PASSPHRASE = 12
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1


class ConfigBackupError(Exception):
    pass


def read_passphrase(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigBackupError(f"cannot read the passphrase file {path}: {exc.strerror}") from None
    if len(text) < MIN_PASSPHRASE:
        raise ConfigBackupError(f"the passphrase must be at least {MIN_PASSPHRASE} characters")
    return text.encode()


def without_secrets(config: dict[str, Any]) -> dict[str, Any]:
    """Secrets replaced by their masked form: readable which were set, not usable."""
    return {k: (mask(v) if k in SECRET_KEYS and v else v) for k, v in sorted(config.items())}


def _key(passphrase: bytes, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(passphrase)


def encrypt(config: dict[str, Any], passphrase: bytes) -> dict[str, Any]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_key(passphrase, salt)).encrypt(
        nonce, json.dumps(config, sort_keys=True).encode(), FORMAT.encode()
    )
    b64 = base64.b64encode
    return {
        "format": FORMAT,
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P},
        "salt": b64(salt).decode(),
        "nonce": b64(nonce).decode(),
        "ciphertext": b64(sealed).decode(),
    }


def decrypt(sealed: dict[str, Any], passphrase: bytes) -> dict[str, Any]:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if sealed.get("format") != FORMAT:
        raise ConfigBackupError("not an encrypted FLRTS site config backup")
    try:
        salt = base64.b64decode(sealed["salt"])
        nonce = base64.b64decode(sealed["nonce"])
        data = base64.b64decode(sealed["ciphertext"])
        plain = AESGCM(_key(passphrase, salt)).decrypt(nonce, data, FORMAT.encode())
    except InvalidTag:
        raise ConfigBackupError("wrong passphrase, or the encrypted config was altered") from None
    except (KeyError, ValueError) as exc:
        raise ConfigBackupError(f"the encrypted config is damaged ({exc})") from None
    return dict(json.loads(plain))


def write(path: Path, data: dict[str, Any]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.write("\n")
