from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Write deployment files: setup nginx | setup systemd (printed, or into --output DIR)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["nginx", "systemd"])
        parser.add_argument("--output", type=Path, help="folder to write into (default: print)")
        parser.add_argument("--server-name", help="public host name (default: host_name or site)")
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
        parser.add_argument("--ssl-certificate")
        parser.add_argument("--ssl-certificate-key")
        parser.add_argument("--user", default=getpass.getuser())

    def handle(self, *args: Any, **opts: Any) -> None:
        from flrts.ops import deploy

        if opts["what"] == "nginx":
            server = opts["server_name"] or settings.SITE.get("host_name") or settings.SITE.name
            files = {
                f"flrts-{settings.SITE.name}.conf": deploy.render_nginx(
                    server, opts["bind"], opts["ssl_certificate"], opts["ssl_certificate_key"]
                )
            }
            hint = "copy into /etc/nginx/conf.d/, then: nginx -t && systemctl reload nginx"
        else:
            if opts["workers"] < 1:
                raise CommandError("--workers must be at least 1")
            files = deploy.render_units(opts["bind"], opts["workers"], opts["user"], Path.cwd())
            hint = "copy into /etc/systemd/system/, then: systemctl daemon-reload && " + (
                "systemctl enable --now " + " ".join(files)
            )
        if opts["output"] is None:
            for name, text in files.items():
                self.stdout.write(f"# ---- {name}\n{text}")
            return
        opts["output"].mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (opts["output"] / name).write_text(text)
            self.stdout.write(f"wrote {opts['output'] / name}")
        self.stdout.write(hint)
