"""What a reader can do on a record's timeline: comment (with @mentions), assign and unassign
people, attach and remove files. Each checks the role matrix, writes Comment/ToDo/File rows,
and leaves the telling to flrts.notify (a Comment row lists the people it tells in `mentions`;
the notify app queues the message when the row commits)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from flrts.core import attachments
from flrts.core.activity import AttachedFile, Comment, CommentType, ToDo, ToDoStatus
from flrts.core.doctypes import get_doctype
from flrts.core.permissions import Action, can
from flrts.desk.refused import Refused, require_write
from flrts.desk.timeline.entries import TIMELINE_DOCTYPES, assignees, refs
from flrts.people.mentions import find_mentions

MAX_COMMENT = 5000


@dataclass(frozen=True)
class Said:
    comment: Comment
    not_told: list[Any]  # mentioned people who may not read the record: not notified


def find_document(doctype: str, name: str, user: Any) -> Any:
    model = get_doctype(doctype)
    if model is None or model.doctype not in TIMELINE_DOCTYPES:
        raise Refused(f"No timeline for {doctype!r}.", status=404)
    document = model._default_manager.filter(name=name).first()
    if document is None:
        raise Refused(f"{model.doctype} {name} not found.", status=404)
    if not can(user, Action.READ, document):
        raise Refused(f"Not permitted: read {model.doctype} {name}", status=403)
    return document


def add_comment(document: Any, user: Any, content: str) -> Said:
    text = content.strip()
    if not text:
        raise Refused("Write something first.")
    if len(text) > MAX_COMMENT:
        raise Refused(f"A comment is at most {MAX_COMMENT} characters.")
    if not can(user, Action.CREATE, Comment):
        raise Refused("Not permitted: comment", status=403)
    mentioned = [p for p in find_mentions(text) if p.pk != user.pk]
    told = [p for p in mentioned if can(p, Action.READ, document)]
    comment = Comment.objects.create(
        **refs(document), content=text, mentions=[p.pk for p in told], owner=user
    )
    return Said(comment, [p for p in mentioned if p not in told])


def assign(document: Any, user: Any, person: Any) -> None:
    require_write(user, document)
    if not person.is_active:
        raise Refused(f"{person} is disabled.")
    if not can(person, Action.READ, document):
        raise Refused(f"{person} cannot see this record; share it with them first.")
    if any(p.pk == person.pk for p in assignees(document)):
        raise Refused(f"{person} is already assigned.", status=409)
    doctype, name = type(document).doctype, document.name
    with transaction.atomic():
        todo, _ = ToDo.objects.get_or_create(
            reference_type=doctype,
            reference_name=name,
            allocated_to=person,
            defaults={"description": str(document)[:500], "assigned_by": user},
        )
        ToDo.objects.filter(pk=todo.pk).update(
            status=ToDoStatus.OPEN, assigned_by=user, modified=timezone.now()
        )
        field = getattr(type(document), "assignee_field", "")
        told_by_record = False
        if field and getattr(document, f"{field}_id") is None:
            # The record's own assignee field tells them (e.g. "📋 New task for you").
            setattr(document, field, person)
            document.save()
            told_by_record = True
        Comment.objects.create(
            **refs(document),
            comment_type=CommentType.ASSIGNED,
            content=f"assigned {person}",
            mentions=[] if told_by_record or person.pk == user.pk else [person.pk],
            owner=user,
        )


def unassign(document: Any, user: Any, person: Any) -> None:
    require_write(user, document)
    if all(p.pk != person.pk for p in assignees(document)):
        raise Refused(f"{person} is not assigned.", status=409)
    doctype, name = type(document).doctype, document.name
    with transaction.atomic():
        ToDo.objects.filter(
            reference_type=doctype, reference_name=name, allocated_to=person
        ).update(status=ToDoStatus.CANCELLED, modified=timezone.now())
        field = getattr(type(document), "assignee_field", "")
        if field and getattr(document, f"{field}_id") == person.pk:
            others = [p for p in assignees(document) if p.pk != person.pk]
            setattr(document, field, others[0] if others else None)
            document.save()
        Comment.objects.create(
            **refs(document),
            comment_type=CommentType.UNASSIGNED,
            content=f"removed the assignment of {person}",
            mentions=[] if person.pk == user.pk else [person.pk],
            owner=user,
        )


def attach(document: Any, user: Any, upload: UploadedFile | None) -> AttachedFile:
    require_write(user, document)
    if upload is None:
        raise Refused("Choose a file first.")
    try:
        return attachments.store(document, upload, user)
    except attachments.UploadRefused as exc:
        raise Refused(str(exc), status=exc.status) from None


def remove_file(document: Any, user: Any, attached: AttachedFile) -> None:
    require_write(user, document)
    with transaction.atomic():
        Comment.objects.create(
            **refs(document),
            comment_type=CommentType.ATTACHMENT_REMOVED,
            content=f"removed {attached.file_name}",
            owner=user,
        )
        attachments.delete(attached)
