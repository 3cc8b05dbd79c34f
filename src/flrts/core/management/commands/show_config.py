from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from flrts.sites import common_config, masked_config


class Command(BaseCommand):
    help = "Print the site's configuration with secrets masked."

    def handle(self, *args: Any, **options: Any) -> None:
        site = settings.SITE
        self.stdout.write(
            json.dumps(
                {
                    "site": site.name,
                    "path": str(site.path),
                    "common_site_config": masked_config(common_config()),
                    "site_config": masked_config(site.config),
                },
                indent=1,
            )
        )
