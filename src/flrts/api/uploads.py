"""`upload_file` (frappe-js-sdk's uploadFile, Frappe's File upload), for Field Report files.

Frappe attaches any file to any document; FLRTS keeps files on field reports (photos, scans),
stored under the site's private files and served only to people who may read the report. The
answer is Frappe's File document: name, file_name, file_url, is_private, attached_to_doctype,
attached_to_name, file_size, content_type.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from flrts.api import documents, errors
from flrts.api.client import doctype_or_404
from flrts.api.methods import whitelist
from flrts.core.permissions import Action
from flrts.fieldreports.models import Attachment


@whitelist("upload_file", methods=("POST",))
def upload_file(
    user: Any, request: HttpRequest, doctype: Any = None, docname: Any = None
) -> dict[str, Any]:
    upload = request.FILES.get("file")
    if upload is None:
        raise errors.ValidationError("No file attached: send it as the multipart field 'file'")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if upload.size is None or upload.size > limit:
        raise errors.BadRequestError(f"File too large (at most {limit} bytes)", status=413)
    if not doctype or not docname:
        raise errors.ValidationError("Files are attached to a document: send doctype and docname")
    dt = doctype_or_404(doctype)
    if dt.name != "Field Report":
        raise errors.ValidationError(f"Files can be attached to Field Reports, not to {dt.name}")
    with transaction.atomic():
        report = documents.load(dt, user, str(docname), Action.WRITE)
        name = (upload.name or "upload").rsplit("/", 1)[-1][:255]
        attachment = Attachment(
            report=report,
            file_name=name,
            content_type=(upload.content_type or "")[:100],
            uploaded_by=user,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
    return {
        "name": str(attachment.pk),
        "doctype": "File",
        "file_name": attachment.file_name,
        "file_url": f"/private/files/{attachment.file.name}",
        "is_private": 1,
        "attached_to_doctype": dt.name,
        "attached_to_name": report.name,
        "file_size": upload.size,
        "content_type": attachment.content_type,
    }
