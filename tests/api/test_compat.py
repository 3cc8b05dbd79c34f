"""Requests exactly as frappe-client and n8n's ERPNext node send them, through a real HTTP server.

frappe-client (github frappe/frappe-client, frappeclient.py): login by POST to the site root with
form fields cmd=login, usr, pwd; Basic auth with base64(key:secret); lists with fields=["*"] and
limit_page_length=0 by default; insert/update with the form field data=<json>; delete, get_value,
insert_many and bulk_update through `cmd=` on the root; get_api/post_api with a trailing slash.
n8n's ERPNext node: `Authorization: token key:secret`, JSON bodies, the credential test
GET /api/resource/Doctype, filters as [[doctype, field, op, value]], returnAll paging with
limit_page_length=1000 and limit_start += 999, DocType pickers reading data.fields[].
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from flrts.api.models import ApiKey

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sessions() -> Any:
    opened: list[httpx.Client] = []
    yield opened
    for session in opened:
        session.close()


class FrappeClientLike:
    """The request patterns of frappeclient.FrappeClient, re-expressed with httpx."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = httpx.Client(headers={"Accept": "application/json"}, timeout=10)

    def login(self, usr: str, pwd: str) -> None:
        response = self.session.post(self.url, data={"cmd": "login", "usr": usr, "pwd": pwd})
        assert response.json().get("message") in ("Logged In", "No App"), response.text

    def authenticate(self, key: str, secret: str) -> None:
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.session.headers["Authorization"] = f"Basic {token}"

    @staticmethod
    def post_process(response: httpx.Response) -> Any:
        body = response.json()
        if body and "exc" in body:
            raise RuntimeError(body["exc"])
        if "message" in body:
            return body["message"]
        if "data" in body:
            return body["data"]
        return None

    def get_list(
        self,
        doctype: str,
        fields: Any = '"*"',
        filters: Any = None,
        limit_start: int = 0,
        limit_page_length: int = 0,
        order_by: str | None = None,
    ) -> Any:
        if not isinstance(fields, str):
            fields = json.dumps(fields)
        params: dict[str, Any] = {"fields": fields}
        if filters:
            params["filters"] = json.dumps(filters)
        if limit_page_length:
            params["limit_start"] = limit_start
            params["limit_page_length"] = limit_page_length
        if order_by:
            params["order_by"] = order_by
        return self.post_process(
            self.session.get(f"{self.url}/api/resource/{doctype}/", params=params)
        )

    def insert(self, doc: dict[str, Any]) -> Any:
        response = self.session.post(
            f"{self.url}/api/resource/{doc['doctype']}", data={"data": json.dumps(doc)}
        )
        return self.post_process(response)

    def update(self, doc: dict[str, Any]) -> Any:
        url = f"{self.url}/api/resource/{doc['doctype']}/{doc['name']}"
        return self.post_process(self.session.put(url, data={"data": json.dumps(doc)}))

    def get_doc(self, doctype: str, name: str = "", fields: Any = '"*"') -> Any:
        params = {"fields": json.dumps(fields)} if fields != '"*"' else {}
        return self.post_process(
            self.session.get(f"{self.url}/api/resource/{doctype}/{name}", params=params)
        )

    def delete(self, doctype: str, name: str) -> Any:
        data = {"cmd": "frappe.client.delete", "doctype": doctype, "name": name}
        return self.post_process(self.session.post(self.url, data=data))

    def get_value(self, doctype: str, fieldname: str, filters: Any) -> Any:
        params = {
            "cmd": "frappe.client.get_value",
            "doctype": doctype,
            "fieldname": fieldname,
            "filters": json.dumps(filters) if not isinstance(filters, str) else filters,
        }
        return self.post_process(self.session.get(self.url, params=params))

    def insert_many(self, docs: list[dict[str, Any]]) -> Any:
        data = {"cmd": "frappe.client.insert_many", "docs": json.dumps(docs)}
        return self.post_process(self.session.post(self.url, data=data))

    def bulk_update(self, docs: list[dict[str, Any]]) -> Any:
        data = {"cmd": "frappe.client.bulk_update", "docs": json.dumps(docs)}
        return self.post_process(self.session.post(self.url, data=data))

    def get_api(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return self.post_process(
            self.session.get(f"{self.url}/api/method/{method}/", params=params or {})
        )

    def post_api(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return self.post_process(
            self.session.post(f"{self.url}/api/method/{method}/", data=params or {})
        )


def test_frappe_client_patterns(live_server: Any, people: Any, data: Any, sessions: Any) -> None:
    client = FrappeClientLike(live_server.url)
    sessions.append(client.session)
    client.login("worker@example.com", "pw-worker@example.com")
    assert client.get_api("frappe.auth.get_logged_user") == "worker@example.com"
    key, secret = ApiKey.generate(people["admin"])
    api = FrappeClientLike(live_server.url)
    sessions.append(api.session)
    api.authenticate(key, secret)
    everything = api.get_list("Task")  # fields ["*"], limit_page_length 0: all rows
    assert len(everything) == 7 and "subject" in everything[0]
    page = api.get_list(
        "Task",
        fields=["name"],
        filters={"status": "Open"},
        limit_page_length=2,
        order_by="name asc",
    )
    assert len(page) == 2
    created = api.insert({"doctype": "Task", "subject": "From frappe-client", "site": "North Yard"})
    assert created["site"] == "North Yard"
    updated = api.update({**created, "priority": "Urgent"})
    assert updated["priority"] == "Urgent"
    assert api.get_value("Task", "priority", {"subject": "From frappe-client"}) == {
        "priority": "Urgent"
    }
    names = api.insert_many([{"doctype": "Task", "subject": f"Bulk {i}"} for i in range(3)])
    assert len(names) == 3
    assert api.bulk_update([{"doctype": "Task", "docname": names[0], "status": "Working"}]) == {
        "failed_docs": []
    }
    assert api.get_doc("Task", names[0])["status"] == "Working"
    api.delete("Task", names[1])
    missing = api.session.get(f"{live_server.url}/api/resource/Task/{names[1]}")
    assert missing.status_code == 404 and missing.json()["exc_type"] == "DoesNotExistError"
    assert api.post_api("frappe.client.get_count", {"doctype": "Task"}) == 10
    client.session.post(f"{live_server.url}/api/method/logout")


def test_n8n_erpnext_node_patterns(live_server: Any, people: Any, data: Any, sessions: Any) -> None:
    key, secret = ApiKey.generate(people["supervisor"])
    n8n = httpx.Client(
        base_url=live_server.url,
        headers={
            "Authorization": f"token {key}:{secret}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
        timeout=10,
    )
    sessions.append(n8n)
    assert n8n.get("/api/resource/Doctype").status_code == 200  # the credential test
    doctypes = n8n.get(
        "/api/resource/DocType", params={"fields": '["name"]', "limit_page_length": 500}
    )
    assert "Task" in {row["name"] for row in doctypes.json()["data"]}
    fields = n8n.get("/api/resource/DocType/Task").json()["data"]["fields"]
    assert {"label", "fieldname"} <= set(fields[0])
    created = n8n.post("/api/resource/Task", json={"subject": "From n8n", "priority": "High"})
    name = created.json()["data"]["name"]
    assert n8n.get(f"/api/resource/Task/{name}").json()["data"]["subject"] == "From n8n"
    assert (
        n8n.put(f"/api/resource/Task/{name}", json={"status": "Working"}).json()["data"]["status"]
        == "Working"
    )
    # returnAll: pages of 1000 with limit_start += 999 until an empty page
    seen: list[str] = []
    start = 0
    while True:
        response = n8n.get(
            "/api/resource/Task",
            params={
                "fields": '["name"]',
                "filters": json.dumps([["Task", "status", "!=", "Cancelled"]]),
                "limit_page_length": 1000,
                "limit_start": start,
            },
        )
        rows = response.json()["data"]
        if not rows:
            break
        seen += [r["name"] for r in rows]
        start += 999
    assert name in seen and len(set(seen)) == 7
    deleted = n8n.delete(f"/api/resource/Task/{name}")
    assert deleted.status_code == 202 and deleted.json() == {"data": "ok"}
    forbidden = n8n.get("/api/resource/Error Log")  # supervisors may read the log
    assert forbidden.status_code == 200


def test_errors_over_http(live_server: Any, people: Any, sessions: Any) -> None:
    http = httpx.Client(base_url=live_server.url, timeout=10)
    sessions.append(http)
    guest = http.get("/api/resource/Task")
    assert guest.status_code == 403 and guest.json()["exc_type"] == "PermissionError"
    bad = http.get("/api/resource/Task", headers={"Authorization": "token x:y"})
    assert bad.status_code == 401
    assert http.options("/api/resource/Task").status_code == 200
