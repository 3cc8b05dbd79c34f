from django.contrib import admin

from flrts.core.admin_base import DocumentAdmin
from flrts.fieldreports.models import Attachment, FieldReport, Reading


class ReadingInline(admin.TabularInline):
    model = Reading
    fields = ["idx", "metric", "value", "unit"]
    extra = 1


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ["file", "file_name", "content_type"]
    extra = 0


@admin.register(FieldReport)
class FieldReportAdmin(DocumentAdmin):
    list_display = ["name", "summary", "site", "reported_by", "report_date", "status"]
    list_display_links = ["name", "summary"]
    list_filter = ["status", "site", "reported_by", "report_date"]
    list_select_related = ["site", "reported_by"]
    search_fields = ["name", "summary", "observations", "issues_found", "equipment_mentioned"]
    date_hierarchy = "report_date"
    inlines = [ReadingInline, AttachmentInline]
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
        "standard_fields",
    ]
