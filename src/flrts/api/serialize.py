"""Documents as Frappe sends them: read with `values_list` (no model instances on the hot path).

- Datetimes are naive strings in the site time zone, `str()`-style
  (`2026-11-25 12:00:39.486404`), as Frappe serializes in its system time zone.
- Dates `YYYY-MM-DD`, times `HH:MM:SS`, Check 0/1, decimals as floats.
- Link fields hold the linked document's name.
- A single document omits null fields (Frappe's `as_dict(no_nulls=True)`); lists keep them.
- Child rows carry name, owner, creation, modified, modified_by, docstatus, idx, parent,
  parentfield, parenttype and doctype.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models

from flrts.api.registry import ApiDocType, ApiField, ChildTable

Formatter = Callable[..., Any]


@functools.cache
def site_zone() -> ZoneInfo:
    return ZoneInfo(settings.SITE_TIME_ZONE)


def fmt_datetime(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(site_zone()).replace(tzinfo=None)
    return str(value)


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _identity(value: Any) -> Any:
    return value


def _json_value(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


_BY_TYPE: dict[str, Formatter] = {
    "Datetime": fmt_datetime,
    "Date": _str_or_none,
    "Time": _str_or_none,
    "Check": _int_or_none,
    "Int": _int_or_none,
    "Float": _float_or_none,
    "JSON": _json_value,
}


def columns_for(api_field: ApiField, user_name: bool = False) -> tuple[list[str], Formatter]:
    """The ORM columns to read for one field, and how to turn them into the API value."""
    if user_name:  # User's own `name`: "Administrator" or the email
        return ["username", "email"], lambda u, e: "Administrator" if u == "Administrator" else e
    link = api_field.link
    if link is not None:
        cols = [f"{api_field.fieldname}__{c}" for c in link.value_columns]
        if len(cols) == 1:
            return cols, _identity
        to_name = link.to_name
        return cols, lambda *v: None if v[-1] is None else to_name(*v)
    return [api_field.path], _BY_TYPE.get(api_field.fieldtype, _identity)


class RowPlan:
    """A compiled list of (key, formatter, column slice) reading a values_list row."""

    def __init__(self, doctype: ApiDocType, fields: Sequence[ApiField], keys: Sequence[str]):
        self.columns: list[str] = []
        self.steps: list[tuple[str, Formatter, int, int]] = []
        for key, api_field in zip(keys, fields, strict=True):
            cols, fmt = columns_for(api_field, doctype.is_user and api_field.fieldname == "name")
            start = len(self.columns)
            self.columns.extend(cols)
            self.steps.append((key, fmt, start, len(self.columns)))

    def row(self, values: Sequence[Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, fmt, start, end in self.steps:
            if end - start == 1:
                out[key] = fmt(values[start])
            else:
                out[key] = fmt(*values[start:end])
        return out

    def row_list(self, values: Sequence[Any]) -> list[Any]:
        return [
            fmt(values[start]) if end - start == 1 else fmt(*values[start:end])
            for _key, fmt, start, end in self.steps
        ]


@functools.cache
def doc_plan(doctype: ApiDocType) -> RowPlan:
    fields = list(doctype.fields.values())
    return RowPlan(doctype, fields, [f.fieldname for f in fields])


@functools.cache
def _child_plan(parent: ApiDocType, table: ChildTable) -> RowPlan:
    fields = list(table.fields.values())
    return RowPlan(parent, fields, [f.fieldname for f in fields])


def _drop_nulls(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v is not None}


def document(doctype: ApiDocType, queryset: models.QuerySet[Any]) -> dict[str, Any] | None:
    """The full document (with child tables) of the one row in `queryset`, or None."""
    plan = doc_plan(doctype)
    row = queryset.values_list("pk", *plan.columns).first()
    if row is None:
        return None
    pk, values = row[0], row[1:]
    doc = _drop_nulls(plan.row(values))
    doc["doctype"] = doctype.name
    for table in doctype.tables.values():
        doc[table.fieldname] = child_rows(doctype, table, pk, doc)
    return doc


def child_rows(
    parent: ApiDocType, table: ChildTable, parent_pk: Any, parent_doc: dict[str, Any]
) -> list[dict[str, Any]]:
    common = {
        "owner": parent_doc.get("owner"),
        "creation": parent_doc.get("creation"),
        "modified": parent_doc.get("modified"),
        "modified_by": parent_doc.get("modified_by"),
        "docstatus": 0,
    }
    tail = {
        "parent": parent_doc.get("name"),
        "parentfield": table.fieldname,
        "parenttype": parent.name,
        "doctype": table.doctype,
    }
    rows: Iterable[tuple[Any, ...]]
    if table.model is not None:
        plan = _child_plan(parent, table)
        rows = (
            table.model._default_manager.filter(**{table.fk: parent_pk})
            .order_by(*table.order)
            .values_list("pk", *plan.columns)
        )
        return [
            _drop_nulls({"name": str(r[0]), **common, "idx": i, **plan.row(r[1:]), **tail})
            for i, r in enumerate(rows, start=1)
        ]
    m2m = parent.model._meta.get_field(table.fieldname)
    through = m2m.remote_field.through  # type: ignore[union-attr]
    source = m2m.m2m_field_name()  # type: ignore[union-attr]
    target = m2m.m2m_reverse_field_name()  # type: ignore[union-attr]
    link = table.m2m_link
    assert link is not None
    cols = [f"{target}__{c}" for c in link.value_columns]
    rows = through.objects.filter(**{source: parent_pk}).order_by("pk").values_list("pk", *cols)
    return [
        {
            "name": str(r[0]),
            **common,
            "idx": i,
            table.m2m_row_field: link.to_name(*r[1:]),
            **tail,
        }
        for i, r in enumerate(rows, start=1)
    ]
