from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Export all data of this site as portable JSON (FILE.json or FILE.json.gz)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        from flrts.ops.backup.portable import export_site

        path: Path = opts["file"]
        if not path.name.endswith((".json", ".json.gz")):
            raise CommandError("the export file must end in .json or .json.gz")
        counts = export_site(path)
        self.stdout.write(
            f"exported {sum(counts.values())} records of {len(counts)} models to {path}"
        )
