"""Desk page of the update store: status, error, timing, and "Process again"."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from flrts.core.admin_base import PermissionAdmin
from flrts.telegram.models import TelegramUpdate, UpdateStatus


@admin.action(description="Process again")
def reprocess(modeladmin: Any, request: HttpRequest, queryset: QuerySet[TelegramUpdate]) -> None:
    from flrts.bot.queue import hand_off

    count = 0
    for row in queryset.filter(status__in=[UpdateStatus.FAILED, UpdateStatus.PROCESSING]):
        TelegramUpdate.objects.filter(pk=row.pk).update(status=UpdateStatus.RECEIVED, error="")
        hand_off(row.pk)
        count += 1
    modeladmin.message_user(request, f"Queued {count} update(s) again.", messages.SUCCESS)


@admin.register(TelegramUpdate)
class TelegramUpdateAdmin(PermissionAdmin):
    list_display = [
        "update_id", "kind", "status", "chat_id", "telegram_user_id", "received_at",
        "queue_ms_display", "processing_ms_display", "short_error",
    ]  # fmt: skip
    list_filter = ["status", "kind", "source"]
    search_fields = ["=update_id", "=chat_id", "=telegram_user_id", "error"]
    readonly_fields = [f.name for f in TelegramUpdate._meta.fields]
    actions = [reprocess]
    date_hierarchy = "received_at"
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a stored update is a fact; only its processing can be re-run

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("reprocess", None)
        return actions

    @admin.display(description="Queue ms")
    def queue_ms_display(self, obj: TelegramUpdate) -> str:
        value = obj.queue_ms
        return "-" if value is None else f"{value:.0f}"

    @admin.display(description="Processing ms")
    def processing_ms_display(self, obj: TelegramUpdate) -> str:
        value = obj.processing_ms
        return "-" if value is None else f"{value:.0f}"

    @admin.display(description="Error")
    def short_error(self, obj: TelegramUpdate) -> str:
        return obj.error[:80]
