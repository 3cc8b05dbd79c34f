"""What every desk page shares: the role matrix for permissions, archive instead of delete. In
core so that record apps can register admin pages without importing the desk (which sits above
them: its home page reads the reports).

"Delete" in the desk archives, for every role that may delete (the archive is undone with
"Restore selected" under the Archived filter). Purging, the real delete, is a separate page that
only an Admin reaches and that asks for the record's name typed out.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.db import transaction
from django.db.models import Model, ProtectedError, QuerySet, Value
from django.db.models.expressions import OrderBy
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from flrts.core.context import acting_as
from flrts.core.display import pill, when, zone_label
from flrts.core.models import DocStatus
from flrts.core.permissions import Action, can, readable
from flrts.core.views import forbidden

log = logging.getLogger("flrts.desk")


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
        # Value(...) keeps "archived = 0" an equality that the (…, archived, …) indexes seek on:
        # a plain False becomes "NOT archived" on SQLite, which no index serves.
        if value == "active":
            return queryset.filter(archived=Value(False))
        if value == "archived":
            return queryset.filter(archived=Value(True))
        return queryset


class DeskChangeList(ChangeList):
    """Django's list, with the tie-break that makes its order total following the direction of
    the last sort key: `subject, id` (or `-subject, -id`) is one walk of an index on subject,
    where Django's fixed `subject, -id` makes every database sort the whole list."""

    def _get_deterministic_ordering(self, ordering: Any) -> list[Any]:
        given = list(ordering)
        result = super()._get_deterministic_ordering(given)  # type: ignore[misc]
        if given and len(result) == len(given) + 1 and result[-1] == "-pk":
            last = given[-1]
            ascending = (
                not last.startswith("-")
                if isinstance(last, str)
                else isinstance(last, OrderBy) and not last.descending
            )
            if ascending:
                result[-1] = "pk"
        return result


def report_bulk(
    modeladmin: Any, request: HttpRequest, done: int, message: str, refused: list[str]
) -> None:
    """The outcome of a bulk action: green only when something was done; refusals in red."""
    if done:
        modeladmin.message_user(request, message, messages.SUCCESS)
    elif not refused:
        modeladmin.message_user(request, f"{message} (nothing to do)", messages.WARNING)
    level = messages.WARNING if done else messages.ERROR
    for reason in refused[:20]:
        modeladmin.message_user(request, reason, level)
    if len(refused) > 20:
        modeladmin.message_user(request, f"… and {len(refused) - 20} more refused.", level)


def _set_archived(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any], archived: bool
) -> None:
    verb = "Archived" if archived else "Restored"
    done, refused = 0, []
    with acting_as(request.user):
        for obj in queryset:
            if obj.archived == archived:
                continue
            if not can(request.user, Action.ARCHIVE, obj):
                refused.append(f"{obj.name}: not permitted ({verb.lower()} only by its owner)")
                continue
            obj.archived = archived
            obj.save()
            done += 1
    report_bulk(modeladmin, request, done, f"{verb} {done}.", refused)


@admin.action(description="Archive (delete) selected", permissions=["delete"])
def archive_selected(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    _set_archived(modeladmin, request, queryset, archived=True)


@admin.action(description="Restore selected", permissions=["delete"])
def restore_selected(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    _set_archived(modeladmin, request, queryset, archived=False)


class PermissionAdmin(admin.ModelAdmin):
    """Permissions from flrts.core.permissions instead of Django's per-model permission rows."""

    # Form help that says what a field holds; "{zone}" becomes the reader's zone.
    field_help: ClassVar[dict[str, str]] = {}

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change=change, **kwargs)
        for name, text in self.field_help.items():
            if name in form.base_fields:
                form.base_fields[name].help_text = text.format(zone=zone_label())
        return form

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
    """Base admin for Documents: standard fields read-only; delete archives, purge is separate."""

    actions = [archive_selected, restore_selected]
    list_per_page = 50
    show_full_result_count = False  # a COUNT(*) over 100k rows on every page is wasted work
    delete_confirmation_template = "desk/archive_confirmation.html"

    def get_list_filter(self, request: HttpRequest) -> Any:
        return [*super().get_list_filter(request), ArchivedFilter]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return DeskChangeList

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*super().get_readonly_fields(request, obj), "name_display", "standard_fields"]

    # -- delete is archive -------------------------------------------------------------------
    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can(request.user, Action.ARCHIVE, obj if obj is not None else self.model)

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # Django's would purge; ours archive
        return actions

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with acting_as(request.user):
            obj.archived = True
            obj.save()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Confirm, then archive (or restore an archived record). Nothing is removed here."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._missing(request, object_id)
        if not self.has_delete_permission(request, obj):
            return forbidden(request, f"You may not archive {obj.name}.")
        if request.method == "POST":
            restore = request.POST.get("restore") == "1"
            with acting_as(request.user):
                obj.archived = not restore
                obj.save()
            verb = "Restored" if restore else "Archived"
            hint = "" if restore else " Restore it from the list's Archived filter."
            self.message_user(request, f"{verb} {obj.name}.{hint}", messages.SUCCESS)
            return HttpResponseRedirect(self._changelist_url())
        context = {
            **self.admin_site.each_context(request),
            **self._record_context(obj),
            "title": f"Restore {obj.name}?" if obj.archived else f"Archive {obj.name}?",
            "may_purge": can(request.user, Action.PURGE, obj),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.delete_confirmation_template, context)

    # -- purge -------------------------------------------------------------------------------
    def get_urls(self) -> list[Any]:
        info = self.opts.app_label, self.opts.model_name
        purge: list[URLPattern] = [
            path(
                "<path:object_id>/purge/",
                self.admin_site.admin_view(self.purge_view),
                name="{}_{}_purge".format(*info),
            )
        ]
        return purge + super().get_urls()

    def purge_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Admins only: remove the record for good once its name is typed out."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._missing(request, object_id)
        if not can(request.user, Action.PURGE, obj):
            return forbidden(request, "Only an Admin can purge records.")
        deleted, _counts, _perms, protected = self.get_deleted_objects([obj], request)
        error = ""
        if request.method == "POST":
            typed = request.POST.get("confirm_name", "").strip()
            if typed != obj.name:
                error = f"Type {obj.name} exactly to purge it; nothing was removed."
            elif protected:
                error = "Other records still point to it; nothing was removed."
            else:
                try:
                    with transaction.atomic():
                        obj.delete()
                except ProtectedError:
                    error = "Other records still point to it; nothing was removed."
                else:
                    log.warning("purged %s %s by %s", self.opts.label, obj.name, request.user)
                    self.message_user(request, f"Purged {obj.name} for good.", messages.SUCCESS)
                    return HttpResponseRedirect(self._changelist_url())
        context = {
            **self.admin_site.each_context(request),
            **self._record_context(obj),
            "title": f"Purge {obj.name}?",
            "deleted_objects": deleted,
            "protected": protected,
            "error": error,
        }
        status = 400 if error else 200
        return TemplateResponse(request, "desk/purge_confirmation.html", context, status=status)

    def _missing(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Not there, or not readable by this person: the same answer, so nothing leaks."""
        name = self.opts.verbose_name
        self.message_user(request, f"No {name} {object_id} to show.", messages.WARNING)
        return HttpResponseRedirect(self._changelist_url())

    def _record_context(self, obj: Any) -> dict[str, Any]:
        info = self.opts.app_label, self.opts.model_name
        return {
            "object": obj,
            "opts": self.opts,
            "object_name": str(self.opts.verbose_name),
            "change_url": reverse("admin:{}_{}_change".format(*info), args=[obj.pk]),
            "delete_url": reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]),
            "purge_url": reverse("admin:{}_{}_purge".format(*info), args=[obj.pk]),
            "changelist_url": self._changelist_url(),
        }

    def _changelist_url(self) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    # -- display -----------------------------------------------------------------------------
    @admin.display(description="Name")
    def name_display(self, obj: Any) -> str:
        return obj.name or "(assigned on save)"

    @admin.display(description="Record")
    def standard_fields(self, obj: Any) -> str:
        if not obj.pk:
            return "-"
        state = format_html(" {}", pill("Archived")) if obj.archived else ""
        return format_html(
            "created {} by {}; modified {} by {}{}",
            when(obj.creation),
            obj.owner or "-",
            when(obj.modified),
            obj.modified_by or "-",
            state,
        )


def docstatus_pill(obj: Any) -> str:
    """Draft / Submitted / Cancelled as a pill (Frappe's docstatus 0 / 1 / 2)."""
    return pill(DocStatus(obj.docstatus).label)
