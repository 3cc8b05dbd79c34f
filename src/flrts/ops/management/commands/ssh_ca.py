from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "SSH certificate authority: init | sign PUBKEY --principal NAME [--hours 6] | list"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["init", "sign", "list", "show"])
        parser.add_argument("pubkey", nargs="?", type=Path)
        parser.add_argument("--principal")
        parser.add_argument("--hours", type=float, default=6)
        parser.add_argument("--out", type=Path)
        parser.add_argument("--force", action="store_true", help="init: replace the CA key")

    def handle(self, *args: Any, **opts: Any) -> None:
        from flrts.ops import sshca
        from flrts.ops.models import SSHCertificate

        try:
            if opts["action"] == "init":
                pub = sshca.init_ca(force=opts["force"])
                self.stdout.write(f"CA public key: {pub}")
                self.stdout.write(pub.read_text().strip())
            elif opts["action"] == "show":
                _, pub = sshca.ca_paths()
                if not pub.exists():
                    raise sshca.SSHCAError("no CA key yet: run flrts ssh-ca init")
                self.stdout.write(pub.read_text().strip())
            elif opts["action"] == "sign":
                if not opts["pubkey"] or not opts["principal"]:
                    raise CommandError("ssh-ca sign needs PUBKEY and --principal NAME")
                path, record = sshca.sign(
                    opts["pubkey"], opts["principal"], opts["hours"], opts["out"]
                )
                self.stdout.write(f"Certificate: {path}")
                self.stdout.write(f"  {record}")
            else:
                for cert in SSHCertificate.objects.all()[:50]:
                    self.stdout.write(f"{cert.issued_at:%Y-%m-%d %H:%M} {cert.issued_by:12} {cert}")
        except sshca.SSHCAError as exc:
            raise CommandError(str(exc))
