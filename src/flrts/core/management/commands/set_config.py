from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from flrts.sites import SECRET_KEYS, SiteConfigError, mask, set_config_value


class Command(BaseCommand):
    help = "Set one key in the site's site_config.json (JSON values are parsed: 3, true, {...})."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key")
        parser.add_argument("value")

    def handle(self, *args: Any, key: str, value: str, **options: Any) -> None:
        try:
            stored = set_config_value(settings.SITE, key, value)
        except SiteConfigError as exc:
            raise CommandError(str(exc)) from None
        shown = mask(stored) if key in SECRET_KEYS else repr(stored)
        self.stdout.write(f"{settings.SITE.name}: {key} = {shown}")
