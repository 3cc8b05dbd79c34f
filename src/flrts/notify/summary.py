"""The daily summary: a person's open, due-today and overdue tasks and today's reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flrts.core.timezones import local_to_utc
from flrts.notify.texts import due_text, local
from flrts.reminders.models import Reminder
from flrts.tasks.models import CLOSED_STATUSES, Task

LIMIT = 10


def summary_text(user: Any, day: dt.date, now: dt.datetime) -> str:
    start = local_to_utc(day, dt.time(0, 0), user.time_zone)
    end = local_to_utc(day + dt.timedelta(days=1), dt.time(0, 0), user.time_zone)
    mine = Task.objects.filter(assigned_to=user, archived=False).exclude(status__in=CLOSED_STATUSES)
    overdue = list(mine.filter(due_at__lt=now).order_by("due_at")[:LIMIT])
    today = list(mine.filter(due_at__gte=now, due_at__lt=end).order_by("due_at")[:LIMIT])
    open_count = mine.count()
    reminders = list(
        Reminder.objects.filter(
            recipients=user,
            archived=False,
            status__in=["Pending", "Snoozed"],
            next_fire_at__gte=start,
            next_fire_at__lt=end,
        ).order_by("next_fire_at")[:LIMIT]
    )
    lines = [f"☀️ Good morning, {user.first_name_or_full}. Your day ({day:%a %d %b}):"]
    lines.append(f"Open tasks: {open_count} · overdue: {len(overdue)} · due today: {len(today)}")
    if overdue:
        lines.append("\n🚨 Overdue:")
        lines += [f"• {t.subject} ({t.name}), due {due_text(t, user)}" for t in overdue]
    if today:
        lines.append("\n📅 Due today:")
        lines += [f"• {t.subject} ({t.name}), {due_text(t, user)}" for t in today]
    if reminders:
        lines.append("\n🔔 Reminders today:")
        lines += [f"• {local(r.next_fire_at, user)[-5:]} {r.title}" for r in reminders]
    if not (overdue or today or reminders):
        lines.append("Nothing due today.")
    return "\n".join(lines)
