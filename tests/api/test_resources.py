"""The generic resource contract, run for every exposed DocType (with and without permission)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar

import pytest

from flrts.api import registry
from flrts.api.serialize import input_zone

pytestmark = pytest.mark.django_db


def server_message(response: Any) -> str:
    body = response.json()
    return json.loads(json.loads(body["_server_messages"])[0])["message"]


class ResourceContract:
    doctype: ClassVar[str]
    create_body: ClassVar[dict[str, Any]]
    update_body: ClassVar[dict[str, Any]]
    missing_body: ClassVar[dict[str, Any]]  # lacks a required field
    writer: ClassVar[str] = "worker"
    non_writer: ClassVar[str] = "viewer"
    non_reader: ClassVar[str] = "guest"
    date_field: ClassVar[str] = "creation"
    child_table: ClassVar[str | None] = None
    child_rows: ClassVar[list[dict[str, Any]]] = []
    child_key: ClassVar[str] = ""

    @property
    def url(self) -> str:
        return f"/api/resource/{self.doctype}"

    def make(self, apis: Any, **extra: Any) -> dict[str, Any]:
        body = {**self.create_body, **extra}
        response = apis[self.writer].post(self.url, body)
        assert response.status_code == 200, response.content
        return response.json()["data"]

    # -- list ------------------------------------------------------------------------
    def test_list_and_star_fields(self, apis: Any, data: Any) -> None:
        doc = self.make(apis)
        rows = apis["admin"].get(self.url, {"fields": ["*"], "limit_page_length": 0}).json()["data"]
        mine = [r for r in rows if r["name"] == doc["name"]]
        assert mine and set(registry.get(self.doctype).fields) <= set(mine[0])  # type: ignore[union-attr]
        names = apis["admin"].get(self.url).json()["data"]
        assert all(set(r) == {"name"} for r in names)

    def test_list_without_permission(self, apis: Any, data: Any) -> None:
        self.make(apis)
        response = apis[self.non_reader].get(self.url)
        assert response.status_code == 403
        assert response.json()["exc_type"] == "PermissionError"

    def test_paging(self, apis: Any, data: Any) -> None:
        for _ in range(3):
            self.make(apis, **self.unique())
        everything = apis["admin"].get(self.url, {"limit_page_length": 0, "order_by": "name asc"})
        names = [r["name"] for r in everything.json()["data"]]
        assert len(names) >= 3
        page = (
            apis["admin"]
            .get(self.url, {"limit_start": 1, "limit_page_length": 2, "order_by": "name asc"})
            .json()["data"]
        )
        assert [r["name"] for r in page] == names[1:3]
        limit = apis["admin"].get(self.url, {"limit": 1, "order_by": "name asc"}).json()["data"]
        assert [r["name"] for r in limit] == names[:1]
        as_list = apis["admin"].get(
            self.url, {"fields": ["name"], "as_dict": 0, "limit": 1, "order_by": "name asc"}
        )
        assert as_list.json()["data"] == [[names[0]]]

    def unique(self) -> dict[str, Any]:
        return {}

    def test_filters_every_operator(self, apis: Any, data: Any) -> None:
        doc = self.make(apis)
        name = doc["name"]
        today = dt.datetime.now(input_zone()).date()  # the site's day, as the API reads it
        cases: list[Any] = [
            ["name", "=", name],
            ["name", "like", f"%{name[1:-1]}%"],
            ["name", "in", [name, "nope"]],
            ["name", "is", "set"],
            [self.date_field, ">", "2000-01-01"],
            [self.date_field, ">=", "2000-01-01"],
            [self.date_field, "<", "2999-01-01"],
            [self.date_field, "<=", "2999-01-01"],
            [
                self.date_field,
                "between",
                [str(today - dt.timedelta(days=2)), str(today + dt.timedelta(days=2))],
            ],
            [self.date_field, "timespan", "this year"],
        ]
        for flt in cases:
            rows = apis["admin"].get(self.url, {"filters": [flt], "limit_page_length": 0})
            assert rows.status_code == 200, (flt, rows.content)
            assert name in [r["name"] for r in rows.json()["data"]], flt
        for flt in (
            ["name", "!=", name],
            ["name", "not like", f"%{name}%"],
            ["name", "not in", name],
            ["name", "is", "not set"],
            [self.date_field, "<", "2000-01-01"],
        ):
            rows = apis["admin"].get(self.url, {"filters": [flt], "limit_page_length": 0})
            assert rows.status_code == 200, (flt, rows.content)
            assert name not in [r["name"] for r in rows.json()["data"]], flt
        count = apis["admin"].get(
            "/api/method/frappe.client.get_count",
            {"doctype": self.doctype, "filters": {"name": name}},
        )
        assert count.json() == {"message": 1}

    # -- one document ------------------------------------------------------------------
    def test_get(self, apis: Any, data: Any) -> None:
        doc = self.make(apis)
        response = apis["admin"].get(f"{self.url}/{doc['name']}")
        assert response.status_code == 200
        body = response.json()["data"]
        assert body["name"] == doc["name"] and body["doctype"] == self.doctype
        assert None not in body.values()  # nulls omitted on a single GET

    def test_get_missing_and_forbidden(self, apis: Any, data: Any) -> None:
        missing = apis["admin"].get(f"{self.url}/NO-SUCH-DOC")
        assert missing.status_code == 404
        assert server_message(missing) == f"{self.doctype} NO-SUCH-DOC not found"
        doc = self.make(apis)
        assert apis[self.non_reader].get(f"{self.url}/{doc['name']}").status_code == 403

    def test_create(self, apis: Any, data: Any) -> None:
        doc = self.make(apis)
        for key, value in self.create_body.items():
            assert doc[key] == value, key
        assert doc["doctype"] == self.doctype

    def test_create_without_permission(self, apis: Any, data: Any) -> None:
        response = apis[self.non_writer].post(self.url, self.create_body)
        assert response.status_code == 403, response.content

    def test_create_missing_required(self, apis: Any, data: Any) -> None:
        response = apis[self.writer].post(self.url, self.missing_body)
        assert response.status_code == 417, response.content
        assert response.json()["exc_type"] == "MandatoryError"
        assert "Value missing" in server_message(response)

    def test_update(self, apis: Any, data: Any) -> None:
        doc = self.make(apis)
        response = apis[self.writer].put(f"{self.url}/{doc['name']}", self.update_body)
        assert response.status_code == 200, response.content
        for key, value in self.update_body.items():
            assert response.json()["data"][key] == value

    def test_update_without_permission(self, apis: Any, data: Any) -> None:
        doc = self.make(apis)
        response = apis[self.non_writer].put(f"{self.url}/{doc['name']}", self.update_body)
        assert response.status_code == 403

    def test_delete_archives(self, apis: Any, data: Any) -> None:
        doc = self.make(apis)
        assert apis[self.non_writer].delete(f"{self.url}/{doc['name']}").status_code == 403
        response = apis[self.writer].delete(f"{self.url}/{doc['name']}")
        assert response.status_code == 202 and response.json() == {"data": "ok"}
        assert apis["admin"].get(f"{self.url}/{doc['name']}").status_code == 404
        assert apis[self.writer].delete(f"{self.url}/{doc['name']}").status_code == 404
        model = registry.get(self.doctype).model  # type: ignore[union-attr]
        assert model._default_manager.filter(pk__isnull=False).exists()  # kept, not deleted

    def test_purge_is_for_admins(self, apis: Any, data: Any) -> None:
        doc = self.make(apis)
        url = f"{self.url}/{doc['name']}?purge=1"
        if self.writer != "admin":
            assert apis[self.writer].delete(url).status_code == 403
        assert apis["admin"].delete(url).status_code == 202
        assert apis["admin"].delete(url).status_code == 404

    def test_child_rows(self, apis: Any, data: Any) -> None:
        if not self.child_table:
            pytest.skip("no child table")
        doc = self.make(apis, **{self.child_table: self.child_rows})
        rows = doc[self.child_table]
        assert len(rows) == len(self.child_rows)
        first = rows[0]
        assert first["parent"] == doc["name"] and first["parenttype"] == self.doctype
        assert first["parentfield"] == self.child_table and first["idx"] == 1
        assert first[self.child_key] == self.child_rows[0][self.child_key]
        # PUT replaces the rows: keep the first (by name), drop the rest
        kept = {"name": first["name"], self.child_key: first[self.child_key]}
        response = apis[self.writer].put(f"{self.url}/{doc['name']}", {self.child_table: [kept]})
        assert response.status_code == 200, response.content
        after = response.json()["data"][self.child_table]
        assert [r["name"] for r in after] == [first["name"]]
        # a child-table field filters parents
        child_dt = registry.get(self.doctype).tables[self.child_table].doctype  # type: ignore[union-attr]
        flt = [[child_dt, self.child_key, "=", first[self.child_key]]]
        listed = (
            apis["admin"].get(self.url, {"filters": flt, "limit_page_length": 0}).json()["data"]
        )
        assert doc["name"] in [r["name"] for r in listed]
        # without write permission the rows cannot change
        response = apis[self.non_writer].put(f"{self.url}/{doc['name']}", {self.child_table: []})
        assert response.status_code == 403


class TestTask(ResourceContract):
    doctype = "Task"
    create_body = {"subject": "Fix pump", "site": "North Yard", "assigned_to": "worker@example.com"}
    update_body = {"priority": "Urgent", "status": "Working"}
    missing_body = {"priority": "Low"}


class TestSite(ResourceContract):
    doctype = "Site"
    create_body = {"site_name": "East Yard"}
    update_body = {"location": "Amarillo, TX"}
    missing_body = {"location": "nowhere"}
    writer = "supervisor"
    non_writer = "worker"

    def unique(self) -> dict[str, Any]:
        import uuid

        return {"site_name": f"Site {uuid.uuid4().hex[:8]}"}

    def make(self, apis: Any, **extra: Any) -> dict[str, Any]:
        extra = {**self.unique(), **extra} if "site_name" not in extra else extra
        doc = super().make(apis, **extra)
        return doc

    def test_create(self, apis: Any, data: Any) -> None:
        doc = super().make(apis)
        assert doc["name"] == "East Yard" and doc["site_name"] == "East Yard"
        duplicate = apis[self.writer].post(self.url, self.create_body)
        assert duplicate.status_code == 409
        assert duplicate.json()["exc_type"] == "DuplicateEntryError"


class TestContractor(TestSite):
    doctype = "Contractor"
    create_body = {"contractor_name": "Bolt Electric", "contractor_type": "Electrical"}
    update_body = {"contact_phone": "555-0100"}
    missing_body = {"contact_phone": "555"}
    child_table = "sites"
    child_rows = [{"site": "North Yard"}, {"site": "South Yard"}]
    child_key = "site"

    def unique(self) -> dict[str, Any]:
        import uuid

        return {"contractor_name": f"C {uuid.uuid4().hex[:8]}"}

    def make(self, apis: Any, **extra: Any) -> dict[str, Any]:
        extra = {**self.unique(), **extra} if "contractor_name" not in extra else extra
        return ResourceContract.make(self, apis, **extra)

    def test_create(self, apis: Any, data: Any) -> None:
        doc = ResourceContract.make(self, apis)
        assert doc["name"] == "Bolt Electric"
        assert apis[self.writer].post(self.url, self.create_body).status_code == 409


class TestFieldReport(ResourceContract):
    doctype = "Field Report"
    create_body = {"summary": "Compressor noisy", "site": "North Yard"}
    update_body = {"observations": "Bearing worn"}
    missing_body = {"observations": "no summary"}
    child_table = "readings"
    child_rows = [
        {"metric": "pressure", "value": 41.5, "unit": "psi"},
        {"metric": "temp", "value": 80},
    ]
    child_key = "metric"


class TestReminder(ResourceContract):
    doctype = "Reminder"
    create_body = {"title": "Check tank", "remind_at": "2030-03-01 09:00:00"}
    update_body = {"description": "bring the key"}
    missing_body = {"description": "no title"}
    child_table = "recipients"
    child_rows = [{"user": "worker@example.com"}, {"user": "other@example.com"}]
    child_key = "user"


class TestFlrtsList(ResourceContract):
    doctype = "FLRTS List"
    create_body = {"list_name": "Parts", "list_type": "Shopping"}
    update_body = {"description": "for the north yard"}
    missing_body = {"list_type": "Shopping"}
    non_reader = "other"  # lists are private to their owner and the people they are shared with
    child_table = "items"
    child_rows = [{"item_text": "Seals", "quantity": 2.0}, {"item_text": "Grease"}]
    child_key = "item_text"

    def unique(self) -> dict[str, Any]:
        import uuid

        return {"list_name": f"L {uuid.uuid4().hex[:8]}"}

    def make(self, apis: Any, **extra: Any) -> dict[str, Any]:
        extra = {**self.unique(), **extra} if "list_name" not in extra else extra
        return super().make(apis, **extra)

    def test_create(self, apis: Any, data: Any) -> None:
        doc = super().make(apis, list_name="Parts")
        assert doc["list_name"] == "Parts"

    def test_list_without_permission(self, apis: Any, data: Any) -> None:
        doc = self.make(apis)
        rows = apis["other"].get(self.url, {"limit_page_length": 0}).json()["data"]
        assert doc["name"] not in [r["name"] for r in rows]  # never appears
        count = (
            apis["other"]
            .get("/api/method/frappe.client.get_count", {"doctype": self.doctype})
            .json()["message"]
        )
        assert count == 1  # only their own "Private" list
        assert apis["guest"].get(self.url).status_code == 403


class TestUser(ResourceContract):
    doctype = "User"
    create_body = {"email": "new.person@example.com", "full_name": "New Person"}
    update_body = {"full_name": "Renamed Person"}
    missing_body = {"full_name": "No Email"}
    writer = "admin"
    non_writer = "worker"
    date_field = "date_joined"

    def unique(self) -> dict[str, Any]:
        import uuid

        return {"email": f"u{uuid.uuid4().hex[:8]}@example.com"}

    def make(self, apis: Any, **extra: Any) -> dict[str, Any]:
        extra = {**self.unique(), **extra} if "email" not in extra else extra
        return super().make(apis, **extra)

    def test_create(self, apis: Any, data: Any) -> None:
        doc = super().make(apis, email="new.person@example.com")
        assert doc["name"] == "new.person@example.com" and doc["role"] == "Worker"

    def test_delete_archives(self, apis: Any, data: Any) -> None:
        doc = self.make(apis)
        assert apis["worker"].delete(f"{self.url}/{doc['name']}").status_code == 403
        assert apis["admin"].delete(f"{self.url}/{doc['name']}").status_code == 202
        body = apis["admin"].get(f"{self.url}/{doc['name']}").json()["data"]
        assert body["is_active"] == 0  # a disabled user, not a deleted one

    def test_admin_only_fields(self, apis: Any, data: Any) -> None:
        me = "/api/resource/User/worker@example.com"
        assert apis["worker"].put(me, {"time_zone": "America/Denver"}).status_code == 200
        escalate = apis["worker"].put(me, {"role": "Admin"})
        assert escalate.status_code == 403 and "role" in server_message(escalate)
        assert apis["worker"].put(me, {"role": "Worker"}).status_code == 200  # unchanged: fine
        assert apis["worker"].put(me, {"password": "x"}).status_code == 403
        other = apis["worker"].put("/api/resource/User/other@example.com", {"full_name": "X"})
        assert other.status_code == 403
        assert apis["admin"].put(me, {"role": "Supervisor"}).json()["data"]["role"] == "Supervisor"


class TestErrorLog(ResourceContract):
    doctype = "Error Log"
    create_body = {"method": "job", "error": "Traceback: boom"}
    update_body = {"seen": 1}
    missing_body = {"method": "no error text"}
    writer = "admin"
    non_writer = "supervisor"
    non_reader = "worker"


def test_every_registered_doctype_reads(apis: Any, data: Any) -> None:
    """Doctypes other apps add later are listed, read and described without special code."""
    for name, doctype in registry.registry().items():
        listed = apis["admin"].get(f"/api/resource/{name}", {"fields": ["*"], "limit": 2})
        assert listed.status_code == 200, (name, listed.content)
        for row in listed.json()["data"]:
            assert apis["admin"].get(f"/api/resource/{name}/{row['name']}").status_code == 200
        meta = apis["admin"].get(f"/api/resource/DocType/{name}").json()["data"]
        assert meta["name"] == name and all("fieldname" in f for f in meta["fields"])
        assert apis["guest"].get(f"/api/resource/{name}").status_code == 403
        del doctype


def test_doctype_names_case_insensitive(apis: Any, data: Any) -> None:
    for spelling in ("task", "TASK", "Field%20Report", "field_report", "flrts list"):
        assert apis["admin"].get(f"/api/resource/{spelling}").status_code == 200, spelling
    assert apis["admin"].get("/api/resource/Doctype").status_code == 200
    missing = apis["admin"].get("/api/resource/No Such DocType")
    assert missing.status_code == 404 and missing.json()["exc_type"] == "DoesNotExistError"
