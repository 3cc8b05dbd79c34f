"""User-facing deletes archive; only an Admin purges."""

from __future__ import annotations

import pytest

from flrts.tasks.models import Task

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
    response = client.post(
        "/desk/tasks/task/",
        {"action": "archive_selected", "_selected_action": [task.pk]},
        follow=True,
    )
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.archived
    assert task.name not in _changelist_ids(client)
    assert task.name in client.get("/desk/tasks/task/?archived=archived").content.decode()


def test_worker_cannot_archive_someone_elses_task(client, people, task) -> None:
    client.force_login(people.other)
    client.post("/desk/tasks/task/", {"action": "archive_selected", "_selected_action": [task.pk]})
    task.refresh_from_db()
    assert not task.archived


def test_only_admin_can_purge(client, people, task) -> None:
    client.force_login(people.supervisor)
    assert client.get(f"/desk/tasks/task/{task.pk}/delete/").status_code == 403
    client.post(f"/desk/tasks/task/{task.pk}/delete/", {"post": "yes"})
    assert Task.objects.filter(pk=task.pk).exists()
    client.force_login(people.admin)
    client.post(f"/desk/tasks/task/{task.pk}/delete/", {"post": "yes"})
    assert not Task.objects.filter(pk=task.pk).exists()
