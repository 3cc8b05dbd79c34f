"""What people do on a record besides editing it: comments, assignments and attached files.

Frappe keeps these as their own DocTypes pointing at any document by (DocType, name): Comment
(`reference_doctype`, `reference_name`), ToDo (`reference_type`, `reference_name`,
`allocated_to`) and File (`attached_to_doctype`, `attached_to_name`). We keep Frappe's field
names so the form timeline reads like Frappe's: Version rows (changes) plus Comment rows (said,
assigned, attached). Permissions come from the record they point at (flrts.core.permissions).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from flrts.core.models import PermKind


class CommentType(models.TextChoices):
    """Frappe's comment types that the desk writes."""

    COMMENT = "Comment"  # said by a person; may mention people
    ASSIGNED = "Assigned"
    UNASSIGNED = "Info"  # Frappe notes a removed assignment as an Info comment
    ATTACHMENT_REMOVED = "Attachment Removed"


class Comment(models.Model):
    """One line on a record's timeline that is not a field change."""

    doctype: ClassVar[str] = "Comment"
    # Writing a comment is a "create" in the role matrix: Viewers read, they do not write.
    perm_kind: ClassVar[str] = PermKind.RECORD

    comment_type = models.CharField(
        max_length=30, choices=CommentType.choices, default=CommentType.COMMENT
    )
    reference_doctype = models.CharField(max_length=140)
    reference_name = models.CharField(max_length=140)
    content = models.TextField()
    mentions = models.JSONField(
        default=list, blank=True, help_text="Ids of the people mentioned (and so notified)"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    creation = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-creation", "-id"]
        indexes = [models.Index(fields=["reference_doctype", "reference_name"])]

    def __str__(self) -> str:
        return f"{self.comment_type} on {self.reference_doctype} {self.reference_name}"


class ToDoStatus(models.TextChoices):
    OPEN = "Open"
    CLOSED = "Closed"
    CANCELLED = "Cancelled"  # unassigned


class ToDo(models.Model):
    """An assignment: `allocated_to` should act on the record. One row per person and record;
    unassigning cancels it and assigning again reopens it."""

    doctype: ClassVar[str] = "ToDo"
    perm_kind: ClassVar[str] = PermKind.RECORD

    status = models.CharField(max_length=10, choices=ToDoStatus.choices, default=ToDoStatus.OPEN)
    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="todos"
    )
    reference_type = models.CharField(max_length=140)
    reference_name = models.CharField(max_length=140)
    description = models.TextField(blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    creation = models.DateTimeField(default=timezone.now)
    modified = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-modified", "-id"]
        verbose_name = "ToDo"
        constraints = [
            models.UniqueConstraint(
                fields=["reference_type", "reference_name", "allocated_to"],
                name="one_todo_per_person_and_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference_type} {self.reference_name} → {self.allocated_to_id}"


class AttachedFile(models.Model):
    """Frappe's File: a private file attached to a record, served only to its readers."""

    doctype: ClassVar[str] = "File"
    perm_kind: ClassVar[str] = PermKind.RECORD

    file = models.FileField(upload_to="attachments/%Y/%m/", max_length=255)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    is_image = models.BooleanField(default=False, help_text="Sniffed from the bytes, not trusted")
    attached_to_doctype = models.CharField(max_length=140)
    attached_to_name = models.CharField(max_length=140)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    creation = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-creation", "-id"]
        verbose_name = "file"
        indexes = [models.Index(fields=["attached_to_doctype", "attached_to_name"])]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_private(self) -> bool:
        return True  # every attachment lives under the site's private files


def reference_of(document: Any) -> tuple[str, str]:
    """The (DocType, name) pair these rows use to point at a document."""
    return type(document).doctype, str(document.name)
