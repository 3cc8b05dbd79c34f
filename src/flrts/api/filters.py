"""Frappe filters to Django Q objects.

Accepted shapes (a JSON string or already-decoded value):
- dict: `{"status": "Open"}` (=) or `{"status": ["!=", "Closed"]}`
- list: `[["status", "=", "Open"]]`, `[["Task", "status", "=", "Open"]]`, `[["status", "Open"]]`,
  or a single `["status", "=", "Open"]`.
Operators: = != > < >= <= like, not like, in, not in, between, is (set / not set), timespan,
previous, next. A 4-item filter naming a child DocType filters parents by their child rows.
Unknown fields, bad operators and bad values are a 417 that names them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import operator
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils import timezone

from flrts.api.errors import DataError, ValidationError
from flrts.api.registry import ApiDocType, ApiField, ChildTable
from flrts.api.serialize import input_zone
from flrts.api.values import parse_datetime, scalar
from flrts.people.models import login_q

OPERATORS = (
    "=",
    "!=",
    ">",
    "<",
    ">=",
    "<=",
    "like",
    "not like",
    "in",
    "not in",
    "is",
    "between",
    "timespan",
    "previous",
    "next",
)
_UNSUPPORTED = ("ancestors of", "descendants of", "not ancestors of", "not descendants of")
# A filter value longer than this is refused before it reaches a query (SQLite refuses a LIKE
# pattern over 50,000 bytes with an error, and nobody filters on a novel).
MAX_FILTER_VALUE = 10_000
_COMPARE = {">": "gt", "<": "lt", ">=": "gte", "<=": "lte"}

Filter = tuple[str, str, str, Any]  # (doctype, fieldname, operator, value)


def normalize(doctype: ApiDocType, raw: Any, param: str = "filters") -> list[Filter]:
    if raw is None or raw == "" or raw == [] or raw == {}:
        return []
    out: list[Filter] = []
    if isinstance(raw, dict):
        for fieldname, value in raw.items():
            if (
                isinstance(value, list | tuple)
                and value
                and isinstance(value[0], str)
                and (
                    value[0].strip().lower() in OPERATORS
                    or value[0].strip().lower() in _UNSUPPORTED
                )
            ):
                op = value[0]
                operand = value[1] if len(value) > 1 else None
            else:
                op, operand = "=", value
            out.append((doctype.name, str(fieldname), op, operand))
        return out
    if not isinstance(raw, list):
        raise ValidationError(f"Parameter '{param}' must be a JSON object or a list of filters")
    items = raw
    if items and isinstance(items[0], str):  # a single filter, not a list of them
        items = [items]
    for item in items:
        if not isinstance(item, list | tuple) or not 2 <= len(item) <= 5:
            raise ValidationError(
                f"Each entry of '{param}' must be [field, operator, value] or "
                f"[doctype, field, operator, value], got {item!r}"
            )
        item = list(item)[:4]
        if len(item) == 2:
            out.append((doctype.name, str(item[0]), "=", item[1]))
        elif len(item) == 3:
            out.append((doctype.name, str(item[0]), _operator(item[1]), item[2]))
        else:
            out.append((str(item[0]), str(item[1]), _operator(item[2]), item[3]))
    return out


def _operator(raw: Any) -> str:
    """A missing operator (null or empty) means `=`, as in Frappe; n8n sends null for an
    operator it has no SQL for."""
    return "=" if raw is None or (isinstance(raw, str) and not raw.strip()) else str(raw)


def _doctype_ref(raw: str) -> str:
    """The DocType a filter names: `tabTask`, `Field%20Report` (n8n sends the URL-encoded name
    it put in the path) or `Field_Report` all name a registered DocType."""
    return unquote(raw.replace("`", "")).removeprefix("tab").replace("_", " ").strip()


def build_q(doctype: ApiDocType, filters: Iterable[Filter], join: str = "and") -> Q:
    parts = [_filter_q(doctype, f) for f in filters]
    if not parts:
        return Q()
    return functools.reduce(operator.and_ if join == "and" else operator.or_, parts)


def mentions(filters: Iterable[Filter], fieldname: str) -> bool:
    return any(f[1] == fieldname for f in filters)


def _filter_q(doctype: ApiDocType, flt: Filter) -> Q:
    dt_name, fieldname, op, value = flt
    op = op.strip().lower()
    fieldname = fieldname.strip().strip("`")
    if op in _UNSUPPORTED:
        raise ValidationError(f"Operator '{op}' is not supported by FLRTS")
    if op not in OPERATORS:
        raise ValidationError(f"Operator must be one of {', '.join(OPERATORS)}; got '{op}'")
    target_doctype = _doctype_ref(dt_name)
    if target_doctype.lower() != doctype.name.lower():
        table = _child_table(doctype, target_doctype)
        api_field = table.fields.get(fieldname)
        if api_field is None:
            raise DataError(f"Field not permitted in query: {fieldname}")
        _check_size(fieldname, value)
        inner = _field_q(api_field, op, value)
        if table.model is None:  # many-to-many: the row field filters the parent directly
            subquery = doctype.model._default_manager.filter(inner).values("pk")
        else:
            subquery = table.model._default_manager.filter(inner).values(table.fk)
        return Q(pk__in=subquery)
    api_field = doctype.fields.get(fieldname)
    if api_field is None:
        raise DataError(f"Field not permitted in query: {fieldname}")
    _check_size(fieldname, value)
    if doctype.is_user and fieldname == "name":
        return _name_q_user(api_field, op, value)
    return _field_q(api_field, op, value)


def _check_size(fieldname: str, value: Any) -> None:
    items = value if isinstance(value, list | tuple) else [value]
    if len(items) > MAX_FILTER_VALUE or any(
        isinstance(item, str) and len(item) > MAX_FILTER_VALUE for item in items
    ):
        raise ValidationError(
            f"Filter value for {fieldname} is too long (at most {MAX_FILTER_VALUE:,} characters "
            "or items)"
        )


def _child_table(doctype: ApiDocType, name: str) -> ChildTable:
    for table in doctype.tables.values():
        if table.doctype.lower() == name.lower():
            return table
    raise DataError(f"{name} is not {doctype.name} or one of its child tables")


def _list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    if value is None:
        return []
    return [v.strip() for v in str(value).split(",") if v.strip()]


def _name_q_user(api_field: ApiField, op: str, value: Any) -> Q:
    if op in ("=", "!=", "in", "not in"):
        names = [value] if op in ("=", "!=") else _list(value)
        q = Q(pk__in=[])
        for name in names:
            q |= login_q(name)
        return ~q if op in ("!=", "not in") else q
    return _field_q(api_field, op, value)


def _resolve_link(api_field: ApiField, names: list[Any]) -> list[Any]:
    link = api_field.link
    assert link is not None
    wanted = [str(n) for n in names if n not in (None, "")]
    if not wanted:
        return []
    q = functools.reduce(operator.or_, [link.resolve_q(n) for n in wanted])
    return list(link.model._default_manager.filter(q).values_list("pk", flat=True))


def _empty_q(api_field: ApiField, negate: bool) -> Q:
    """Frappe's `ifnull(col, '') = ''`: unset means NULL, or '' for text."""
    column = api_field.attname if api_field.link else api_field.path
    q = Q(**{f"{column}__isnull": True})
    if api_field.text:
        q |= Q(**{column: ""})
    return ~q if negate else q


def _field_q(api_field: ApiField, op: str, value: Any) -> Q:
    if op == "is":
        word = str(value).strip().lower()
        if word not in ("set", "not set"):
            raise ValidationError(f"Operator 'is' takes 'set' or 'not set', got {value!r}")
        return _empty_q(api_field, negate=word == "set")
    if op in ("timespan", "previous", "next"):
        start, end = _date_range(op, value)
        return _between(api_field, start, end)
    if op == "between":
        bounds = _list(value)
        if len(bounds) != 2:
            raise ValidationError(f"Operator 'between' needs [from, to] for {api_field.fieldname}")
        return _between(api_field, bounds[0], bounds[1])
    if op in ("like", "not like"):
        if not isinstance(value, str | int | float):
            raise ValidationError(f"Operator '{op}' needs a text pattern")
        q = Q(**{f"{api_field.path}__frappe_like": str(value)})
        return ~q if op == "not like" else q
    if api_field.link is not None and op in ("=", "!=", "in", "not in"):
        names = [value] if op in ("=", "!=") else _list(value)
        if op in ("=", "!=") and value in (None, ""):
            return _empty_q(api_field, negate=op == "!=")
        q = Q(**{f"{api_field.attname}__in": _resolve_link(api_field, names)})
        return ~q if op in ("!=", "not in") else q
    if op in ("in", "not in"):
        items = [scalar(api_field, v) for v in _list(value)]
        q = Q(**{f"{api_field.path}__in": items})
        return ~q if op == "not in" else q
    if op in ("=", "!=") and value in (None, ""):
        return _empty_q(api_field, negate=op == "!=")
    typed = scalar(api_field, value)
    if typed is None:  # `[field, ">", null]`: nothing is greater than nothing
        raise ValidationError(f"Operator '{op}' needs a value for {api_field.fieldname}")
    if op == "=":
        return Q(**{api_field.path: typed})
    if op == "!=":
        return ~Q(**{api_field.path: typed})
    return Q(**{f"{api_field.path}__{_COMPARE[op]}": typed})


def _between(api_field: ApiField, low: Any, high: Any) -> Q:
    if api_field.fieldtype == "Datetime":
        start = _day_edge(api_field, low, end=False)
        end = _day_edge(api_field, high, end=True)
        return Q(**{f"{api_field.path}__gte": start, f"{api_field.path}__lte": end})
    return Q(
        **{
            f"{api_field.path}__gte": scalar(api_field, low),
            f"{api_field.path}__lte": scalar(api_field, high),
        }
    )


_DATE_ONLY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")


def _day_edge(api_field: ApiField, value: Any, end: bool) -> dt.datetime:
    """A date bound on a datetime column covers the whole day, as Frappe's between does."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = value.isoformat()
    if isinstance(value, str) and _DATE_ONLY.match(value):
        value = f"{value.strip()} {'23:59:59.999999' if end else '00:00:00'}"
    return parse_datetime(api_field, value)


def _today() -> dt.date:
    return timezone.now().astimezone(input_zone()).date()


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def timespan_range(span: str, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """Frappe's timespans (weeks start on Monday) as inclusive [from, to] dates."""
    today = today or _today()
    week = today - dt.timedelta(days=today.weekday())
    month = today.replace(day=1)
    quarter = _quarter_start(today)
    year = today.replace(month=1, day=1)
    ranges: dict[str, tuple[dt.date, dt.date]] = {
        "yesterday": (today - dt.timedelta(days=1),) * 2,  # type: ignore[dict-item]
        "today": (today, today),
        "tomorrow": (today + dt.timedelta(days=1),) * 2,  # type: ignore[dict-item]
        "last week": (week - dt.timedelta(days=7), week - dt.timedelta(days=1)),
        "this week": (week, week + dt.timedelta(days=6)),
        "next week": (week + dt.timedelta(days=7), week + dt.timedelta(days=13)),
        "last month": (month - relativedelta(months=1), month - dt.timedelta(days=1)),
        "this month": (month, _month_end(month)),
        "next month": (
            month + relativedelta(months=1),
            _month_end(month + relativedelta(months=1)),
        ),
        "last quarter": (quarter - relativedelta(months=3), quarter - dt.timedelta(days=1)),
        "this quarter": (quarter, quarter + relativedelta(months=3) - dt.timedelta(days=1)),
        "next quarter": (
            quarter + relativedelta(months=3),
            quarter + relativedelta(months=6) - dt.timedelta(days=1),
        ),
        "last 6 months": (today - relativedelta(months=6), today),
        "next 6 months": (today, today + relativedelta(months=6)),
        "last year": (year - relativedelta(years=1), year - dt.timedelta(days=1)),
        "this year": (year, year.replace(month=12, day=31)),
        "next year": (
            year + relativedelta(years=1),
            year.replace(year=year.year + 1, month=12, day=31),
        ),
    }
    key = str(span).strip().lower()
    if key not in ranges:
        raise ValidationError(f"Unknown timespan {span!r}; use one of: {', '.join(sorted(ranges))}")
    return ranges[key]


_PERIOD = re.compile(r"^\s*(\d+)\s+(day|week|month|quarter|year)s?\s*$", re.IGNORECASE)


def _date_range(op: str, value: Any) -> tuple[dt.date, dt.date]:
    if op == "timespan":
        return timespan_range(str(value))
    match = _PERIOD.match(str(value)[:100])
    if not match:
        raise ValidationError(f"Operator '{op}' takes a period like '1 week' or '3 months'")
    count, unit = int(match.group(1)), match.group(2).lower()
    delta = {
        "day": relativedelta(days=count),
        "week": relativedelta(weeks=count),
        "month": relativedelta(months=count),
        "quarter": relativedelta(months=3 * count),
        "year": relativedelta(years=count),
    }[unit]
    today = _today()
    try:
        return (today - delta, today) if op == "previous" else (today, today + delta)
    except (ValueError, OverflowError):  # past year 9999 (or before year 1)
        raise ValidationError(
            f"Operator '{op}' period {value!r} reaches past the calendar"
        ) from None
