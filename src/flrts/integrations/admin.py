"""Desk pages: Webhooks (Admins), their request log (re-send failed deliveries), ERPNext Settings
(test the connection, sync, import), per-record sync status and the ERPNext exchange log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html

from flrts.core.admin_base import PermissionAdmin
from flrts.core.doctypes import get_doctype
from flrts.core.permissions import role_of
from flrts.core.roles import Role
from flrts.integrations.erpnext.commands import sync_job
from flrts.integrations.erpnext.sync import import_records, push_report, push_task
from flrts.integrations.models import (
    DeliveryStatus,
    ERPNextExchange,
    ERPNextSettings,
    SyncRecord,
    Webhook,
    WebhookHeader,
    WebhookRequestLog,
    _doctype_choices,
)
from flrts.jobs.queue import enqueue


def _is_admin(request: HttpRequest) -> bool:
    return role_of(request.user) is Role.ADMIN


class _ReadOnly(PermissionAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# -- webhooks ------------------------------------------------------------------------------------
class WebhookForm(forms.ModelForm):
    webhook_doctype = forms.ChoiceField(label="DocType", choices=())
    secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Signs each request (X-Frappe-Webhook-Signature). Leave blank to keep the "
        "current secret.",
    )
    clear_secret = forms.BooleanField(required=False, help_text="Remove the secret")

    class Meta:
        model = Webhook
        fields = [  # the stored secret is never a form field; see `secret`
            "webhook_doctype",
            "webhook_docevent",
            "condition",
            "enabled",
            "request_url",
            "request_method",
            "request_structure",
            "webhook_json",
            "timeout",
            "max_attempts",
            "allow_private_targets",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice: Any = self.fields["webhook_doctype"]
        choice.choices = [("", "---------"), *_doctype_choices()]

    def save(self, commit: bool = True) -> Any:
        hook = super().save(commit=False)
        if self.cleaned_data.get("clear_secret"):
            hook.webhook_secret = ""
        elif self.cleaned_data.get("secret"):
            hook.set_secret(self.cleaned_data["secret"])
        if commit:
            hook.save()
        return hook


class WebhookHeaderInline(admin.TabularInline):
    model = WebhookHeader
    extra = 1

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)

    has_add_permission = has_change_permission = has_delete_permission = (  # type: ignore[assignment]
        has_view_permission
    )


@admin.register(Webhook)
class WebhookAdmin(PermissionAdmin):
    form = WebhookForm
    inlines = [WebhookHeaderInline]
    list_display = [
        "webhook_doctype",
        "webhook_docevent",
        "request_method",
        "request_url",
        "enabled",
        "secret_set",
        "allow_private_targets",
    ]
    list_filter = ["enabled", "webhook_doctype", "webhook_docevent"]
    search_fields = ["request_url", "webhook_doctype"]
    fieldsets = [
        (None, {"fields": ["webhook_doctype", "webhook_docevent", "condition", "enabled"]}),
        (
            "Request",
            {
                "fields": [
                    "request_url",
                    "request_method",
                    "request_structure",
                    "webhook_json",
                    "timeout",
                    "max_attempts",
                ]
            },
        ),
        (
            "Security",
            {"fields": ["secret_state", "secret", "clear_secret", "allow_private_targets"]},
        ),
    ]
    readonly_fields = ["secret_state"]

    @admin.display(description="Secret", boolean=True)
    def secret_set(self, obj: Webhook) -> bool:
        return obj.has_secret

    @admin.display(description="Current secret")
    def secret_state(self, obj: Webhook) -> str:
        return "set (hidden)" if obj.pk and obj.has_secret else "none"


@admin.action(description="Re-send selected requests")
def resend_selected(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[WebhookRequestLog]
) -> None:
    from flrts.integrations.webhooks import queue_resend

    if not _is_admin(request):
        modeladmin.message_user(request, "Only an Admin can re-send webhooks.", messages.ERROR)
        return
    sendable = (
        queryset.exclude(status=DeliveryStatus.SUCCESS)
        .exclude(data="")
        .filter(webhook__isnull=False)
    )
    count = 0
    for log in sendable.select_related("webhook"):
        queue_resend(log)
        count += 1
    modeladmin.message_user(request, f"Queued {count} request(s) again.", messages.SUCCESS)
    skipped = queryset.count() - count
    if skipped:
        modeladmin.message_user(
            request,
            f"{skipped} skipped (delivered, never built, or webhook deleted).",
            messages.WARNING,
        )


@admin.register(WebhookRequestLog)
class WebhookRequestLogAdmin(_ReadOnly):
    list_display = [
        "creation",
        "reference_doctype",
        "reference_document",
        "event",
        "method",
        "url",
        "attempt",
        "status",
        "status_code",
        "duration",
    ]
    list_filter = ["status", "event", "reference_doctype"]
    search_fields = ["url", "reference_document", "error", "delivery_id"]
    actions = [resend_selected]
    fields = [
        "webhook",
        "delivery_id",
        "reference_doctype",
        "reference_document",
        "event",
        "method",
        "url",
        "headers",
        "data",
        "attempt",
        "status",
        "status_code",
        "response",
        "error",
        "duration",
        "resent_from",
        "creation",
    ]
    readonly_fields = fields  # type: ignore[assignment]

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not _is_admin(request):
            actions.pop("resend_selected", None)
        return actions


# -- ERPNext ---------------------------------------------------------------------------------------
class ERPNextSettingsForm(forms.ModelForm):
    secret = forms.CharField(
        label="API secret",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted; never shown. Leave blank to keep the current one.",
    )

    class Meta:
        model = ERPNextSettings
        fields = [
            "enabled",
            "site_url",
            "api_key",
            "timeout",
            "push_tasks",
            "push_field_reports",
            "report_doctype",
            "report_field_map",
            "pull_interval_minutes",
            "remote_time_zone",
            "pull_cursor",
        ]

    def save(self, commit: bool = True) -> Any:
        row = super().save(commit=False)
        if self.cleaned_data.get("secret"):
            row.set_secret(self.cleaned_data["secret"])
        if commit:
            row.save()
        return row


@admin.register(ERPNextSettings)
class ERPNextSettingsAdmin(PermissionAdmin):
    """One row; the list goes straight to it. Buttons: test, sync now, import."""

    form = ERPNextSettingsForm
    change_form_template = "admin/integrations/erpnextsettings/change_form.html"
    fieldsets = [
        (
            "Connection",
            {
                "fields": [
                    "enabled",
                    "credentials_in_use",
                    "site_url",
                    "api_key",
                    "secret",
                    "timeout",
                ]
            },
        ),
        (
            "What is synced",
            {
                "fields": [
                    "push_tasks",
                    "push_field_reports",
                    "report_doctype",
                    "report_field_map",
                    "pull_interval_minutes",
                    "remote_time_zone",
                ]
            },
        ),
        ("State", {"fields": ["pull_cursor", "last_pull_at", "last_error"]}),
    ]
    readonly_fields = ["credentials_in_use", "last_pull_at", "last_error"]

    @admin.display(description="Credentials in use")
    def credentials_in_use(self, obj: ERPNextSettings) -> str:
        from flrts.integrations.erpnext.config import credentials
        from flrts.integrations.erpnext.errors import NotConfigured

        try:
            return credentials(obj).masked
        except NotConfigured as exc:
            return str(exc)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request) and not ERPNextSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        if self.has_change_permission(request):
            row = ERPNextSettings.load()
            if row._state.adding:
                row.save()
            return HttpResponseRedirect(f"{row.pk}/change/")
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from flrts.integrations.erpnext.config import invalidate

        super().save_model(request, obj, form, change)
        invalidate()

    def response_change(self, request: HttpRequest, obj: ERPNextSettings) -> HttpResponse:
        if "_erpnext_test" in request.POST:
            from flrts.integrations.erpnext.commands import check_connection

            ok, lines = check_connection()
            self.message_user(
                request, " · ".join(lines), messages.SUCCESS if ok else messages.ERROR
            )
            return HttpResponseRedirect(request.path)
        if "_erpnext_sync" in request.POST:
            enqueue(sync_job, queue="long")
            self.message_user(request, "Sync queued (push, then pull).", messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        if "_erpnext_import" in request.POST:
            enqueue(import_records, queue="long")
            self.message_user(
                request, "Import of people, sites and contractors queued.", messages.SUCCESS
            )
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


@admin.action(description="Push selected again")
def push_again(modeladmin: Any, request: HttpRequest, queryset: QuerySet[SyncRecord]) -> None:
    if not _is_admin(request):
        modeladmin.message_user(request, "Only an Admin can push records.", messages.ERROR)
        return
    count = 0
    for record in queryset.filter(local_doctype__in=["Task", "Field Report"]):
        push = push_task if record.local_doctype == "Task" else push_report
        enqueue(push, kwargs={"name": record.local_name})
        count += 1
    modeladmin.message_user(request, f"Queued {count} push(es).", messages.SUCCESS)


@admin.register(SyncRecord)
class SyncRecordAdmin(_ReadOnly):
    list_display = [
        "local_doctype",
        "local_link",
        "remote_doctype",
        "remote_name",
        "status",
        "last_sync",
        "error_excerpt",
    ]
    list_filter = ["status", "local_doctype", "remote_doctype"]
    search_fields = ["local_name", "remote_name", "last_error"]
    actions = [push_again]
    fields = [
        "local_doctype",
        "local_name",
        "remote_doctype",
        "remote_name",
        "status",
        "last_error",
        "last_error_type",
        "last_sync",
        "remote_modified",
        "remote_assign",
        "local_modified",
        "creation",
    ]
    readonly_fields = fields  # type: ignore[assignment]

    @admin.display(description="Local record", ordering="local_name")
    def local_link(self, obj: SyncRecord) -> str:
        from django.urls import NoReverseMatch, reverse

        model = get_doctype(obj.local_doctype)
        if model is None:
            return obj.local_name
        row = model._default_manager.filter(name=obj.local_name).values_list("pk").first()
        if row is None:
            return obj.local_name
        try:
            url = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row[0]]
            )
        except NoReverseMatch:
            return obj.local_name
        return format_html('<a href="{}">{}</a>', url, obj.local_name)

    @admin.display(description="Last error")
    def error_excerpt(self, obj: SyncRecord) -> str:
        return obj.last_error[:120] + ("…" if len(obj.last_error) > 120 else "")

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not _is_admin(request):
            actions.pop("push_again", None)
        return actions


@admin.register(ERPNextExchange)
class ERPNextExchangeAdmin(_ReadOnly):
    list_display = ["creation", "method", "path", "status_code", "exc_type", "duration"]
    list_filter = ["method", "status_code", "exc_type"]
    search_fields = ["path", "error", "response"]
    fields = [
        "creation",
        "method",
        "path",
        "status_code",
        "exc_type",
        "duration",
        "request",
        "response",
        "error",
    ]
    readonly_fields = fields  # type: ignore[assignment]
