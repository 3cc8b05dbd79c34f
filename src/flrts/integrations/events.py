"""Frappe's document events, from Django's `post_save`/`post_delete` on every Document.

What a save raises, following Frappe (`Document.insert/save/submit/cancel`, `delete_doc`):

| change | events |
|---|---|
| insert (draft) | after_insert, on_update |
| insert already submitted | after_insert, on_update, on_submit |
| save | on_update (+ on_change when a field changed) |
| docstatus 0 → 1 | on_update, on_submit, on_change |
| docstatus 1 → 2 | on_cancel, on_change |
| archived False → True (FLRTS's delete) | on_trash, on_change |
| purge (a real delete) of a live document | on_trash |

Frappe raises no on_change on insert ("value change is not applicable in insert"). A purge of a
document that was already archived raises nothing more: its on_trash was sent when archived.
The previous state comes from `Document._loaded_values` (set by `from_db` and after each save).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.models.signals import post_delete, post_save

from flrts.core.models import DocStatus, Document

logger = logging.getLogger("flrts.integrations")

_IGNORED_FIELDS = frozenset({"modified", "modified_by_id", "idx"})


def events_for_save(instance: Document, created: bool) -> list[str]:
    if created:
        events = ["after_insert", "on_update"]
        if instance.docstatus == DocStatus.SUBMITTED:
            events.append("on_submit")
        return events
    before: dict[str, Any] = getattr(instance, "_loaded_values", None) or {}
    old_status = before.get("docstatus", instance.docstatus)
    was_archived = bool(before.get("archived", instance.archived))
    changed = any(
        key not in _IGNORED_FIELDS and getattr(instance, key, value) != value
        for key, value in before.items()
    )
    if instance.archived and not was_archived:
        return ["on_trash", "on_change"]
    if old_status == DocStatus.SUBMITTED and instance.docstatus == DocStatus.CANCELLED:
        return ["on_cancel", "on_change"]
    if old_status != DocStatus.SUBMITTED and instance.docstatus == DocStatus.SUBMITTED:
        return ["on_update", "on_submit", "on_change"]
    return ["on_update", "on_change"] if changed else ["on_update"]


def document_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
    if raw or not isinstance(instance, Document) or not instance.doctype:
        return
    events = events_for_save(instance, created)
    _dispatch(instance, events, created=created)


def document_deleted(sender: Any, instance: Any, **_: Any) -> None:
    if not isinstance(instance, Document) or not instance.doctype:
        return
    before: dict[str, Any] = getattr(instance, "_loaded_values", None) or {}
    if before.get("archived", instance.archived):
        return
    _dispatch(instance, ["on_trash"], created=False)


def _dispatch(instance: Document, events: list[str], created: bool) -> None:
    from flrts.integrations import webhooks
    from flrts.integrations.erpnext import triggers

    # Integrations must never break the save that triggered them.
    try:
        webhooks.trigger(instance, events)
    except Exception:
        logger.exception("webhook trigger failed for %s %s", instance.doctype, instance.name)
    try:
        triggers.document_changed(instance, events)
    except Exception:
        logger.exception("ERPNext trigger failed for %s %s", instance.doctype, instance.name)


def _webhook_changed(**_: Any) -> None:
    from flrts.integrations import webhooks

    webhooks.invalidate_cache()


def connect() -> None:
    from flrts.integrations.models import Webhook

    # No sender: every model; the handlers keep only Document subclasses with a doctype.
    post_save.connect(document_saved, dispatch_uid="flrts.integrations.document_saved")
    post_delete.connect(document_deleted, dispatch_uid="flrts.integrations.document_deleted")
    post_save.connect(_webhook_changed, sender=Webhook, dispatch_uid="flrts.integrations.wh_s")
    post_delete.connect(_webhook_changed, sender=Webhook, dispatch_uid="flrts.integrations.wh_d")
