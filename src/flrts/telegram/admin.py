"""Desk page of the outbox: messages kept because no bot token is configured."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from flrts.core.admin_base import PermissionAdmin
from flrts.telegram.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(PermissionAdmin):
    list_display = ["creation", "user", "chat_id", "method", "status", "short_text"]
    list_filter = ["status", "method"]
    search_fields = ["text", "=chat_id"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    @admin.display(description="Text")
    def short_text(self, obj: OutboxMessage) -> str:
        return obj.text[:80]
