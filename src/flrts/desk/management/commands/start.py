from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import IO, Any

from django.conf import settings
from django.core.management import get_commands
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the web server (gunicorn), a worker and the scheduler in the foreground."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
        parser.add_argument("--no-worker", action="store_true")
        parser.add_argument("--no-scheduler", action="store_true")

    def processes(self, opts: dict[str, Any]) -> dict[str, list[str]]:
        flrts = [sys.executable, "-m", "flrts.cli", "--site", settings.SITE.name]
        procs = {
            "web": [
                sys.executable,
                "-m",
                "gunicorn",
                "flrts.wsgi:application",
                "--config",  # on_starting empties the /metrics snapshot folder
                "python:flrts.ops.gunicorn_conf",
                "--bind",
                opts["bind"],
                "--workers",
                str(opts["workers"]),
                "--graceful-timeout",
                "30",
                "--pid",  # `flrts restart` reloads gunicorn through this file
                str(settings.SITE.path / "gunicorn.pid"),
                "--access-logfile",
                "-",
            ]
        }
        commands = get_commands()
        if not opts["no_worker"]:
            procs["worker"] = (
                [*flrts, "worker"]
                if "worker" in commands
                else [*flrts, "db_worker", "--queue-name", "*"]
            )
        if not opts["no_scheduler"] and "scheduler" in commands:
            procs["scheduler"] = [*flrts, "scheduler"]
        return procs

    def handle(self, *args: Any, **opts: Any) -> None:
        env = {**os.environ, "FLRTS_SITE": settings.SITE.name, "PYTHONUNBUFFERED": "1"}
        env["FLRTS_SITES_DIR"] = str(settings.SITES_DIR)
        running: dict[str, subprocess.Popen[str]] = {}
        for name, cmd in self.processes(opts).items():
            proc = subprocess.Popen(
                cmd,
                env={**env, "FLRTS_PROCESS": name},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            running[name] = proc
            threading.Thread(target=_pump, args=(name, proc.stdout), daemon=True).start()
        self.stdout.write(f"FLRTS running on http://{opts['bind']}/ (Ctrl+C stops)")
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping:
                for name, proc in running.items():
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} exited with {proc.returncode}; stopping")
                        stopping = True
                time.sleep(0.3)
        finally:
            for proc in running.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 35
            for proc in running.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()


def _pump(name: str, stream: IO[str] | None) -> None:
    if stream is None:
        return
    for line in stream:
        sys.stdout.write(f"{name:9} | {line}")
        sys.stdout.flush()
