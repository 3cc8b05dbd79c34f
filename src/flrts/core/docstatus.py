"""Frappe's docstatus for submittable DocTypes: draft (0), submitted (1), cancelled (2).

The rules live here, in the document layer, so the API, the desk and the bot apply the same ones:
- a draft may be saved freely, submitted (0 -> 1), or inserted already submitted;
- a submitted document keeps its values: changing a field that is not in the DocType's
  `allow_on_submit` is an UpdateAfterSubmitError; it may only be cancelled (1 -> 2);
- a cancelled document is final; `amend` copies it into a new draft named `<name>-1`
  (`<base>-2` for an amendment of an amendment) whose `amended_from` links the cancelled one;
- no other transition exists (0 -> 2, 1 -> 0, 2 -> anything): DocstatusTransitionError.
Non-submittable DocTypes are not checked (the API treats their docstatus as read-only).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


class DocStatus(models.IntegerChoices):
    DRAFT = 0, "Draft"
    SUBMITTED = 1, "Submitted"
    CANCELLED = 2, "Cancelled"


class DocstatusError(ValidationError):
    """A docstatus rule was broken; `frappe_type` is the exception type Frappe raises for it."""

    frappe_type = "ValidationError"

    def __init__(self, message: str) -> None:
        super().__init__(message, code="docstatus")


class UpdateAfterSubmitError(DocstatusError):
    frappe_type = "UpdateAfterSubmitError"


class DocstatusTransitionError(DocstatusError):
    frappe_type = "DocstatusTransitionError"


def parse(value: Any) -> int:
    """A docstatus sent by a client ("1", 1, 1.0, True): 0, 1 or 2, else a ValidationError."""
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else int(value)
    except ValueError:
        raise ValidationError(f"docstatus must be 0, 1 or 2, got {value!r}") from None
    if number not in (DocStatus.DRAFT, DocStatus.SUBMITTED, DocStatus.CANCELLED):
        raise ValidationError(f"docstatus must be 0, 1 or 2, got {value!r}")
    return number


def check_save(doc: Any, before: dict[str, Any] | None, changed: list[str]) -> None:
    """Refuse a save that breaks the docstatus rules.

    `before` is the row as loaded (None for an insert); `changed` the fields whose values differ
    from it. Fields the model derives from docstatus (`docstatus_derived`) are not edits.
    """
    new = int(doc.docstatus)
    if not doc.is_submittable:
        # The API and the desk never change it; code that sets it (tests of the outbound
        # webhooks' on_submit/on_cancel events) is trusted.
        return
    if before is None:
        if new == DocStatus.CANCELLED:
            raise DocstatusTransitionError("Cannot create a document that is already cancelled")
        return
    old = int(before.get("docstatus", 0))
    if old == DocStatus.CANCELLED:
        raise DocstatusTransitionError(
            f"Cannot edit cancelled document {doc.name}; amend it to make a new draft"
        )
    if old == DocStatus.DRAFT and new == DocStatus.CANCELLED:
        raise DocstatusTransitionError("Cannot change docstatus from 0 to 2: submit it first")
    if old == DocStatus.SUBMITTED and new == DocStatus.DRAFT:
        raise DocstatusTransitionError("Cannot change docstatus from 1 to 0: cancel and amend it")
    if old == DocStatus.SUBMITTED:
        # archiving (the user-facing delete) and renaming do not edit the submitted values
        allowed = set(doc.allow_on_submit) | set(doc.docstatus_derived)
        allowed |= {"docstatus", "archived", "name"}
        refused = [name for name in changed if name not in allowed]
        if refused:
            label = str(doc._meta.get_field(refused[0]).verbose_name)
            raise UpdateAfterSubmitError(
                f"Not allowed to change {label[:1].upper()}{label[1:]} ({refused[0]}) "
                "after submission"
            )


def amended_name(doc: Any) -> str:
    """`FR-2026-00007` -> `FR-2026-00007-1`; an amendment `FR-2026-00007-1` -> `FR-2026-00007-2`."""
    if getattr(doc, "amended_from_id", None):
        base, _, number = doc.name.rpartition("-")
        if base and number.isdigit():
            return f"{base}-{int(number) + 1}"
    return f"{doc.name}-1"


def amend(doc: Any) -> Any:
    """A new draft copied from the cancelled `doc` (not saved), with `amended_from` set.

    Copies every editable concrete field; the model's `copy_for_amend(new)` copies the rest
    (child rows, many-to-many links) after the new document is saved.
    """
    if not doc.is_submittable:
        raise DocstatusTransitionError(f"{doc.doctype} is not submittable")
    if int(doc.docstatus) != DocStatus.CANCELLED:
        raise DocstatusTransitionError(f"Only a cancelled document can be amended ({doc.name})")
    name = amended_name(doc)
    if type(doc)._default_manager.filter(name=name).exists():
        raise DocstatusTransitionError(f"{doc.name} has already been amended as {name}")
    new = type(doc)()
    for field in doc._meta.concrete_fields:
        if field.primary_key or not field.editable or field.name in ("docstatus", "archived"):
            continue
        setattr(new, field.attname, getattr(doc, field.attname))
    new.name = name
    new.docstatus = DocStatus.DRAFT
    new.amended_from = doc
    return new


def submit(doc: Any) -> None:
    """Draft -> submitted, saved (the caller checks permission and runs inside acting_as)."""
    if not doc.is_submittable:
        raise DocstatusTransitionError(f"{doc.doctype} is not submittable")
    if int(doc.docstatus) != DocStatus.DRAFT:
        state = "submitted" if int(doc.docstatus) == DocStatus.SUBMITTED else "cancelled"
        raise DocstatusTransitionError(f"{doc.name} is already {state}")
    doc.docstatus = DocStatus.SUBMITTED
    doc.save()


def cancel(doc: Any) -> None:
    """Submitted -> cancelled, saved."""
    if not doc.is_submittable:
        raise DocstatusTransitionError(f"{doc.doctype} is not submittable")
    if int(doc.docstatus) != DocStatus.SUBMITTED:
        raise DocstatusTransitionError(
            f"Cannot cancel {doc.name}: only a submitted document can be cancelled"
        )
    doc.docstatus = DocStatus.CANCELLED
    doc.save()


def make_amendment(doc: Any) -> Any:
    """Save the amendment of the cancelled `doc` (with its child rows) and return it."""
    new = amend(doc)
    new.save()
    copy = getattr(doc, "copy_for_amend", None)
    if copy is not None:
        copy(new)
    return new
