from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from flrts.api.models import ApiKey
from flrts.people.models import User


class Command(BaseCommand):
    help = "Make (or replace) a user's API key; prints {api_key, api_secret} as JSON, once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", help="username or email")

    def handle(self, *args: Any, **opts: Any) -> None:
        name = opts["user"].strip()
        user = User.objects.by_login(name)
        if user is None:
            raise CommandError(f"no user {name!r}")
        if not user.is_active:
            raise CommandError(f"user {name!r} is disabled")
        key, secret = ApiKey.generate(user)
        self.stdout.write(json.dumps({"api_key": key, "api_secret": secret}))
