"""Documents as Frappe sends them: read with `values_list` (no model instances on the hot path).

- Datetimes are naive strings in the site time zone, `str()`-style
  (`2026-11-25 12:00:39.486404`), as Frappe serializes in its system time zone.
- Dates `YYYY-MM-DD`, times `HH:MM:SS`, Check 0/1, decimals as floats.
- Link fields hold the linked document's name, read by id and named in one query per linked
  model (flrts.api.linknames), never through joins.
- A single document omits null fields (Frappe's `as_dict(no_nulls=True)`); lists keep them.
- Child rows carry name, owner, creation, modified, modified_by, docstatus, idx, parent,
  parentfield, parenttype and doctype.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models

from flrts.api import linknames, prepared
from flrts.api.registry import ApiDocType, ApiField, ChildTable, LinkTarget

Formatter = Callable[..., Any]


@functools.cache
def site_zone() -> ZoneInfo:
    return ZoneInfo(settings.SITE_TIME_ZONE)


# The API reads naive datetimes and "today" in the site's zone (Frappe's system zone); the desk's
# filter builder reuses the same filters for a reader in their own zone.
_input_zone: ContextVar[ZoneInfo | None] = ContextVar("flrts_api_input_zone", default=None)


def input_zone() -> ZoneInfo:
    """The zone naive filter and field input is read in: the site's, unless `reading_in` says."""
    return _input_zone.get() or site_zone()


@contextmanager
def reading_in(tz: ZoneInfo) -> Iterator[None]:
    token = _input_zone.set(tz)
    try:
        yield
    finally:
        _input_zone.reset(token)


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
    """The ORM columns that read a field's API value through joins (aggregates use these)."""
    if user_name:  # User's own `name`: "Administrator" or the email
        return ["username", "email"], _user_name
    link = api_field.link
    if link is not None:
        cols = [f"{api_field.fieldname}__{c}" for c in link.value_columns]
        if len(cols) == 1:
            return cols, _identity
        to_name = link.to_name
        return cols, lambda *v: None if v[-1] is None else to_name(*v)
    return [api_field.path], _BY_TYPE.get(api_field.fieldtype, _identity)


def _user_name(username: str, email: str) -> str:
    return "Administrator" if username == "Administrator" else email


@dataclass(frozen=True)
class _Step:
    key: str
    start: int  # the step's columns are values[start:end]
    end: int
    fmt: Formatter
    link: LinkTarget | None  # a link: values[start] is the linked row's pk


class RowPlan:
    """Which columns to read for some fields, and how to turn rows of them into API values.

    Links are read as their foreign-key id (no join: a query with a join per link costs more to
    compile than to run) and named in one batch per linked model (flrts.api.linknames).
    """

    def __init__(self, doctype: ApiDocType, fields: Sequence[ApiField], keys: Sequence[str]):
        self.columns: list[str] = []
        self.steps: list[_Step] = []
        for key, api_field in zip(keys, fields, strict=True):
            start = len(self.columns)
            link = api_field.link
            if doctype.is_user and api_field.fieldname == "name":
                self.columns += ["username", "email"]
                fmt: Formatter = _user_name
            elif link is not None:
                self.columns.append(api_field.attname)
                fmt, link = _identity, link
            else:
                self.columns.append(api_field.path)
                fmt = _BY_TYPE.get(api_field.fieldtype, _identity)
            self.steps.append(_Step(key, start, len(self.columns), fmt, link))
        self._links = [s for s in self.steps if s.link is not None]

    def _names(self, rows: Sequence[Sequence[Any]]) -> dict[type[models.Model], dict[Any, Any]]:
        ids: dict[type[models.Model], set[Any]] = {}
        targets: dict[type[models.Model], LinkTarget] = {}
        for step in self._links:
            assert step.link is not None
            model = step.link.model
            targets[model] = step.link
            ids.setdefault(model, set()).update(row[step.start] for row in rows)
        return {model: linknames.names(targets[model], pks) for model, pks in ids.items()}

    def _values(
        self, values: Sequence[Any], names: dict[type[models.Model], dict[Any, Any]]
    ) -> Iterator[Any]:
        for step in self.steps:
            if step.link is not None:
                pk = values[step.start]
                yield None if pk is None else names[step.link.model].get(pk)
            elif step.end - step.start == 1:
                yield step.fmt(values[step.start])
            else:
                yield step.fmt(*values[step.start : step.end])

    def rows(self, rows: Iterable[Sequence[Any]], as_dict: bool = True) -> list[Any]:
        """API rows (dicts, or lists for `as_dict=0`) from rows of `self.columns`."""
        rows = list(rows)
        names = self._names(rows) if self._links and rows else {}
        if not as_dict:
            return [list(self._values(r, names)) for r in rows]
        keys = [step.key for step in self.steps]
        return [dict(zip(keys, self._values(r, names), strict=True)) for r in rows]


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
    """The full document (with child tables) of the first row in `queryset`, or None."""
    plan = doc_plan(doctype)
    if not doctype.is_user:  # a name matches one row: no ORDER BY to compile or sort
        queryset = queryset.order_by()
    found = list(queryset.values_list(*plan.columns, "pk")[:1])
    return from_row(doctype, found[0]) if found else None


def read_row(doctype: ApiDocType, key: str, value: Any, live: bool) -> tuple[Any, ...] | None:
    """The row of `doctype.queryset.filter(<key>=value)` (and `archived=False` when `live`) read
    with the document's columns (`doc_plan(doctype).columns` then the pk), by a prepared query.
    """

    def build() -> models.QuerySet[Any]:
        slot = prepared.INT_SLOT if key == "pk" else prepared.SLOT
        qs = doctype.queryset.order_by().filter(**{key: slot})
        if live and "archived" in doctype.fields:
            qs = qs.filter(archived=False)
        return qs.values_list(*doc_plan(doctype).columns, "pk")[:1]

    rows = prepared.prepared((doctype.name, key, live), build).rows(value)
    return rows[0] if rows else None


def from_row(doctype: ApiDocType, row: Sequence[Any]) -> dict[str, Any]:
    """The full document from a row of `doc_plan(doctype).columns` followed by the pk."""
    doc = _drop_nulls(doc_plan(doctype).rows([row])[0])
    doc["doctype"] = doctype.name
    for table in doctype.tables.values():
        doc[table.fieldname] = child_rows(doctype, table, row[-1], doc)
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
    if table.model is not None:
        plan = _child_plan(parent, table)
        rows = list(
            table.model._default_manager.filter(**{table.fk: parent_pk})
            .order_by(*table.order)
            .values_list(*plan.columns, "pk")
        )
        return [
            _drop_nulls({"name": str(r[-1]), **common, "idx": i, **values, **tail})
            for i, (r, values) in enumerate(zip(rows, plan.rows(rows), strict=True), start=1)
        ]
    m2m = parent.model._meta.get_field(table.fieldname)
    through = m2m.remote_field.through  # type: ignore[union-attr]
    source = m2m.m2m_field_name()  # type: ignore[union-attr]
    target = m2m.m2m_reverse_field_name()  # type: ignore[union-attr]
    link = table.m2m_link
    assert link is not None
    links = list(
        through.objects.filter(**{source: parent_pk})
        .order_by("pk")
        .values_list("pk", f"{target}_id")
    )
    named = linknames.names(link, (target_pk for _pk, target_pk in links))
    return [
        {
            "name": str(pk),
            **common,
            "idx": i,
            table.m2m_row_field: named.get(target_pk),
            **tail,
        }
        for i, (pk, target_pk) in enumerate(links, start=1)
    ]
