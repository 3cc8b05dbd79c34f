from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html

from flrts.core.admin_base import DocumentAdmin, report_bulk
from flrts.core.display import pill, when
from flrts.core.permissions import Action, can
from flrts.people.models import User
from flrts.tasks.models import CLOSED_STATUSES, Status, Task


class DueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("overdue", "Overdue"),
            ("today", "Due today"),
            ("week", "Due in 7 days"),
            ("none", "No due date"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        open_tasks = queryset.exclude(status__in=CLOSED_STATUSES)
        value = self.value()
        if value == "overdue":
            return open_tasks.filter(due_at__lt=now)
        if value == "today":
            today = timezone.localdate()
            return open_tasks.filter(exp_end_date=today)
        if value == "week":
            return open_tasks.filter(due_at__gte=now, due_at__lt=now + dt.timedelta(days=7))
        if value == "none":
            return queryset.filter(exp_end_date__isnull=True)
        return queryset


class ReassignForm(ActionForm):
    assignee = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True), required=False, label="Reassign to"
    )


class SubTaskInline(admin.TabularInline):
    model = Task
    fk_name = "parent_task"
    fields = ["subject", "status", "priority", "assigned_to", "exp_end_date"]
    extra = 1
    show_change_link = True
    verbose_name = "sub-task"
    verbose_name_plural = "sub-tasks"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.action(description="Mark complete", permissions=["change"])
def mark_complete(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Task]) -> None:
    completed, refused = 0, []
    for task in queryset.exclude(status=Status.COMPLETED):
        if not can(request.user, Action.WRITE, task):
            refused.append(f"{task.name}: not permitted")
            continue
        try:
            task.complete(by=request.user)
            completed += 1
        except ValidationError as exc:
            refused.append("; ".join(exc.messages))
    report_bulk(modeladmin, request, completed, f"Completed {completed}.", refused)


@admin.action(description="Reassign to the person chosen below", permissions=["change"])
def reassign(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Task]) -> None:
    # Only our own field: the ActionForm's `action` choices are filled in by the changelist.
    try:
        person = ReassignForm.base_fields["assignee"].clean(request.POST.get("assignee"))
    except ValidationError:
        person = None
    if person is None:
        modeladmin.message_user(request, "Choose who to reassign to.", messages.ERROR)
        return
    moved, refused = 0, []
    for task in queryset:
        if can(request.user, Action.WRITE, task):
            task.assigned_to = person
            task.save()
            moved += 1
        else:
            refused.append(f"{task.name}: not permitted")
    report_bulk(modeladmin, request, moved, f"Reassigned {moved} to {person}.", refused)


@admin.register(Task)
class TaskAdmin(DocumentAdmin):
    action_form = ReassignForm
    actions = [*DocumentAdmin.actions, mark_complete, reassign]
    list_display = [
        "name",
        "subject",
        "status_pill",
        "priority_pill",
        "assigned_to",
        "site",
        "due_local",
    ]
    list_display_links = ["name", "subject"]
    list_filter = ["status", "priority", "site", "assigned_to", DueFilter, "source"]
    list_select_related = ["assigned_to", "site"]
    search_fields = ["name", "subject", "description"]
    autocomplete_fields = ["parent_task"]
    inlines = [SubTaskInline]
    count_fields = ["status", "priority", "site", "assigned_to", "owner"]  # sidebar counts
    mine_filters = [
        ("assigned", "Assigned to me", "assigned_to"),
        ("created", "Created by me", "owner"),
    ]
    field_help = {
        "time_zone": "The zone the start and due below are in (IANA, e.g. America/Chicago). "
        "Lists show the due in each reader's own zone.",
        "exp_start_date": "Start date, in the task's zone.",
        "start_time": "Start time, in the task's zone; empty for the start of the day.",
        "exp_end_date": "Due date, in the task's zone.",
        "due_time": "Due time, in the task's zone; empty means the end of the due date.",
        "completed_on": "When it was completed, in your zone: {zone}.",
        "parent_task": "The task this is a sub-task of.",
        "is_group": "Has sub-tasks (set by itself when a sub-task is added).",
    }
    fieldsets = [
        (None, {"fields": ["name_display", "subject", "description", "status", "priority"]}),
        ("Who and where", {"fields": ["assigned_to", "site", "contractor", "flrts_list"]}),
        (
            "When",
            {"fields": ["time_zone", "exp_start_date", "start_time", "exp_end_date", "due_time"]},
        ),
        ("Structure", {"fields": ["parent_task", "is_group"]}),
        ("Completion", {"fields": ["completed_by", "completed_on"]}),
        (
            "Capture",
            {
                "classes": ["collapse"],
                "fields": [
                    "source",
                    "telegram_chat_id",
                    "telegram_message_id",
                    "parse_confidence",
                    "parse_rationale",
                    "flagged_for_review",
                    "standard_fields",
                ],
            },
        ),
    ]

    @admin.display(description="Status", ordering="status")
    def status_pill(self, task: Task) -> str:
        return pill(task.status)

    @admin.display(description="Priority", ordering="priority")
    def priority_pill(self, task: Task) -> str:
        return pill(task.priority)

    @admin.display(description="Due", ordering="due_at")
    def due_local(self, task: Task) -> str:
        """The due in the reader's zone (a date-only due is that day); overdue ones in red."""
        if task.exp_end_date is None:
            return "-"
        shown = when(task.due_at) if task.due_time is not None and task.due_at else None
        shown = shown or when(task.exp_end_date)
        if task.is_open and task.due_at and task.due_at < timezone.now():
            return format_html("{} {}", shown, pill("Overdue"))
        return shown
