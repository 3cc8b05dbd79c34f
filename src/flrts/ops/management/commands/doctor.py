from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Check the database, migrations, queue, workers, scheduler, Telegram, LLM, disk, backups."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--deep", action="store_true", help="also load the latest backup")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        from flrts.ops.doctor import MARKS, exit_code, run_checks

        checks = run_checks(deep=opts["deep"])
        if opts["json"]:
            self.stdout.write(json.dumps([c.__dict__ for c in checks], indent=1, default=str))
        else:
            for check in checks:
                line = f"{MARKS[check.status]}  {check.name:11} {check.detail}"
                if check.fix and check.status != "ok":
                    line += f"\n      fix: {check.fix}"
                self.stdout.write(line)
        code = exit_code(checks)
        if code:
            self.stderr.write("doctor: something is broken (see FAIL above)")
            sys.exit(code)
