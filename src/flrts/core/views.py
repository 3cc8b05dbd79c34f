"""Files (public ones by name, private ones after a login and a permission check), read through
the site's storage (flrts.core.storage: the site folder or a bucket), and the one 403 page of
the desk."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import IO

from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse

from flrts.core.permissions import role_of

logger = logging.getLogger("flrts.files")


def _clean(relative: str) -> str:
    """A stored file's name as the URL gives it; anything that is not one is simply not found."""
    parts = relative.split("/")
    if (
        "\x00" in relative  # a NUL byte is no name: open() would raise
        or "\\" in relative
        or len(relative) > 1024
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise Http404("File not found")
    return relative


def _open(alias: str, relative: str) -> IO[bytes] | File:
    """The stored file, through the storage (site folder or bucket): 404 when there is none,
    503 (StorageUnavailable) when the bucket cannot be reached."""
    name = _clean(relative)
    storage = storages[alias]
    if isinstance(storage, FileSystemStorage):
        root = Path(storage.location).resolve()
        target = (root / name).resolve()  # a symlink out of the folder is not a file of it
        if root not in target.parents or not target.is_file():
            raise Http404("File not found")
        return open(target, "rb")
    try:
        if not storage.exists(name):
            raise Http404("File not found")
        return storage.open(name, "rb")
    except Http404:
        raise
    except Exception as exc:  # botocore's errors: the bucket is down, refused us, ...
        logger.warning("file storage %s unavailable: %s", alias, type(exc).__name__)
        raise StorageUnavailable from exc


class StorageUnavailable(Exception):
    """The file storage did not answer; the caller says 503."""


def _unavailable() -> JsonResponse:
    return JsonResponse(
        {"exc_type": "ServiceUnavailable", "message": "File storage unavailable; try again"},
        status=503,
    )


def public_file(request: HttpRequest, path: str) -> HttpResponseBase:
    try:
        return FileResponse(_open("public", path))
    except StorageUnavailable:
        return _unavailable()


def private_file(request: HttpRequest, path: str) -> HttpResponseBase:
    """Private files are for logged-in people; the owning document decides beyond that."""
    if role_of(request.user) is None:
        return JsonResponse(
            {"exc_type": "PermissionError", "message": "Login required"}, status=403
        )
    from flrts.core.files import may_read_private_file

    name = _clean(path)
    if not may_read_private_file(request.user, name):
        return JsonResponse({"exc_type": "PermissionError", "message": "Not permitted"}, status=403)
    try:
        return FileResponse(_open("default", name), as_attachment=True)
    except StorageUnavailable:
        return _unavailable()


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
