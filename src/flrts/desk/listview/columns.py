"""The column picker: which columns a list may show, and the ones each person chose.

The choices are the admin's own columns (pills, the due in the reader's zone) followed by the
model's plain fields; a person's choice is kept in ListViewSettings and checked against these
choices when read, so a column that no longer exists is simply dropped.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import label_for_field
from django.db import models

from flrts.desk.models import ListViewSettings

# Long or structured values make poor columns.
_SKIPPED = (models.TextField, models.JSONField, models.ManyToManyField)
_HIDDEN = {"id", "password", "archived", "idx"}


def choices(model_admin: Any) -> list[tuple[str, str]]:
    """(column, label) for every column the list can show, its default columns first."""
    model = model_admin.model
    covered: set[str] = set()
    out: list[tuple[str, str]] = []
    for name in model_admin.list_display:
        out.append((name, str(label_for_field(name, model, model_admin))))
        covered.add(name)
        covered.add(name.removesuffix("_pill").removesuffix("_local"))
    for field in model._meta.concrete_fields:
        if field.name in covered or field.name in _HIDDEN or isinstance(field, _SKIPPED):
            continue
        label = str(field.verbose_name)
        out.append((field.name, label[:1].upper() + label[1:]))
    return out


def chosen(model_admin: Any, user: Any) -> list[str] | None:
    """The person's columns for this list, or None for the defaults."""
    row = ListViewSettings.objects.filter(
        user=user, model_label=model_admin.model._meta.label_lower
    ).first()
    if row is None:
        return None
    allowed = {name for name, _ in choices(model_admin)}
    picked = [c for c in row.columns if isinstance(c, str) and c in allowed]
    return picked or None


def save(model_admin: Any, user: Any, columns: list[str]) -> list[str]:
    """Keep the person's choice (in the order offered); an empty choice means the defaults."""
    offered = [name for name, _ in choices(model_admin)]
    picked = [name for name in offered if name in set(columns)]
    label = model_admin.model._meta.label_lower
    if not picked:
        ListViewSettings.objects.filter(user=user, model_label=label).delete()
        return []
    ListViewSettings.objects.update_or_create(
        user=user, model_label=label, defaults={"columns": picked}
    )
    return picked
