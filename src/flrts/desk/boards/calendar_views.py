"""/desk/tasks/task/calendar/: the page, its events for a range, and the reschedule a drop makes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from flrts.desk.boards import calendar
from flrts.desk.boards.filters import BoardFilters
from flrts.desk.refused import Refused
from flrts.desk.timefmt import reader_zone


@require_GET
def page(request: HttpRequest) -> HttpResponse:
    filters = BoardFilters(request.GET)
    valid = filters.is_valid()
    tz = reader_zone()
    context: dict[str, Any] = {
        **admin.site.each_context(request),
        "title": "Tasks: Calendar",
        "is_nav_sidebar_enabled": False,  # the board needs the width
        "filters": filters,
        "error": "" if valid else filters.errors_text(),
        "query": filters.query_string() if valid else "",
        "view": "calendar",
        "zone_name": str(getattr(tz, "key", tz)),
        "initial_view": "timeGridWeek" if request.GET.get("view") == "week" else "dayGridMonth",
        "initial_date": request.GET.get("date", "")[:10],
    }
    return TemplateResponse(
        request, "desk/boards/calendar.html", context, status=200 if valid else 400
    )


@require_GET
def events(request: HttpRequest) -> JsonResponse:
    """The events of [start, end) as EventCalendar's event source asks for them."""
    filters = BoardFilters(request.GET)
    if not filters.is_valid():
        return JsonResponse({"error": filters.errors_text()}, status=400)
    try:
        span = calendar.parse_span(request.GET.get("start", ""), request.GET.get("end", ""))
    except Refused as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    data = filters.cleaned_data
    found = calendar.task_events(request.user, filters.tasks(request.user), span)
    if not data.get("priority"):  # reminders have no priority: a priority filter hides them
        found += calendar.reminder_events(
            request.user, span, assignee=data.get("assignee"), site=data.get("site")
        )
    return JsonResponse(found, safe=False)


@require_POST
def reschedule(request: HttpRequest) -> JsonResponse:
    """Form fields: kind (task|reminder), name, start and was (the reader's wall-clock times,
    after and before the drop), all_day (0/1)."""
    post = request.POST
    kind, name = post.get("kind", ""), post.get("name", "")
    start, was = post.get("start", ""), post.get("was", "")
    if kind not in ("task", "reminder") or not (name and start and was):
        return JsonResponse(
            {"error": "Send kind (task or reminder), name, start and was."}, status=400
        )
    tz = reader_zone()
    try:
        if kind == "task":
            task = calendar.reschedule_task(
                request.user, name, start, was, all_day=post.get("all_day") == "1"
            )
            return JsonResponse({"event": calendar.task_event(request.user, task, tz)})
        reminder = calendar.reschedule_reminder(request.user, name, start, was)
    except Refused as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    assert reminder.next_fire_at is not None
    return JsonResponse({"name": reminder.name, "start": calendar.wall(reminder.next_fire_at, tz)})
