"""/api/method: the built-in methods, frappe.client.*, the registry other apps use, cmd=."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from flrts.api import methods
from flrts.api.errors import ValidationError
from flrts.tasks.models import Task

pytestmark = pytest.mark.django_db


def message(response: Any) -> Any:
    assert response.status_code == 200, response.content
    return response.json()["message"]


def test_ping_variants(apis: Any) -> None:
    for path in (
        "/api/method/ping",
        "/api/method/ping/",
        "/api/v1/method/ping",
        "/api/method/frappe.ping",
    ):
        assert apis["guest"].get(path).json() == {"message": "pong"}
    assert apis["guest"].post("/api/method/ping").json() == {"message": "pong"}


def test_get_logged_user(apis: Any) -> None:
    assert message(apis["admin"].get("/api/method/frappe.auth.get_logged_user")) == "Administrator"
    assert (
        message(apis["worker"].get("/api/method/frappe.auth.get_logged_user"))
        == "worker@example.com"
    )
    guest = apis["guest"].get("/api/method/frappe.auth.get_logged_user")
    assert guest.status_code == 403 and guest.json()["exc_type"] == "PermissionError"


def test_unknown_method_and_wrong_verb(apis: Any) -> None:
    missing = apis["admin"].get("/api/method/frappe.client.nosuchfn")
    assert missing.status_code == 404 and missing.json()["exc_type"] == "DoesNotExistError"
    wrong = apis["admin"].get(
        "/api/method/frappe.client.set_value",
        {"doctype": "Task", "name": "x", "fieldname": "status", "value": "Open"},
    )
    assert wrong.status_code == 403


def test_client_reads(apis: Any, data: Any) -> None:
    api = apis["admin"]
    task = data["tasks"][3]
    got = message(
        api.get(
            "/api/method/frappe.client.get_list",
            {
                "doctype": "Task",
                "fields": ["name", "priority"],
                "filters": {"priority": "Urgent"},
            },
        )
    )
    assert got == [{"name": task.name, "priority": "Urgent"}]
    posted = message(
        api.post(
            "/api/method/frappe.client.get_list",
            {
                "doctype": "Task",
                "fields": ["name"],
                "filters": [["status", "=", "Cancelled"]],
            },
        )
    )
    assert posted == [{"name": data["tasks"][4].name}]
    assert message(api.get("/api/method/frappe.client.get_count", {"doctype": "Task"})) == 7
    assert (
        message(api.get("/api/method/frappe.client.get", {"doctype": "Task", "name": task.name}))[
            "subject"
        ]
        == "Task 3"
    )
    by_filter = api.get(
        "/api/method/frappe.client.get", {"doctype": "Task", "filters": {"subject": "Task 3"}}
    )
    assert message(by_filter)["name"] == task.name
    value = api.get(
        "/api/method/frappe.client.get_value",
        {"doctype": "Task", "fieldname": "status", "filters": task.name},
    )
    assert message(value) == {"status": "Open"}
    value = api.get(
        "/api/method/frappe.client.get_value",
        {
            "doctype": "Task",
            "fieldname": ["name", "priority"],
            "filters": {"subject": "Task 3"},
        },
    )
    assert message(value) == {"name": task.name, "priority": "Urgent"}
    none = api.get(
        "/api/method/frappe.client.get_value",
        {"doctype": "Task", "fieldname": "status", "filters": "NOPE"},
    )
    assert message(none) == {}


def test_client_writes(apis: Any, data: Any) -> None:
    api = apis["worker"]
    task = data["tasks"][0]
    doc = message(
        api.post(
            "/api/method/frappe.client.set_value",
            {
                "doctype": "Task",
                "name": task.name,
                "fieldname": "status",
                "value": "Working",
            },
        )
    )
    assert doc["status"] == "Working"
    doc = message(
        api.post(
            "/api/method/frappe.client.set_value",
            {
                "doctype": "Task",
                "name": task.name,
                "fieldname": {"priority": "High", "site": "South Yard"},
            },
        )
    )
    assert (doc["priority"], doc["site"]) == ("High", "South Yard")
    inserted = message(
        api.post(
            "/api/method/frappe.client.insert",
            {"doc": {"doctype": "Task", "subject": "Via insert"}},
        )
    )
    assert inserted["subject"] == "Via insert"
    missing = api.post("/api/method/frappe.client.insert", {"doc": {"doctype": "Task"}})
    assert missing.status_code == 417 and missing.json()["exc_type"] == "MandatoryError"
    names = message(
        api.post(
            "/api/method/frappe.client.insert_many",
            {
                "docs": [
                    {"doctype": "Task", "subject": "Many 1"},
                    {"doctype": "Task", "subject": "Many 2"},
                ]
            },
        )
    )
    assert len(names) == 2 and Task.objects.filter(name__in=names).count() == 2
    too_many = api.post(
        "/api/method/frappe.client.insert_many",
        {"docs": [{"doctype": "Task", "subject": "x"}] * 201},
    )
    assert too_many.status_code == 417
    saved = message(
        api.post("/api/method/frappe.client.save", {"doc": {**inserted, "priority": "Urgent"}})
    )
    assert saved["priority"] == "Urgent"
    result = api.post(
        "/api/method/frappe.client.bulk_update",
        {
            "docs": json.dumps(
                [
                    {"doctype": "Task", "docname": names[0], "status": "Working"},
                    {"doctype": "Task", "docname": "NOPE", "status": "Working"},
                ]
            )
        },
    )
    failed = message(result)["failed_docs"]
    assert len(failed) == 1 and failed[0]["doc"]["docname"] == "NOPE"
    deleted = api.post("/api/method/frappe.client.delete", {"doctype": "Task", "name": names[1]})
    assert deleted.status_code == 200 and deleted.json() == {}
    assert Task.objects.get(name=names[1]).archived
    # a child row through insert returns the parent
    report = data["report"]
    parent = message(
        api.post(
            "/api/method/frappe.client.insert",
            {
                "doc": {
                    "doctype": "Field Report Reading",
                    "parenttype": "Field Report",
                    "parent": report.name,
                    "parentfield": "readings",
                    "metric": "vibration",
                    "value": 2,
                }
            },
        )
    )
    assert [r["metric"] for r in parent["readings"]] == ["pressure", "flow", "vibration"]


def test_form_encoded_and_legacy_cmd(apis: Any, data: Any) -> None:
    api = apis["worker"]
    response = api.client.post(
        "/api/resource/Task",
        {"data": json.dumps({"subject": "Form task"})},
        HTTP_AUTHORIZATION=api.auth,
    )
    assert response.status_code == 200 and response.json()["data"]["subject"] == "Form task"
    response = api.client.post(
        "/", {"cmd": "frappe.client.get_count", "doctype": "Task"}, HTTP_AUTHORIZATION=api.auth
    )
    assert response.json() == {"message": 8}
    response = api.client.get(
        "/", {"cmd": "frappe.auth.get_logged_user"}, HTTP_AUTHORIZATION=api.auth
    )
    assert response.json() == {"message": "worker@example.com"}
    assert Client().get("/").status_code == 302  # no cmd: the desk


def test_run_method(apis: Any, data: Any) -> None:
    parent = data["tasks"][0]
    url = f"/api/resource/Task/{parent.name}"
    blocked = apis["worker"].post(url, {"run_method": "complete"})
    assert blocked.status_code == 417 and "sub-tasks are open" in blocked.content.decode()
    done = apis["worker"].post(url, {"run_method": "complete", "force": 1})
    assert done.status_code == 200 and done.json()["data"]["status"] == "Completed"
    assert apis["viewer"].post(url, {"run_method": "complete"}).status_code == 403
    assert apis["worker"].post(url, {"run_method": "nosuch"}).status_code == 404


def test_registry_for_other_apps(apis: Any, data: Any) -> None:
    @methods.whitelist("flrts.test.echo", methods=("GET",))
    def echo(user: Any, word: str, times: int = 1) -> str:
        if word == "bad":
            raise ValidationError("bad word")
        return f"{user.email}:{word * int(times)}"

    @methods.whitelist("flrts.test.hook", methods=("POST",), allow_guest=True, raw=True)
    def hook(request: Any) -> HttpResponse:
        return HttpResponse(b"raw " + request.body, content_type="text/plain")

    try:
        assert (
            message(
                apis["worker"].get(
                    "/api/method/flrts.test.echo", {"word": "hi", "times": 2, "x": 1}
                )
            )
            == "worker@example.com:hihi"
        )
        missing = apis["worker"].get("/api/method/flrts.test.echo")
        assert missing.status_code == 417 and "word" in missing.content.decode()
        assert apis["worker"].get("/api/method/flrts.test.echo", {"word": "bad"}).status_code == 417
        assert apis["guest"].get("/api/method/flrts.test.echo", {"word": "hi"}).status_code == 403
        assert apis["worker"].post("/api/method/flrts.test.echo", {"word": "hi"}).status_code == 403
        raw = Client(enforce_csrf_checks=True).post(
            "/api/method/flrts.test.hook", b"{}", content_type="application/json"
        )
        assert raw.status_code == 200 and raw.content == b"raw {}"
        with pytest.raises(ValueError):
            methods.whitelist("flrts.test.echo")(lambda: None)
    finally:
        methods.unregister("flrts.test.echo")
        methods.unregister("flrts.test.hook")


def test_doctype_meta_for_n8n(apis: Any) -> None:
    listed = apis["admin"].get("/api/resource/DocType").json()["data"]
    names = {row["name"] for row in listed}
    assert {"Task", "User", "Field Report", "FLRTS List", "Site", "Contractor", "Reminder"} <= names
    task = apis["admin"].get("/api/resource/DocType/Task").json()["data"]
    fields = {f["fieldname"]: f for f in task["fields"]}
    assert fields["subject"]["reqd"] == 1 and fields["subject"]["fieldtype"] == "Data"
    assert fields["site"]["fieldtype"] == "Link" and fields["site"]["options"] == "Site"
    assert fields["status"]["fieldtype"] == "Select" and "Open" in fields["status"]["options"]
    report = apis["admin"].get("/api/resource/DocType/field report").json()["data"]
    assert {
        "fieldname": "readings",
        "fieldtype": "Table",
        "options": "Field Report Reading",
    }.items() <= next(f for f in report["fields"] if f["fieldname"] == "readings").items()
    child = apis["admin"].get("/api/resource/DocType/Field Report Reading").json()["data"]
    assert child["istable"] == 1
    v11 = apis["admin"].get("/api/method/frappe.desk.form.load.getdoctype", {"doctype": "Task"})
    assert v11.json()["docs"][0]["name"] == "Task"
