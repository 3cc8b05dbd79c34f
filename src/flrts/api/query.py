"""List queries: Frappe's get_list parameters on a permission-filtered queryset.

fields (names, `["*"]`, `` `tabTask`.`subject` ``, `subject as title`, `count(name) as total`),
filters / or_filters, order_by (`modified desc` by default), limit_start/start,
limit_page_length/page_length/limit (default 20; 0 or None = all), as_dict, group_by.
Rows the user may not read never appear (flrts.core.permissions.readable); archived documents are
left out unless a filter names `archived`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Max, Min, Q, QuerySet, Sum

from flrts.api import filters as flt
from flrts.api import prepared
from flrts.api.args import bool_arg, int_arg, json_arg
from flrts.api.errors import DataError, PermissionError, ValidationError
from flrts.api.registry import ApiDocType, ApiField
from flrts.api.serialize import RowPlan, columns_for, fmt_datetime
from flrts.core.permissions import Action, can, readable

_AGGREGATES = {"count": Count, "sum": Sum, "avg": Avg, "min": Min, "max": Max}
_AGG_RE = re.compile(
    r"^(count|sum|avg|min|max)\(\s*(distinct\s+)?([`\w. *]+?)\s*\)(?:\s+as\s+(\w+))?$", re.I
)
MAX_ROWS = 10**12
_ALIAS_RE = re.compile(r"^(.+?)\s+as\s+(\w+)$", re.I)
_ORDER_RE = re.compile(r"^([`\w .]+?)(?:\s+(asc|desc))?$", re.I)


@dataclass
class Aggregate:
    key: str
    func: str
    field: ApiField | None  # None: count(*) / count(name)
    distinct: bool


def _strip_table(doctype: ApiDocType, ref: str) -> str:
    ref = ref.strip().replace("`", "")
    if "." in ref:
        table, _, column = ref.rpartition(".")
        table = table.removeprefix("tab").strip()
        if table.lower() != doctype.name.lower():
            raise DataError(
                f"Field not permitted in query: {ref} (child-table fields cannot be selected; "
                "read the parent document to get its rows)"
            )
        ref = column
    return ref.strip()


def _field(doctype: ApiDocType, name: str) -> ApiField:
    api_field = doctype.fields.get(name)
    if api_field is None:
        raise DataError(f"Field not permitted in query: {name}")
    return api_field


def parse_fields(
    doctype: ApiDocType, raw: Any
) -> tuple[list[tuple[str, ApiField]], list[Aggregate]]:
    if raw in (None, "", []):
        raw = ["name"]
    if isinstance(raw, str):
        raw = [part for part in raw.split(",") if part.strip()]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise ValidationError("Parameter 'fields' must be a JSON list of field names")
    plain: list[tuple[str, ApiField]] = []
    aggregates: list[Aggregate] = []
    for entry in raw:
        text = entry.strip()
        match = _AGG_RE.match(text)
        if match:
            func, distinct, ref, alias = match.groups()
            ref = _strip_table(doctype, ref)
            target = None if ref in ("*", "name") else _field(doctype, ref)
            key = alias or f"{func.lower()}({ref})"
            aggregates.append(Aggregate(key, func.lower(), target, bool(distinct)))
            continue
        alias_match = _ALIAS_RE.match(text)
        ref, alias = (alias_match.group(1), alias_match.group(2)) if alias_match else (text, "")
        ref = _strip_table(doctype, ref)
        if ref == "*":
            plain.extend((f.fieldname, f) for f in doctype.fields.values())
            continue
        plain.append((alias or ref, _field(doctype, ref)))
    return plain, aggregates


def parse_order(doctype: ApiDocType, raw: Any, aliases: Sequence[str] = ()) -> list[str]:
    if raw in (None, ""):
        return list(doctype.default_order)
    if not isinstance(raw, str):
        raise ValidationError("Parameter 'order_by' must be text like 'modified desc'")
    out: list[str] = []
    for part in raw.split(","):
        match = _ORDER_RE.match(part.strip())
        if not match:
            raise ValidationError(f"Illegal SQL Query: order_by {raw!r}")
        ref = _strip_table(doctype, match.group(1))
        desc = (match.group(2) or "asc").lower() == "desc"
        if ref in aliases:
            path = ref
        else:
            api_field = _field(doctype, ref)
            path = api_field.path
        out.append(f"-{path}" if desc else path)
    return out


def base_queryset(doctype: ApiDocType, user: Any, filter_list: list[flt.Filter]) -> QuerySet[Any]:
    if doctype.is_child:
        raise ValidationError(f"{doctype.name} is a child table; read it inside its parent")
    if not can(user, Action.READ, doctype.model):
        raise PermissionError(f"No permission for {doctype.name}")
    qs = readable(user, doctype.queryset)
    if "archived" in doctype.fields and not flt.mentions(filter_list, "archived"):
        qs = qs.filter(archived=False)
    return qs


def filtered(doctype: ApiDocType, user: Any, args: dict[str, Any]) -> QuerySet[Any]:
    and_filters = flt.normalize(doctype, json_arg(args, "filters"), "filters")
    or_filters = flt.normalize(doctype, json_arg(args, "or_filters"), "or_filters")
    qs = base_queryset(doctype, user, and_filters + or_filters)
    q: Q = flt.build_q(doctype, and_filters)
    if or_filters:
        q &= flt.build_q(doctype, or_filters, join="or")
    return qs.filter(q) if q else qs


def page_length(args: dict[str, Any], default: int | None = 20) -> int | None:
    """`limit` wins over `limit_page_length` / `page_length`; 0 or None means no limit."""
    for key in ("limit", "limit_page_length", "page_length"):
        if key in args:
            raw = args[key]
            if raw in ("None", "null", None, ""):
                return None if raw in ("None", "null", None) else default
            return int_arg(args, key, default) or None
    return default


def get_list(
    doctype: ApiDocType, user: Any, args: dict[str, Any], default_limit: int | None = 20
) -> list[Any]:
    raw_fields = json_arg(args, "fields")
    plain, aggregates = parse_fields(doctype, raw_fields)
    as_dict = bool_arg(args, "as_dict", True)
    start = int_arg(args, "limit_start", None)
    if start is None:
        start = int_arg(args, "start", 0) or 0
    length = page_length(args, default_limit)
    # Past any table's size anyway; keeps LIMIT/OFFSET inside every database's integer range.
    start = min(start, MAX_ROWS)
    length = None if length is None else min(length, MAX_ROWS)
    if not aggregates and start == 0 and length and _is_first_default_page(args, raw_fields):
        rows = _first_page(doctype, user, plain, length)
        if rows is not None:
            return plan_for(doctype, plain).rows(rows, as_dict)
    qs = filtered(doctype, user, args)
    if aggregates:
        return _aggregate(doctype, qs, plain, aggregates, args, start, length, as_dict)
    order = parse_order(doctype, args.get("order_by"))
    plan = plan_for(doctype, plain)
    qs = qs.order_by(*order).values_list(*plan.columns)
    qs = qs[start : start + length] if length else qs[start:]
    return plan.rows(qs, as_dict)


def plan_for(doctype: ApiDocType, plain: list[tuple[str, ApiField]]) -> RowPlan:
    return RowPlan(doctype, [f for _, f in plain], [k for k, _ in plain])


# The first page of a plain list (`GET /api/resource/<DocType>` as clients and the desk's
# pickers call it, no filter, default order) is the most frequent query. Building and compiling
# it through the ORM cost about as much as running it, so it is compiled once per thread and
# page length (flrts.api.prepared). Only these shapes qualify, which bounds that cache.
FIRST_PAGE_MAX = 500
_DEFAULT_FIELDS: tuple[Any, ...] = (None, "", "*", [], ["name"], ["*"])
_LIST_SHAPING = ("filters", "or_filters", "order_by", "group_by")


def _is_first_default_page(args: dict[str, Any], raw_fields: Any) -> bool:
    if raw_fields not in _DEFAULT_FIELDS:
        return False
    return all(args.get(key) in (None, "", "[]", "{}", [], {}) for key in _LIST_SHAPING)


def _first_page(
    doctype: ApiDocType, user: Any, plain: list[tuple[str, ApiField]], length: int
) -> list[tuple[Any, ...]] | None:
    """Rows of the first page by a prepared query, or None to take the ordinary path (a user
    who reads only some rows, the User DocType, a long page)."""
    if length > FIRST_PAGE_MAX or doctype.is_child or doctype.is_user:
        return None
    if not can(user, Action.READ, doctype.model):
        return None  # the ordinary path raises the PermissionError
    everything = doctype.queryset
    if readable(user, everything) is not everything:
        return None
    plan = plan_for(doctype, plain)
    order = list(doctype.default_order)

    def build() -> QuerySet[Any]:
        qs = everything.filter(archived=False) if "archived" in doctype.fields else everything
        return qs.order_by(*order).values_list(*plan.columns)[:length]

    key = ("first-page", doctype.name, tuple(plan.columns), length)
    return prepared.prepared(key, build).rows()


def _aggregate(
    doctype: ApiDocType,
    qs: QuerySet[Any],
    plain: list[tuple[str, ApiField]],
    aggregates: list[Aggregate],
    args: dict[str, Any],
    start: int,
    length: int | None,
    as_dict: bool,
) -> list[Any]:
    group_raw = args.get("group_by")
    group = list(plain)
    if group_raw:
        for name in str(group_raw).split(","):
            ref = _strip_table(doctype, name)
            if ref and all(k != ref for k, _ in group):
                _field(doctype, ref)  # validate; grouping by an unselected field is allowed
    plan = RowPlan(doctype, [f for _, f in group], [k for k, _ in group])
    annotations = {}
    for i, agg in enumerate(aggregates):
        path = "pk" if agg.field is None else columns_for(agg.field)[0][0]
        func = _AGGREGATES[agg.func]
        kwargs = {"distinct": True} if agg.distinct and agg.func == "count" else {}
        annotations[f"_agg{i}"] = func(path, **kwargs)
    aliases = [a.key for a in aggregates]
    order = []
    if args.get("order_by"):
        for item in parse_order(doctype, args["order_by"], aliases):
            name = item.lstrip("-")
            if name in aliases:
                item = item.replace(name, f"_agg{aliases.index(name)}")
            order.append(item)
    if not plan.columns:
        # Aggregates alone, no group_by: one row over every matching document, as in SQL.
        total = qs.order_by().aggregate(**annotations)
        rows = [total] if start == 0 and length != 0 else []
    else:
        # Grouping by a link's id groups as its name would: a name belongs to one row.
        grouped = qs.values(*plan.columns).annotate(**annotations).order_by(*order)
        rows = list(grouped[start : start + length] if length else grouped[start:])
    docs = plan.rows([[row[c] for c in plan.columns] for row in rows])
    out: list[Any] = []
    for row, doc in zip(rows, docs, strict=True):
        for i, agg in enumerate(aggregates):
            doc[agg.key] = _aggregate_value(row[f"_agg{i}"])
        out.append(doc if as_dict else list(doc.values()))
    return out


def _aggregate_value(value: Any) -> Any:
    """min/max of a date or datetime column as the API writes those columns; sums as numbers."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return fmt_datetime(value)
    if isinstance(value, dt.date | dt.time):
        return str(value)
    return value
