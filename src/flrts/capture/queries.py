"""Answers to questions ("what's overdue at Viper?") and the task lists behind /mytasks, /today,
/overdue and /lists. Always through `readable`, so a person sees only what the role allows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from flrts.capture.cards import PRIORITY_ICONS, format_when
from flrts.capture.replies import Button, Reply
from flrts.core.permissions import Action, can, readable
from flrts.core.timezones import end_of_day_utc
from flrts.lists.models import FlrtsList
from flrts.nlp.types import QueryFilters
from flrts.people.models import User, normalize_email
from flrts.tasks.models import CLOSED_STATUSES, Task

LIMIT = 15


def open_tasks(user: User) -> QuerySet[Task]:
    return (
        readable(user, Task.objects.filter(archived=False))
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("assigned_to", "site")
    )


def task_line(task: Task, reader: User) -> str:
    due = ""
    if task.exp_end_date:
        value = task.due_at if task.due_time else task.exp_end_date
        due = f" · due {format_when(value, reader.zone)}"
        if task.due_at and task.due_at < timezone.now():
            due += " ⏰"
    who = f" · {task.assigned_to}" if task.assigned_to else ""
    where = f" · {task.site}" if task.site else ""
    return f"{PRIORITY_ICONS.get(task.priority, '')} {task.name}: {task.subject}{who}{where}{due}"


def task_buttons(task: Task, reader: User) -> list[list[Button]]:
    """The task card buttons: Mark complete / Reassign / Snooze, for a reader who may change the
    task (a Viewer, or a Worker on someone else's task, gets none: they would be refused)."""
    if not can(reader, Action.WRITE, task):
        return []
    return [
        [
            Button("✅ Mark complete", f"task:done:{task.name}"),
            Button("➡️ Reassign", f"task:reassign:{task.name}"),
            Button("💤 Snooze", f"task:snooze:{task.name}"),
        ]
    ]


BUTTON_TASKS = 8  # tasks of a list answer that get a row of buttons


def task_row(task: Task, reader: User) -> list[Button]:
    """One task's row of buttons in a list answer, named by the task's number."""
    if not can(reader, Action.WRITE, task):
        return []
    number = task.name.rsplit("-", 1)[-1]
    return [
        Button(f"✅ Done {number}", f"task:done:{task.name}"),
        Button(f"💤 Snooze {number}", f"task:snooze:{task.name}"),
        Button(f"➡️ Reassign {number}", f"task:reassign:{task.name}"),
    ]


def task_list_replies(title: str, tasks: QuerySet[Task], reader: User) -> list[Reply]:
    """The answer to a list command or a question: one message, the tasks as lines, and a row
    of buttons for each of the first tasks the reader may change."""
    rows = list(tasks.order_by("due_at", "-priority", "name")[: LIMIT + 1])
    if not rows:
        return [Reply(f"{title}\n\nNothing here. 🎉")]
    more = len(rows) > LIMIT
    rows = rows[:LIMIT]
    lines = [title, ""] + [task_line(t, reader) for t in rows]
    if more:
        lines.append("… and more; see the desk for the full list.")
    buttons = [row for row in (task_row(t, reader) for t in rows[:BUTTON_TASKS]) if row]
    return [Reply("\n".join(lines), buttons, kind="tasks")]


def my_tasks(user: User) -> list[Reply]:
    return task_list_replies("📋 Your open tasks", open_tasks(user).filter(assigned_to=user), user)


def today(user: User) -> list[Reply]:
    today_local = timezone.now().astimezone(user.zone).date()
    end = end_of_day_utc(today_local, user.time_zone)
    tasks = open_tasks(user).filter(Q(assigned_to=user) | Q(owner=user)).filter(due_at__lte=end)
    return task_list_replies("📅 Due today (and overdue)", tasks, user)


def overdue(user: User) -> list[Reply]:
    tasks = open_tasks(user).filter(due_at__lt=timezone.now())
    return task_list_replies("⏰ Overdue", tasks, user)


def lists(user: User) -> list[Reply]:
    rows = (
        readable(user, FlrtsList.objects.filter(archived=False))
        .annotate(
            open_items=Count("items", filter=Q(items__is_completed=False)),
            all_items=Count("items"),
        )
        .order_by("list_name")[:30]
    )
    if not rows:
        return [Reply("🗒 You have no lists yet. Try /newlist or “create a Shopping list”.")]
    lines = ["🗒 Your lists", ""]
    for row in rows:
        lines.append(
            f"• {row.list_name} ({row.list_type}) — {row.open_items} open of {row.all_items}"
        )
    return [Reply("\n".join(lines))]


def answer_query(user: User, filters: QueryFilters | None, site: str | None = None) -> list[Reply]:
    """Answer a parsed question about tasks directly, no confirmation needed."""
    filters = filters or QueryFilters()
    tasks = open_tasks(user)
    parts: list[str] = []
    status = (filters.status or "open").lower()
    now = timezone.now()
    if status == "completed":
        tasks = readable(user, Task.objects.filter(archived=False, status="Completed"))
        parts.append("completed")
    elif status == "overdue":
        tasks = tasks.filter(due_at__lt=now)
        parts.append("overdue")
    elif status == "due_today":
        local = now.astimezone(user.zone).date()
        tasks = tasks.filter(due_at__lte=end_of_day_utc(local, user.time_zone))
        parts.append("due today")
    else:
        parts.append("open")
    site_name = filters.site or site
    if site_name:
        tasks = tasks.filter(Q(site__site_name__iexact=site_name) | Q(site__site_code=site_name))
        parts.append(f"at {site_name}")
    if filters.assignee:
        person = User.objects.filter(email=normalize_email(filters.assignee)).first()
        tasks = tasks.filter(assigned_to=person)
        parts.append(f"for {person or filters.assignee}")
    if filters.due_before:
        tasks = tasks.filter(exp_end_date__lte=filters.due_before)
        parts.append(f"due by {filters.due_before:%d %b}")
    if filters.due_after:
        tasks = tasks.filter(exp_end_date__gte=filters.due_after)
        parts.append(f"due from {filters.due_after:%d %b}")
    title = "🔎 Tasks " + " ".join(parts)
    return task_list_replies(title, tasks, user)


def snooze_target(task: Task, user: User, hours: int = 24) -> dt.datetime:
    base = max(task.due_at or timezone.now(), timezone.now())
    return base + dt.timedelta(hours=hours)


def as_dicts(replies: list[Reply]) -> list[dict[str, Any]]:
    return [r.as_dict() for r in replies]
