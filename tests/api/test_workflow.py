"""Submit, cancel, amend, rename over the API: frappe.client.*, docstatus in a save, run_method."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flrts.fieldreports.models import FieldReport

pytestmark = pytest.mark.django_db


def _url(doc: Any) -> str:
    return f"/api/resource/Field Report/{doc.name}"


def _exc_type(response: Any) -> str:
    return str(response.json()["exc_type"])


def test_saving_with_docstatus_1_submits(apis: Any, data: Any) -> None:
    report = data["report"]
    worker = apis["worker"]
    saved = worker.put(_url(report), {"docstatus": 1})
    assert saved.status_code == 200, saved.content
    assert (saved.json()["data"]["docstatus"], saved.json()["data"]["status"]) == (1, "Submitted")
    refused = worker.put(_url(report), {"summary": "changed"})
    assert refused.status_code == 417 and _exc_type(refused) == "UpdateAfterSubmitError"
    assert "Not allowed to change Summary (summary) after submission" in refused.json()["exc"]
    # a GET body sent back unchanged, child rows included, is not an edit
    body = worker.get(_url(report)).json()["data"]
    assert worker.put(_url(report), body).status_code == 200
    body = worker.get(_url(report)).json()["data"]
    body["readings"][0]["value"] = 1.0
    rows = worker.put(_url(report), body)
    assert rows.status_code == 417 and "readings" in rows.json()["exception"]


def test_create_submitted_and_refuse_a_cancelled_create(apis: Any) -> None:
    api = apis["worker"]
    made = api.post("/api/resource/Field Report", {"summary": "Done at once", "docstatus": 1})
    assert made.status_code == 200 and made.json()["data"]["docstatus"] == 1
    cancel = {"summary": "x", "docstatus": 2}
    assert api.post("/api/resource/Field Report", cancel).status_code == 403  # Workers never cancel
    refused = apis["admin"].post("/api/resource/Field Report", cancel)
    assert refused.status_code == 417 and _exc_type(refused) == "DocstatusTransitionError"
    bad = api.post("/api/resource/Field Report", {"summary": "x", "docstatus": "7"})
    assert bad.status_code == 417


def test_docstatus_on_a_non_submittable_doctype_is_ignored_as_a_standard_field(
    apis: Any, data: Any
) -> None:
    task = data["tasks"][0]
    response = apis["admin"].put(f"/api/resource/Task/{task.name}", {"docstatus": 1})
    assert response.status_code == 200 and response.json()["data"]["docstatus"] == 0


def test_client_submit_cancel_and_amend(apis: Any, data: Any) -> None:
    report = data["report"]
    worker, supervisor = apis["worker"], apis["supervisor"]
    doc = worker.get(_url(report)).json()["data"]
    doc["observations"] = "checked before submitting"
    submitted = worker.post("/api/method/frappe.client.submit", {"doc": doc})
    assert submitted.status_code == 200, submitted.content
    message = submitted.json()["message"]
    assert (message["docstatus"], message["observations"]) == (1, "checked before submitting")
    again = worker.post("/api/method/frappe.client.submit", {"doc": message})
    assert again.status_code == 417 and _exc_type(again) == "DocstatusTransitionError"
    args = {"doctype": "Field Report", "name": report.name}
    refused = worker.post("/api/method/frappe.client.cancel", args)
    assert refused.status_code == 403 and _exc_type(refused) == "PermissionError"
    cancelled = supervisor.post("/api/method/frappe.client.cancel", args)
    assert cancelled.status_code == 200 and cancelled.json()["message"]["docstatus"] == 2
    amended = worker.post(_url(report), {"run_method": "amend"})
    assert amended.status_code == 200, amended.content
    new = amended.json()["data"]
    assert (new["name"], new["amended_from"], new["docstatus"]) == (
        f"{report.name}-1",
        report.name,
        0,
    )
    assert [r["metric"] for r in new["readings"]] == ["pressure", "flow"]
    assert worker.get(
        "/api/method/frappe.client.is_document_amended",
        {"doctype": "Field Report", "docname": report.name},
    ).json() == {"message": True}


def test_frappe_client_sends_doclist(apis: Any, data: Any) -> None:
    """frappe-client 0.1.0's submit() sends the document as `doclist` on the legacy cmd= path."""
    report = data["report"]
    doc = apis["worker"].get(_url(report)).json()["data"]
    response = apis["worker"].client.post(
        "/",
        {"cmd": "frappe.client.submit", "doclist": json.dumps(doc)},
        HTTP_AUTHORIZATION=apis["worker"].auth,
    )
    assert response.status_code == 200, response.content
    assert FieldReport.objects.get(pk=report.pk).docstatus == 1


def test_amend_by_creating_with_amended_from(apis: Any, data: Any) -> None:
    report = data["report"]
    admin = apis["admin"]
    draft = admin.post("/api/resource/Field Report", {"summary": "y", "amended_from": report.name})
    assert draft.status_code == 417 and _exc_type(draft) == "DocstatusTransitionError"
    admin.put(_url(report), {"docstatus": 1})
    admin.put(_url(report), {"docstatus": 2})
    made = admin.post(
        "/api/resource/Field Report", {"summary": "corrected", "amended_from": report.name}
    )
    assert made.status_code == 200, made.content
    assert made.json()["data"]["name"] == f"{report.name}-1"
    twice = admin.post("/api/resource/Field Report", {"summary": "z", "amended_from": report.name})
    assert twice.status_code == 409


def test_run_method_submit_and_cancel(apis: Any, data: Any) -> None:
    report = data["report"]
    assert apis["viewer"].post(_url(report), {"run_method": "submit"}).status_code == 403
    assert (
        apis["worker"].post(_url(report), {"run_method": "submit"}).json()["data"]["docstatus"] == 1
    )
    assert (
        apis["admin"].post(_url(report), {"run_method": "cancel"}).json()["data"]["docstatus"] == 2
    )


def test_submit_of_a_non_submittable_doctype(apis: Any, data: Any) -> None:
    task = apis["admin"].get(f"/api/resource/Task/{data['tasks'][0].name}").json()["data"]
    response = apis["admin"].post("/api/method/frappe.client.submit", {"doc": task})
    assert response.status_code == 417 and "not submittable" in response.json()["exception"]


def test_rename_doc(apis: Any, data: Any) -> None:
    site = data["north"]
    api = apis["supervisor"]
    args = {"doctype": "Site", "old_name": "North Yard", "new_name": "North Field"}
    response = api.post("/api/method/frappe.client.rename_doc", args)
    assert response.json() == {"message": "North Field"}
    site.refresh_from_db()
    assert (site.name, site.site_name) == ("North Field", "North Field")
    task = data["tasks"][0]
    assert apis["admin"].get(f"/api/resource/Task/{task.name}").json()["data"]["site"] == (
        "North Field"
    )
    taken = api.post(
        "/api/method/frappe.client.rename_doc",
        {"doctype": "Site", "old_name": "North Field", "new_name": "South Yard"},
    )
    assert taken.status_code == 409 and _exc_type(taken) == "DuplicateEntryError"
    merge = api.post(
        "/api/method/frappe.client.rename_doc",
        {"doctype": "Site", "old_name": "North Field", "new_name": "X", "merge": 1},
    )
    assert merge.status_code == 417
    viewer = apis["viewer"].post(
        "/api/method/frappe.client.rename_doc",
        {"doctype": "Task", "old_name": task.name, "new_name": "T-1"},
    )
    assert viewer.status_code == 403
    missing = api.post(
        "/api/method/frappe.client.rename_doc",
        {"doctype": "Task", "old_name": "TASK-0", "new_name": "T-1"},
    )
    assert missing.status_code == 404
