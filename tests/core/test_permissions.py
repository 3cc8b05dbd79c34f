"""The role matrix, each role x each action, allowed and refused."""

from __future__ import annotations

import pytest

from flrts.core.models import ErrorLog
from flrts.core.permissions import Action, PermissionDenied, can, readable, require
from flrts.fieldreports.models import FieldReport
from flrts.lists.models import FlrtsList, ListShare, SharePermission
from flrts.org.models import Site
from flrts.reminders.models import Reminder
from flrts.tasks.models import Task

pytestmark = pytest.mark.django_db

R, C, W, A, P, S = (
    Action.READ,
    Action.CREATE,
    Action.WRITE,
    Action.ARCHIVE,
    Action.PURGE,
    Action.SETTINGS,
)


@pytest.fixture
def task_by_other(people):
    task = Task(subject="Someone else's task", owner=people.other)
    task.save()
    return task


@pytest.fixture
def task_assigned_to_worker(people):
    task = Task(subject="Assigned to worker", owner=people.other, assigned_to=people.worker)
    task.save()
    return task


@pytest.fixture
def task_by_worker(people):
    task = Task(subject="Worker's own task", owner=people.worker)
    task.save()
    return task


# role -> {action: allowed} on a task owned by someone else and not assigned to them
MATRIX_OTHERS_TASK = {
    "admin": {R: True, C: True, W: True, A: True, P: True, S: True},
    "supervisor": {R: True, C: True, W: True, A: True, P: False, S: False},
    "worker": {R: True, C: True, W: False, A: False, P: False, S: False},
    "viewer": {R: True, C: False, W: False, A: False, P: False, S: False},
}


@pytest.mark.parametrize("role", list(MATRIX_OTHERS_TASK))
@pytest.mark.parametrize("action", [R, C, W, A, P, S])
def test_matrix_on_a_task_of_someone_else(people, task_by_other, role, action) -> None:
    user = getattr(people, role)
    target = Task if action is C else task_by_other
    assert can(user, action, target) is MATRIX_OTHERS_TASK[role][action]


def test_worker_edits_but_cannot_archive_a_task_assigned_to_them(
    people, task_assigned_to_worker
) -> None:
    assert can(people.worker, W, task_assigned_to_worker)
    assert not can(people.worker, A, task_assigned_to_worker)


def test_worker_edits_and_archives_their_own_task(people, task_by_worker) -> None:
    assert can(people.worker, W, task_by_worker)
    assert can(people.worker, A, task_by_worker)
    assert not can(people.worker, P, task_by_worker)


def test_viewer_changes_nothing_even_their_own(people) -> None:
    task = Task(subject="x", owner=people.viewer, assigned_to=people.viewer)
    task.save()
    assert can(people.viewer, R, task)
    for action in (C, W, A, P):
        assert not can(people.viewer, action, task if action is not C else Task)


def test_disabled_and_anonymous_people_can_do_nothing(people, task_by_other) -> None:
    from django.contrib.auth.models import AnonymousUser

    people.worker.is_active = False
    people.worker.save()
    for user in (people.worker, AnonymousUser(), None):
        assert not can(user, R, task_by_other)
        assert not readable(user, Task.objects.all()).exists()


def test_reference_data_is_read_by_all_and_edited_by_supervisors(people, site) -> None:
    assert can(people.viewer, R, site)
    assert can(people.worker, R, site)
    assert not can(people.worker, W, site)
    assert not can(people.worker, C, Site)
    assert can(people.supervisor, W, site)
    assert can(people.supervisor, C, Site)
    assert not can(people.supervisor, P, site)


def test_people_may_edit_their_own_person_record_only(people) -> None:
    assert can(people.worker, W, people.worker)
    assert not can(people.worker, W, people.other)
    assert not can(people.viewer, W, people.viewer)


def test_system_logs_are_read_by_supervisors_and_handled_by_admins(people) -> None:
    log = ErrorLog(method="x", error="boom")
    log.save()
    assert can(people.supervisor, R, log)
    assert not can(people.supervisor, W, log)
    assert not can(people.worker, R, log)
    assert not can(people.viewer, R, ErrorLog)
    assert can(people.admin, P, log)


def test_lists_are_read_only_by_owner_and_the_people_they_are_shared_with(people) -> None:
    private = FlrtsList(list_name="Mine", owner=people.other)
    private.save()
    shared = FlrtsList(list_name="Shared", owner=people.other)
    shared.save()
    ListShare.objects.create(list=shared, user=people.worker, permission=SharePermission.VIEW)
    visible = set(readable(people.worker, FlrtsList.objects.all()).values_list("pk", flat=True))
    assert visible == {shared.pk}
    assert not can(people.worker, R, private)
    assert can(people.worker, R, shared)
    assert not can(people.worker, W, shared)
    assert readable(people.supervisor, FlrtsList.objects.all()).count() == 2


def test_edit_share_lets_a_worker_edit_the_list(people) -> None:
    shared = FlrtsList(list_name="Shopping", owner=people.other)
    shared.save()
    ListShare.objects.create(list=shared, user=people.worker, permission=SharePermission.EDIT)
    assert can(people.worker, W, shared)
    assert not can(people.worker, A, shared)


def test_reminders_are_read_by_owner_and_recipients(people) -> None:
    from django.utils import timezone

    mine = Reminder(title="Meters", remind_at=timezone.now(), owner=people.other)
    mine.save()
    for_worker = Reminder(title="Call Apex", remind_at=timezone.now(), owner=people.other)
    for_worker.save()
    for_worker.recipients.add(people.worker)
    visible = set(readable(people.worker, Reminder.objects.all()).values_list("pk", flat=True))
    assert visible == {for_worker.pk}


def test_workers_read_all_tasks_and_field_reports(people, task_by_other) -> None:
    report = FieldReport(summary="Walk-through", owner=people.other)
    report.save()
    assert readable(people.worker, Task.objects.all()).count() == 1
    assert readable(people.viewer, FieldReport.objects.all()).count() == 1


def test_require_names_the_action_and_document(people, task_by_other) -> None:
    with pytest.raises(PermissionDenied, match=f"write Task {task_by_other.name}"):
        require(people.viewer, W, task_by_other)
