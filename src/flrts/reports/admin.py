from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.html import format_html

from flrts.core.admin_base import PermissionAdmin
from flrts.core.permissions import Action, can
from flrts.reports.access import may_see_reports
from flrts.reports.models import DailyReport, MonitorSettings, MonitorState


@admin.action(description="Send selected again (Telegram and email)")
def send_again(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    from flrts.reports.daily import send

    if not can(request.user, Action.CREATE, DailyReport):
        modeladmin.message_user(request, "Only Admins send reports.", messages.ERROR)
        return
    for report in queryset:
        done = send(report, force=True)
        modeladmin.message_user(request, f"{report}: sent {', '.join(done) or 'nowhere'}")


@admin.register(DailyReport)
class DailyReportAdmin(PermissionAdmin):
    list_display = ["report_date", "pages", "size", "built_at", "build_ms", "sent", "download"]
    date_hierarchy = "report_date"
    actions = [send_again]
    readonly_fields = [
        "report_date",
        "time_zone",
        "download",
        "size",
        "pages",
        "summary",
        "built_at",
        "build_ms",
        "built_by",
        "telegram_sent_at",
        "telegram_message_id",
        "email_sent_at",
        "email_recipients",
        "send_error",
    ]
    exclude = ["file"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_see_reports(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_see_reports(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # built by the job, the command or "Build now" on the Reports page

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not can(request.user, Action.CREATE, DailyReport):  # sending is for Admins
            actions.pop("send_again", None)
        return actions

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Sent")
    def sent(self, obj: DailyReport) -> str:
        parts = []
        if obj.telegram_sent_at:
            parts.append("Telegram")
        if obj.email_sent_at:
            parts.append("email")
        return ", ".join(parts) or "-"

    @admin.display(description="PDF")
    def download(self, obj: DailyReport) -> str:
        if not obj.file:
            return "-"
        return format_html('<a class="download" href="{}">Download PDF</a>', obj.download_url)


@admin.register(MonitorSettings)
class MonitorSettingsAdmin(PermissionAdmin):
    """Admins only (SETTINGS kind); one row: the list goes straight to it."""

    fieldsets = [
        ("Parser", {"fields": ["success_rate_threshold", "success_rate_min_reviewed"]}),
        ("OpenAI cost", {"fields": ["daily_cost_budget", "monthly_cost_budget"]}),
        (
            "Jobs and Telegram",
            {
                "fields": [
                    "failed_jobs_threshold",
                    "failed_jobs_window_minutes",
                    "stalled_queue_minutes",
                    "scheduler_stale_minutes",
                    "webhook_errors_threshold",
                    "webhook_window_minutes",
                ]
            },
        ),
        ("Who else is told", {"fields": ["alert_emails"]}),
    ]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request) and not MonitorSettings.objects.exists()

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        if self.has_change_permission(request):
            row = MonitorSettings.load()
            if row._state.adding:
                row.save()
            return HttpResponseRedirect(f"{row.pk}/change/")
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.modified_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(MonitorState)
class MonitorStateAdmin(PermissionAdmin):
    list_display = [
        "key",
        "alerting",
        "since",
        "last_checked_at",
        "last_alert_at",
        "last_recovery_at",
        "alerts_sent",
        "detail",
    ]
    readonly_fields = [str(name) for name in list_display]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
