"""Desk pages: background jobs (Admins retry failed ones) and scheduled jobs (enable/disable)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from flrts.core.admin_base import PermissionAdmin
from flrts.core.permissions import role_of
from flrts.core.roles import Role
from flrts.jobs.models import Job, JobStatus, ScheduledJob, WorkerHeartbeat


def _is_admin(request: HttpRequest) -> bool:
    return role_of(request.user) is Role.ADMIN


@admin.action(description="Retry selected failed jobs")
def retry_failed(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Job]) -> None:
    from flrts.jobs.queue import requeue

    if not _is_admin(request):
        modeladmin.message_user(request, "Only an Admin can retry jobs.", messages.ERROR)
        return
    retried = sum(
        requeue(job, reset_attempts=True) for job in queryset.filter(status=JobStatus.FAILED)
    )
    skipped = queryset.count() - retried
    modeladmin.message_user(request, f"Queued {retried} job(s) again.", messages.SUCCESS)
    if skipped:
        modeladmin.message_user(request, f"{skipped} not failed; left alone.", messages.WARNING)


@admin.register(Job)
class JobAdmin(PermissionAdmin):
    list_display = ["id", "job_name", "queue", "status", "attempts", "enqueued_at", "duration"]
    list_filter = ["status", "queue"]
    search_fields = ["method", "job_name", "error"]
    actions = [retry_failed]
    fields = [
        "method",
        "job_name",
        "queue",
        "status",
        "args_summary",
        "attempts",
        "max_attempts",
        "enqueued_at",
        "run_after",
        "started_at",
        "finished_at",
        "duration",
        "worker_id",
        "result",
        "error",
        "traceback",
        "error_log",
        "scheduled_job",
    ]
    readonly_fields = list(fields)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not _is_admin(request):
            actions.pop("retry_failed", None)
        return actions


# "change" permission: only roles that may change a scheduled job (Admins) are offered these;
# without it every role that may read the page could switch the backups off.
@admin.action(description="Enable selected", permissions=["change"])
def enable(modeladmin: Any, request: HttpRequest, queryset: QuerySet[ScheduledJob]) -> None:
    modeladmin.message_user(request, f"Enabled {queryset.update(enabled=True)}.", messages.SUCCESS)


@admin.action(description="Disable selected", permissions=["change"])
def disable(modeladmin: Any, request: HttpRequest, queryset: QuerySet[ScheduledJob]) -> None:
    modeladmin.message_user(
        request, f"Disabled {queryset.update(enabled=False)}.", messages.SUCCESS
    )


@admin.register(ScheduledJob)
class ScheduledJobAdmin(PermissionAdmin):
    list_display = ["method", "frequency", "cron", "queue", "enabled", "last_run_at", "next_run_at"]
    list_filter = ["enabled", "frequency", "in_registry"]
    list_editable = ["enabled"]
    search_fields = ["method"]
    actions = [enable, disable]
    fields = [
        "method",
        "frequency",
        "cron",
        "queue",
        "enabled",
        "in_registry",
        "last_run_at",
        "next_run_at",
        "last_slot",
    ]
    readonly_fields = [
        "method",
        "frequency",
        "cron",
        "queue",
        "in_registry",
        "last_run_at",
        "next_run_at",
        "last_slot",
    ]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkerAdmin(PermissionAdmin):
    list_display = ["worker_id", "backend", "queues", "hostname", "pid", "started_at", "last_seen"]
    readonly_fields = list(list_display)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
