from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from flrts.core import docstatus
from flrts.core.admin_base import DocumentAdmin, docstatus_pill
from flrts.core.context import acting_as
from flrts.core.permissions import Action, can
from flrts.fieldreports.models import Attachment, FieldReport, Reading

# (button, needed docstatus, permission on the report, what it does)
_MOVES = {
    "submit": ("Submit", docstatus.DocStatus.DRAFT, Action.SUBMIT),
    "cancel": ("Cancel report", docstatus.DocStatus.SUBMITTED, Action.CANCEL),
    "amend": ("Amend", docstatus.DocStatus.CANCELLED, Action.READ),
}


class _ReportPart(admin.TabularInline):
    """Rows of a report (readings): whoever may see the report sees them, whoever may change it
    changes them (the report's own rules, docstatus included, not Django's model permissions)."""

    def _report(self) -> Any:
        return self.admin_site._registry[FieldReport]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self._report().has_view_permission(request, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self._report().has_change_permission(request, obj))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)


class ReadingInline(_ReportPart):
    model = Reading
    fields = ["idx", "metric", "value", "unit"]
    extra = 1


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ["file", "file_name", "content_type"]
    extra = 0


@admin.register(FieldReport)
class FieldReportAdmin(DocumentAdmin):
    list_display = ["name", "summary", "site", "reported_by", "report_date", "docstatus_pill"]
    list_display_links = ["name", "summary"]
    list_filter = ["status", "site", "reported_by", "report_date"]
    list_select_related = ["site", "reported_by"]
    search_fields = ["name", "summary", "observations", "issues_found", "equipment_mentioned"]
    date_hierarchy = "report_date"
    inlines = [ReadingInline, AttachmentInline]
    mine_filters = [
        ("reported", "Reported by me", "reported_by"),
        ("created", "Created by me", "owner"),
    ]
    autocomplete_fields = ["follow_up_tasks"]
    fields = [
        "name_display",
        "site",
        "reported_by",
        "report_date",
        "summary",
        "observations",
        "equipment_mentioned",
        "issues_found",
        "follow_up_tasks",
        "status",
        "amended_from",
        "standard_fields",
    ]
    readonly_fields = ["status", "amended_from"]
    change_form_template = "admin/fieldreports/fieldreport/change_form.html"

    # -- docstatus: Submit / Cancel / Amend instead of a raw docstatus ---------------------
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A submitted or cancelled report is read-only; its buttons move it on."""
        if obj is not None and obj.docstatus != docstatus.DocStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def docstatus_moves(self, request: HttpRequest, obj: Any) -> list[tuple[str, str]]:
        """The buttons this person may press on this report: (move, label)."""
        moves = []
        for move, (label, needed, action) in _MOVES.items():
            if obj.docstatus != needed or not can(request.user, action, obj):
                continue
            if move == "amend" and not can(request.user, Action.CREATE, FieldReport):
                continue
            moves.append((move, label))
        return moves

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if obj is not None:
            context["docstatus_moves"] = self.docstatus_moves(request, obj)
            context["docstatus_label"] = obj.get_status_display()
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/docstatus/<str:move>/",
                self.admin_site.admin_view(require_POST(self.move_view)),
                name="fieldreports_fieldreport_docstatus",
            )
        ]
        return own + super().get_urls()

    def move_view(self, request: HttpRequest, object_id: str, move: str) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is None or move not in _MOVES:
            raise Http404("No such field report or action")
        if move not in dict(self.docstatus_moves(request, obj)):
            raise PermissionDenied
        target = obj
        with transaction.atomic(), acting_as(request.user):
            try:
                if move == "submit":
                    docstatus.submit(obj)
                elif move == "cancel":
                    docstatus.cancel(obj)
                else:
                    target = docstatus.make_amendment(obj)
            except DjangoValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                target = obj
            else:
                done = {"submit": "submitted", "cancel": "cancelled", "amend": "amended"}[move]
                self.message_user(request, f"{obj.name} {done}.", messages.SUCCESS)
        url = reverse("admin:fieldreports_fieldreport_change", args=[target.pk])
        return HttpResponseRedirect(url)

    @admin.display(description="Record")
    def standard_fields(self, obj: Any) -> str:
        # The status line and the buttons say where the report stands; no raw docstatus.
        return super().standard_fields(obj).rsplit("; docstatus", 1)[0]

    field_help = {
        "report_date": "The day the report is about, at the site.",
        "status": "Draft while it is being written; Submitted once final.",
        "follow_up_tasks": "Tasks opened because of what this report found.",
    }

    @admin.display(description="Status", ordering="docstatus")
    def docstatus_pill(self, obj: FieldReport) -> str:
        return docstatus_pill(obj)
