"""`flrts ssh-ca sign` issues a certificate OpenSSH reads with the right principal and validity."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest


@pytest.mark.django_db
def test_signed_certificate_reads_back_with_ssh_keygen(tmp_path: Path, settings) -> None:
    if not shutil.which("ssh-keygen"):
        pytest.skip("ssh-keygen (openssh-client) is not installed")
    from django.core.management import call_command

    from flrts.ops import sshca
    from flrts.ops.models import SSHCertificate

    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    call_command("ssh_ca", "init", "--force")
    call_command("ssh_ca", "sign", str(key) + ".pub", "--principal", "colin")

    cert = tmp_path / "id_ed25519-cert.pub"
    shown = subprocess.run(
        ["ssh-keygen", "-L", "-f", str(cert)], capture_output=True, text=True, check=True
    ).stdout
    assert "user certificate" in shown
    assert re.search(r"Principals:\s*\n\s+colin\n", shown)
    valid = re.search(r"Valid: from (\S+) to (\S+)", shown)
    assert valid
    start, end = (dt.datetime.fromisoformat(v) for v in valid.groups())
    assert end - start == dt.timedelta(hours=6, minutes=5)  # 6 h plus 5 min of clock-skew grace

    ca_pub = sshca.ca_paths()[1].read_text().split()[1]
    assert "Signing CA: ED25519" in shown
    record = SSHCertificate.objects.get()
    assert (
        record.principal == "colin"
        and record.issued_by
        and record.fingerprint.startswith("SHA256:")
    )
    assert (record.valid_before - record.valid_after) == dt.timedelta(hours=6, minutes=5)
    assert ca_pub  # the CA public key is what servers put in TrustedUserCAKeys


@pytest.mark.django_db
def test_sign_refuses_bad_input(tmp_path: Path) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("ssh_ca", "init", "--force")
    bad = tmp_path / "x.pub"
    bad.write_text("not a key")
    with pytest.raises(CommandError, match="not an OpenSSH public key"):
        call_command("ssh_ca", "sign", str(bad), "--principal", "colin")
    with pytest.raises(CommandError, match="--hours must be"):
        call_command("ssh_ca", "sign", str(bad), "--principal", "colin", "--hours", "0")
    with pytest.raises(CommandError, match="not a valid user name"):
        call_command("ssh_ca", "sign", str(bad), "--principal", "a b")
