from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import path
from django.utils import timezone

from flrts.core.admin_base import PermissionAdmin
from flrts.core.permissions import role_of
from flrts.core.roles import Role
from flrts.people.models import LINK_CODE_MINUTES, TelegramLinkCode, User

# Roles replace Django groups (flrts.core.permissions); an unused Groups page only confuses.
admin.site.unregister(Group)

ADMIN_ONLY_FIELDS = (
    "role",
    "is_active",
    "telegram_user_id",
    "telegram_chat_id",
    "groups",
    "user_permissions",
)
# The login identity: given on "Add person", changed afterwards only by an Admin.
ADMIN_ONLY_CHANGE_FIELDS = ("username", "email")


@admin.register(User)
class PersonAdmin(PermissionAdmin, UserAdmin):  # type: ignore[misc]
    list_display = ["username", "full_name", "email", "role", "time_zone", "is_active"]
    list_filter = ["role", "is_active", "time_zone", "default_site"]
    search_fields = ["username", "full_name", "email", "telegram_username"]
    ordering = ["full_name", "username"]
    field_help = {
        "time_zone": "The person's IANA zone (e.g. America/Chicago): reminders, quiet hours and "
        "the daily summary follow it, and the desk shows them times in it.",
        "quiet_hours_start": "Start of the quiet hours, in the person's own zone; messages wait "
        "until they end (the window may wrap midnight, e.g. 22:00–06:30).",
        "quiet_hours_end": "End of the quiet hours, in the person's own zone.",
        "daily_summary_time": "Local time of the daily summary, in the person's own zone; empty "
        "for none.",
        "telegram_user_id": "The person's numeric Telegram id (not the @username).",
    }
    fieldsets = [
        (None, {"fields": ["username", "password_state"]}),
        ("Person", {"fields": ["full_name", "email", "aliases", "role", "is_active"]}),
        (
            "Telegram",
            {"fields": ["telegram_user_id", "telegram_username", "telegram_blocked"]},
        ),
        (
            "Time and notifications",
            {
                "fields": [
                    "time_zone",
                    "default_site",
                    "notify_telegram",
                    "notify_email",
                    "quiet_hours_start",
                    "quiet_hours_end",
                    "daily_summary_time",
                    "reminder_lead_minutes",
                ]
            },
        ),
        ("Record", {"classes": ["collapse"], "fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "email",
                    "full_name",
                    "role",
                    "time_zone",
                    "password1",
                    "password2",
                ],
            },
        )
    ]

    change_form_template = "admin/people/user/person_change_form.html"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = [*super().get_readonly_fields(request, obj), "password_state"]
        if role_of(request.user) is not Role.ADMIN:
            readonly += [*ADMIN_ONLY_FIELDS, "telegram_blocked", "last_login", "date_joined"]
            if obj is not None:
                readonly += ADMIN_ONLY_CHANGE_FIELDS
        return readonly

    @admin.display(description="Password")
    def password_state(self, obj: Any) -> str:
        """Whether a password is set, never any part of its salt or hash (Django's widget shows
        their first characters to everyone who opens the form)."""
        if obj is None or not obj.pk:
            return "-"
        if obj.has_usable_password():
            return "set (change your own with “Change password” at the top; Admins set anyone's)"
        return "not set: this person cannot log in with a password"

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        """Setting a password without knowing the old one is for Admins only (as in the API);
        everyone changes their own at /desk/password_change/."""
        if role_of(request.user) is not Role.ADMIN:
            raise PermissionDenied("Only an Admin may set another person's password")
        return super().user_change_password(request, id, form_url)

    def get_urls(self) -> list[Any]:
        from flrts.people.linkview import link_telegram

        own = [
            path(
                "<int:person_id>/link-telegram/",
                self.admin_site.admin_view(link_telegram),
                name="people_user_link_telegram",
            )
        ]
        return own + super().get_urls()


@admin.register(TelegramLinkCode)
class TelegramLinkCodeAdmin(admin.ModelAdmin):
    """Admins make one-time codes for anyone; the code is shown once, only its digest is kept."""

    list_display = ["user", "created_by", "creation", "expires_at", "used_at"]
    readonly_fields = ["used_at", "created_by"]
    fields = ["user", "expires_at", "created_by", "used_at"]

    def _is_admin(self, request: HttpRequest) -> bool:
        return role_of(request.user) is Role.ADMIN

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"expires_at": timezone.now() + dt.timedelta(minutes=LINK_CODE_MINUTES)}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
        self.message_user(
            request,
            f"Link code for {obj.user}: {obj.plain_code} (shown once; it works once, until "
            f"{timezone.localtime(obj.expires_at):%H:%M %Z}). They send /link {obj.plain_code} "
            "to the bot.",
            messages.SUCCESS,
        )
