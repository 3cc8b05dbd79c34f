"""Scheduled sweeps over tasks and people: due soon, overdue, daily summaries.

Each is safe to run twice (and from two schedulers): "told once" is the Notification ledger's
unique key, not the sweep's memory. Each runs every scheduler tick, but only when its `when=`
check (a query or two on indexed columns, in the scheduler) finds work, so an idle site writes no
Job rows for them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from flrts.jobs.registry import scheduled
from flrts.notify import events
from flrts.notify.models import Notification
from flrts.tasks.models import Status, Task

OPEN = ("Open", "Working", "Pending Review")
SUMMARY_CATCH_UP = dt.timedelta(hours=6)


def _due_soon_candidates(now: dt.datetime) -> Any:
    users = get_user_model().objects.filter(is_active=True)
    max_lead = users.aggregate(m=Max("reminder_lead_minutes"))["m"] or 0
    return Task.objects.filter(
        status__in=OPEN,
        archived=False,
        due_time__isnull=False,
        assigned_to__isnull=False,
        due_at__gt=now,
        due_at__lte=now + dt.timedelta(minutes=max_lead),
    ).select_related("assigned_to")


def _in_lead(task: Any, now: dt.datetime) -> bool:
    user = task.assigned_to
    if user is None or task.due_at is None:
        return False
    if not user.is_active or not user.reminder_lead_minutes:
        return False
    return bool(task.due_at - dt.timedelta(minutes=user.reminder_lead_minutes) <= now)


def _untold(keys: list[str]) -> bool:
    """Some of these told-once keys are not in the ledger yet."""
    return bool(keys) and Notification.objects.filter(key__in=keys).count() < len(set(keys))


def due_soon_pending(now: dt.datetime | None = None) -> bool:
    """Someone is inside their lead time of a task and was not told yet."""
    now = now or timezone.now()
    keys = [
        events.due_soon_key(task, task.assigned_to)
        for task in _due_soon_candidates(now)
        if _in_lead(task, now)
    ]
    return _untold(keys)


@scheduled("all", when=due_soon_pending)
def send_due_soon(now: dt.datetime | None = None) -> str:
    """Tell assignees about tasks with a due time that fall inside their lead time."""
    now = now or timezone.now()
    told = 0
    for task in _due_soon_candidates(now):
        if _in_lead(task, now):
            told += events.task_due_soon(task, task.assigned_to).status in ("sent", "deferred")
    return f"{told} due-soon notices"


def _late(now: dt.datetime) -> Any:
    return Task.objects.filter(status__in=OPEN, archived=False, due_at__lt=now)


def overdue_pending() -> bool:
    """An open task is past its due instant (index task_board_due)."""
    return _late(timezone.now()).exists()


@scheduled("all", when=overdue_pending)
def sweep_overdue(now: dt.datetime | None = None) -> str:
    """Open tasks past their due instant become Overdue; their assignee is told once."""
    now = now or timezone.now()
    late = _late(now).select_related("assigned_to", "owner")
    moved = 0
    for task in late:
        task.status = Status.OVERDUE
        task.save()
        moved += 1
        events.task_overdue(task, now)
    return f"{moved} tasks overdue"


def _summary_days(now: dt.datetime) -> list[tuple[Any, dt.date]]:
    """(person, their local day) for everyone whose summary time has come (within 6 h)."""
    out = []
    people = get_user_model().objects.filter(is_active=True, daily_summary_time__isnull=False)
    for user in people:
        if user.daily_summary_time is None:
            continue
        local = now.astimezone(user.zone)
        at = dt.datetime.combine(local.date(), user.daily_summary_time, tzinfo=user.zone)
        if at <= local < at + SUMMARY_CATCH_UP:
            out.append((user, local.date()))
    return out


def summary_key(user: Any, day: dt.date) -> str:
    return f"daily:{user.pk}:{day}"


def summaries_pending(now: dt.datetime | None = None) -> bool:
    """Someone's summary time has come today and their summary is not in the ledger."""
    due = _summary_days(now or timezone.now())
    return _untold([summary_key(user, day) for user, day in due])


@scheduled("all", when=summaries_pending)
def send_daily_summaries(now: dt.datetime | None = None) -> str:
    """At each person's chosen local time (caught up within 6 h after downtime), once a day."""
    now = now or timezone.now()
    sent = 0
    for user, day in _summary_days(now):
        outcome = send_daily_summary(user, day, now)
        sent += outcome in ("sent", "deferred")
    return f"{sent} summaries"


def send_daily_summary(user: Any, day: dt.date, now: dt.datetime) -> str:
    from flrts.notify.service import Message, notify
    from flrts.notify.summary import summary_text

    text = summary_text(user, day, now)
    message = Message(text, subject=f"FLRTS summary for {day:%a %d %b}")
    return notify(user, "daily_summary", message, once_key=summary_key(user, day), now=now).status
