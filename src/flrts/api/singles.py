"""Single DocTypes: the settings that have one row (Monitor Settings, ERPNext Settings).

A model is a Single when it has a `doctype` name and a `load()` classmethod that returns its
one row (or an unsaved default). Frappe reads them with `frappe.client.get_single_value` and
`GET /api/resource/<Single>/<Single>`; here both are Admin-only (settings, per the role
matrix) and read-only (they are edited in the desk). Credentials (`api_key`, `api_secret`,
anything not editable) are never sent.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models

from flrts.api import errors
from flrts.api.registry import ApiField, make_field
from flrts.api.serialize import fmt_datetime
from flrts.core.models import Document
from flrts.core.permissions import Action, can

_SECRET = ("api_key", "api_secret", "password", "token", "secret")


@functools.cache
def singles() -> dict[str, type[models.Model]]:
    out: dict[str, type[models.Model]] = {}
    for model in apps.get_models():
        name = getattr(model, "doctype", "")
        if name and callable(getattr(model, "load", None)) and not issubclass(model, Document):
            out[name] = model
    return out


def canonical(name: str) -> str | None:
    wanted = name.replace("%20", " ").replace("_", " ").strip().lower()
    return next((n for n in singles() if n.lower() == wanted), None)


@functools.cache
def fields(name: str) -> dict[str, ApiField]:
    model = singles()[name]
    out: dict[str, ApiField] = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or any(word in f.name for word in _SECRET):
            continue
        if not f.editable and f.name != "modified":
            continue
        out[f.name] = make_field(f, read_only=True)
    return out


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return fmt_datetime(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def get_doc(user: Any, name: str) -> dict[str, Any]:
    model = singles()[name]
    if not can(user, Action.SETTINGS, model):
        raise errors.PermissionError(f"No permission for {name}")
    row: Any = model.load()  # type: ignore[attr-defined]
    doc: dict[str, Any] = {"name": name, "doctype": name, "docstatus": 0}
    for fieldname, api_field in fields(name).items():
        value = getattr(row, api_field.attname)
        if api_field.link is not None:
            value = None if value is None else str(getattr(row, fieldname))
        value = _value(value)
        if value is not None:
            doc[fieldname] = value
    return doc


def meta_fields(name: str) -> list[dict[str, Any]]:
    return [f.meta(0) for f in fields(name).values()]
