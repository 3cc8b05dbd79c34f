"""One way for a desk action to say no: a message safe to show and the HTTP status it means.

The Kanban, the calendar and the timeline all check records the same way before they change
them: lock the row, 404 if the reader may not even read it, 403 if they may not write it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model

from flrts.core.permissions import Action, can

M = TypeVar("M", bound=Model)


class Refused(Exception):
    def __init__(self, message: str, status: int = 400, can_force: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.can_force = can_force  # the Kanban may offer "complete with its sub-tasks"


def locked(model: type[M], name: str, user: Any) -> M:
    """The live record `name`, locked for this transaction, if `user` may read it."""
    label = getattr(model, "doctype", model.__name__)
    row = model._default_manager.select_for_update().filter(name=name, archived=False).first()
    if row is None or not can(user, Action.READ, row):
        raise Refused(f"{label} {name} not found.", status=404)
    return row


def require_write(user: Any, document: Any) -> None:
    if not can(user, Action.WRITE, document):
        raise Refused(f"Not permitted: you may not change {document.name}.", status=403)
