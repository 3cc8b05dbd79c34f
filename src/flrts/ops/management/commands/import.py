from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "DESTRUCTIVE: replace all data of this site with a `flrts export` file (any database)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--force", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        from flrts.ops.backup.portable import import_site, model_counts
        from flrts.ops.backup.take import BackupError, BackupOptions, take_backup

        path: Path = opts["file"]
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        site = settings.SITE.name
        self.stdout.write(f"This REPLACES ALL DATA of site {site} with {path.name}.")
        if not opts["force"]:
            if not sys.stdin.isatty():
                raise CommandError("import is destructive: pass --force to run it unattended")
            if input(f"Type the site name ({site}) to continue: ").strip() != site:
                raise CommandError("not confirmed; nothing was changed")
        try:
            safety = take_backup(BackupOptions(kind="safety"))
        except BackupError as exc:
            raise CommandError(f"could not take the safety backup, nothing imported: {exc}")
        self.stdout.write(f"Safety backup: {safety.path}")
        try:
            expected = import_site(path)
        except Exception as exc:
            first = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            raise CommandError(f"import failed, nothing was changed: {first}")
        actual = model_counts()
        differ = [
            f"{m}: file {n}, site {actual.get(m)}"
            for m, n in sorted(expected.items())
            if actual.get(m) != n
        ]
        if differ:
            raise CommandError("imported, but counts differ: " + "; ".join(differ))
        self.stdout.write(f"imported {sum(expected.values())} records of {len(expected)} models")
