"""/desk/tasks/task/kanban/: the board, a column's next page, and the move a drag makes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from flrts.desk.boards import kanban
from flrts.desk.boards.filters import BoardFilters
from flrts.desk.refused import Refused


def _filters(request: HttpRequest) -> BoardFilters:
    return BoardFilters(request.GET)


@require_GET
def board(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    valid = filters.is_valid()
    context: dict[str, Any] = {
        **admin.site.each_context(request),
        "title": "Tasks: Kanban",
        "is_nav_sidebar_enabled": False,  # the board needs the width
        "filters": filters,
        "error": "" if valid else filters.errors_text(),
        "columns": kanban.board(request.user, filters.tasks(request.user)) if valid else [],
        "query": filters.query_string() if valid else "",
        "view": "kanban",
    }
    return TemplateResponse(
        request, "desk/boards/kanban.html", context, status=200 if valid else 400
    )


@require_GET
def column(request: HttpRequest) -> HttpResponse:
    """The next cards of one column (the column's "more" button, with htmx)."""
    filters = _filters(request)
    status = request.GET.get("status", "")
    offset = request.GET.get("offset", "")
    if not filters.is_valid() or status not in kanban.COLUMNS or not offset.isdigit():
        message = filters.errors_text() or "Give a status and a whole-number offset."
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    query = filters.tasks(request.user)
    start = int(offset)
    cards = kanban.cards(request.user, query, status, start)
    count = query.filter(status=status).count() if len(cards) == kanban.PAGE else 0
    context = {
        "cards": cards,
        "status": status,
        "next_offset": start + len(cards),
        "more": max(count - start - len(cards), 0),
        "query": filters.query_string(),
    }
    return TemplateResponse(request, "desk/boards/kanban_cards.html", context)


@require_POST
def move(request: HttpRequest) -> JsonResponse:
    """Form fields: task (name), from (its status as the board showed it), to, force (0/1)."""
    post = request.POST
    name, expected, to = post.get("task", ""), post.get("from", ""), post.get("to", "")
    if not (name and expected and to):
        return JsonResponse({"error": "Send task, from and to."}, status=400)
    try:
        task = kanban.move(request.user, name, to, expected, force=post.get("force") == "1")
    except Refused as exc:
        return JsonResponse({"error": str(exc), "can_force": exc.can_force}, status=exc.status)
    return JsonResponse(
        {
            "task": task.name,
            "from": expected,
            "to": task.status,
            "message": f"{task.name} → {task.status}",
        }
    )
