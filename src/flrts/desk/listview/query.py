"""The builder's filters: the same `[[field, operator, value], ...]` list the REST API takes,
translated by the API's own translation (flrts.api.filters), read in the reader's time zone.

In the URL the list travels as one `filters` parameter holding JSON, so a filtered list can be
bookmarked, shared and saved. Anything wrong in it (bad JSON, an unknown field or operator, a bad
date) becomes a `FilterError` whose message says what, never a 500.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Model, Q
from django.utils import timezone

from flrts.api import filters as api_filters
from flrts.api import registry
from flrts.api.errors import ApiError
from flrts.api.serialize import reading_in

PARAM = "filters"
MAX_FILTERS = 20
# Operators the builder offers for each kind of field (the API accepts all of them everywhere).
_COMMON = ["=", "!=", "in", "not in", "is"]
_ORDERED = [">", "<", ">=", "<=", "between"]
OPERATORS_BY_TYPE = {
    "Data": [*_COMMON, "like", "not like"],
    "Text": [*_COMMON, "like", "not like"],
    "Select": _COMMON,
    "Link": [*_COMMON, "like", "not like"],
    "Check": ["="],
    "Int": [*_COMMON, *_ORDERED],
    "Float": [*_COMMON, *_ORDERED],
    "Date": [*_COMMON, *_ORDERED, "timespan", "previous", "next"],
    "Datetime": [*_COMMON, *_ORDERED, "timespan", "previous", "next"],
    "Time": [*_COMMON, *_ORDERED],
}
TIMESPANS = [
    "today", "yesterday", "tomorrow", "this week", "last week", "next week",
    "this month", "last month", "next month", "this quarter", "last quarter", "next quarter",
    "this year", "last year", "next year", "last 6 months", "next 6 months",
]  # fmt: skip
LIST_OPERATORS = ("in", "not in")
_NOT_OFFERED = {"idx", "archived"}  # the sidebar's Archived filter says which rows are shown
Filter = list[Any]


class FilterError(ValueError):
    """The filters cannot be applied; the message says why and is safe to show."""


def doctype_for(model: type[Model]) -> registry.ApiDocType | None:
    name = getattr(model, "doctype", "")
    return registry.get(name) if name else None


def fields_for(model: type[Model]) -> list[registry.ApiField]:
    """The fields a person can filter on, by label."""
    doctype = doctype_for(model)
    if doctype is None:
        return []
    usable = [
        f
        for f in doctype.fields.values()
        if f.fieldtype in OPERATORS_BY_TYPE and f.fieldname not in _NOT_OFFERED
    ]
    return sorted(usable, key=lambda f: f.label.lower())


def parse(raw: str | None) -> list[Filter]:
    """The `filters` parameter as a list of [field, operator, value]."""
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        raise FilterError("The filters are not valid JSON; they were not applied.") from None
    if isinstance(value, dict):
        value = [[k, *(v if isinstance(v, list) else ["=", v])] for k, v in value.items()]
    if isinstance(value, list) and len(value) > MAX_FILTERS:
        raise FilterError(f"At most {MAX_FILTERS} filters at once.")
    if not isinstance(value, list) or not all(
        isinstance(f, list) and len(f) == 3 and isinstance(f[0], str) and isinstance(f[1], str)
        for f in value
    ):
        raise FilterError("Each filter must be [field, operator, value].")
    return value


def _plain(value: Any) -> Any:
    """A value of a count (a date, a datetime, a decimal) as the API's filters write it."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


def dump(filters: list[Filter]) -> str:
    return json.dumps(filters, separators=(",", ":"), ensure_ascii=False, default=_plain)


def to_q(model: type[Model], filters: list[Filter]) -> Q:
    """The filters as a Q, through the API's translation, with "today" and naive times read in
    the reader's zone."""
    doctype = doctype_for(model)
    if doctype is None:
        raise FilterError("This list has no filter builder.")
    reader = timezone.get_current_timezone()
    zone = reader if isinstance(reader, ZoneInfo) else ZoneInfo("UTC")
    try:
        with reading_in(zone):
            normalized = api_filters.normalize(doctype, filters)
            return api_filters.build_q(doctype, normalized)
    except ApiError as exc:
        raise FilterError(f"Filter not applied: {exc.message}") from None


def merged(filters: list[Filter], field: str, op: str, value: Any) -> list[Filter]:
    """`filters` with [field, op, value] added, replacing an "=" on the same field."""
    kept = [f for f in filters if not (f[0] == field and f[1] in ("=", "is"))]
    return [*kept, [field, op, value]]


def describe(model: type[Model], flt: Filter) -> str:
    """One filter as people read it: `Status = Open`, `Due date timespan this week`."""
    doctype = doctype_for(model)
    field = doctype.fields.get(flt[0]) if doctype else None
    label = field.label if field else flt[0]
    value = flt[2]
    if isinstance(value, list):
        value = (
            " and ".join(str(v) for v in value)
            if flt[1] == "between"
            else ", ".join(str(v) for v in value)
        )
    return f"{label} {flt[1]} {value}"
