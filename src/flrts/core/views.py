"""Files: public ones by path, private ones only after a login and a permission check."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.http.response import HttpResponseBase

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
