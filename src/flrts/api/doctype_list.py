"""`GET /api/resource/DocType` as an ordinary list: fields, filters, order_by and paging.

DocTypes are meta, not table rows, so the list is built from the registry (a few dozen rows)
and filtered, sorted and paged in Python with Frappe's get_list parameters. Paging past the end
answers an empty page: n8n's DocType picker pages with limit_start until it gets one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flrts.api import filters as flt
from flrts.api import meta, registry, singles
from flrts.api.args import bool_arg, int_arg, json_arg
from flrts.api.errors import DataError, ValidationError
from flrts.api.query import MAX_ROWS, page_length
from flrts.core.permissions import Action, can

COLUMNS = (
    "name",
    "module",
    "istable",
    "issingle",
    "is_submittable",
    "is_tree",
    "custom",
    "track_changes",
    "editable_grid",
    "autoname",
    "title_field",
    "sort_field",
    "sort_order",
)
_ALIAS = re.compile(r"^(.+?)\s+as\s+(\w+)$", re.I)
_ORDER = re.compile(r"^([`\w .]+?)(?:\s+(asc|desc))?$", re.I)


class _DocTypeDocType:
    """What filters.normalize needs to know of the DocType being listed: its name."""

    name = "DocType"


def rows(user: Any) -> list[dict[str, Any]]:
    """One row per DocType the user may read (child tables with their parent)."""
    out = []
    for name in meta.all_names():
        doctype = registry.registry().get(name)
        if doctype is not None and not can(user, Action.READ, doctype.model):
            continue
        info = meta.doctype_meta(name) or {}
        out.append({column: info.get(column) for column in COLUMNS} | {"name": name})
    for name, model in singles.singles().items():
        if can(user, Action.SETTINGS, model):
            info = meta.single_meta(name)
            out.append({column: info.get(column) for column in COLUMNS})
    return out


def _column(ref: str) -> str:
    ref = ref.strip().replace("`", "")
    table, _, column = ref.rpartition(".")
    if table and table.removeprefix("tab").strip().lower() != "doctype":
        raise DataError(f"Field not permitted in query: {ref}")
    if column not in COLUMNS:
        raise DataError(f"Field not permitted in query: {column}")
    return column


def _fields(raw: Any) -> list[tuple[str, str]]:
    if raw in (None, "", []):
        raw = ["name"]
    if isinstance(raw, str):
        raw = [part for part in raw.split(",") if part.strip()]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise ValidationError("Parameter 'fields' must be a JSON list of field names")
    out: list[tuple[str, str]] = []
    for entry in raw:
        text = entry.strip()
        if text.replace("`", "").endswith("*"):
            out += [(c, c) for c in COLUMNS]
            continue
        alias = _ALIAS.match(text)
        ref, key = (alias.group(1), alias.group(2)) if alias else (text, "")
        column = _column(ref)
        out.append((key or column, column))
    return out


def _like(pattern: Any) -> re.Pattern[str]:
    parts = []
    for char in str(pattern):
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
    return re.compile("^" + "".join(parts) + "$", re.I | re.S)


def _typed(current: Any, value: Any) -> Any:
    if isinstance(current, int) and not isinstance(current, bool):
        try:
            return int(float(str(value)))
        except ValueError:
            raise ValidationError(f"{value!r} is not a number") from None
    return "" if value is None else str(value)


def _items(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    return [v.strip() for v in str(value or "").split(",") if v.strip()]


def _matches(row: dict[str, Any], item: flt.Filter) -> bool:
    dt_name, fieldname, op, value = item
    if dt_name.replace("`", "").removeprefix("tab").strip().lower() != "doctype":
        raise DataError(f"{dt_name} is not DocType")
    current = row.get(_column(fieldname))
    op = op.strip().lower()
    key = "" if current is None else current
    if op in ("=", "!="):
        same = key == _typed(key, value)
        return same if op == "=" else not same
    if op in (">", "<", ">=", "<="):
        other = _typed(key, value)
        return bool(
            {">": key > other, "<": key < other, ">=": key >= other, "<=": key <= other}[op]
        )
    if op in ("like", "not like"):
        found = bool(_like(value).match(str(key)))
        return found if op == "like" else not found
    if op in ("in", "not in"):
        inside = key in [_typed(key, v) for v in _items(value)]
        return inside if op == "in" else not inside
    if op == "is":
        word = str(value).strip().lower()
        if word not in ("set", "not set"):
            raise ValidationError(f"Operator 'is' takes 'set' or 'not set', got {value!r}")
        return (key not in ("", None)) == (word == "set")
    raise ValidationError(f"Operator '{op}' is not supported on the DocType list")


def _order(raw: Any) -> list[tuple[str, bool]]:
    if raw in (None, ""):
        return [("name", False)]
    if not isinstance(raw, str):
        raise ValidationError("Parameter 'order_by' must be text like 'name asc'")
    out = []
    for part in raw.split(","):
        match = _ORDER.match(part.strip())
        if not match:
            raise ValidationError(f"Illegal SQL Query: order_by {raw!r}")
        out.append((_column(match.group(1)), (match.group(2) or "asc").lower() == "desc"))
    return out


def _sort_key(column: str) -> Callable[[dict[str, Any]], tuple[bool, Any]]:
    return lambda row: (row.get(column) is None, row.get(column))


def filtered(user: Any, args: dict[str, Any]) -> list[dict[str, Any]]:
    target: Any = _DocTypeDocType()
    and_filters = flt.normalize(target, json_arg(args, "filters"), "filters")
    or_filters = flt.normalize(target, json_arg(args, "or_filters"), "or_filters")
    out = []
    for row in rows(user):
        if not all(_matches(row, f) for f in and_filters):
            continue
        if or_filters and not any(_matches(row, f) for f in or_filters):
            continue
        out.append(row)
    return out


def get_list(user: Any, args: dict[str, Any], default_limit: int | None = 20) -> list[Any]:
    fields = _fields(json_arg(args, "fields"))
    found = filtered(user, args)
    for column, desc in reversed(_order(args.get("order_by"))):
        found.sort(key=_sort_key(column), reverse=desc)
    start = int_arg(args, "limit_start", None)
    if start is None:
        start = int_arg(args, "start", 0) or 0
    length = page_length(args, default_limit)
    start = min(start, MAX_ROWS)
    page = found[start : start + length] if length else found[start:]
    as_dict = bool_arg(args, "as_dict", True)
    out: list[Any] = []
    for row in page:
        doc = {key: row.get(column) for key, column in fields}
        out.append(doc if as_dict else list(doc.values()))
    return out
