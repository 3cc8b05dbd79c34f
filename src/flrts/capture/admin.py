from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from flrts.capture.models import Proposal
from flrts.core.admin_base import PermissionAdmin


@admin.register(Proposal)
class ProposalAdmin(PermissionAdmin):
    list_display = [
        "id", "user", "channel", "intent", "version", "state", "created_name", "creation",
        "expires_at",
    ]  # fmt: skip
    list_filter = ["state", "channel", "intent"]
    search_fields = ["original_text", "created_name"]
    readonly_fields = [f.name for f in Proposal._meta.fields]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
