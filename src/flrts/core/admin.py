from django.contrib import admin

from flrts.core.admin_base import PermissionAdmin
from flrts.core.models import ErrorLog, Version


@admin.register(ErrorLog)
class ErrorLogAdmin(PermissionAdmin):
    list_display = ["name", "method", "creation", "seen"]
    list_filter = ["seen", "method"]
    search_fields = ["name", "method", "error"]
    readonly_fields = ["name", "method", "error", "context", "creation"]
    fields = ["name", "method", "creation", "error", "context", "seen"]


@admin.register(Version)
class VersionAdmin(PermissionAdmin):
    list_display = ["ref_doctype", "docname", "owner", "creation"]
    list_filter = ["ref_doctype"]
    search_fields = ["docname"]
    readonly_fields = ["ref_doctype", "docname", "data", "owner", "creation"]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
