"""Scheduled sweeps over tasks and people: due soon, overdue, daily summaries.

Each is safe to run twice (and from two schedulers): "told once" is the Notification ledger's
unique key, not the sweep's memory.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from flrts.notify import events
from flrts.tasks.models import Status, Task

OPEN = ("Open", "Working", "Pending Review")
SUMMARY_CATCH_UP = dt.timedelta(hours=6)


def send_due_soon(now: dt.datetime | None = None) -> str:
    """Tell assignees about tasks with a due time that fall inside their lead time."""
    now = now or timezone.now()
    users = get_user_model().objects.filter(is_active=True)
    max_lead = users.aggregate(m=Max("reminder_lead_minutes"))["m"] or 0
    candidates = Task.objects.filter(
        status__in=OPEN,
        archived=False,
        due_time__isnull=False,
        assigned_to__isnull=False,
        due_at__gt=now,
        due_at__lte=now + dt.timedelta(minutes=max_lead),
    ).select_related("assigned_to")
    told = 0
    for task in candidates:
        user = task.assigned_to
        if user is None or task.due_at is None:
            continue
        if not user.is_active or not user.reminder_lead_minutes:
            continue
        if task.due_at - dt.timedelta(minutes=user.reminder_lead_minutes) <= now:
            told += events.task_due_soon(task, user).status in ("sent", "deferred")
    return f"{told} due-soon notices"


def sweep_overdue(now: dt.datetime | None = None) -> str:
    """Open tasks past their due instant become Overdue; their assignee is told once."""
    now = now or timezone.now()
    late = Task.objects.filter(status__in=OPEN, archived=False, due_at__lt=now).select_related(
        "assigned_to", "owner"
    )
    moved = 0
    for task in late:
        task.status = Status.OVERDUE
        task.save()
        moved += 1
        events.task_overdue(task, now)
    return f"{moved} tasks overdue"


def send_daily_summaries(now: dt.datetime | None = None) -> str:
    """At each person's chosen local time (caught up within 6 h after downtime), once a day."""
    now = now or timezone.now()
    sent = 0
    people = get_user_model().objects.filter(is_active=True, daily_summary_time__isnull=False)
    for user in people:
        if user.daily_summary_time is None:
            continue
        local = now.astimezone(user.zone)
        at = dt.datetime.combine(local.date(), user.daily_summary_time, tzinfo=user.zone)
        if not (at <= local < at + SUMMARY_CATCH_UP):
            continue
        outcome = send_daily_summary(user, local.date(), now)
        sent += outcome in ("sent", "deferred")
    return f"{sent} summaries"


def send_daily_summary(user: Any, day: dt.date, now: dt.datetime) -> str:
    from flrts.notify.service import Message, notify
    from flrts.notify.summary import summary_text

    text = summary_text(user, day, now)
    message = Message(text, subject=f"FLRTS summary for {day:%a %d %b}")
    return notify(user, "daily_summary", message, once_key=f"daily:{user.pk}:{day}", now=now).status
