"""Frappe's docstatus on the submittable Field Report, in the document layer (desk, API and bot
all save through it): submit, update-after-submit, cancel, amend, and who may do which."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from flrts.core import docstatus
from flrts.core.context import acting_as
from flrts.core.models import Version
from flrts.core.permissions import Action, can
from flrts.fieldreports.models import FieldReport, Reading
from flrts.tasks.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(people: Any) -> FieldReport:
    with acting_as(people.worker):
        doc = FieldReport(summary="Pump check", observations="noisy", reported_by=people.worker)
        doc.save()
        Reading.objects.create(report=doc, idx=1, metric="pressure", value=42.5, unit="psi")
    return doc


def _fresh(doc: FieldReport) -> FieldReport:
    return FieldReport.objects.get(pk=doc.pk)


def test_a_draft_saves_freely_and_submits(report: FieldReport) -> None:
    report.summary = "Pump check, north"
    report.save()
    docstatus.submit(report)
    saved = _fresh(report)
    assert (saved.docstatus, saved.status) == (1, "Submitted")


def test_a_submitted_report_refuses_edits(report: FieldReport) -> None:
    docstatus.submit(report)
    doc = _fresh(report)
    doc.summary = "changed"
    with pytest.raises(docstatus.UpdateAfterSubmitError, match="summary"):
        doc.save()
    assert _fresh(report).summary == "Pump check"


def test_saving_a_submitted_report_unchanged_and_archiving_it_are_fine(
    report: FieldReport,
) -> None:
    docstatus.submit(report)
    doc = _fresh(report)
    doc.save()
    doc.archived = True
    doc.save()
    assert _fresh(report).archived


def test_cancel_then_the_report_is_final(report: FieldReport) -> None:
    docstatus.submit(report)
    doc = _fresh(report)
    docstatus.cancel(doc)
    cancelled = _fresh(report)
    assert (cancelled.docstatus, cancelled.status) == (2, "Cancelled")
    cancelled.observations = "edit"
    with pytest.raises(docstatus.DocstatusTransitionError, match="cancelled"):
        cancelled.save()
    with pytest.raises(docstatus.DocstatusTransitionError):
        docstatus.submit(_fresh(report))


@pytest.mark.parametrize(("first", "then"), [(0, 2), (1, 0)])
def test_impossible_transitions(report: FieldReport, first: int, then: int) -> None:
    if first == 1:
        docstatus.submit(report)
    doc = _fresh(report)
    doc.docstatus = then
    with pytest.raises(docstatus.DocstatusTransitionError):
        doc.save()


def test_amend_copies_the_cancelled_report_into_a_new_draft(report: FieldReport) -> None:
    report.follow_up_tasks.set([_task()])
    docstatus.submit(report)
    docstatus.cancel(_fresh(report))
    new = docstatus.make_amendment(_fresh(report))
    assert new.name == f"{report.name}-1"
    assert (new.docstatus, new.status, new.amended_from_id) == (0, "Draft", report.pk)
    assert (new.summary, new.observations, new.reported_by_id) == (
        "Pump check",
        "noisy",
        report.reported_by_id,
    )
    assert [(r.metric, r.value) for r in new.readings.all()] == [("pressure", 42.5)]
    assert list(new.follow_up_tasks.all()) == list(report.follow_up_tasks.all())
    with pytest.raises(docstatus.DocstatusTransitionError, match="already been amended"):
        docstatus.make_amendment(_fresh(report))
    docstatus.submit(new)
    docstatus.cancel(FieldReport.objects.get(pk=new.pk))
    again = docstatus.make_amendment(FieldReport.objects.get(pk=new.pk))
    assert again.name == f"{report.name}-2"


def test_only_cancelled_reports_are_amended(report: FieldReport) -> None:
    with pytest.raises(docstatus.DocstatusTransitionError, match="Only a cancelled"):
        docstatus.make_amendment(report)


def test_building_a_report_as_submitted_still_works(people: Any) -> None:
    """The bot and imports may create a report already submitted by its status."""
    with acting_as(people.worker):
        doc = FieldReport(summary="From Telegram", status="Submitted")
        doc.save()
    assert _fresh(doc).docstatus == 1


def test_docstatus_values_are_checked() -> None:
    assert docstatus.parse("1") == 1 and docstatus.parse(2) == 2
    for bad in ("3", "x", -1, None):
        with pytest.raises(ValidationError):
            docstatus.parse(bad)


def test_who_may_submit_and_cancel(people: Any, report: FieldReport) -> None:
    assert can(people.worker, Action.SUBMIT, report)  # the reporter
    assert not can(people.other, Action.SUBMIT, report)
    assert not can(people.viewer, Action.SUBMIT, report)
    assert not can(people.worker, Action.CANCEL, report)
    assert can(people.supervisor, Action.CANCEL, report)
    assert can(people.admin, Action.CANCEL, report)


def test_rename_moves_the_name_and_its_history(people: Any) -> None:
    task = _task()
    task.subject = "renamed later"
    with acting_as(people.admin):
        task.save()
        old = task.name
        task.rename("TASK-SPECIAL")
    assert Task.objects.get(pk=task.pk).name == "TASK-SPECIAL"
    assert Version.objects.filter(ref_doctype="Task", docname=old).count() == 0
    assert Version.objects.filter(ref_doctype="Task", docname="TASK-SPECIAL").count() == 2
    other = _task()
    with pytest.raises(ValidationError) as caught:
        other.rename("TASK-SPECIAL")
    assert caught.value.error_dict["name"][0].code == "unique"


def _task() -> Task:
    task = Task(subject="Follow up")
    task.save()
    return task
