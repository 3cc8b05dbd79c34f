"""The timeline's routes, mounted inside the desk (login and the desk's permission check)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path

from flrts.desk.timeline import views


def urls(wrap: Callable[[Any], Any]) -> list[URLPattern]:
    return [
        path("timeline/<str:doctype>/<str:name>/", wrap(views.show), name="timeline"),
        path(
            "timeline/<str:doctype>/<str:name>/<str:action>",
            wrap(views.act),
            name="timeline-action",
        ),
        path("files/<int:pk>/remove", wrap(views.remove_file), name="timeline-file-remove"),
        path("files/<int:pk>/<str:filename>", wrap(views.serve_file), name="timeline-file"),
    ]
