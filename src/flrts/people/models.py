from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from flrts.core.models import PermKind
from flrts.core.roles import Role
from flrts.core.timezones import in_window, validate_timezone, window_end_after, zone


class PersonManager(UserManager["User"]):
    def enabled(self) -> models.QuerySet[User]:
        return self.filter(is_active=True)


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

    def __str__(self) -> str:
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
        super().clean()
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

    def perm_is_editor(self, user: Any) -> bool:
        return self.perm_is_owner(user)


class TelegramLinkCode(models.Model):
    """A one-time code an Admin makes in the desk; `/start CODE` links a Telegram account."""

    code = models.CharField(max_length=32, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="link_codes")
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    creation = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-creation"]

    def __str__(self) -> str:
        return f"link code for {self.user}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.code:
            self.code = secrets.token_hex(4).upper()
        if not self.expires_at:
            self.expires_at = timezone.now() + dt.timedelta(hours=24)
        super().save(*args, **kwargs)

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
