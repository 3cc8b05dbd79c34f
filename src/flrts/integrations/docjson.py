"""A document as Frappe's `doc.as_dict()` shows it: the body of a webhook and what templates see.

Standard fields first, `doctype` included; Link fields hold the linked document's name (a
person's email); datetimes are naive strings in the site time zone (`2026-11-25 12:00:39.486404`)
and dates `YYYY-MM-DD`, as Frappe serializes them; booleans are 0/1 (Check). Built from the
instance in memory, so a purged (deleted) document still has a body.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models

_SKIP = {"id"}


@functools.cache
def _zone() -> ZoneInfo:
    return ZoneInfo(settings.SITE_TIME_ZONE)


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_zone()).replace(tzinfo=None)
        return str(value)
    if isinstance(value, dt.date | dt.time):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def link_name(model: type[models.Model], pk: Any) -> Any:
    """The Frappe name of a linked row: its `name`, or a person's email."""
    if pk is None:
        return None
    from django.contrib.auth import get_user_model

    if model is get_user_model():
        row = model._default_manager.filter(pk=pk).values_list("username", "email").first()
        if row is None:
            return None
        return row[0] if row[0] == "Administrator" else row[1]
    field_names = {f.name for f in model._meta.concrete_fields}
    if "name" in field_names:
        return model._default_manager.filter(pk=pk).values_list("name", flat=True).first()
    return pk


def as_dict(instance: models.Model) -> dict[str, Any]:
    doc: dict[str, Any] = {"doctype": getattr(instance, "doctype", type(instance).__name__)}
    for field in instance._meta.concrete_fields:
        if field.name in _SKIP:
            continue
        related_model: Any = field.related_model
        if field.is_relation and related_model is not None:
            pk = getattr(instance, field.attname)
            cached = field.is_cached(instance)  # type: ignore[attr-defined]
            if cached and getattr(instance, field.name) is not None:
                related = getattr(instance, field.name)
                doc[field.name] = (
                    link_name(related_model, pk)
                    if not hasattr(related, "name") or callable(related.name)
                    else related.name
                )
            else:
                doc[field.name] = link_name(related_model, pk)
            continue
        doc[field.name] = _value(getattr(instance, field.attname))
    return doc
