from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "DESTRUCTIVE: replace this site's database (and files) with a backup. Verifies it first, "
        "takes a safety backup, restores, migrates and compares row counts with the manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "db_file", type=Path, help="…-database.sql.gz (SQLite: …-database.sqlite3.zst)"
        )
        parser.add_argument("--with-public-files", type=Path, metavar="TAR")
        parser.add_argument("--with-private-files", type=Path, metavar="TAR")
        parser.add_argument("--force", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--no-safety-backup", action="store_true", help="(not recommended)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from flrts.ops.backup.restore import RestoreError, preflight, restore

        db_file: Path = opts["db_file"]
        if not db_file.exists():
            raise CommandError(f"{db_file} does not exist")
        public, private = opts["with_public_files"], opts["with_private_files"]
        try:
            manifest = preflight(db_file.resolve(), public, private)
        except RestoreError as exc:
            raise CommandError(str(exc))
        site = settings.SITE.name
        self.stdout.write(
            f"This REPLACES ALL DATA of site {site} with the backup of {manifest.site} taken "
            f"{manifest.taken_at} ({sum(manifest.row_counts.values())} rows"
            + (", public files" if public else "")
            + (", private files" if private else "")
            + "). A safety backup of the current data is taken first."
        )
        if not opts["force"]:
            if not sys.stdin.isatty():
                raise CommandError("restore is destructive: pass --force to run it unattended")
            answer = input(f"Type the site name ({site}) to continue: ").strip()
            if answer != site:
                raise CommandError("not confirmed; nothing was changed")
        try:
            report = restore(db_file, public, private, safety_backup=not opts["no_safety_backup"])
        except RestoreError as exc:
            raise CommandError(str(exc))
        if report.safety_backup is not None and report.safety_backup.path:
            self.stdout.write(f"Safety backup: {report.safety_backup.path}")
        self.stdout.write(f"{'table':45} {'manifest':>10} {'restored':>10}")
        for table in sorted(set(manifest.row_counts) | set(report.loaded_counts)):
            want = manifest.row_counts.get(table, "-")
            got = report.loaded_counts.get(table, "-")
            mark = "" if want == got else "  <-- differs"
            self.stdout.write(f"{table:45} {want!s:>10} {got!s:>10}{mark}")
        for kind, count in report.files_restored.items():
            self.stdout.write(f"{kind} files restored: {count}")
        if report.count_differences:
            raise CommandError(
                "restored, but row counts differ: " + "; ".join(report.count_differences)
            )
        self.stdout.write(
            "Restored and migrated. Restart the processes so they reconnect: flrts restart"
        )
