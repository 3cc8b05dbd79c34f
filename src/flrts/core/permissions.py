"""The role matrix: the one place that says who may do what. Desk, API and bot all ask here.

- Admin: everything.
- Supervisor: all records; no purge, no settings; reads system logs.
- Worker: reads all tasks and field reports, the lists shared with them and their reminders;
  creates records; edits what they own or are assigned; archives what they own.
- Viewer: reads what a Worker reads; changes nothing.
Submittable documents (Field Report): whoever may edit a draft may submit it; cancelling a
submitted one is for Supervisors and Admins; amending is creating (a new draft).
Reference data (sites, contractors, people) is read by everyone and edited by Supervisors,
except a document that declares `perm_requires_admin()` (an Admin's own person record): only
Admins change those.
Preferences (saved list filters, chosen columns) are each person's own, for every role (a Viewer
too: saving a view changes no record); the shared ones are kept by Admins and Supervisors.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Model, QuerySet

from flrts.core.models import PermKind
from flrts.core.roles import Role


class Action(StrEnum):
    READ = "read"
    CREATE = "create"
    WRITE = "write"
    ARCHIVE = "archive"  # a user-facing delete
    PURGE = "purge"  # a real delete
    SETTINGS = "settings"
    SUBMIT = "submit"  # docstatus 0 -> 1
    CANCEL = "cancel"  # docstatus 1 -> 2


class PermissionDenied(Exception):
    """Raised by `require`; carries a message safe to show the user."""


def role_of(user: Any) -> Role | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    try:
        return Role(user.role)
    except ValueError:
        return None


def _kind(target: Any) -> str:
    model = target if isinstance(target, type) else type(target)
    return str(getattr(model, "perm_kind", PermKind.SETTINGS))


def can(user: Any, action: Action | str, target: Any) -> bool:
    """May `user` do `action` on `target` (a model class, or one document)?

    On a class the answer is "on some documents of that kind"; ask again with the document.
    """
    action = Action(action)
    role = role_of(user)
    if role is None:
        return False
    if role is Role.ADMIN:
        return True
    if action in (Action.PURGE, Action.SETTINGS):
        return False
    kind = _kind(target)
    document = None if isinstance(target, type) else target
    if kind == PermKind.SETTINGS:
        return False
    if action is not Action.READ and document is not None and _admin_only(document):
        return False
    if kind == PermKind.SYSTEM:
        if action is not Action.READ:
            return False
        if role is Role.SUPERVISOR:
            return True
        # A Worker or Viewer reads only the system rows about them, and only in DocTypes that
        # declare such a scope (the Parser Log: their own messages); the Error Log has none.
        return _has_scope(user, target) and (document is None or _in_scope(user, document))
    if action is Action.READ:
        if role is Role.SUPERVISOR or document is None:
            return True
        return _in_scope(user, document)
    if role is Role.SUPERVISOR:
        return True
    if kind == PermKind.PREFERENCE:
        return document is None or bool(document.perm_is_owner(user))
    if role is Role.VIEWER:
        return False
    # Worker
    if action is Action.CANCEL:
        return False
    if kind == PermKind.REFERENCE:
        # People may edit their own preferences; nothing else in reference data.
        return action is Action.WRITE and document is not None and _is_self(user, document)
    if action is Action.CREATE:
        return True
    if document is None:
        return True
    if action in (Action.WRITE, Action.SUBMIT):
        return bool(document.perm_is_editor(user))
    return bool(document.perm_is_owner(user))  # ARCHIVE


def _admin_only(document: Any) -> bool:
    requires_admin = getattr(document, "perm_requires_admin", None)
    return bool(requires_admin is not None and requires_admin())


def _is_self(user: Any, document: Any) -> bool:
    return bool(document.pk == user.pk and type(document) is type(user))


def _has_scope(user: Any, target: Any) -> bool:
    model = target if isinstance(target, type) else type(target)
    perm_scope = getattr(model, "perm_scope", None)
    return perm_scope is not None and perm_scope(user) is not None


def _in_scope(user: Any, document: Any) -> bool:
    scope = type(document).perm_scope(user) if hasattr(type(document), "perm_scope") else None
    if scope is None:
        return True
    return type(document)._default_manager.filter(scope, pk=document.pk).exists()


def readable(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Only the rows `user` may read: applied to every list, count and report."""
    role = role_of(user)
    model = queryset.model
    if role is None or not can(user, Action.READ, model):
        return queryset.none()
    if role in (Role.ADMIN, Role.SUPERVISOR):
        return queryset
    scope = model.perm_scope(user) if hasattr(model, "perm_scope") else None
    return queryset if scope is None else queryset.filter(scope)


def require(user: Any, action: Action | str, target: Model | type[Model]) -> None:
    if not can(user, action, target):
        label = getattr(target, "doctype", None) or getattr(
            target, "__name__", type(target).__name__
        )
        name = "" if isinstance(target, type) else f" {getattr(target, 'name', target.pk)}"
        raise PermissionDenied(f"Not permitted: {Action(action).value} {label}{name}")
