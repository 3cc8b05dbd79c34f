from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from flrts.core.roles import Role
from flrts.core.timezones import validate_timezone
from flrts.people.models import User, normalize_email


class Command(BaseCommand):
    help = "Create a person ready to use the desk and the bot."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="full name")
        parser.add_argument("--role", default=Role.WORKER, choices=[r.value for r in Role])
        parser.add_argument("--timezone", default="America/Chicago", help="IANA zone")
        parser.add_argument("--telegram-id", type=int)
        parser.add_argument("--telegram-username", default="")
        parser.add_argument("--password", help="default: generated and printed once")

    def handle(self, *args: Any, **opts: Any) -> None:
        email = opts["email"].strip().lower()
        try:
            validate_email(email)
            validate_timezone(opts["timezone"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if User.objects.filter(email=normalize_email(email)).exists():
            raise CommandError(f"a person with email {email} already exists")
        telegram_id = opts["telegram_id"]
        if telegram_id is not None and User.objects.filter(telegram_user_id=telegram_id).exists():
            raise CommandError(f"Telegram user ID {telegram_id} is already linked to another user")
        password = opts["password"] or secrets.token_urlsafe(12)
        with transaction.atomic():
            user = User(
                username=email,
                email=email,
                full_name=opts["name"].strip(),
                role=opts["role"],
                time_zone=opts["timezone"],
                telegram_user_id=telegram_id,
                telegram_username=opts["telegram_username"].lstrip("@"),
            )
            user.set_password(password)
            user.save()
        self.stdout.write(f"Created {user.full_name} <{email}> ({user.role}, {user.time_zone})")
        if not opts["password"]:
            self.stdout.write(f"Password: {password}  (shown once)")
