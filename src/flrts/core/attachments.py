"""Files attached to records: the one module that writes, reads and deletes their bytes.

- The size limit is the site's `max_file_size` (bytes, default 10 MiB).
- Files go to the site's private files (Django's default storage) under `attachments/`.
- Whether a file is an image is decided from its first bytes (PNG, JPEG, GIF, WebP), never from
  the name or the browser's claim; only such files are shown inline, everything else downloads.
- A file is readable by whoever may read the record it is attached to.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse

from flrts.core.activity import AttachedFile, reference_of
from flrts.core.doctypes import get_doctype
from flrts.core.permissions import Action, can

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
PREFIX = "attachments/"
_NAME_MAX = 120
_IMAGE_MAGIC: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]


class UploadRefused(Exception):
    """An upload we do not store; the message is safe to show, `status` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def max_file_size() -> int:
    return int(settings.SITE.get_int("max_file_size", DEFAULT_MAX_FILE_SIZE, minimum=1))


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def sniff_image(head: bytes) -> str | None:
    """The image type these bytes start with, or None."""
    for magic, content_type in _IMAGE_MAGIC:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def clean_name(raw: str) -> str:
    """The last path part of a browser-sent name, printable, short, never empty."""
    name = PurePath(raw.replace("\\", "/")).name
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable())
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > _NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: _NAME_MAX - len(ext) - 1] + dot + ext) if dot and len(ext) < 10 else name
        name = name[:_NAME_MAX]
    return name or "file"


def store(document: Any, upload: UploadedFile, user: Any) -> AttachedFile:
    """Check and store `upload` on `document`; the caller checked the user may write it.

    Either both the bytes and the row exist afterwards, or neither does.
    """
    doctype, docname = reference_of(document)
    return store_for(doctype, docname, upload, user)


def check_size(size: int, name: str) -> None:
    """Refuse (UploadRefused, 413) a file over `max_file_size` before any byte is written."""
    limit = max_file_size()
    if size > limit:
        raise UploadRefused(
            f"{clean_name(name)} is {human_size(size)}; the limit is {human_size(limit)}.",
            status=413,
        )


def store_for(doctype: str, docname: str, upload: UploadedFile, user: Any) -> AttachedFile:
    """`store` for a (DocType, name) pair: also a draft that is not a document yet (a capture
    card's files wait under its proposal until the record exists; `reattach` moves them)."""
    size = upload.size or 0
    check_size(size, upload.name or "")
    if size == 0:
        raise UploadRefused("The file is empty.")
    head = upload.read(16)
    upload.seek(0)
    image_type = sniff_image(head)
    name = clean_name(upload.name or "")
    attached = AttachedFile(
        file_name=name,
        file_size=size,
        content_type=image_type or "application/octet-stream",
        is_image=image_type is not None,
        attached_to_doctype=doctype,
        attached_to_name=docname,
        owner=user if getattr(user, "pk", None) else None,
    )
    attached.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            attached.save()
    except Exception:
        attached.file.delete(save=False)
        raise
    return attached


def reattach(old: tuple[str, str], new: tuple[str, str]) -> int:
    """Point the files attached to `old` (DocType, name) at `new`; returns how many moved."""
    return AttachedFile.objects.filter(attached_to_doctype=old[0], attached_to_name=old[1]).update(
        attached_to_doctype=new[0], attached_to_name=new[1]
    )


def delete(attached: AttachedFile) -> None:
    """Remove the row, then the bytes (a leftover file is harmless; a dangling row is not)."""
    storage, path = attached.file.storage, attached.file.name
    attached.delete()
    if path:
        transaction.on_commit(lambda: storage.delete(path))


def attached_document(attached: AttachedFile) -> Any:
    model = get_doctype(attached.attached_to_doctype)
    if model is None:
        return None
    return model._default_manager.filter(name=attached.attached_to_name).first()


def may_read(user: Any, attached: AttachedFile) -> bool:
    document = attached_document(attached)
    return document is not None and can(user, Action.READ, document)


def may_read_path(user: Any, path: str) -> bool:
    """The check for /private/files/attachments/... (flrts.core.files registry)."""
    attached = AttachedFile.objects.filter(file=path).first()
    return attached is not None and may_read(user, attached)


def response(attached: AttachedFile) -> FileResponse:
    """Images inline (for the preview), anything else as a download; never sniffed by the
    browser, and sandboxed so a file can never run script in the desk's origin."""
    handle = attached.file.open("rb")
    result = FileResponse(
        handle,
        as_attachment=not attached.is_image,
        filename=attached.file_name,
        content_type=attached.content_type if attached.is_image else "application/octet-stream",
    )
    result["X-Content-Type-Options"] = "nosniff"
    result["Content-Security-Policy"] = "default-src 'none'; sandbox"
    result["Cache-Control"] = "private, max-age=300"
    return result
