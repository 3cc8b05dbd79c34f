from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from flrts.core.context import acting_user
from flrts.core.models import Document
from flrts.core.timezones import end_of_day_utc, local_to_utc, validate_timezone, zone


class Status(models.TextChoices):
    OPEN = "Open"
    WORKING = "Working"
    PENDING_REVIEW = "Pending Review"
    OVERDUE = "Overdue"
    COMPLETED = "Completed"
    CANCELLED = "Cancelled"


CLOSED_STATUSES = (Status.COMPLETED, Status.CANCELLED)


class Priority(models.TextChoices):
    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"
    URGENT = "Urgent"


class Source(models.TextChoices):
    TELEGRAM = "telegram"
    WEB = "web"
    API = "api"


class OpenSubtasks(ValidationError):
    """A parent cannot complete while a sub-task is open (unless forced)."""


class Task(Document):
    doctype = "Task"
    naming_series = "TASK-.YYYY.-.#####"
    title_field = "subject"
    # The field that holds the task's one assignee; the form timeline keeps it and the ToDo
    # rows in step (flrts.tasks.assignments).
    assignee_field = "assigned_to"

    subject = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tasks",
    )
    site = models.ForeignKey(
        "org.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    contractor = models.ForeignKey(
        "org.Contractor", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    # Start and due: the local date (and optional time) as given, the zone they were given in,
    # and the derived UTC instant used for sorting, reminders and the overdue sweep.
    time_zone = models.CharField(
        max_length=64, default="America/Chicago", validators=[validate_timezone]
    )
    exp_start_date = models.DateField("start date", null=True, blank=True)
    start_time = models.TimeField(null=True, blank=True)
    start_at = models.DateTimeField(null=True, blank=True, editable=False)
    exp_end_date = models.DateField("due date", null=True, blank=True)
    due_time = models.TimeField(null=True, blank=True)
    due_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Due instant (UTC); end of day if no time"
    )
    parent_task = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="subtasks"
    )
    is_group = models.BooleanField(default=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_on = models.DateTimeField(null=True, blank=True)
    flrts_list = models.ForeignKey(
        "lists.FlrtsList",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        verbose_name="list",
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    telegram_chat_id = models.BigIntegerField(null=True, blank=True)
    telegram_message_id = models.BigIntegerField(null=True, blank=True)
    parse_confidence = models.FloatField(null=True, blank=True)
    parse_rationale = models.TextField(blank=True)
    flagged_for_review = models.BooleanField(default=False)

    class Meta:
        ordering = ["-modified"]
        indexes = [
            models.Index(fields=["status", "site", "due_at"], name="task_status_site_due"),
            models.Index(fields=["assigned_to", "status"], name="task_assignee_status"),
            models.Index(fields=["due_at"], name="task_due_at"),
            # The default list (live tasks, newest change first): read in index order, LIMIT
            # rows and stop, instead of MariaDB's filesort of every live row.
            models.Index(fields=["archived", "modified"], name="task_live_modified"),
            # The desk's Kanban: a column's first cards (open work by due date, closed work
            # newest first) and the counts per status, without sorting 100,000 rows.
            models.Index(fields=["status", "archived", "due_at"], name="task_board_due"),
            models.Index(fields=["status", "archived", "modified"], name="task_board_modified"),
            # The desk's lists and counts of live tasks. Each starts with `archived`, so the
            # equality every desk list has is a seek whatever else it filters on, and a count per
            # value (GROUP BY) reads one index in order without the table, with or without
            # the planner's statistics.
            # A site's live tasks (the Kanban's counts per status, the list filtered by site and
            # status), newest first in index order.
            models.Index(
                fields=["archived", "site", "status", "modified"], name="task_live_site_status"
            ),
            # "Assigned to me" / "Created by me", newest first; the counts per person.
            models.Index(
                fields=["archived", "assigned_to", "modified"], name="task_live_assignee_modified"
            ),
            models.Index(fields=["archived", "owner", "modified"], name="task_live_owner_modified"),
            # The list sorted by subject (the tie-break on id follows the sort's direction, see
            # flrts.core.admin_base.DeskChangeList); a `like` on subject reads this index, not
            # the table.
            models.Index(fields=["archived", "subject"], name="task_live_subject"),
            # The calendar's events for a range: live tasks by local due date, then due instant
            # (the counts per date and each date's first tasks in order), status in the index.
            models.Index(
                fields=["archived", "exp_end_date", "due_at", "status"], name="task_live_due_day"
            ),
            # The counts per priority, and a filter on priority (and site), newest first.
            models.Index(
                fields=["archived", "priority", "site", "modified"], name="task_live_priority_site"
            ),
        ]

    _force_complete = False

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def due_has_time(self) -> bool:
        return self.due_time is not None

    def set_due(self, value: dt.date | dt.datetime | None, tz_name: str | None = None) -> None:
        """Set the due from a date (date-only) or an aware datetime, keeping the local zone."""
        if tz_name:
            self.time_zone = tz_name
        if value is None:
            self.exp_end_date, self.due_time = None, None
        elif isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise ValidationError({"exp_end_date": "A due time needs a time zone."})

            local = value.astimezone(zone(self.time_zone))
            self.exp_end_date, self.due_time = local.date(), local.time().replace(microsecond=0)
        else:
            self.exp_end_date, self.due_time = value, None
        self._derive_instants()

    def _derive_instants(self) -> None:
        validate_timezone(self.time_zone)
        if self.exp_end_date is None:
            self.due_at = None
        elif self.due_time is None:
            self.due_at = end_of_day_utc(self.exp_end_date, self.time_zone)
        else:
            self.due_at = local_to_utc(self.exp_end_date, self.due_time, self.time_zone)
        if self.exp_start_date is None:
            self.start_at = None
        else:
            self.start_at = local_to_utc(
                self.exp_start_date, self.start_time or dt.time(0, 0), self.time_zone
            )

    def validate(self) -> None:
        self.subject = (self.subject or "").strip()
        if not self.subject:
            raise ValidationError({"subject": "A task needs a subject."})
        if self.due_time is not None and self.exp_end_date is None:
            raise ValidationError({"due_time": "A due time needs a due date."})
        self._derive_instants()
        self._check_parent()
        if self.status == Status.COMPLETED:
            self._check_completion()
        elif self.completed_on is not None and self.status != Status.COMPLETED:
            self.completed_on = None
            self.completed_by = None

    def _check_parent(self) -> None:
        parent = self.parent_task
        seen = {self.pk} if self.pk else set()
        while parent is not None:
            if parent.pk in seen:
                raise ValidationError({"parent_task": "A task cannot be its own ancestor."})
            seen.add(parent.pk)
            parent = parent.parent_task

    def _check_completion(self) -> None:
        if self.pk:
            open_children = list(
                self.subtasks.exclude(status__in=CLOSED_STATUSES)
                .filter(archived=False)
                .values_list("name", flat=True)[:5]
            )
            if open_children and not self._force_complete:
                raise OpenSubtasks(
                    f"{self.name} cannot be completed while sub-tasks are open: "
                    + ", ".join(open_children)
                )
        if self.completed_on is None:
            self.completed_on = timezone.now()
        if self.completed_by_id is None:
            user = acting_user()
            if user is not None and user.pk:
                self.completed_by = user

    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)
            if self.parent_task_id:
                Task.objects.filter(pk=self.parent_task_id, is_group=False).update(is_group=True)

    def complete(self, by: Any = None, force: bool = False) -> list[Task]:
        """Complete this task; with force, first complete its open sub-tasks at any depth.

        Returns every task it completed (sub-tasks first).
        """
        done: list[Task] = []
        with transaction.atomic():
            if force:
                for child in self.subtasks.exclude(status__in=CLOSED_STATUSES).filter(
                    archived=False
                ):
                    done += child.complete(by=by, force=True)
            self.status = Status.COMPLETED
            if by is not None:
                self.completed_by = by
            self.completed_on = timezone.now()
            self._force_complete = force
            try:
                self.save()
            finally:
                self._force_complete = False
        return [*done, self]

    def perm_is_editor(self, user: Any) -> bool:
        return bool(user and (self.owner_id == user.pk or self.assigned_to_id == user.pk))
