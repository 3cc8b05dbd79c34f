"""DocType as an ordinary list, Single DocTypes, and the other methods Frappe clients reach:
download_pdf, upload_file, reset_password."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from flrts.api import meta
from flrts.fieldreports.models import Attachment
from flrts.reports.models import MonitorSettings

pytestmark = pytest.mark.django_db


def test_doctype_list_pages_to_an_empty_page(apis: Any) -> None:
    api = apis["admin"]
    everything = api.get("/api/resource/DocType", {"limit_page_length": 0}).json()["data"]
    names = [row["name"] for row in everything]
    assert names == sorted(names) and "Task" in names and "Monitor Settings" in names
    first = api.get("/api/resource/DocType", {"limit_start": 0, "limit_page_length": 3})
    assert [r["name"] for r in first.json()["data"]] == names[:3]
    second = api.get("/api/resource/DocType", {"limit_start": 3, "limit_page_length": 3})
    assert [r["name"] for r in second.json()["data"]] == names[3:6]
    past = api.get("/api/resource/DocType", {"limit_start": len(names), "limit_page_length": 5})
    assert past.json()["data"] == []
    default = api.get("/api/resource/DocType").json()["data"]
    assert len(default) == min(20, len(names)) and set(default[0]) == {"name"}


def test_doctype_list_fields_filters_order(apis: Any) -> None:
    api = apis["admin"]
    rows = api.get(
        "/api/resource/DocType",
        {
            "fields": ["name", "istable", "is_submittable as sub"],
            "filters": [["DocType", "istable", "=", 0], ["name", "like", "%report%"]],
            "order_by": "name desc",
        },
    ).json()["data"]
    assert rows == [{"name": "Field Report", "istable": 0, "sub": 1}]
    tables = api.get(
        "/api/resource/DocType", {"filters": {"istable": 1}, "limit_page_length": 0}
    ).json()["data"]
    assert {"name": "Field Report Reading"} in tables
    singles = api.get(
        "/api/resource/DocType", {"fields": ["*"], "filters": [["issingle", "=", 1]]}
    ).json()["data"]
    assert {r["name"] for r in singles} == {"Monitor Settings", "ERPNext Settings"}
    assert api.get(
        "/api/method/frappe.client.get_count", {"doctype": "DocType", "filters": {"istable": 1}}
    ).json()["message"] == len(tables)
    listed = api.get(
        "/api/method/frappe.client.get_list",
        {"doctype": "DocType", "filters": [["name", "in", "Task,Site"]]},
    ).json()["message"]
    assert listed == [{"name": "Site"}, {"name": "Task"}]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"fields": ["nosuch"]}, "nosuch"),
        ({"filters": [["nosuch", "=", 1]]}, "nosuch"),
        ({"filters": [["name", "timespan", "today"]]}, "not supported"),
        ({"order_by": "name; drop table x"}, "Illegal"),
        ({"filters": [["Task", "name", "=", "x"]]}, "Task is not DocType"),
    ],
)
def test_doctype_list_bad_input_is_417(apis: Any, params: dict[str, Any], needle: str) -> None:
    response = apis["admin"].get("/api/resource/DocType", params)
    assert response.status_code == 417
    assert needle in response.json()["exception"]


def test_doctype_list_shows_what_the_user_may_read(apis: Any) -> None:
    names = {
        r["name"]
        for r in apis["worker"]
        .get("/api/resource/DocType", {"limit_page_length": 0})
        .json()["data"]
    }
    assert "Task" in names and "Error Log" not in names and "Monitor Settings" not in names
    assert apis["admin"].post("/api/resource/DocType", {"name": "X"}).status_code == 403


def test_single_doctype(apis: Any) -> None:
    settings = MonitorSettings.load()
    settings.daily_cost_budget = Decimal("12.50")
    settings.save()
    admin = apis["admin"]
    value = admin.get(
        "/api/method/frappe.client.get_single_value",
        {"doctype": "Monitor Settings", "field": "daily_cost_budget"},
    )
    assert value.json() == {"message": 12.5}
    doc = admin.get("/api/resource/Monitor Settings/Monitor Settings").json()["data"]
    assert doc["name"] == "Monitor Settings" and doc["daily_cost_budget"] == 12.5
    assert meta.single_meta("Monitor Settings")["issingle"] == 1
    erp = admin.get("/api/resource/ERPNext Settings/ERPNext Settings").json()["data"]
    assert "api_secret" not in erp and "api_key" not in erp and erp["timeout"] == 10
    assert (
        admin.get(
            "/api/method/frappe.client.get_single_value",
            {"doctype": "ERPNext Settings", "field": "api_secret"},
        ).status_code
        == 417
    )
    assert (
        apis["supervisor"]
        .get(
            "/api/method/frappe.client.get_single_value",
            {"doctype": "Monitor Settings", "field": "daily_cost_budget"},
        )
        .status_code
        == 403
    )
    not_single = admin.get(
        "/api/method/frappe.client.get_single_value", {"doctype": "Task", "field": "subject"}
    )
    assert not_single.status_code == 417
    assert admin.put("/api/resource/Monitor Settings/Monitor Settings", {}).status_code == 403


@pytest.mark.parametrize(
    "path",
    ["frappe.utils.print_format.download_pdf", "frappe.templates.pages.print.download_pdf"],
)
def test_document_pdf(apis: Any, data: Any, path: str) -> None:
    for doctype, doc in (("Task", data["tasks"][0]), ("Field Report", data["report"])):
        response = apis["worker"].get(
            f"/api/method/{path}", {"doctype": doctype, "name": doc.name, "format": "Standard"}
        )
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert doc.name in response["Content-Disposition"]
    missing = apis["worker"].get(f"/api/method/{path}", {"doctype": "Task", "name": "TASK-0"})
    assert missing.status_code == 404


def test_pdf_text_names_the_document(apis: Any, data: Any) -> None:
    response = apis["worker"].get(
        "/api/method/frappe.utils.print_format.download_pdf",
        {"doctype": "Field Report", "name": data["report"].name},
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert data["report"].name in text and "Pump check" in text and "pressure" in text


def test_upload_file_to_a_field_report(apis: Any, data: Any) -> None:
    report = data["report"]
    worker = apis["worker"]
    response = worker.client.post(
        "/api/method/upload_file",
        {
            "file": SimpleUploadedFile("photo.jpg", b"\xff\xd8jpeg", content_type="image/jpeg"),
            "doctype": "Field Report",
            "docname": report.name,
            "is_private": "1",
        },
        HTTP_AUTHORIZATION=worker.auth,
    )
    assert response.status_code == 200, response.content
    message = response.json()["message"]
    assert message["attached_to_name"] == report.name and message["file_name"] == "photo.jpg"
    attachment = Attachment.objects.get(report=report)
    with attachment.file.open("rb") as stored:
        assert stored.read() == b"\xff\xd8jpeg"
    nothing = worker.client.post(
        "/api/method/upload_file",
        {"doctype": "Field Report", "docname": report.name},
        HTTP_AUTHORIZATION=worker.auth,
    )
    assert nothing.status_code == 417
    task = worker.client.post(
        "/api/method/upload_file",
        {
            "file": SimpleUploadedFile("a.txt", b"x"),
            "doctype": "Task",
            "docname": data["tasks"][0].name,
        },
        HTTP_AUTHORIZATION=worker.auth,
    )
    assert task.status_code == 417
    viewer = apis["viewer"].client.post(
        "/api/method/upload_file",
        {
            "file": SimpleUploadedFile("a.txt", b"x"),
            "doctype": "Field Report",
            "docname": report.name,
        },
        HTTP_AUTHORIZATION=apis["viewer"].auth,
    )
    assert viewer.status_code == 403


def test_reset_password(apis: Any, people: Any) -> None:
    guest = apis["guest"]
    sent = guest.post(
        "/api/method/frappe.core.doctype.user.user.reset_password",
        {"user": "worker@example.com"},
    )
    assert sent.status_code == 200 and len(mail.outbox) == 1
    assert "/desk/password-reset/" in mail.outbox[0].body
    link = next(w for w in mail.outbox[0].body.split() if "/desk/password-reset/" in w)
    page = guest.client.get(link[link.index("/desk/") :], follow=True)
    assert page.status_code == 200 and b"password" in page.content.lower()
    unknown = guest.post(
        "/api/method/frappe.core.doctype.user.user.reset_password", {"user": "nobody@x.org"}
    )
    assert unknown.status_code == 404 and unknown.json() == {"message": "not found"}
    assert (
        guest.post(
            "/api/method/frappe.core.doctype.user.user.reset_password", {"user": ["x"]}
        ).status_code
        == 417
    )
    assert json.loads(
        guest.post(
            "/api/method/frappe.core.doctype.user.user.reset_password",
            {"user": "admin@example.com"},
        ).content
    ) == {"message": "not allowed"}
    assert len(mail.outbox) == 1
