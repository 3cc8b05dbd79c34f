"""An OpenAPI 3.1 document generated from the DocType and method registries, and a page for it.

The page is rendered on the server from the same document (no CDN, no JavaScript).
"""

from __future__ import annotations

import functools
import html
import json
from typing import Any

from django.http import HttpRequest, HttpResponse

from flrts.api import meta, registry
from flrts.api.methods import registered
from flrts.api.registry import ApiDocType, ApiField

_TYPES: dict[str, dict[str, Any]] = {
    "Check": {"type": "integer", "enum": [0, 1]},
    "Int": {"type": "integer"},
    "Float": {"type": "number"},
    "Date": {"type": "string", "format": "date"},
    "Datetime": {"type": "string", "description": "YYYY-MM-DD HH:MM:SS[.ffffff], site time zone"},
    "Time": {"type": "string", "description": "HH:MM:SS"},
    "JSON": {},
}
_ERROR = {"$ref": "#/components/schemas/Error"}


def _schema(api_field: ApiField) -> dict[str, Any]:
    schema = dict(_TYPES.get(api_field.fieldtype, {"type": "string"}))
    if api_field.choices:
        schema["enum"] = list(api_field.choices)
    if api_field.link is not None:
        schema["description"] = f"Name of a {api_field.link.doctype}"
    if api_field.nullable and "type" in schema:
        schema["type"] = [schema["type"], "null"]
    if api_field.read_only:
        schema["readOnly"] = True
    schema["title"] = api_field.label
    return schema


def _ref(name: str) -> str:
    return "#/components/schemas/" + name.replace(" ", "_")


def _doc_schema(doctype: ApiDocType) -> dict[str, Any]:
    props = {name: _schema(f) for name, f in doctype.fields.items()}
    for table in doctype.tables.values():
        props[table.fieldname] = {"type": "array", "items": {"$ref": _ref(table.doctype)}}
    props["doctype"] = {"type": "string", "const": doctype.name, "readOnly": True}
    required = [name for name, f in doctype.fields.items() if f.reqd]
    return {"type": "object", "properties": props, "required": required}


def _child_schema(doctype_name: str) -> dict[str, Any]:
    _parent, table = registry.child_doctypes()[doctype_name]
    props = {name: _schema(f) for name, f in table.fields.items()}
    props["name"] = {"type": "string"}
    props["idx"] = {"type": "integer"}
    return {"type": "object", "properties": props}


def _param(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


_LIST_PARAMS = [
    _param("fields", 'JSON list of fields, e.g. ["name","status"] or ["*"]'),
    _param("filters", 'JSON filters: {"status":"Open"} or [["status","=","Open"]]'),
    _param("or_filters", "JSON filters joined with OR"),
    _param("order_by", "e.g. 'modified desc'"),
    _param("limit_start", "rows to skip", {"type": "integer", "minimum": 0}),
    _param("limit_page_length", "rows per page (0 = all)", {"type": "integer", "minimum": 0}),
    _param("as_dict", "0 for lists of values", {"type": "integer", "enum": [0, 1]}),
]


def _responses(ok: dict[str, Any], status: str = "200") -> dict[str, Any]:
    out: dict[str, Any] = {
        status: {"description": "OK", "content": {"application/json": {"schema": ok}}}
    }
    for code, text in (
        ("401", "Bad credentials"),
        ("403", "Not permitted"),
        ("404", "Not found"),
        ("417", "Validation error"),
        ("429", "Too many requests"),
    ):
        out[code] = {"description": text, "content": {"application/json": {"schema": _ERROR}}}
    return out


def _data(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {"data": schema}}


@functools.cache
def document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "properties": {
                "exc_type": {"type": "string"},
                "exception": {"type": "string"},
                "exc": {
                    "type": "string",
                    "description": "JSON list of one string: the exception class and message "
                    "(not on 404 or CSRFTokenError, as in Frappe v15)",
                },
                "_server_messages": {
                    "type": "string",
                    "description": "JSON list of JSON-encoded {message,title,indicator}",
                },
            },
            "required": ["exc_type"],
        }
    }
    for name, doctype in registry.registry().items():
        ref = {"$ref": _ref(name)}
        schemas[name.replace(" ", "_")] = _doc_schema(doctype)
        tag = [name]
        paths[f"/api/resource/{name}"] = {
            "get": {
                "tags": tag,
                "summary": f"List {name}",
                "operationId": f"list_{name.replace(' ', '_')}",
                "parameters": _LIST_PARAMS,
                "responses": _responses(_data({"type": "array", "items": {"type": "object"}})),
            },
            "post": {
                "tags": tag,
                "summary": f"Create a {name}",
                "operationId": f"create_{name.replace(' ', '_')}",
                "requestBody": {"content": {"application/json": {"schema": ref}}},
                "responses": _responses(_data(ref)),
            },
        }
        name_param = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
        paths[f"/api/resource/{name}/{{name}}"] = {
            "parameters": [name_param],
            "get": {
                "tags": tag,
                "summary": f"Read a {name}",
                "operationId": f"get_{name.replace(' ', '_')}",
                "responses": _responses(_data(ref)),
            },
            "put": {
                "tags": tag,
                "summary": f"Update a {name} (partial)",
                "operationId": f"update_{name.replace(' ', '_')}",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": _responses(_data(ref)),
            },
            "delete": {
                "tags": tag,
                "summary": f"Archive a {name} (purge=1: delete, Admins only)",
                "operationId": f"delete_{name.replace(' ', '_')}",
                "parameters": [
                    _param("purge", "1 to delete for good", {"type": "integer", "enum": [0, 1]})
                ],
                "responses": _responses(_data({"type": "string", "const": "ok"}), "202"),
            },
        }
    for child in registry.child_doctypes():
        schemas[child.replace(" ", "_")] = _child_schema(child)
    for path, method in sorted(registered().items()):
        if method.raw:
            continue
        ops: dict[str, Any] = {}
        for verb in sorted(method.methods):
            params = (
                [_param(p, p) for p in sorted(method.params - {"user", "request"})]
                if verb == "GET"
                else []
            )
            ops[verb.lower()] = {
                "tags": ["Methods"],
                "summary": (method.func.__doc__ or path).strip().splitlines()[0],
                "operationId": f"{verb.lower()}_{path.replace('.', '_')}",
                "parameters": params,
                "responses": _responses({"type": "object", "properties": {"message": {}}}),
            }
            if verb != "GET":
                ops[verb.lower()]["requestBody"] = {
                    "content": {"application/json": {"schema": {"type": "object"}}}
                }
            if method.allow_guest:
                ops[verb.lower()]["security"] = [{}]
        paths[f"/api/method/{path}"] = ops
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "FLRTS API",
            "version": "1",
            "description": "Frappe/ERPNext-compatible REST API (v1 rules). See docs/api.md.",
        },
        "servers": [{"url": "/"}],
        "security": [{"token": []}, {"basic": []}, {"session": []}],
        "components": {
            "securitySchemes": {
                "token": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "token <api_key>:<api_secret>",
                },
                "basic": {"type": "http", "scheme": "basic"},
                "session": {"type": "apiKey", "in": "cookie", "name": "sid"},
            },
            "schemas": schemas,
        },
        "paths": paths,
    }


@functools.cache
def _document_json() -> bytes:
    return json.dumps(document(), indent=1).encode()


def openapi_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_document_json(), content_type="application/json")


def _rows(items: list[tuple[str, ...]]) -> str:
    return "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in items
    )


@functools.cache
def _page() -> bytes:
    doc = document()
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>FLRTS API</title><style>",
        "body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:"
        "collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}"
        "code{background:#f4f4f4}h2{margin-top:2em}",
        "</style></head><body><h1>FLRTS API</h1>",
        "<p>Frappe/ERPNext-compatible REST API. Machine-readable: "
        "<a href='/api/openapi.json'>/api/openapi.json</a>. Auth: "
        "<code>Authorization: token api_key:api_secret</code>, Basic, or the desk session.</p>",
        "<h2>Endpoints</h2><table><tr><th>Method</th><th>Path</th><th>Summary</th></tr>",
    ]
    rows: list[tuple[str, ...]] = []
    for path, ops in doc["paths"].items():
        for verb, op in ops.items():
            if verb == "parameters":
                continue
            rows.append((verb.upper(), path, op.get("summary", "")))
    parts.append(_rows(rows) + "</table>")
    for name in meta.all_names():
        info = meta.doctype_meta(name) or {}
        parts.append(f"<h2 id='{html.escape(name)}'>{html.escape(name)}</h2>")
        parts.append(
            "<table><tr><th>Field</th><th>Label</th><th>Type</th><th>Options</th>"
            "<th>Required</th></tr>"
        )
        parts.append(
            _rows(
                [
                    (
                        f["fieldname"],
                        f["label"],
                        f["fieldtype"],
                        (f["options"] or "").replace("\n", ", "),
                        "yes" if f["reqd"] else "",
                    )
                    for f in info.get("fields", [])
                ]
            )
            + "</table>"
        )
    parts.append("</body></html>")
    return "".join(parts).encode()


def docs_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_page(), content_type="text/html; charset=utf-8")
