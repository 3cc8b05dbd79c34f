"""`flrts set-password USER`: set anyone's password from the server's shell, the Administrator's
too (the way back in when the desk password is lost). USER is an email or a username.

Without --password it asks twice on a terminal, or reads one line from standard input when
piped (`echo "$PW" | flrts set-password Administrator`). The password is never printed.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from flrts.people.models import User

MIN_LENGTH = 8


class Command(BaseCommand):
    help = "Set a person's password (any person, including Administrator)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", help="email or username, e.g. Administrator")
        parser.add_argument("--password", help="default: asked for (twice) or read from stdin")

    def handle(self, *args: Any, **opts: Any) -> None:
        wanted = opts["user"].strip()
        user = User.objects.filter(Q(username=wanted) | Q(email__iexact=wanted)).first()
        if user is None:
            raise CommandError(f"no person with email or username {wanted!r}")
        password = opts["password"] if opts["password"] is not None else self._ask()
        if len(password) < MIN_LENGTH:
            raise CommandError(f"the password must be at least {MIN_LENGTH} characters")
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        user.set_password(password)
        user.save(update_fields=["password"])
        self.stdout.write(f"Password set for {user} ({user.username})")

    def _ask(self) -> str:
        if not sys.stdin.isatty():
            return sys.stdin.readline().rstrip("\r\n")
        first = getpass.getpass("New password: ")
        if getpass.getpass("Again: ") != first:
            raise CommandError("the two passwords differ; nothing was changed")
        return first
