"""`{% timeline original %}` on a record's change form: the timeline panel for the reader."""

from __future__ import annotations

from typing import Any

from django import template

from flrts.desk.timeline.entries import build

register = template.Library()


@register.inclusion_tag("desk/timeline/panel.html", takes_context=True)
def timeline(context: Any, document: Any) -> dict[str, Any]:
    request = context["request"]
    return {
        "tl": build(document, request.user),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
