"""The ERPNext connector end to end against a local fake ERPNext (Frappe v15 shapes)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.fakes.erpnext_server import API_SECRET, USER, FakeERPNext

pytestmark = pytest.mark.django_db(transaction=True)


def _task(subject: str = "Replace pump seal", **fields: Any) -> Any:
    from flrts.tasks.models import Task

    task = Task(subject=subject, **fields)
    task.save()
    return task


def _record(name: str, doctype: str = "Task") -> Any:
    from flrts.integrations.models import SyncRecord

    return SyncRecord.objects.get(local_doctype=doctype, local_name=name)


def _set(**fields: Any) -> None:
    from flrts.integrations.erpnext.config import invalidate
    from flrts.integrations.models import ERPNextSettings

    ERPNextSettings.objects.filter(pk=1).update(**fields)
    invalidate()


def _pull() -> str:
    from flrts.integrations.erpnext.sync import pull_changes

    return pull_changes(force=True)


def test_connection_check_prints_what_it_found(erp: FakeERPNext) -> None:
    out = io.StringIO()
    call_command("erpnext", "test", stdout=out)
    text = out.getvalue()
    assert f"Logged in as: {USER}" in text
    assert "Frappe Framework: 15.44.2" in text and "ERPNext: 15.38.0" in text
    assert "Time zone: UTC" in text
    assert API_SECRET not in text and erp.url in text
    (call,) = erp.calls("GET", "get_logged_user")
    assert call.headers["Authorization"].startswith("token fakeerpkey0001:")


def test_wrong_credentials_are_a_clear_401(erp: FakeERPNext) -> None:
    from flrts.jobs.models import Job

    erp.api_secret = "rotated-on-the-server"
    with pytest.raises(CommandError):
        call_command("erpnext", "test", stdout=io.StringIO())
    task = _task()
    record = _record(task.name)
    assert record.status == "Error" and record.last_error_type == "AuthenticationError"
    assert "refused the API key/secret" in record.last_error and "401" in record.last_error
    assert len(erp.calls("POST", "/api/resource/Task")) == 1  # not retried
    job = Job.objects.get(method__endswith="push_task")
    assert job.status == "failed" and job.attempts == 1 and not job.error_log


def test_create_pushes_task_and_parent_with_remote_names(erp: FakeERPNext) -> None:
    parent = _task("Pump house overhaul", priority="High")
    child = _task(
        "Replace pump seal",
        parent_task=parent,
        priority="Urgent",
        description="Leaking at flange",
        exp_start_date=dt.date(2026, 12, 1),
        exp_end_date=dt.date(2026, 12, 3),
    )
    child_record, parent_record = _record(child.name), _record(parent.name)
    assert child_record.status == "Synced" and parent_record.status == "Synced"
    remote_child = erp.get("Task", child_record.remote_name)
    remote_parent = erp.get("Task", parent_record.remote_name)
    assert remote_child["parent_task"] == parent_record.remote_name
    assert remote_parent["is_group"] == 1
    assert remote_child["subject"] == "Replace pump seal" and remote_child["priority"] == "Urgent"
    assert remote_child["exp_start_date"] == "2026-12-01"
    assert remote_child["exp_end_date"] == "2026-12-03"
    assert remote_child["description"] == "Leaking at flange"
    assert remote_child["status"] == "Open"
    assert child_record.remote_name.startswith("TASK-")
    assert child_record.remote_modified == remote_child["modified"]


def test_update_is_pushed_with_the_remote_modified(erp: FakeERPNext) -> None:
    task = _task()
    before = _record(task.name).remote_modified
    task.status = "Working"
    task.save()
    put = erp.calls("PUT")[-1]
    assert put.body["modified"] == before and put.body["status"] == "Working"
    record = _record(task.name)
    assert erp.get("Task", record.remote_name)["status"] == "Working"
    assert record.remote_modified != before


def test_pull_applies_status_and_assignee_edits(erp: FakeERPNext, people: Any) -> None:
    from flrts.core.models import Version
    from flrts.tasks.models import Task

    task = _task()
    remote_name = _record(task.name).remote_name
    erp.edit("Task", remote_name, status="Completed", _assign=[people.worker.email])
    puts_before = len(erp.calls("PUT"))
    assert "1 applied" in _pull()
    task = Task.objects.get(pk=task.pk)
    assert task.status == "Completed" and task.assigned_to == people.worker
    assert len(erp.calls("PUT")) == puts_before  # applying ERPNext's change is not echoed back
    version = Version.objects.filter(ref_doctype="Task", docname=task.name).first()
    changed = {c[0]: c[1:] for c in version.data["changed"]}
    assert changed["status"] == ["Open", "Completed"]
    record = _record(task.name)
    assert record.remote_modified == erp.get("Task", remote_name)["modified"]
    assert "0 applied" in _pull()  # the cursor moved on: nothing twice
    lists = erp.calls("GET", "/api/resource/Task")
    assert json.loads(lists[-1].query["filters"])[0][:2] == ["modified", ">="]
    assert lists[-1].query["order_by"] == "modified asc"


def test_conflict_remote_newer_wins_and_both_versions_are_kept(
    erp: FakeERPNext, people: Any
) -> None:
    from flrts.core.models import Version
    from flrts.tasks.models import Task

    task = _task()
    remote_name = _record(task.name).remote_name
    _set(enabled=False)  # FLRTS edits while the connector is off: nothing pushed
    task.status = "Pending Review"
    task.save()
    _set(enabled=True)
    erp.edit("Task", remote_name, status="Cancelled")  # later, in ERPNext
    assert "1 conflict" in _pull()
    task = Task.objects.get(pk=task.pk)
    assert task.status == "Cancelled"
    conflict = Version.objects.get(docname=task.name, data__has_key="erpnext_conflict")
    info = conflict.data["erpnext_conflict"]
    assert info["winner"] == "ERPNext"
    assert info["flrts"]["status"] == "Pending Review" and info["erpnext"]["status"] == "Cancelled"
    assert erp.get("Task", remote_name)["status"] == "Cancelled"
    assert _record(task.name).status == "Synced"


def test_conflict_local_newer_wins_on_push(erp: FakeERPNext) -> None:
    from flrts.core.models import Version

    task = _task()
    remote_name = _record(task.name).remote_name
    erp.edit("Task", remote_name, status="Cancelled")  # ERPNext first ...
    task.status = "Working"  # ... FLRTS later: the push meets TimestampMismatchError
    task.save()
    statuses = [c.status for c in erp.calls("PUT")]
    assert statuses[0] == 417
    assert erp.get("Task", remote_name)["status"] == "Working"
    info = Version.objects.get(docname=task.name, data__has_key="erpnext_conflict").data[
        "erpnext_conflict"
    ]
    assert info["winner"] == "FLRTS" and info["erpnext"]["status"] == "Cancelled"
    assert _record(task.name).status == "Synced"


def test_417_validation_error_is_shown_to_the_admin(
    erp: FakeERPNext, people: Any, client: Any
) -> None:
    from flrts.core.models import ErrorLog
    from flrts.jobs.models import Job

    task = _task(exp_start_date=dt.date(2026, 12, 9), exp_end_date=dt.date(2026, 12, 1))
    record = _record(task.name)
    assert record.status == "Error" and record.last_error_type == "ValidationError"
    assert "Expected End Date should be after Expected Start Date" in record.last_error
    assert "<strong>" not in record.last_error
    assert len(erp.calls("POST")) == 1
    assert Job.objects.get(method__endswith="push_task").status == "failed"
    assert not ErrorLog.objects.exists()  # an expected failure, not a crash
    client.force_login(people.admin)
    page = client.get("/desk/integrations/syncrecord/?status__exact=Error").content.decode()
    assert task.name in page and "Expected End Date should be after" in page
    detail = client.get(f"/desk/integrations/syncrecord/{record.pk}/change/").content.decode()
    assert "ValidationError" in detail


def test_5xx_is_retried_then_succeeds(erp: FakeERPNext) -> None:
    from flrts.integrations.models import ERPNextExchange
    from flrts.jobs.models import Job

    erp.fail_next(503, count=1, method="POST")
    erp.fail_next(500, count=1, method="POST")
    task = _task()
    record = _record(task.name)
    assert record.status == "Synced" and record.last_error == ""
    assert [c.status for c in erp.calls("POST")] == [503, 500, 200]
    job = Job.objects.get(method__endswith="push_task")
    assert job.status == "finished" and job.attempts == 3
    codes = list(
        ERPNextExchange.objects.filter(method="POST")
        .order_by("id")
        .values_list("status_code", flat=True)
    )
    assert codes == [503, 500, 200]


def test_rate_limit_is_retried(erp: FakeERPNext) -> None:
    erp.fail_next(429, count=1, method="POST")
    task = _task()
    assert _record(task.name).status == "Synced"


def test_exchange_log_never_holds_the_credentials(erp: FakeERPNext) -> None:
    from flrts.integrations.models import ERPNextExchange

    _task()
    erp.fail_next(500, count=1, path_contains="get_versions")
    call_command("erpnext", "test", stdout=io.StringIO())
    rows = list(ERPNextExchange.objects.values())
    assert any(r["status_code"] == 500 for r in rows)
    assert API_SECRET not in json.dumps(rows, default=str)


def test_field_report_becomes_a_comment_on_its_task(erp: FakeERPNext, site: Any) -> None:
    from flrts.fieldreports.models import FieldReport

    task = _task()
    report = FieldReport(summary="Seal replaced", observations="No leak after 1 h", site=site)
    report.save()
    report.follow_up_tasks.add(task)
    report.status = "Submitted"
    report.save()
    (comment,) = erp.all("Comment")
    assert comment["reference_doctype"] == "Task"
    assert comment["reference_name"] == _record(task.name).remote_name
    assert "Seal replaced" in comment["content"] and "No leak after 1 h" in comment["content"]
    assert _record(report.name, "Field Report").remote_name == comment["name"]


def test_field_report_without_task_says_why(erp: FakeERPNext) -> None:
    from flrts.fieldreports.models import FieldReport

    report = FieldReport(summary="Walkthrough", status="Submitted")
    report.save()
    record = _record(report.name, "Field Report")
    assert record.status == "Error" and "no follow-up task" in record.last_error
    assert erp.all("Comment") == []


def test_field_report_to_a_configured_doctype(erp: FakeERPNext) -> None:
    from flrts.fieldreports.models import FieldReport

    _set(
        report_doctype="Issue",
        report_field_map={
            "subject": "{{ doc.name }}: {{ doc.summary }}",
            "description": "{{ doc.observations }}",
            "priority": "Medium",
        },
    )
    report = FieldReport(summary="Gearbox noise", observations="Bearing rumble", status="Submitted")
    report.save()
    (issue,) = erp.all("Issue")
    assert issue["subject"] == f"{report.name}: Gearbox noise"
    assert issue["description"] == "Bearing rumble"
    assert _record(report.name, "Field Report").remote_doctype == "Issue"


def test_import_people_sites_and_contractors(erp: FakeERPNext) -> None:
    from flrts.org.models import Contractor, Site
    from flrts.people.models import User

    erp.seed("User", email="Ana@Example.com", full_name="Ana Ortiz", time_zone="Europe/Berlin")
    erp.seed("User", email="bad.zone@example.com", full_name="B Z", time_zone="Mars/Olympus")
    erp.seed("User", email="site@example.com", user_type="Website User")
    erp.seed("Location", location_name="North Yard", latitude=45.5, longitude=-111.0)
    erp.seed("Supplier", supplier_name="Acme Pumps", email_id="ops@acme.example", disabled=0)
    out = io.StringIO()
    call_command("erpnext", "import", stdout=out)
    assert "people: 2 new" in out.getvalue()
    ana = User.objects.get(email="ana@example.com")
    assert ana.full_name == "Ana Ortiz" and ana.time_zone == "Europe/Berlin"
    assert not ana.has_usable_password() and ana.role == "Worker"
    assert User.objects.get(email="bad.zone@example.com").time_zone == "America/Chicago"
    assert not User.objects.filter(email="site@example.com").exists()
    assert Site.objects.get(site_name="North Yard").location == "45.5, -111.0"
    assert Contractor.objects.get(contractor_name="Acme Pumps").contact_email == "ops@acme.example"
    call_command("erpnext", "import", "--sites", stdout=out)
    assert "sites: 0 new, 1 updated" in out.getvalue()


def test_sync_command_pushes_what_was_missed(erp: FakeERPNext) -> None:
    _set(enabled=False)
    first, second = _task("one"), _task("two")
    assert erp.all("Task") == []
    _set(enabled=True)
    out = io.StringIO()
    call_command("erpnext", "sync", "--push", stdout=out)
    assert "pushed 2 task(s)" in out.getvalue()
    assert {t["subject"] for t in erp.all("Task")} == {"one", "two"}
    call_command("erpnext", "sync", stdout=out)
    assert "pushed 0 task(s)" in out.getvalue()
    assert _record(first.name).status == _record(second.name).status == "Synced"


def test_pull_is_scheduled_and_waits_for_its_interval(erp: FakeERPNext) -> None:
    from flrts.integrations.erpnext.sync import scheduled_pull
    from flrts.jobs.registry import scheduler_events

    assert "flrts.integrations.erpnext.sync.scheduled_pull" in scheduler_events()["all"]
    assert scheduled_pull().startswith("pulled")
    assert scheduled_pull() == "not due"
    _set(enabled=False)
    assert "disabled" in scheduled_pull()


def test_secret_is_stored_encrypted_and_never_shown(
    erp: FakeERPNext, people: Any, client: Any
) -> None:
    from flrts.integrations.models import ERPNextSettings

    assert API_SECRET not in ERPNextSettings.load().api_secret
    client.force_login(people.admin)
    page = client.get("/desk/integrations/erpnextsettings/1/change/").content.decode()
    assert API_SECRET not in page and "fa*************01" in page
    client.force_login(people.supervisor)
    assert client.get("/desk/integrations/erpnextsettings/1/change/").status_code == 403


def test_site_config_credentials_win(erp: FakeERPNext, settings: Any) -> None:
    from flrts.integrations.erpnext.config import credentials

    settings.SITE.config.update(erpnext_url=erp.url, erpnext_api_key="k", erpnext_api_secret="s")
    try:
        creds = credentials()
        assert creds.source == "site config" and creds.api_key == "k"
        assert "s" not in creds.masked.split("secret ")[1][:1]
    finally:
        for key in ("erpnext_url", "erpnext_api_key", "erpnext_api_secret"):
            settings.SITE.config.pop(key, None)


def test_frappe_error_shapes_are_parsed() -> None:
    from flrts.integrations.erpnext import errors

    body = {
        "exception": 'frappe.exceptions.ValidationError:  Status cannot be "Done".',
        "exc_type": "ValidationError",
        "_server_messages": json.dumps(
            [json.dumps({"message": ' Status cannot be "Done".', "title": "Message"})]
        ),
    }
    exc = errors.from_response(417, body, "EXPECTATION FAILED", "/api/resource/Task", {})
    assert isinstance(exc, errors.ValidationFailed)
    assert exc.message == 'Status cannot be "Done".'
    login = errors.from_response(401, {"message": "Invalid login credentials"}, "", "/", {})
    assert isinstance(login, errors.AuthenticationFailed)
    assert login.message == "Invalid login credentials"
    bare = errors.from_response(404, {"exc_type": "DoesNotExistError"}, "NOT FOUND", "/", {})
    assert isinstance(bare, errors.NotFound) and bare.message == "DoesNotExistError"
    gateway = errors.from_response(502, None, "Bad Gateway", "/", {})
    assert isinstance(gateway, errors.ServerError) and gateway.message == "Bad Gateway"
    limited = errors.from_response(429, {}, "", "/", {"retry-after": "7"})
    assert isinstance(limited, errors.RateLimited) and limited.retry_after == 7.0
