from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from flrts.core.models import PermKind
from flrts.core.roles import Role
from flrts.core.timezones import in_window, validate_timezone, window_end_after, zone

# Longer than any email (254) or Frappe name (140): a value this long names nobody, and is refused
# before it reaches a query (a 60,000-character LIKE pattern is an error on SQLite).
MAX_LOGIN_NAME = 254


def normalize_email(value: object) -> str:
    """The one stored form of an email: trimmed and lower-cased, so `TAYLOR@example.com` and
    `taylor@example.com` are the same person everywhere (login, links, shares, the API)."""
    return str(value or "").strip().lower()


def normalize_username(value: object) -> str:
    """Usernames that are emails are stored like emails; others (`Administrator`) as given."""
    text = str(value or "").strip()
    return text.lower() if "@" in text else text


class PersonManager(UserManager["User"]):
    def enabled(self) -> models.QuerySet[User]:
        return self.filter(is_active=True)

    def by_login(self, value: object) -> User | None:
        """The person an email (any case) or a username names; the email wins, and a value too
        long to be either names nobody (no query is made)."""
        text = str(value or "").strip()
        if not text or len(text) > MAX_LOGIN_NAME:
            return None
        return (
            self.filter(email=normalize_email(text)).first()
            or self.filter(username=normalize_username(text)).first()
        )


def login_q(value: object) -> models.Q:
    """A filter for the person (or people) a link value names: exact matches on the normalised
    forms, so an index answers and no LIKE pattern is built from caller input."""
    text = str(value or "").strip()
    if len(text) > MAX_LOGIN_NAME:
        return models.Q(pk__in=[])
    return models.Q(email=normalize_email(text)) | models.Q(username=normalize_username(text))


class User(AbstractUser):
    """A person: a Django user with FLRTS's profile fields on the same row."""

    doctype: ClassVar[str] = "User"
    perm_kind: ClassVar[str] = PermKind.REFERENCE

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=140, blank=True)
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other names people use, for the parser"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.WORKER)
    time_zone = models.CharField(
        max_length=64, default="America/Chicago", validators=[validate_timezone]
    )
    telegram_user_id = models.BigIntegerField(unique=True, null=True, blank=True)
    telegram_username = models.CharField(max_length=64, blank=True)
    telegram_chat_id = models.BigIntegerField(null=True, blank=True)
    telegram_blocked = models.CharField(
        max_length=200, blank=True, help_text="Set when Telegram refuses delivery permanently"
    )
    default_site = models.ForeignKey(
        "org.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notify_telegram = models.BooleanField(default=True)
    notify_email = models.BooleanField(default=False)
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    daily_summary_time = models.TimeField(
        null=True, blank=True, help_text="Local time of the daily summary; empty for none"
    )
    reminder_lead_minutes = models.PositiveIntegerField(
        default=60, help_text="Remind this long before a task's due time"
    )

    objects: ClassVar[PersonManager] = PersonManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["full_name", "username"]
        verbose_name = "person"
        verbose_name_plural = "people"
        constraints = [
            # With the unique index on email this makes emails unique whatever their case, in
            # the database itself on SQLite and PostgreSQL; MariaDB's utf8mb4_unicode_ci unique
            # index is case-insensitive already (and MariaDB cannot index Lower(email)).
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="person_email_lower_case"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    # The desk's header greets people by name, not by their email (Django's default).
    def get_short_name(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    # The API and bot call people by the Frappe name: the email, or "Administrator".
    @property
    def name(self) -> str:
        return self.username if self.username == "Administrator" else self.email

    @property
    def enabled(self) -> bool:
        return self.is_active

    @property
    def first_name_or_full(self) -> str:
        return (self.full_name.split() or [self.username])[0]

    def clean(self) -> None:
        self.email = normalize_email(self.email)
        self.username = normalize_username(self.username)
        super().clean()
        # A username that is someone else's email would make that email name two people.
        if (
            "@" in self.username
            and self.username != self.email
            and User.objects.filter(email=self.username).exclude(pk=self.pk).exists()
        ):
            raise ValidationError({"username": "This username is another person's email address."})
        if (self.quiet_hours_start is None) != (self.quiet_hours_end is None):
            raise ValidationError("Quiet hours need both a start and an end (or neither).")
        if self.quiet_hours_start is not None and self.quiet_hours_start == self.quiet_hours_end:
            raise ValidationError("Quiet hours must not start and end at the same time.")
        if self.telegram_user_id is not None:
            clash = User.objects.filter(telegram_user_id=self.telegram_user_id).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError(
                    {
                        "telegram_user_id": f"Telegram user ID {self.telegram_user_id} is "
                        "already linked to another user"
                    }
                )

    def save(self, *args: Any, **kwargs: Any) -> None:
        validate_timezone(self.time_zone)
        self.email = normalize_email(self.email)
        self.username = normalize_username(self.username)
        if not self.full_name:
            self.full_name = " ".join(p for p in (self.first_name, self.last_name) if p)
        # The desk is for every enabled person; Admin is the Django superuser.
        self.is_staff = True
        self.is_superuser = self.role == Role.ADMIN
        super().save(*args, **kwargs)

    # -- time ------------------------------------------------------------------------
    @property
    def zone(self) -> dt.tzinfo:
        return zone(self.time_zone)

    def local_now(self) -> dt.datetime:
        return timezone.now().astimezone(self.zone)

    def in_quiet_hours(self, at: dt.datetime) -> bool:
        if self.quiet_hours_start is None or self.quiet_hours_end is None:
            return False
        local = at.astimezone(self.zone).time()
        return in_window(local, self.quiet_hours_start, self.quiet_hours_end)

    def quiet_hours_end_after(self, at: dt.datetime) -> dt.datetime:
        """When a message due at `at` may be sent: `at`, or the end of the quiet window."""
        if self.quiet_hours_start is None or self.quiet_hours_end is None:
            return at
        return window_end_after(at, self.quiet_hours_start, self.quiet_hours_end, self.time_zone)

    # -- permission facts --------------------------------------------------------------
    @classmethod
    def perm_scope(cls, user: Any) -> models.Q | None:
        return None

    def perm_is_owner(self, user: Any) -> bool:
        return bool(user and user.pk == self.pk)

    def perm_requires_admin(self) -> bool:
        """An Admin's record is changed only by an Admin (else a Supervisor could take it over)."""
        return bool(self.is_superuser or self.role == Role.ADMIN)

    def perm_is_editor(self, user: Any) -> bool:
        return self.perm_is_owner(user)


LINK_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed on a phone
LINK_CODE_LENGTH = 8
LINK_CODE_MINUTES = 10
LINK_CODES_PER_HOUR = 5  # codes one person may make in an hour
LINK_FAILURES_PER_WINDOW = 5  # wrong codes one Telegram account may send in LINK_CODE_MINUTES


class LinkCodeLimit(Exception):
    """Too many link codes asked for; the message says when to try again."""


def link_code_digest(code: str) -> str:
    """Codes are stored as SHA-256 of their canonical form (upper case, no dashes or spaces):
    a leaked table links nobody, and a code typed `abcd-efgh` still matches."""
    canonical = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(canonical.encode()).hexdigest()


class TelegramLinkCode(models.Model):
    """A one-time code that proves a Telegram account belongs to a person.

    The person makes it on their own desk profile ("Link Telegram"), or an Admin makes it for
    them; the person sends it to the bot (`/link CODE`, `/start CODE`, or the code alone). Only
    its digest is stored; it expires after LINK_CODE_MINUTES and works once.
    """

    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="link_codes")
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    creation = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The plain code exists only in the object that made it, to be shown once.
    plain_code: str = ""

    class Meta:
        ordering = ["-creation"]

    def __str__(self) -> str:
        return f"link code for {self.user}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.code_hash:
            self.plain_code = "".join(
                secrets.choice(LINK_CODE_ALPHABET) for _ in range(LINK_CODE_LENGTH)
            )
            self.code_hash = link_code_digest(self.plain_code)
        if not self.expires_at:
            self.expires_at = timezone.now() + dt.timedelta(minutes=LINK_CODE_MINUTES)
        super().save(*args, **kwargs)

    @classmethod
    def issue(cls, user: User, created_by: User | None = None) -> TelegramLinkCode:
        """A new code for `user` (its `plain_code` set), within LINK_CODES_PER_HOUR."""
        since = timezone.now() - dt.timedelta(hours=1)
        if cls.objects.filter(user=user, creation__gte=since).count() >= LINK_CODES_PER_HOUR:
            raise LinkCodeLimit(
                f"At most {LINK_CODES_PER_HOUR} link codes an hour; try again later."
            )
        code = cls(user=user, created_by=created_by)
        code.save()
        return code

    @classmethod
    def find(cls, text: str) -> TelegramLinkCode | None:
        return cls.objects.select_related("user").filter(code_hash=link_code_digest(text)).first()

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class TelegramLinkFailure(models.Model):
    """A wrong or stale link code sent to the bot: counted per Telegram account to stop guessing."""

    telegram_user_id = models.BigIntegerField(db_index=True)
    creation = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"wrong link code from Telegram user {self.telegram_user_id}"

    @classmethod
    def too_many(cls, telegram_user_id: int) -> bool:
        since = timezone.now() - dt.timedelta(minutes=LINK_CODE_MINUTES)
        recent = cls.objects.filter(telegram_user_id=telegram_user_id, creation__gte=since)
        return recent.count() >= LINK_FAILURES_PER_WINDOW
