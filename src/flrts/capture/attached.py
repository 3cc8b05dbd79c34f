"""Files that arrive with a capture, before there is a record to hang them on.

A card's files wait as private files attached to ("Capture Proposal", proposal id) and move to
the record when the card is confirmed (`to_record`, inside the confirming transaction). Files
sent with nothing to attach to wait as ("Capture Hold", person id) until the person picks a
record from "Attach to which?" (`flrts.capture.attach_actions`) or discards them; a hold older
than `HOLD_FOR` is not offered any more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from flrts.capture.models import Proposal, ProposalState
from flrts.core.activity import AttachedFile, reference_of
from flrts.core.attachments import (
    UploadRefused,
    check_size,
    clean_name,
    delete,
    reattach,
    sniff_image,
    store_for,
)

PROPOSAL = "Capture Proposal"
HOLD = "Capture Hold"
HOLD_FOR = dt.timedelta(hours=1)


@dataclass
class Incoming:
    """One file as it arrived (a Telegram photo or document, a chat-page upload)."""

    name: str
    content: bytes
    content_type: str = "application/octet-stream"

    @property
    def size(self) -> int:
        return len(self.content)


def check_all(files: list[Incoming]) -> None:
    """Refuse the whole message (UploadRefused) when any file is over the limit or empty."""
    for incoming in files:
        check_size(incoming.size, incoming.name)
        if not incoming.size:
            raise UploadRefused(f"{clean_name(incoming.name)} is empty.")


def store_all(doctype: str, docname: str, files: list[Incoming], user: Any) -> list[AttachedFile]:
    """Store every file or none (a failure removes the ones already written)."""
    check_all(files)
    stored: list[AttachedFile] = []
    try:
        for incoming in files:
            upload = SimpleUploadedFile(incoming.name, incoming.content, incoming.content_type)
            stored.append(store_for(doctype, docname, upload, user))
    except Exception:
        for done in stored:
            with transaction.atomic():
                delete(done)
        raise
    return stored


def of_proposal(proposal_id: int) -> list[AttachedFile]:
    return list(
        AttachedFile.objects.filter(attached_to_doctype=PROPOSAL, attached_to_name=str(proposal_id))
    )


def describe(files: list[AttachedFile] | list[Incoming]) -> str:
    """ "1 photo", "3 photos", "1 photo, 1 file"."""
    photos = sum(1 for f in files if _is_image(f))
    others = len(files) - photos
    parts = []
    if photos:
        parts.append(f"{photos} photo" + ("s" if photos != 1 else ""))
    if others:
        parts.append(f"{others} file" + ("s" if others != 1 else ""))
    return ", ".join(parts)


def _is_image(f: AttachedFile | Incoming) -> bool:
    if isinstance(f, AttachedFile):
        return f.is_image
    return sniff_image(f.content[:16]) is not None


def of_record(record: Any) -> list[AttachedFile]:
    doctype, name = reference_of(record)
    return list(AttachedFile.objects.filter(attached_to_doctype=doctype, attached_to_name=name))


def note(proposal_id: int) -> str:
    """The card's line for its files ("📎 1 photo"), or ""."""
    files = of_proposal(proposal_id)
    return f"📎 {describe(files)}" if files else ""


def to_record(proposal_id: int, record: Any) -> int:
    """Move a confirmed card's files to its record; returns how many."""
    return reattach((PROPOSAL, str(proposal_id)), reference_of(record))


def hold_key(user: Any) -> tuple[str, str]:
    return HOLD, str(user.pk)


def held(user: Any) -> Any:
    return AttachedFile.objects.filter(
        attached_to_doctype=HOLD,
        attached_to_name=str(user.pk),
        creation__gte=timezone.now() - HOLD_FOR,
    )


def drop_held(user: Any) -> int:
    """Delete the person's held files (also the stale ones)."""
    rows = list(
        AttachedFile.objects.filter(attached_to_doctype=HOLD, attached_to_name=str(user.pk))
    )
    with transaction.atomic():
        for row in rows:
            delete(row)
    return len(rows)


def sweep(closed_proposal_ids: list[int] | None = None) -> int:
    """Delete files nobody will attach any more: those of cards that closed without a record
    (cancelled, expired, set aside) and holds older than a day. Runs with `expire_stale`."""
    if closed_proposal_ids is None:
        closed_proposal_ids = list(
            Proposal.objects.filter(
                state__in=[
                    ProposalState.CANCELLED,
                    ProposalState.EXPIRED,
                    ProposalState.SUPERSEDED,
                ],
                pk__in=_proposal_ids_with_files(),
            ).values_list("pk", flat=True)
        )
    rows = list(
        AttachedFile.objects.filter(
            attached_to_doctype=PROPOSAL, attached_to_name__in=[str(i) for i in closed_proposal_ids]
        )
    ) + list(
        AttachedFile.objects.filter(
            attached_to_doctype=HOLD, creation__lt=timezone.now() - dt.timedelta(days=1)
        )
    )
    with transaction.atomic():
        for row in rows:
            delete(row)
    return len(rows)


def _proposal_ids_with_files() -> list[int]:
    names = AttachedFile.objects.filter(attached_to_doctype=PROPOSAL).values_list(
        "attached_to_name", flat=True
    )
    return [int(n) for n in set(names) if n.isdigit()]
