"""User-facing deletes archive, for every role that may delete; only an Admin purges, and only
after typing the record's name."""

from __future__ import annotations

import pytest

from flrts.core.models import Version
from flrts.tasks.models import Task
from tests.desk.support import run_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(people):
    task = Task(subject="Inspect fans", owner=people.worker)
    task.save()
    return task


def _changelist_ids(client) -> str:
    return client.get("/desk/tasks/task/").content.decode()


def test_archive_action_hides_the_task_but_keeps_it(client, people, task) -> None:
    client.force_login(people.worker)
    assert run_action(client, "archive_selected", [task.pk]) == [("success", "Archived 1.")]
    task.refresh_from_db()
    assert task.archived
    assert task.name not in _changelist_ids(client)
    assert task.name in client.get("/desk/tasks/task/?archived=archived").content.decode()


def test_restore_action_brings_an_archived_task_back(client, people, task) -> None:
    task.archived = True
    task.save()
    client.force_login(people.worker)
    banners = run_action(client, "restore_selected", [task.pk], "/desk/tasks/task/?archived=all")
    task.refresh_from_db()
    assert not task.archived
    assert banners == [("success", "Restored 1.")]
    assert task.name in _changelist_ids(client)


@pytest.mark.parametrize("role", ["admin", "supervisor", "worker"])
def test_delete_archives_for_every_role_even_an_admin(client, people, task, role) -> None:
    client.force_login(getattr(people, role))
    page = client.get(f"/desk/tasks/task/{task.pk}/delete/")
    assert page.status_code == 200 and "can be restored" in page.content.decode()
    client.post(f"/desk/tasks/task/{task.pk}/delete/", {"post": "yes"})
    task.refresh_from_db()
    assert task.archived, role
    changed = Version.objects.filter(docname=task.name).first()
    assert changed is not None and ["archived", False, True] in changed.data["changed"]


def test_delete_page_of_an_archived_task_restores_it(client, people, task) -> None:
    task.archived = True
    task.save()
    client.force_login(people.worker)
    assert "Restore it" in client.get(f"/desk/tasks/task/{task.pk}/delete/").content.decode()
    client.post(f"/desk/tasks/task/{task.pk}/delete/", {"restore": "1"})
    task.refresh_from_db()
    assert not task.archived


def test_django_delete_selected_is_not_offered(client, people, task) -> None:
    client.force_login(people.admin)
    body = client.get("/desk/tasks/task/").content.decode()
    assert 'value="delete_selected"' not in body
    client.post("/desk/tasks/task/", {"action": "delete_selected", "_selected_action": [task.pk]})
    assert Task.objects.filter(pk=task.pk).exists()


def test_worker_cannot_archive_someone_elses_task(client, people, task) -> None:
    client.force_login(people.other)
    banners = run_action(client, "archive_selected", [task.pk])
    task.refresh_from_db()
    assert not task.archived
    assert ("error", f"{task.name}: not permitted (archived only by its owner)") in banners
    assert not any(tag == "success" for tag, _ in banners)
    assert client.get(f"/desk/tasks/task/{task.pk}/delete/").status_code == 403


def test_only_admin_reaches_the_purge_page(client, people, task) -> None:
    for role in ("supervisor", "worker", "viewer"):
        client.force_login(getattr(people, role))
        page = client.get(f"/desk/tasks/task/{task.pk}/purge/")
        assert page.status_code == 403, role
        assert "Only an Admin can purge records." in page.content.decode()
        client.post(f"/desk/tasks/task/{task.pk}/purge/", {"confirm_name": task.name})
        assert Task.objects.filter(pk=task.pk).exists(), role


def test_purge_needs_the_name_typed_exactly(client, people, task) -> None:
    client.force_login(people.admin)
    page = client.get(f"/desk/tasks/task/{task.pk}/purge/")
    assert page.status_code == 200 and f"Type <code>{task.name}</code>" in page.content.decode()
    for typed in ("", "yes", task.name.lower(), task.name + "1"):
        wrong = client.post(f"/desk/tasks/task/{task.pk}/purge/", {"confirm_name": typed})
        assert wrong.status_code == 400
        assert "nothing was removed" in wrong.content.decode()
        assert Task.objects.filter(pk=task.pk).exists()
    done = client.post(f"/desk/tasks/task/{task.pk}/purge/", {"confirm_name": task.name})
    assert done.status_code == 302
    assert not Task.objects.filter(pk=task.pk).exists()


def test_purge_of_a_parent_with_sub_tasks_is_refused_cleanly(client, people, task) -> None:
    child = Task(subject="Fan 1", parent_task=task)
    child.save()
    client.force_login(people.admin)
    page = client.get(f"/desk/tasks/task/{task.pk}/purge/")
    assert page.status_code == 200 and child.name in page.content.decode()
    refused = client.post(f"/desk/tasks/task/{task.pk}/purge/", {"confirm_name": task.name})
    assert refused.status_code == 400
    assert Task.objects.filter(pk__in=[task.pk, child.pk]).count() == 2
