"""Short-lived SSH access: a CA key per site and OpenSSH user certificates (6 hours by default).

Servers trust the CA once (`TrustedUserCAKeys`, docs/deploy.md); people get a certificate for a
few hours instead of a permanent key in authorized_keys. Every certificate issued is logged.
"""

from __future__ import annotations

import base64
import datetime as dt
import getpass
import hashlib
import os
import secrets
import socket
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

DEFAULT_HOURS = 6
MAX_HOURS = 24 * 7


class SSHCAError(Exception):
    pass


def ca_dir() -> Path:
    from django.conf import settings

    return settings.SITE.path / "private" / "ssh_ca"


def ca_paths() -> tuple[Path, Path]:
    folder = ca_dir()
    return folder / "ca_ed25519", folder / "ca_ed25519.pub"


def init_ca(force: bool = False) -> Path:
    key_path, pub_path = ca_paths()
    if key_path.exists() and not force:
        raise SSHCAError(f"a CA key already exists at {key_path} (pass --force to replace it)")
    key_path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(key_path.parent, 0o700)
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private)
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    pub_path.write_bytes(public + b" flrts-ssh-ca\n")
    return pub_path


def fingerprint(public_line: bytes) -> str:
    blob = base64.b64decode(public_line.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def load_ca() -> ed25519.Ed25519PrivateKey:
    key_path, _ = ca_paths()
    if not key_path.exists():
        raise SSHCAError("no CA key yet: run flrts ssh-ca init")
    key = serialization.load_ssh_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise SSHCAError(f"{key_path} is not an ed25519 key")
    return key


def sign(
    pubkey_path: Path,
    principal: str,
    hours: float = DEFAULT_HOURS,
    out: Path | None = None,
    now: dt.datetime | None = None,
) -> tuple[Path, object]:
    from flrts.ops.models import SSHCertificate

    if not principal or not principal.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise SSHCAError(f"principal {principal!r} is not a valid user name")
    if not 0 < hours <= MAX_HOURS:
        raise SSHCAError(f"--hours must be more than 0 and at most {MAX_HOURS}")
    try:
        line = pubkey_path.read_bytes().strip()
    except OSError as exc:
        raise SSHCAError(f"cannot read {pubkey_path}: {exc.strerror}") from None
    try:
        public = serialization.load_ssh_public_key(line)
    except (ValueError, IndexError, TypeError, UnsupportedAlgorithm) as exc:
        raise SSHCAError(f"{pubkey_path.name} is not an OpenSSH public key ({exc})") from None
    ca = load_ca()
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    # Five minutes of grace before now covers clock skew between this host and the server.
    valid_after = now - dt.timedelta(minutes=5)
    valid_before = now + dt.timedelta(hours=hours)
    serial = secrets.randbits(63)
    issuer = getpass.getuser()
    key_id = f"{principal}@{socket.gethostname()}-{now:%Y%m%dT%H%M%SZ}"
    builder = (
        serialization.SSHCertificateBuilder()
        .public_key(public)  # type: ignore[arg-type]
        .serial(serial)
        .type(serialization.SSHCertificateType.USER)
        .key_id(key_id.encode())
        .valid_principals([principal.encode()])
        .valid_after(int(valid_after.timestamp()))
        .valid_before(int(valid_before.timestamp()))
        .add_extension(b"permit-agent-forwarding", b"")
        .add_extension(b"permit-port-forwarding", b"")
        .add_extension(b"permit-pty", b"")
    )
    cert = builder.sign(ca)
    name = pubkey_path.name.removesuffix(".pub") + "-cert.pub"
    target = out or pubkey_path.with_name(name)
    target.write_bytes(cert.public_bytes() + b"\n")
    record = SSHCertificate.objects.create(
        serial=serial,
        key_id=key_id,
        principal=principal,
        fingerprint=fingerprint(line),
        valid_after=valid_after,
        valid_before=valid_before,
        issued_by=issuer,
        issued_on=socket.gethostname(),
    )
    return target, record
