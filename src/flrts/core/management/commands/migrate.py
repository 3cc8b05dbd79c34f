from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.commands.migrate import Command as DjangoMigrate


class Command(DjangoMigrate):
    """Django's migrate, then what a deploy also needs: static assets and the job registry.

    Safe to run twice: migrations, collectstatic and the registry sync are all idempotent.
    """

    help = "Apply migrations, collect static assets and sync scheduled jobs (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
        if options.get("plan") or options.get("check_unapplied") or options.get("app_label"):
            return
        if not getattr(settings, "MIGRATE_EXTRAS", True):  # test databases need neither
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        from flrts.core.hooks import run_after_migrate

        run_after_migrate()
