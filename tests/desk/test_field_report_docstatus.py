"""The Field Report form shows Submit / Cancel / Amend (permission-checked) instead of a raw
docstatus; a submitted or cancelled report is read-only in the desk."""

from __future__ import annotations

from typing import Any

import pytest

from flrts.core.context import acting_as
from flrts.fieldreports.models import FieldReport, Reading

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(people: Any) -> FieldReport:
    with acting_as(people.worker):
        doc = FieldReport(summary="Pump check", reported_by=people.worker)
        doc.save()
        Reading.objects.create(report=doc, idx=1, metric="pressure", value=42.5, unit="psi")
    return doc


def _page(client: Any, report: FieldReport) -> str:
    response = client.get(f"/desk/fieldreports/fieldreport/{report.pk}/change/")
    assert response.status_code == 200
    return str(response.content.decode())


def _move(client: Any, report: FieldReport, move: str) -> Any:
    return client.post(f"/desk/fieldreports/fieldreport/{report.pk}/docstatus/{move}/")


def test_submit_cancel_amend_through_the_desk(client: Any, people: Any, report: Any) -> None:
    client.force_login(people.worker)
    page = _page(client, report)
    assert 'id="docstatus-submit"' in page and "Status: <strong>Draft</strong>" in page
    assert "docstatus 0" not in page and 'id="docstatus-cancel"' not in page
    done = _move(client, report, "submit")
    assert done.status_code == 302
    report.refresh_from_db()
    assert (report.docstatus, report.status) == (1, "Submitted")
    page = _page(client, report)
    assert "Status: <strong>Submitted</strong>" in page
    assert 'id="docstatus-submit"' not in page and 'id="docstatus-cancel"' not in page
    assert 'name="summary"' not in page  # read-only once submitted
    assert _move(client, report, "cancel").status_code == 403  # Workers do not cancel

    client.force_login(people.supervisor)
    assert 'id="docstatus-cancel"' in _page(client, report)
    assert _move(client, report, "cancel").status_code == 302
    report.refresh_from_db()
    assert (report.docstatus, report.status) == (2, "Cancelled")
    assert 'id="docstatus-amend"' in _page(client, report)
    amended = _move(client, report, "amend")
    new = FieldReport.objects.get(amended_from=report)
    assert amended["Location"].endswith(f"/fieldreport/{new.pk}/change/")
    assert (new.name, new.docstatus, new.summary) == (f"{report.name}-1", 0, "Pump check")
    assert [r.metric for r in new.readings.all()] == ["pressure"]
    assert 'id="docstatus-submit"' in _page(client, new)


def test_moves_are_checked(client: Any, people: Any, report: Any) -> None:
    client.force_login(people.viewer)
    assert 'id="docstatus-submit"' not in _page(client, report)
    assert _move(client, report, "submit").status_code == 403
    client.force_login(people.other)  # a Worker who is not the reporter
    assert _move(client, report, "submit").status_code == 403
    client.force_login(people.admin)
    assert _move(client, report, "cancel").status_code == 403  # not submitted: no such button
    assert _move(client, report, "publish").status_code == 404
    get = client.get(f"/desk/fieldreports/fieldreport/{report.pk}/docstatus/submit/")
    assert get.status_code == 405
    report.refresh_from_db()
    assert report.docstatus == 0


def test_a_draft_is_still_edited_and_saved(client: Any, people: Any, report: Any) -> None:
    client.force_login(people.worker)
    page = _page(client, report)
    assert 'name="summary"' in page
