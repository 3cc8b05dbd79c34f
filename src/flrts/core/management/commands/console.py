from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "A Python console with the site loaded (like `bench console`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-c", "--command", help="run this code and exit")

    def handle(self, *args: Any, command: str | None = None, **options: Any) -> None:
        call_command(
            "shell", command=command, interface="python" if not command else None, no_imports=True
        )
