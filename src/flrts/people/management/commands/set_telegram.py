from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from flrts.people.models import User, normalize_email


class Command(BaseCommand):
    help = "Link a person to their Telegram user id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("telegram_id", type=int)

    def handle(self, *args: Any, email: str, telegram_id: int, **opts: Any) -> None:
        user = User.objects.filter(email=normalize_email(email)).first()
        if user is None:
            raise CommandError(f"no person with email {email}")
        clash = User.objects.filter(telegram_user_id=telegram_id).exclude(pk=user.pk).first()
        if clash is not None:
            raise CommandError(
                f"Telegram user ID {telegram_id} is already linked to another user ({clash.email})"
            )
        user.telegram_user_id = telegram_id
        user.telegram_blocked = ""
        user.save()
        self.stdout.write(f"Linked {user.full_name} <{user.email}> to Telegram id {telegram_id}")
