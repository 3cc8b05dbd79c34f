"""What each notification says. Pure functions: easy to read, easy to test."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flrts.core.timezones import zone


def local(at: dt.datetime | None, user: Any) -> str:
    if at is None:
        return "no due date"
    return at.astimezone(zone(user.time_zone)).strftime("%a %d %b %H:%M")


def due_text(task: Any, user: Any) -> str:
    if task.due_at is None:
        return "no due date"
    if task.due_time is None:
        return task.exp_end_date.strftime("%a %d %b")
    return local(task.due_at, user)


def task_assigned(task: Any, user: Any, by: Any) -> str:
    who = f" by {by}" if by is not None else ""
    return (
        f"📋 New task for you{who}: {task.subject} ({task.name})\n"
        f"Due: {due_text(task, user)} · Priority: {task.priority}"
    )


def task_completed(task: Any, by: Any) -> str:
    who = f" by {by}" if by is not None else ""
    return f"✅ Your task {task.subject} ({task.name}) was completed{who}."


def task_due_soon(task: Any, user: Any) -> str:
    return (
        f"📅 Task reminder: {task.subject} ({task.name}) is due {due_text(task, user)}.\n"
        f"Priority: {task.priority}"
    )


def task_overdue(task: Any, user: Any, now: dt.datetime) -> str:
    late = now - task.due_at
    hours = int(late.total_seconds() // 3600)
    span = f"{hours // 24} d {hours % 24} h" if hours >= 24 else f"{max(hours, 0)} h"
    return (
        f"🚨 OVERDUE TASK: {task.subject} ({task.name})\n"
        f"Was due {due_text(task, user)} · Overdue by: {span}\n"
        "⚠️ Please update status or reschedule"
    )


def list_shared(flrts_list: Any, by: Any, permission: str) -> str:
    who = f"{by} shared" if by is not None else "Shared"
    return f"📝 {who} the list {flrts_list.list_name} with you ({permission} access)."


def _by(comment: Any) -> str:
    return str(comment.owner) if comment.owner is not None else "Someone"


def mentioned(document: Any, comment: Any) -> str:
    said = comment.content if len(comment.content) <= 600 else comment.content[:599] + "…"
    return f"💬 {_by(comment)} mentioned you on {document}:\n{said}"


def todo_assigned(document: Any, comment: Any) -> str:
    return f"📌 {_by(comment)} assigned you {document}"


def todo_unassigned(document: Any, comment: Any) -> str:
    return f"{_by(comment)} removed your assignment on {document}"


def reminder(title: str, description: str, user: Any, occurrence: dt.datetime, late: bool) -> str:
    text = f"🔔 Reminder: {title}"
    if description:
        text += f"\n{description}"
    if late:
        text += f"\n(late: this was due {local(occurrence, user)})"
    return text
