from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import get_commands
from django.core.management.base import BaseCommand, CommandParser

from flrts.ops.supervisor import Supervisor


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

        def say(line: str) -> None:
            self.stderr.write(line)
            self.stderr.flush()

        def output(name: str, line: str) -> None:
            sys.stdout.write(f"{name:9} | {line}")
            sys.stdout.flush()

        supervisor = Supervisor(self.processes(opts), env, settings.SITE.path, say, output)
        self.stdout.write(f"FLRTS running on http://{opts['bind']}/ (Ctrl+C stops)")
        self.stdout.flush()
        supervisor.run()
