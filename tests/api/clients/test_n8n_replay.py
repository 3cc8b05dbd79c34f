"""n8n's ERPNext node, replayed request by request from its source (n8n-io/n8n,
packages/nodes-base/nodes/ERPNext: ERPNext.node.ts, GenericFunctions.ts, utils.ts and the
credential's test request), against a live FLRTS.

What the node does, as read:
- every request: `Authorization: token <key>:<secret>`, `Accept` and `Content-Type:
  application/json`, the query string from `qs`, a JSON body when there is one; a 403 becomes
  "DocType unavailable.";
- credential test: `GET /api/resource/DocType`;
- loadOptions getDocTypes: erpNextApiRequestAllItems on `/api/resource/DocType`: limit_start 0,
  limit_page_length 1000, then limit_start += 999 until `data` is empty; options are
  `{name, value: encodeURI(name)}`, so later calls carry the DocType URL-encoded;
- getDocFields / getDocFilters: `GET /api/resource/DocType/<encoded>` reading data.fields[]
  (label, fieldname); node version 1.1: `GET /api/method/frappe.desk.form.load.getdoctype
  ?doctype=<encoded>` reading docs[].fields[];
- document get / create / update / delete on `/api/resource/<encoded>[/<name>]`;
- getAll: `fields` as JSON (`["*"]` when "*" is chosen), `filters` as
  `[[docType, field, toSQL(operator), value]]` where toSQL maps is/isNot/greater/less/
  equalsGreater/equalsLess and anything else to undefined (JSON null), then either
  limit_page_length=<limit>&limit_start=0 or the returnAll loop above.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from flrts.tasks.models import Task

pytestmark = pytest.mark.django_db(transaction=True)

TO_SQL = {
    "is": "=",
    "isNot": "!=",
    "greater": ">",
    "less": "<",
    "equalsGreater": ">=",
    "equalsLess": "<=",
}
MAX_PAGES = 50  # the node loops until an empty page; a server that never sends one fails here


class N8nErpNext:
    def __init__(self, base_url: str, key: str, secret: str) -> None:
        self.http = httpx.Client(
            base_url=base_url,
            headers={
                "Authorization": f"token {key}:{secret}",
                "Accept": "application/json",
                "Content-Type": "application/json",
            },
            timeout=20,
        )
        self.requests = 0

    def request(self, method: str, resource: str, body: Any = None, qs: Any = None) -> Any:
        self.requests += 1
        response = self.http.request(
            method,
            resource,
            params=qs or None,
            content=json.dumps(body) if body else None,
        )
        if response.status_code == 403:
            raise PermissionError("DocType unavailable.")
        assert response.status_code < 400, (method, resource, response.status_code, response.text)
        return response.json()

    def all_items(self, resource: str, qs: dict[str, Any]) -> list[Any]:
        out: list[Any] = []
        qs = dict(qs, limit_start=0, limit_page_length=1000)
        for _ in range(MAX_PAGES):
            page = self.request("GET", resource, qs=qs)
            out += page["data"]
            qs["limit_start"] += qs["limit_page_length"] - 1
            if not page["data"]:
                return out
        raise AssertionError(f"{resource} never answered an empty page in {MAX_PAGES} pages")

    # loadOptions
    def get_doc_types(self) -> list[dict[str, str]]:
        rows = self.all_items("/api/resource/DocType", {})
        options = {r["name"]: {"name": r["name"], "value": quote(r["name"], safe="")} for r in rows}
        return sorted(options.values(), key=lambda o: o["name"])

    def get_doc_fields(self, doc_type: str, version: float = 1) -> list[dict[str, str]]:
        if version < 1.1:
            data = self.request("GET", f"/api/resource/DocType/{doc_type}")["data"]
            fields = data["fields"]
        else:
            response = self.request(
                "GET", f"/api/method/frappe.desk.form.load.getdoctype?doctype={doc_type}"
            )
            wanted = doc_type.replace("%20", " ")
            docs = response["docs"]
            doc = next((d for d in docs if d["name"] == wanted), docs[0])
            fields = doc["fields"]
        return sorted(
            ({"name": f["label"], "value": f["fieldname"]} for f in fields if f["label"]),
            key=lambda o: o["name"],
        )

    def get_doc_filters(self, doc_type: str) -> list[dict[str, str]]:
        return [{"name": "*", "value": "*"}, *self.get_doc_fields(doc_type)]

    # operations
    def get(self, doc_type: str, name: str) -> Any:
        return self.request("GET", f"/api/resource/{doc_type}/{name}")["data"]

    def create(self, doc_type: str, properties: dict[str, Any]) -> Any:
        return self.request("POST", f"/api/resource/{doc_type}", body=properties)["data"]

    def update(self, doc_type: str, name: str, properties: dict[str, Any]) -> Any:
        return self.request("PUT", f"/api/resource/{doc_type}/{name}", body=properties)["data"]

    def delete(self, doc_type: str, name: str) -> Any:
        return self.request("DELETE", f"/api/resource/{doc_type}/{name}")

    def get_all(
        self,
        doc_type: str,
        fields: list[str] | None = None,
        filters: list[tuple[str, str, Any]] | None = None,
        limit: int | None = 50,
    ) -> list[Any]:
        qs: dict[str, Any] = {}
        if fields:
            qs["fields"] = json.dumps(["*"] if "*" in fields else fields)
        if filters:
            qs["filters"] = json.dumps(
                [[doc_type, field, TO_SQL.get(op), value] for field, op, value in filters]
            )
        if limit is not None:
            qs["limit_page_length"] = limit
            qs["limit_start"] = 0
            return list(self.request("GET", f"/api/resource/{doc_type}", qs=qs)["data"])
        return self.all_items(f"/api/resource/{doc_type}", qs)


@pytest.fixture
def node(live_server: Any, people: Any, data: Any, keys: Any) -> Any:
    key, secret = keys["admin"]
    client = N8nErpNext(live_server.url, key, secret)
    yield client
    client.http.close()


def test_credential_test(node: N8nErpNext) -> None:
    assert node.request("GET", "/api/resource/DocType")["data"]


def test_get_doc_types_pages_to_the_end(node: N8nErpNext) -> None:
    options = node.get_doc_types()
    names = [o["name"] for o in options]
    assert {"Task", "Field Report", "Site", "User"} <= set(names)
    assert {"name": "Field Report", "value": "Field%20Report"} in options
    assert node.requests == 2  # one full page (under 1,000 DocTypes), then the empty page


def test_doc_fields_and_filters_both_node_versions(node: N8nErpNext) -> None:
    for version in (1, 1.1):
        fields = node.get_doc_fields("Field%20Report", version)
        values = {f["value"] for f in fields}
        assert {"summary", "site", "readings", "report_date"} <= values, version
    filters = node.get_doc_filters("Task")
    assert filters[0] == {"name": "*", "value": "*"} and {
        "name": "Subject",
        "value": "subject",
    } in (filters)


def test_document_operations(node: N8nErpNext, data: Any) -> None:
    doc_type = "Field%20Report"
    made = node.create(doc_type, {"summary": "From n8n", "site": "North Yard"})
    name = made["name"]
    assert node.get(doc_type, name)["summary"] == "From n8n"
    assert node.update(doc_type, name, {"observations": "seen"})["observations"] == "seen"
    rows = node.get_all(
        doc_type,
        fields=["name", "summary"],
        filters=[("summary", "is", "From n8n"), ("site", "unknownOperator", "North Yard")],
    )
    assert rows == [{"name": name, "summary": "From n8n"}]
    assert node.delete(doc_type, name) == {"data": "ok"}
    assert node.get_all(doc_type, filters=[("name", "is", name)]) == []


def test_get_all_filter_shapes_and_return_all(node: N8nErpNext, data: Any) -> None:
    for i in range(25):
        Task(subject=f"Bulk {i:02d}", priority="Low").save()
    everything = node.get_all("Task", fields=["*"], limit=None)
    live = Task.objects.filter(archived=False).count()
    assert len(everything) == live == 32 and "subject" in everything[0]
    assert len({r["name"] for r in everything}) == live
    assert len(node.get_all("Task", fields=["name"], limit=5)) == 5
    shapes = {
        "isNot": [("status", "isNot", "Open")],
        "greater": [("exp_end_date", "greater", "2025-01-31")],
        "less": [("exp_end_date", "less", "2025-01-31")],
        "equalsGreater": [("exp_end_date", "equalsGreater", "2025-01-31")],
        "equalsLess": [("exp_end_date", "equalsLess", "2025-01-31")],
    }
    counts = {
        op: len(node.get_all("Task", fields=["name"], filters=flt, limit=None))
        for op, flt in shapes.items()
    }
    assert counts == {"isNot": 3, "greater": 2, "less": 3, "equalsGreater": 3, "equalsLess": 4}


def test_a_403_is_doctype_unavailable(live_server: Any, people: Any, keys: Any) -> None:
    key, secret = keys["viewer"]
    viewer = N8nErpNext(live_server.url, key, secret)
    with pytest.raises(PermissionError, match="DocType unavailable"):
        viewer.create("Task", {"subject": "viewers cannot"})
    viewer.http.close()
