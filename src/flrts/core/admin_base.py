"""Admin base classes every app's desk pages share: the role matrix for permissions, archive
instead of delete. In core so that record apps can register admin pages without importing the desk
(which sits above them: its home page reads the reports)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from flrts.core.context import acting_as
from flrts.core.permissions import Action, can, readable


class ArchivedFilter(admin.SimpleListFilter):
    """Archived records are hidden unless asked for."""

    title = "archived"
    parameter_name = "archived"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active"), ("archived", "Archived"), ("all", "All")]

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "active") == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value() or "active"
        if value == "active":
            return queryset.filter(archived=False)
        if value == "archived":
            return queryset.filter(archived=True)
        return queryset


@admin.action(description="Archive selected")
def archive_selected(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    done = 0
    with acting_as(request.user):
        for obj in queryset:
            if can(request.user, Action.ARCHIVE, obj) and not obj.archived:
                obj.archived = True
                obj.save()
                done += 1
    skipped = queryset.count() - done
    modeladmin.message_user(request, f"Archived {done}.", messages.SUCCESS)
    if skipped:
        modeladmin.message_user(
            request, f"{skipped} not archived (already archived or not yours).", messages.WARNING
        )


class PermissionAdmin(admin.ModelAdmin):
    """Permissions from flrts.core.permissions instead of Django's per-model permission rows."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.READ, self.model)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can(request.user, Action.READ, obj if obj is not None else self.model)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return can(request.user, Action.CREATE, self.model)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can(request.user, Action.WRITE, obj if obj is not None else self.model)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Deleting is purging; only Admins purge. Everyone else archives.
        return can(request.user, Action.PURGE, obj if obj is not None else self.model)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return readable(request.user, super().get_queryset(request))


class DocumentAdmin(PermissionAdmin):
    """Base admin for Documents: standard fields read-only, archive action, archived filter."""

    actions = [archive_selected]
    list_per_page = 50
    show_full_result_count = False  # a COUNT(*) over 100k rows on every page is wasted work

    def get_list_filter(self, request: HttpRequest) -> Any:
        return [*super().get_list_filter(request), ArchivedFilter]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*super().get_readonly_fields(request, obj), "name_display", "standard_fields"]

    @admin.display(description="Name")
    def name_display(self, obj: Any) -> str:
        return obj.name or "(assigned on save)"

    @admin.display(description="Record")
    def standard_fields(self, obj: Any) -> str:
        if not obj.pk:
            return "-"
        created = timezone.localtime(obj.creation).strftime("%Y-%m-%d %H:%M %Z")
        modified = timezone.localtime(obj.modified).strftime("%Y-%m-%d %H:%M %Z")
        return (
            f"created {created} by {obj.owner or '-'}; "
            f"modified {modified} by {obj.modified_by or '-'}; docstatus {obj.docstatus}"
        )
