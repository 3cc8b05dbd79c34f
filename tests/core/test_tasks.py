from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from flrts.core.context import acting_as
from flrts.core.models import Version
from flrts.tasks.models import OpenSubtasks, Status, Task

pytestmark = pytest.mark.django_db


def _task(subject: str, parent: Task | None = None, **kw) -> Task:
    task = Task(subject=subject, parent_task=parent, **kw)
    task.save()
    return task


def test_parent_becomes_a_group_when_it_gets_a_subtask() -> None:
    parent = _task("Safety audit")
    _task("Check extinguishers", parent)
    parent.refresh_from_db()
    assert parent.is_group


def test_parent_cannot_complete_while_a_subtask_is_open() -> None:
    parent = _task("Safety audit")
    _task("Check extinguishers", parent)
    parent.status = Status.COMPLETED
    with pytest.raises(OpenSubtasks, match="sub-tasks are open"):
        parent.save()


def test_open_grandchild_blocks_completing_the_child_and_so_the_parent() -> None:
    parent = _task("Audit")
    child = _task("Building A", parent)
    _task("Exit signs", child)
    with pytest.raises(OpenSubtasks):
        child.complete()
    with pytest.raises(OpenSubtasks):
        parent.complete()


def test_forced_completion_completes_every_open_descendant(people) -> None:
    parent = _task("Audit")
    child = _task("Building A", parent)
    grandchild = _task("Exit signs", child)
    cancelled = _task("Roof", parent, status=Status.CANCELLED)
    done = parent.complete(by=people.supervisor, force=True)
    assert [t.pk for t in done] == [grandchild.pk, child.pk, parent.pk]
    for task in (parent, child, grandchild):
        task.refresh_from_db()
        assert task.status == Status.COMPLETED
        assert task.completed_by == people.supervisor
        assert task.completed_on is not None
    cancelled.refresh_from_db()
    assert cancelled.status == Status.CANCELLED


def test_parent_completes_once_subtasks_are_closed() -> None:
    parent = _task("Audit")
    child = _task("Building A", parent)
    child.complete()
    parent.complete()
    parent.refresh_from_db()
    assert parent.status == Status.COMPLETED


def test_completed_by_defaults_to_whoever_is_acting(people) -> None:
    task = _task("Label PDU circuits")
    with acting_as(people.worker):
        task.status = Status.COMPLETED
        task.save()
    assert task.completed_by == people.worker


def test_reopening_clears_completion() -> None:
    task = _task("Label PDU")
    task.complete()
    task.status = Status.OPEN
    task.save()
    assert task.completed_on is None


def test_a_task_cannot_be_its_own_ancestor() -> None:
    a = _task("A")
    b = _task("B", a)
    a.parent_task = b
    with pytest.raises(ValidationError, match="own ancestor"):
        a.save()


def test_subject_is_required() -> None:
    with pytest.raises(ValidationError, match="needs a subject"):
        Task(subject="   ").save()


def test_due_with_time_is_stored_as_utc_with_the_local_zone() -> None:
    task = Task(subject="Compressor", time_zone="America/Los_Angeles")
    la = dt.datetime(2026, 7, 1, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=-7)))
    task.set_due(la)
    task.save()
    task.refresh_from_db()
    assert task.exp_end_date == dt.date(2026, 7, 1)
    assert task.due_time == dt.time(14, 0)
    assert task.due_at == dt.datetime(2026, 7, 1, 21, 0, tzinfo=dt.UTC)


def test_date_only_due_is_due_at_the_end_of_that_local_day() -> None:
    task = Task(subject="Generator", time_zone="America/New_York")
    task.set_due(dt.date(2026, 1, 15))
    task.save()
    assert task.due_time is None
    assert task.due_at == dt.datetime(2026, 1, 16, 4, 59, 59, tzinfo=dt.UTC)


def test_naive_due_datetime_is_refused() -> None:
    task = Task(subject="x")
    with pytest.raises(ValidationError, match="time zone"):
        task.set_due(dt.datetime(2026, 1, 1, 9, 0))


def test_every_change_is_kept_in_the_history(people) -> None:
    task = _task("Compressor")
    with acting_as(people.supervisor):
        task.priority = "Urgent"
        task.assigned_to = people.worker
        task.save()
    version = Version.objects.get(ref_doctype="Task", docname=task.name)
    changed = {row[0]: row[1:] for row in version.data["changed"]}
    assert changed["priority"] == ["Medium", "Urgent"]
    assert changed["assigned_to"] == [None, people.worker.pk]
    assert version.owner == people.supervisor
    assert task.modified_by == people.supervisor


def test_saving_without_changes_writes_no_history() -> None:
    task = _task("Compressor")
    task.save()
    assert not Version.objects.filter(docname=task.name).exists()
