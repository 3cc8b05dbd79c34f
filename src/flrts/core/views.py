"""Files (public ones by path, private ones after a login and a permission check) and the one
403 page of the desk."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse

from flrts.core.permissions import role_of


def _safe_path(root: Path, relative: str) -> Path:
    if "\x00" in relative or len(relative) > 1024:  # a NUL byte is no path: open() would raise
        raise Http404("File not found")
    target = (root / relative).resolve()
    if root.resolve() not in target.parents or not target.is_file():
        raise Http404("File not found")
    return target


def public_file(request: HttpRequest, path: str) -> FileResponse:
    return FileResponse(open(_safe_path(settings.SITE.public_files, path), "rb"))


def private_file(request: HttpRequest, path: str) -> HttpResponseBase:
    """Private files are for logged-in people; the owning document decides beyond that."""
    if role_of(request.user) is None:
        return JsonResponse(
            {"exc_type": "PermissionError", "message": "Login required"}, status=403
        )
    from flrts.core.files import may_read_private_file

    target = _safe_path(settings.SITE.private_files, path)
    if not may_read_private_file(request.user, path):
        return JsonResponse({"exc_type": "PermissionError", "message": "Not permitted"}, status=403)
    return FileResponse(open(target, "rb"), as_attachment=True)


def forbidden(request: HttpRequest, message: str = "") -> TemplateResponse:
    """The desk's one 403 page: the desk header and navigation, and what was refused."""
    from django.contrib import admin

    context = {
        **admin.site.each_context(request),
        "title": "Not permitted",
        "message": message or "Your role does not allow this.",
    }
    return TemplateResponse(request, "flrts/403.html", context, status=403)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: the API answers in Frappe's JSON; every other page shows the desk's 403 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"exc_type": "PermissionError", "message": "Not permitted"}, status=403)
    message = str(exception) if exception is not None and str(exception) else ""
    response = forbidden(request, message)
    return response.render()
