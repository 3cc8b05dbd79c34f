from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from flrts.desk.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo team (three US time zones), four sites, tasks, reports, reminders, lists."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo()
        if result["created"]:
            self.stdout.write(
                f"Demo data loaded ({result['tasks']} tasks). "
                "Demo people log in with their email and password demo-pass-2026."
            )
        else:
            self.stdout.write("Demo data already present; nothing changed.")
