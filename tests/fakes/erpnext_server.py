"""A fake ERPNext (Frappe v15 REST API v1) for the connector's tests.

Real HTTP on 127.0.0.1 (stdlib `ThreadingHTTPServer` in a background thread), so the connector
uses its real client. It implements what the connector calls, with the shapes recorded from a
real Frappe v15.44.2 (`/work/shared/reference/frappe-v15-transcripts.jsonl`):

- token (`token key:secret`) and Basic auth; a wrong key → 401 `AuthenticationError` (exception,
  exc_type, exc; no `_server_messages`); no auth → Guest → 403 `PermissionError`.
- `GET /api/method/frappe.auth.get_logged_user`, `frappe.utils.change_log.get_versions`,
  `frappe.client.get_single_value` (System Settings), `ping`; an unknown method → 417.
- `GET /api/resource/<dt>` with `fields`, `filters` (list or dict; = != > >= < <= in, not in,
  like, is set/not set), `order_by`, `limit_start`, `limit_page_length` (default 20, 0 = all);
  unknown fields → 417 `DataError` "Field not permitted in query: x".
- `GET|PUT|DELETE /api/resource/<dt>/<name>`, `POST /api/resource/<dt>` → `{"data": doc}` (200,
  DELETE 202 `{"data": "ok"}`); a missing doc → 404 `DoesNotExistError` "<dt> <name> not found";
  single documents omit null fields, as Frappe's `as_dict(no_nulls=True)`.
- ERPNext Task validation: subject mandatory (`MandatoryError`), status/priority options
  (`ValidationError` ' Status cannot be "X". It should be one of ...'), `parent_task` link
  (`LinkValidationError` "Could not find Parent Task: X"), start ≤ end date, and `modified` in a
  PUT body checked (`TimestampMismatchError`). Names `TASK-YYYY-#####`; Comments get hash names.
- `modified` is a naive `str(datetime)` in the fake's `time_zone` (default UTC), strictly
  increasing.

Test hooks: `seed(doctype, **fields)`, `edit(doctype, name, **fields)` (an edit made in ERPNext),
`fail_next(status, count, method=, path_contains=)`, `requests` (everything received).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

API_KEY = "fakeerpkey0001"
API_SECRET = "fakeerpsecret0001"
USER = "integration@erp.example.com"

TASK_STATUSES = [
    "Open",
    "Working",
    "Pending Review",
    "Overdue",
    "Template",
    "Completed",
    "Cancelled",
]
TASK_PRIORITIES = ["Low", "Medium", "High", "Urgent"]

# Fields each DocType has (besides the standard ones); what `fields=[...]` may ask for.
STANDARD = ["name", "owner", "creation", "modified", "modified_by", "docstatus", "idx"]
OPTIONAL = ["_assign", "_user_tags", "_comments", "_liked_by"]
SCHEMA: dict[str, list[str]] = {
    "Task": [
        "subject",
        "project",
        "status",
        "priority",
        "exp_start_date",
        "exp_end_date",
        "description",
        "parent_task",
        "is_group",
        "completed_by",
        "completed_on",
    ],
    "Comment": [
        "comment_type",
        "reference_doctype",
        "reference_name",
        "content",
        "comment_email",
    ],
    "User": [
        "email",
        "first_name",
        "last_name",
        "full_name",
        "time_zone",
        "enabled",
        "user_type",
    ],
    "Location": ["location_name", "latitude", "longitude", "is_group", "parent_location"],
    "Supplier": ["supplier_name", "supplier_group", "email_id", "mobile_no", "disabled"],
    "Issue": ["subject", "description", "status", "priority"],
}
DEFAULTS: dict[str, dict[str, Any]] = {
    "Task": {"status": "Open", "priority": "Medium", "is_group": 0},
    "Comment": {"comment_type": "Comment"},
    "User": {"enabled": 1, "user_type": "System User", "time_zone": None},
    "Location": {"is_group": 0, "latitude": 0.0, "longitude": 0.0},
    "Supplier": {"disabled": 0, "supplier_group": "All Supplier Groups"},
    "Issue": {"status": "Open"},
}


class FrappeException(Exception):
    def __init__(
        self,
        status: int,
        exc_type: str,
        message: str = "",
        messages: bool = True,
        title: str = "Message",
    ) -> None:
        super().__init__(message)
        self.status, self.exc_type, self.message = status, exc_type, message
        self.messages, self.title = messages, title

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.status != 404:
            detail = f": {self.message}" if self.message else ""
            out["exception"] = f"frappe.exceptions.{self.exc_type}{detail}"
        out["exc_type"] = self.exc_type
        if self.status != 404:
            out["exc"] = json.dumps(
                [
                    'Traceback (most recent call last):\n  File "apps/frappe/frappe/app.py", '
                    "line 114, in application\n ... (traceback trimmed)"
                ]
            )
        if self.messages and self.message:
            out["_server_messages"] = server_messages(self.message, self.title)
        return out


def server_messages(message: str, title: str = "Message") -> str:
    """Frappe's double-encoded `_server_messages`."""
    item = {
        "message": message,
        "title": title,
        "indicator": "red",
        "raise_exception": 1,
        "__frappe_exc_id": secrets.token_hex(28),
    }
    return json.dumps([json.dumps(item)])


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    status: int = 0


@dataclass
class _Failure:
    status: int
    count: int
    method: str | None
    path_contains: str | None
    body: str | None


@dataclass
class FakeERPNext:
    api_key: str = API_KEY
    api_secret: str = API_SECRET
    user: str = USER
    time_zone: str = "UTC"
    docs: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)
    erpnext_installed: bool = True

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._failures: list[_Failure] = []
        self._series: dict[str, int] = {}
        self._last_modified: dt.datetime | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> FakeERPNext:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- test hooks --------------------------------------------------------------------------
    def now(self) -> str:
        """A strictly increasing naive timestamp in the fake's time zone (Frappe's `modified`)."""
        with self._lock:
            now = dt.datetime.now(ZoneInfo(self.time_zone)).replace(tzinfo=None)
            if self._last_modified is not None and now <= self._last_modified:
                now = self._last_modified + dt.timedelta(microseconds=1)
            self._last_modified = now
            return now.isoformat(sep=" ", timespec="microseconds")

    def seed(self, doctype: str, **values: Any) -> dict[str, Any]:
        with self._lock:
            return self._insert(doctype, values, owner="Administrator")

    def edit(self, doctype: str, name: str, **values: Any) -> dict[str, Any]:
        """An edit made in ERPNext's desk by someone else: bumps `modified`."""
        with self._lock:
            doc = self.docs[doctype][name]
            if "_assign" in values and isinstance(values["_assign"], list):
                values["_assign"] = json.dumps(values["_assign"])
            doc.update(values)
            doc["modified"] = self.now()
            doc["modified_by"] = "someone@erp.example.com"
            return dict(doc)

    def get(self, doctype: str, name: str) -> dict[str, Any]:
        with self._lock:
            return dict(self.docs[doctype][name])

    def all(self, doctype: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(d) for d in self.docs.get(doctype, {}).values()]

    def fail_next(
        self,
        status: int,
        count: int = 1,
        method: str | None = None,
        path_contains: str | None = None,
        body: str | None = None,
    ) -> None:
        with self._lock:
            self._failures.append(_Failure(status, count, method, path_contains, body))

    def calls(self, method: str | None = None, path_contains: str = "") -> list[Received]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and path_contains in r.path
        ]

    # -- the API -------------------------------------------------------------------------------
    def _scripted_failure(self, method: str, path: str) -> tuple[int, str, str] | None:
        with self._lock:
            for failure in self._failures:
                if failure.count <= 0:
                    continue
                if failure.method and failure.method != method:
                    continue
                if failure.path_contains and failure.path_contains not in path:
                    continue
                failure.count -= 1
                if failure.body is not None:
                    return failure.status, failure.body, "application/json"
                if failure.status == 429:
                    exc = FrappeException(429, "TooManyRequestsError", "Too Many Requests")
                    return 429, json.dumps(exc.body()), "application/json"
                if failure.status >= 502:
                    html = f"<html><body><h1>{failure.status} Bad Gateway</h1></body></html>"
                    return failure.status, html, "text/html"
                exc = FrappeException(failure.status, "Exception", "Internal Server Error")
                return failure.status, json.dumps(exc.body()), "application/json"
        return None

    def authenticate(self, header: str) -> str:
        if not header:
            return "Guest"
        parts = header.split(" ")
        if len(parts) != 2:
            raise FrappeException(401, "AuthenticationError", messages=False)
        scheme, value = parts
        if scheme.lower() == "basic":
            try:
                value = base64.b64decode(value).decode()
            except ValueError:
                raise FrappeException(400, "InvalidAuthorizationToken", messages=False) from None
        elif scheme.lower() != "token":
            raise FrappeException(401, "AuthenticationError", messages=False)
        key, _, secret = value.partition(":")
        if key != self.api_key or secret != self.api_secret:
            raise FrappeException(401, "AuthenticationError", messages=False)
        return self.user

    def handle(
        self, method: str, path: str, query: dict[str, str], body: Any, user: str
    ) -> tuple[int, Any]:
        parts = [urllib.parse.unquote(p) for p in path.split("/") if p]
        if parts[:2] == ["api", "method"] and len(parts) == 3:
            return 200, {"message": self._method(parts[2], {**query, **(body or {})}, user)}
        if parts[:2] == ["api", "resource"] and len(parts) in (3, 4):
            if user == "Guest":
                raise FrappeException(
                    403, "PermissionError", f"No permission for {parts[2]}", title="Not permitted"
                )
            doctype = parts[2]
            if doctype not in SCHEMA:
                raise FrappeException(404, "DoesNotExistError", f"DocType {doctype} not found")
            if len(parts) == 3:
                if method == "GET":
                    return 200, {"data": self._list(doctype, query)}
                if method == "POST":
                    if not isinstance(body, dict):
                        raise FrappeException(417, "ValidationError", "Invalid request body")
                    with self._lock:
                        return 200, {"data": _no_nulls(self._insert(doctype, body, user))}
            else:
                name = parts[3]
                with self._lock:
                    if method == "GET":
                        return 200, {"data": _no_nulls(self._get(doctype, name))}
                    if method == "PUT":
                        if not isinstance(body, dict):
                            raise FrappeException(417, "ValidationError", "Invalid request body")
                        return 200, {"data": _no_nulls(self._update(doctype, name, body, user))}
                    if method == "DELETE":
                        self._get(doctype, name)
                        del self.docs[doctype][name]
                        return 202, {"data": "ok"}
        raise FrappeException(404, "DoesNotExistError", "Not Found")

    def _method(self, name: str, args: dict[str, Any], user: str) -> Any:
        if name in ("ping", "frappe.ping"):
            return "pong"
        if user == "Guest":
            raise FrappeException(
                403,
                "PermissionError",
                "<details><summary>You are not permitted to access this resource.</summary>"
                f"Function <strong>{name}</strong> is not whitelisted.</details>",
                title="Method Not Allowed",
            )
        if name == "frappe.auth.get_logged_user":
            return user
        if name == "frappe.utils.change_log.get_versions":
            versions = {
                "frappe": {
                    "title": "Frappe Framework",
                    "description": "Full stack web framework",
                    "branch": "version-15",
                    "version": "15.44.2",
                },
            }
            if self.erpnext_installed:
                versions["erpnext"] = {
                    "title": "ERPNext",
                    "description": "ERP made simple",
                    "branch": "version-15",
                    "version": "15.38.0",
                }
            return versions
        if name == "frappe.client.get_single_value":
            if args.get("doctype") == "System Settings" and args.get("field") == "time_zone":
                return self.time_zone
            return None
        module, _, attr = name.rpartition(".")
        raise FrappeException(
            417,
            "ValidationError",
            f"Failed to get method for command {name} with module '{module}' has no attribute "
            f"'{attr}'",
        )

    # -- documents -----------------------------------------------------------------------------
    def _get(self, doctype: str, name: str) -> dict[str, Any]:
        doc = self.docs.get(doctype, {}).get(name)
        if doc is None:
            raise FrappeException(404, "DoesNotExistError", f"{doctype} {name} not found")
        return {**doc, "doctype": doctype}

    def _name(self, doctype: str, values: dict[str, Any]) -> str:
        if doctype == "Task":
            year = dt.date.today().year
            key = f"TASK-{year}-"
            self._series[key] = self._series.get(key, 0) + 1
            return f"{key}{self._series[key]:05d}"
        natural = {"User": "email", "Location": "location_name", "Supplier": "supplier_name"}
        if doctype in natural and values.get(natural[doctype]):
            return str(values[natural[doctype]])
        return secrets.token_hex(5)  # Frappe's hash naming: 10 characters

    def _insert(self, doctype: str, values: dict[str, Any], owner: str) -> dict[str, Any]:
        data = {k: v for k, v in values.items() if k in SCHEMA[doctype] or k in OPTIONAL}
        doc = {f: None for f in SCHEMA[doctype]}
        doc.update(DEFAULTS.get(doctype, {}))
        doc.update(data)
        self._validate(doctype, doc, None)
        name = str(values.get("name") or "") if doctype != "Task" else ""
        name = name or self._name(doctype, doc)
        if name in self.docs.get(doctype, {}):
            raise FrappeException(409, "DuplicateEntryError", f"{doctype} {name} already exists")
        now = self.now()
        doc = {
            "name": name,
            "owner": owner,
            "creation": now,
            "modified": now,
            "modified_by": owner,
            "docstatus": 0,
            "idx": 0,
            **doc,
        }
        self.docs.setdefault(doctype, {})[name] = doc
        return {**doc, "doctype": doctype}

    def _update(self, doctype: str, name: str, values: dict[str, Any], user: str) -> dict[str, Any]:
        current = self.docs.get(doctype, {}).get(name)
        if current is None:
            raise FrappeException(404, "DoesNotExistError", f"{doctype} {name} not found")
        sent_modified = values.get("modified")
        if sent_modified and str(sent_modified) != current["modified"]:
            raise FrappeException(
                417,
                "TimestampMismatchError",
                "Error: Document has been modified after you have opened it "
                f"({sent_modified}, {current['modified']}). Please refresh to get the latest "
                "document.",
            )
        data = {k: v for k, v in values.items() if k in SCHEMA[doctype] or k in OPTIONAL}
        merged = {**current, **data}
        self._validate(doctype, merged, name)
        merged["modified"] = self.now()
        merged["modified_by"] = user
        self.docs[doctype][name] = merged
        return {**merged, "doctype": doctype}

    def _validate(self, doctype: str, doc: dict[str, Any], name: str | None) -> None:
        if doctype == "Task":
            if not doc.get("subject"):
                raise FrappeException(
                    417, "MandatoryError", "Error: Value missing for Task: Subject"
                )
            for fieldname, label, options in (
                ("status", "Status", TASK_STATUSES),
                ("priority", "Priority", TASK_PRIORITIES),
            ):
                value = doc.get(fieldname)
                if value and value not in options:
                    allowed = ", ".join(f'"{o}"' for o in options)
                    raise FrappeException(
                        417,
                        "ValidationError",
                        f' {label} cannot be "{value}". It should be one of {allowed}',
                    )
            parent = doc.get("parent_task")
            if parent and parent not in self.docs.get("Task", {}):
                raise FrappeException(
                    417, "LinkValidationError", f"Could not find Parent Task: {parent}"
                )
            if parent and parent == name:
                raise FrappeException(417, "ValidationError", "Task cannot be its own parent")
            start, end = doc.get("exp_start_date"), doc.get("exp_end_date")
            if start and end and str(start) > str(end):
                raise FrappeException(
                    417,
                    "ValidationError",
                    "<strong>Expected End Date</strong> should be after "
                    "<strong>Expected Start Date</strong>",
                )
        if doctype == "Comment":
            ref_dt, ref_name = doc.get("reference_doctype"), doc.get("reference_name")
            if ref_dt and ref_name and ref_name not in self.docs.get(ref_dt, {}):
                raise FrappeException(
                    417, "LinkValidationError", f"Could not find Reference Name: {ref_name}"
                )

    def _list(self, doctype: str, query: dict[str, str]) -> list[Any]:
        allowed = set(STANDARD) | set(SCHEMA[doctype]) | set(OPTIONAL)
        fields = _json_arg(query, "fields", ["name"])
        if fields == ["*"]:
            fields = [*STANDARD, *SCHEMA[doctype]]
        for f in fields:
            if f not in allowed:
                raise FrappeException(417, "DataError", f"Field not permitted in query: {f}")
        filters = _json_arg(query, "filters", [])
        if isinstance(filters, dict):
            filters = [[k, *(v if isinstance(v, list) else ["=", v])] for k, v in filters.items()]
        conditions = []
        for item in filters:
            item = item[1:] if len(item) == 4 else item
            fieldname, op, value = item[0], str(item[1]).lower(), item[2]
            if fieldname not in allowed:
                raise FrappeException(
                    417, "DataError", f"Field not permitted in query: {fieldname}"
                )
            conditions.append((fieldname, op, value))
        with self._lock:
            rows = [dict(d) for d in self.docs.get(doctype, {}).values()]
        rows = [r for r in rows if all(_match(r.get(f), op, v) for f, op, v in conditions)]
        order_by = query.get("order_by")
        if order_by:
            for clause in reversed([c.strip() for c in order_by.split(",")]):
                column, _, direction = clause.partition(" ")
                column = column.strip("`").split(".")[-1].strip("`")
                if column not in allowed:
                    raise FrappeException(417, "ValidationError", f"Invalid field: {column}")
                rows.sort(
                    key=lambda r, c=column: (r.get(c) is None, str(r.get(c) or "")),
                    reverse=direction.strip().lower() == "desc",
                )
        start = int(query.get("limit_start") or query.get("start") or 0)
        length_raw = query.get("limit_page_length", query.get("limit"))
        length = 20 if length_raw in (None, "", "None") else int(length_raw)
        rows = rows[start:] if length == 0 else rows[start : start + length]
        return [{f: r.get(f) for f in fields} for r in rows]


def _no_nulls(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v is not None}


def _json_arg(query: dict[str, str], name: str, default: Any) -> Any:
    raw = query.get(name)
    if raw in (None, ""):
        return default
    try:
        return json.loads(raw)
    except ValueError:
        # Real Frappe answers 500 here (transcripts 33, 71).
        raise FrappeException(500, "JSONDecodeError", "Expecting value") from None


def _match(actual: Any, op: str, value: Any) -> bool:
    if op == "is":
        is_set = actual not in (None, "")
        return is_set if value == "set" else not is_set
    if op in ("in", "not in"):
        options = value if isinstance(value, list) else str(value).split(",")
        found = str(actual) in [str(o).strip() for o in options]
        return found if op == "in" else not found
    if op in ("like", "not like"):
        import re

        pattern = "^" + re.escape(str(value)).replace("%", ".*").replace("_", ".") + "$"
        found = re.match(pattern, str(actual or ""), re.IGNORECASE) is not None
        return found if op == "like" else not found
    left, right = ("" if actual is None else str(actual)), str(value)
    compare: dict[str, Callable[[str, str], bool]] = {
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
    }
    if op not in compare:
        raise FrappeException(417, "ValidationError", f"Invalid filter operator: {op}")
    return compare[op](left, right)


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeERPNext
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self, method: str) -> None:
        fake = self.server_fake
        parsed = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body: Any = None
        if raw:
            if "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
                form = dict(urllib.parse.parse_qsl(raw.decode()))
                body = json.loads(form["data"]) if "data" in form else form
            else:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = "<malformed>"
        record = Received(method, parsed.path, query, body, dict(self.headers.items()))
        fake.requests.append(record)
        failure = fake._scripted_failure(method, parsed.path)
        if failure is not None:
            status, text, content_type = failure
            record.status = status
            self._send(status, text.encode(), content_type)
            return
        try:
            user = fake.authenticate(self.headers.get("Authorization", ""))
            status, payload = fake.handle(method, parsed.path, query, body, user)
        except FrappeException as exc:
            status, payload = exc.status, exc.body()
        record.status = status
        self._send(status, json.dumps(payload, default=str).encode(), "application/json")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Frappe-Request-Id", secrets.token_hex(8))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")
