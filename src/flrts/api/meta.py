"""DocType meta as Frappe answers `/api/resource/DocType/<name>` (n8n's pickers read `fields`)."""

from __future__ import annotations

import functools
from typing import Any

from flrts.api import registry, singles
from flrts.api.registry import STANDARD_FIELDS, ApiDocType, ChildTable


def _table_field(table: ChildTable) -> dict[str, Any]:
    return {
        "fieldname": table.fieldname,
        "label": table.label,
        "fieldtype": table.fieldtype,
        "options": table.doctype,
        "reqd": 0,
        "read_only": 0,
    }


def _doc(name: str, fields: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    for idx, f in enumerate(fields, start=1):
        f["idx"] = idx
        f["parent"] = name
        f["parentfield"] = "fields"
        f["parenttype"] = "DocType"
        f["doctype"] = "DocField"
    return {
        "name": name,
        "doctype": "DocType",
        "module": "FLRTS",
        "custom": 0,
        "issingle": 0,
        "istable": 0,
        "is_submittable": 0,
        "is_tree": 0,
        "editable_grid": 1,
        "track_changes": 1,
        "sort_field": "modified",
        "sort_order": "DESC",
        **extra,
        "fields": fields,
    }


@functools.cache
def doctype_meta(name: str) -> dict[str, Any] | None:
    doctype = registry.registry().get(name)
    if doctype is not None:
        return _document_meta(doctype)
    child = registry.child_doctypes().get(name)
    if child is None:
        return None
    _parent, table = child
    fields = [f.meta(0) for f in table.fields.values()]
    return _doc(table.doctype, fields, istable=1, editable_grid=1, track_changes=0)


def _document_meta(doctype: ApiDocType) -> dict[str, Any]:
    fields = [f.meta(0) for name, f in doctype.fields.items() if name not in STANDARD_FIELDS]
    fields += [_table_field(t) for t in doctype.tables.values()]
    model = doctype.model
    series = getattr(model, "naming_series", "")
    name_field = getattr(model, "name_field", "")
    autoname = (
        f"field:{name_field}"
        if name_field
        else series or ("field:email" if doctype.is_user else "")
    )
    return _doc(
        doctype.name,
        fields,
        is_tree=int(doctype.is_tree),
        is_submittable=int(doctype.is_submittable),
        title_field=doctype.title_field or None,
        autoname=autoname,
        nsm_parent_field="parent_task" if doctype.is_tree else None,
    )


@functools.cache
def single_meta(name: str) -> dict[str, Any]:
    """A Single DocType (one settings row): issingle=1, read through get_single_value."""
    return _doc(name, singles.meta_fields(name), issingle=1, track_changes=0)


def all_names() -> list[str]:
    return sorted([*registry.registry(), *registry.child_doctypes()])
