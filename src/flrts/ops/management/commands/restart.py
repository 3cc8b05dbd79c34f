from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from flrts.jobs.models import WorkerHeartbeat


class Command(BaseCommand):
    help = (
        "Reload gunicorn gracefully (HUP: new workers start, old ones finish their requests) and "
        "ask workers and the scheduler to stop after their current job (their supervisor starts "
        "them again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        from flrts.ops import deploy

        dry = opts["dry_run"]
        units = [deploy.unit_name(r) for r in ("web", "worker", "scheduler")]
        if shutil.which("systemctl") and self._systemd_active(units[0]):
            for cmd in (
                ["systemctl", "reload", units[0]],
                ["systemctl", "restart", units[1], units[2]],
            ):
                self.stdout.write(" ".join(cmd))
                if not dry and subprocess.run(cmd).returncode != 0:
                    raise CommandError(f"{' '.join(cmd)} failed")
            return
        self._signal_web(dry)
        self._signal_workers(dry)

    def _systemd_active(self, unit: str) -> bool:
        done = subprocess.run(["systemctl", "is-active", "--quiet", unit], capture_output=True)
        return done.returncode == 0

    def _signal_web(self, dry: bool) -> None:
        from flrts.ops.deploy import pid_file

        path = pid_file()
        if not path.exists():
            self.stdout.write(f"web: no gunicorn pid file at {path} (not running under systemd?)")
            return
        try:
            pid = int(path.read_text().strip())
        except ValueError:
            raise CommandError(f"{path} does not hold a process id")
        self.stdout.write(f"web: HUP gunicorn master {pid} (graceful reload)")
        if not dry:
            try:
                os.kill(pid, signal.SIGHUP)
            except ProcessLookupError:
                raise CommandError(f"gunicorn {pid} is not running (stale {path})")

    def _signal_workers(self, dry: bool) -> None:
        host = socket.gethostname()
        for beat in WorkerHeartbeat.objects.filter(hostname=host):
            self.stdout.write(
                f"worker {beat.worker_id}: TERM {beat.pid} (finishes its current job)"
            )
            if not dry:
                try:
                    os.kill(beat.pid, signal.SIGTERM)
                except ProcessLookupError:
                    self.stdout.write(f"  {beat.pid} already gone")
