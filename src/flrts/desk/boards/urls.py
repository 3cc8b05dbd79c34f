"""The boards' routes, mounted inside the desk (login and the desk's permission check).

They sit under /desk/tasks/task/ beside the task list, and come before the model URLs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path

from flrts.desk.boards import calendar_views, kanban_views


def urls(wrap: Callable[[Any], Any]) -> list[URLPattern]:
    base = "tasks/task/"
    return [
        path(f"{base}kanban/", wrap(kanban_views.board), name="tasks-kanban"),
        path(f"{base}kanban/column", wrap(kanban_views.column), name="tasks-kanban-column"),
        path(f"{base}kanban/move", wrap(kanban_views.move), name="tasks-kanban-move"),
        path(f"{base}calendar/", wrap(calendar_views.page), name="tasks-calendar"),
        path(f"{base}calendar/events", wrap(calendar_views.events), name="tasks-calendar-events"),
        path(
            f"{base}calendar/reschedule",
            wrap(calendar_views.reschedule),
            name="tasks-calendar-reschedule",
        ),
    ]
