from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from flrts.ops.logs import PROCESSES

_SINCE = re.compile(r"^(\d+)([smhd])$")


def parse_since(text: str) -> dt.datetime:
    match = _SINCE.match(text.strip())
    if not match:
        raise CommandError(f"--since must look like 30m, 1h or 2d, got {text!r}")
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match[2]]
    return dt.datetime.now(dt.UTC) - dt.timedelta(**{unit: int(match[1])})


def line_time(line: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(json.loads(line)["ts"])
    except (ValueError, KeyError, TypeError):
        return None


class Command(BaseCommand):
    help = "Show the JSON process logs (web, worker, scheduler) of this site."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--process", choices=PROCESSES, action="append")
        parser.add_argument("--since", help="e.g. 15m, 1h, 2d")
        parser.add_argument("--follow", "-f", action="store_true")
        parser.add_argument("--lines", "-n", type=int, default=200)

    def handle(self, *args: Any, **opts: Any) -> None:
        processes = opts["process"] or list(PROCESSES)
        since = parse_since(opts["since"]) if opts["since"] else None
        files = [settings.SITE.logs / f"{p}.log" for p in processes]
        lines: list[tuple[dt.datetime, str]] = []
        for path in files:
            rotated = [path.with_name(f"{path.name}.{n}") for n in range(20, 0, -1)]
            for old in [*rotated, path]:
                if not old.exists():
                    continue
                for line in old.read_text(encoding="utf-8", errors="replace").splitlines():
                    at = line_time(line)
                    if at is None or (since and at < since):
                        continue
                    lines.append((at, line))
        lines.sort(key=lambda pair: pair[0])
        limit = opts["lines"] if not since else len(lines)
        for _, line in lines[-limit:]:
            self.stdout.write(line)
        if opts["follow"]:
            self._follow(files)

    def _follow(self, files: list[Path]) -> None:
        positions = {p: p.stat().st_size if p.exists() else 0 for p in files}
        try:
            while True:
                for path in files:
                    if not path.exists():
                        continue
                    size = path.stat().st_size
                    if size < positions[path]:  # rotated
                        positions[path] = 0
                    if size > positions[path]:
                        with open(path, encoding="utf-8", errors="replace") as handle:
                            handle.seek(positions[path])
                            chunk = handle.read()
                            positions[path] = handle.tell()
                        for line in chunk.splitlines():
                            self.stdout.write(line)
                        self.stdout.flush()
                time.sleep(0.5)
        except KeyboardInterrupt:
            return
