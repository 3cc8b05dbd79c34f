"""frappe-client 0.1.0.dev0 (the Python registry's `frappe-client`, module `frappeclient`),
unmodified, against a live FLRTS: every public method.

It logs in with a session (`POST /` with cmd=login) as its users do, so the session's writes
also prove that API sessions are not CSRF-checked; a second client uses Basic key:secret.
Methods that cannot work against any server are the client's own bugs (docs/api.md lists them):
`insert_many` uses a name it never imports, and `get_pdf`/`get_html` write bytes into a StringIO.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from flrts.fieldreports.models import FieldReport
from flrts.org.models import Site
from flrts.tasks.models import Task

frappeclient = pytest.importorskip(
    "frappeclient.frappeclient", reason="pip install frappe-client==0.1.0.dev0"
)
FrappeClient = frappeclient.FrappeClient
FrappeException = frappeclient.FrappeException

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def session_client(live_server: Any, people: Any, data: Any) -> Any:
    client = FrappeClient(live_server.url, "sup@example.com", "pw-sup@example.com")
    yield client
    client.session.close()


def test_login_and_logout(live_server: Any, people: Any) -> None:
    with FrappeClient(live_server.url, "worker@example.com", "pw-worker@example.com") as client:
        assert client.get_api("frappe.auth.get_logged_user") == "worker@example.com"
    # __exit__ logged out: the session is a guest's again
    with pytest.raises(FrappeException, match="PermissionError"):
        client.get_api("frappe.auth.get_logged_user")
    with pytest.raises(frappeclient.AuthError):
        FrappeClient(live_server.url, "worker@example.com", "wrong")


def test_token_authentication(live_server: Any, people: Any, data: Any, keys: Any) -> None:
    key, secret = keys["worker"]
    client = FrappeClient(live_server.url, api_key=key, api_secret=secret)
    assert client.get_api("frappe.auth.get_logged_user") == "worker@example.com"
    assert len(client.get_list("Task")) == 7
    client.session.close()


def test_lists_and_reads(session_client: Any, data: Any) -> None:
    client = session_client
    everything = client.get_list("Task")  # fields "*", no paging parameters: Frappe's 20
    assert len(everything) == 7 and "subject" in everything[0]
    page = client.get_list(
        "Task",
        fields=["name", "subject"],
        filters=[["status", "=", "Open"]],
        limit_start=1,
        limit_page_length=2,
        order_by="subject asc",
    )
    assert page == [  # open: "Sub of 0", then Task 0, 3, 5
        {"name": data["tasks"][0].name, "subject": "Task 0"},
        {"name": data["tasks"][3].name, "subject": "Task 3"},
    ]
    assert client.get_list("Task", filters={"status": "Completed"}, fields=["name"]) == [
        {"name": data["tasks"][2].name}
    ]
    doc = client.get_doc("Task", data["tasks"][0].name)
    assert doc["subject"] == "Task 0" and doc["site"] == "North Yard"
    # no name: the client GETs the list route with its filters and fields
    listed = client.get_doc("Task", filters=[["status", "=", "Working"]], fields=["name"])
    assert listed == [{"name": data["tasks"][1].name}]
    assert client.get_value("Task", "subject", {"name": data["tasks"][1].name}) == {
        "subject": "Task 1"
    }
    assert client.get_value("Task", filters={"status": "Working"}) == {
        "name": data["tasks"][1].name
    }


def test_writes_and_their_errors_raise(session_client: Any, data: Any) -> None:
    client = session_client
    made = client.insert({"doctype": "Task", "subject": "From frappe-client", "site": "North Yard"})
    name = made["name"]
    assert Task.objects.get(name=name).site == data["north"]
    with pytest.raises(FrappeException, match="MandatoryError"):
        client.insert({"doctype": "Task", "priority": "Low"})
    with pytest.raises(FrappeException, match="LinkValidationError"):
        client.insert({"doctype": "Task", "subject": "x", "assigned_to": "ghost@example.com"})
    updated = client.update({"doctype": "Task", "name": name, "priority": "Urgent"})
    assert updated["priority"] == "Urgent"
    stale = dict(updated, modified="2020-01-01 00:00:00", priority="Low")
    with pytest.raises(FrappeException, match="TimestampMismatchError"):
        client.update(stale)
    assert client.set_value("Task", name, "status", "Working")["status"] == "Working"
    failed = client.bulk_update(
        [
            {"doctype": "Task", "docname": name, "priority": "Low"},
            {"doctype": "Task", "docname": "TASK-0", "priority": "Low"},
        ]
    )
    assert [f["doc"]["docname"] for f in failed["failed_docs"]] == ["TASK-0"]
    assert Task.objects.get(name=name).priority == "Low"
    assert client.rename_doc("Task", name, f"{name}-FC") == f"{name}-FC"
    assert client.delete("Task", f"{name}-FC") is None
    assert Task.objects.get(name=f"{name}-FC").archived
    with pytest.raises(FrappeException, match="DuplicateEntryError"):
        client.insert({"doctype": "Site", "site_name": "North Yard"})
    assert Site.objects.filter(site_name="North Yard").count() == 1


def test_permission_errors_raise(live_server: Any, people: Any, data: Any, keys: Any) -> None:
    key, secret = keys["viewer"]
    client = FrappeClient(live_server.url, api_key=key, api_secret=secret)
    with pytest.raises(FrappeException, match="PermissionError"):
        client.insert({"doctype": "Task", "subject": "viewers cannot"})
    with pytest.raises(FrappeException, match="PermissionError"):
        client.set_value("Task", data["tasks"][0].name, "status", "Working")
    client.session.close()


def test_submit_and_cancel(session_client: Any, data: Any) -> None:
    client = session_client
    report = client.get_doc("Field Report", data["report"].name)
    report["observations"] = "signed off"
    submitted = client.submit(report)  # sent as `doclist`, an older Frappe name
    assert (submitted["docstatus"], submitted["observations"]) == (1, "signed off")
    with pytest.raises(FrappeException, match="UpdateAfterSubmitError"):
        client.update({"doctype": "Field Report", "name": report["name"], "summary": "x"})
    cancelled = client.cancel("Field Report", report["name"])
    assert cancelled["docstatus"] == 2
    assert FieldReport.objects.get(pk=data["report"].pk).status == "Cancelled"


def test_get_api_post_api_and_raw_requests(session_client: Any, data: Any) -> None:
    client = session_client
    assert client.get_api("frappe.client.get_count", {"doctype": "Task"}) == 7
    assert client.post_api("frappe.client.get_count", {"doctype": "Site"}) == 2
    assert client.get_request({"cmd": "frappe.client.get_count", "doctype": "Task"}) == 7
    assert client.post_request(
        {
            "cmd": "frappe.client.get_value",
            "doctype": "Site",
            "fieldname": "site_code",
            "filters": {"site_name": "South Yard"},
        }
    ) == {"site_code": "S"}
    assert client.preprocess({"a": [1], "b": "x"}) == {"a": "[1]", "b": "x"}


def test_client_bugs_are_the_clients(session_client: Any, live_server: Any, data: Any) -> None:
    """What the client cannot do against any server; the server side is shown to work."""
    client = session_client
    with pytest.raises(NameError, match="frappe"):  # insert_many calls frappe.as_json
        client.insert_many([{"doctype": "Task", "subject": "x"}])
    # the same request made by hand works
    names = client.post_request(
        {
            "cmd": "frappe.client.insert_many",
            "docs": json.dumps([{"doctype": "Task", "subject": "many"}]),
        }
    )
    assert len(names) == 1 and Task.objects.filter(name=names[0]).exists()
    name = data["tasks"][0].name
    with pytest.raises(TypeError, match="string argument expected"):  # bytes into StringIO
        client.get_pdf("Task", name)
    pdf = client.session.get(
        f"{live_server.url}/api/method/frappe.templates.pages.print.download_pdf",
        params={"doctype": "Task", "name": name, "format": "Standard", "no_letterhead": 0},
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    with pytest.raises((TypeError, ValueError, requests.JSONDecodeError)):
        client.get_html("Task", name)  # /print is Frappe's website page; FLRTS serves none
    with pytest.raises(TypeError):
        # data_import_tool was removed from Frappe long before v15: its method is unknown
        client.get_upload_template("Task")
