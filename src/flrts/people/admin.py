from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.utils import timezone

from flrts.core.admin_base import PermissionAdmin
from flrts.core.permissions import role_of
from flrts.core.roles import Role
from flrts.people.models import TelegramLinkCode, User

# Roles replace Django groups (flrts.core.permissions); an unused Groups page only confuses.
admin.site.unregister(Group)

ADMIN_ONLY_FIELDS = ("role", "is_active", "telegram_user_id", "groups", "user_permissions")


@admin.register(User)
class PersonAdmin(PermissionAdmin, UserAdmin):  # type: ignore[misc]
    list_display = ["username", "full_name", "email", "role", "time_zone", "is_active"]
    list_filter = ["role", "is_active", "time_zone", "default_site"]
    search_fields = ["username", "full_name", "email", "telegram_username"]
    ordering = ["full_name", "username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if role_of(request.user) is not Role.ADMIN:
            readonly += [*ADMIN_ONLY_FIELDS, "telegram_blocked", "last_login", "date_joined"]
        return readonly


@admin.register(TelegramLinkCode)
class TelegramLinkCodeAdmin(admin.ModelAdmin):
    """Admins make one-time codes; the person sends `/start CODE` to the bot."""

    list_display = ["code", "user", "creation", "expires_at", "used_at"]
    readonly_fields = ["code", "used_at", "created_by"]
    fields = ["user", "expires_at", "code", "created_by", "used_at"]

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
        return {"expires_at": timezone.now() + dt.timedelta(hours=24)}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
