"""The Kanban: columns by status with counts and paging, filters, and moves that the role matrix
and the task rules decide (a parent does not complete while a sub-task is open)."""

from __future__ import annotations

from typing import Any

import pytest

from flrts.core.context import acting_as
from flrts.desk.boards.kanban import PAGE
from flrts.desk.timeline.history import history
from flrts.tasks.models import Task

pytestmark = pytest.mark.django_db
MOVE = "/desk/tasks/task/kanban/move"


def make(owner: Any, subject: str, **fields: Any) -> Task:
    with acting_as(owner):
        task = Task(subject=subject, **fields)
        task.save()
    return task


def columns(response: Any) -> dict[str, tuple[int, list[str]]]:
    return {
        c.status: (c.count, [card.name for card in c.cards]) for c in response.context["columns"]
    }


def test_the_board_has_a_column_per_status_with_counts(client, people, site) -> None:
    open_one = make(people.worker, "Open one", site=site)
    working = make(people.worker, "Working one", status="Working")
    done = make(people.worker, "Done one", status="Completed")
    make(people.worker, "Gone", archived=True)
    client.force_login(people.supervisor)
    response = client.get("/desk/tasks/task/kanban/")
    assert response.status_code == 200
    board = columns(response)
    assert list(board) == ["Open", "Working", "Pending Review", "Overdue", "Completed", "Cancelled"]
    assert board["Open"] == (1, [open_one.name]) and board["Working"] == (1, [working.name])
    assert board["Completed"] == (1, [done.name]) and board["Cancelled"] == (0, [])
    body = response.content.decode()
    assert 'data-status="Overdue" data-drop="0"' in body  # not a drop target
    assert body.count("kb-movable") == 3  # a Supervisor may move every card


def test_only_the_cards_a_person_may_change_can_be_dragged(client, people) -> None:
    make(people.worker, "Mine")
    make(people.other, "Oscar's")
    client.force_login(people.worker)
    body = client.get("/desk/tasks/task/kanban/").content.decode()
    assert body.count("kb-movable") == 1 and body.count("kb-locked") == 1
    client.force_login(people.viewer)
    body = client.get("/desk/tasks/task/kanban/").content.decode()
    assert "kb-movable" not in body and body.count("kb-locked") == 2


def test_a_long_column_pages_instead_of_growing(client, people) -> None:
    for n in range(PAGE + 5):
        make(people.worker, f"Task {n}")
    client.force_login(people.worker)
    response = client.get("/desk/tasks/task/kanban/")
    count, names = columns(response)["Open"]
    assert count == PAGE + 5 and len(names) == PAGE
    assert "5 more" in response.content.decode()
    rest = client.get(f"/desk/tasks/task/kanban/column?status=Open&offset={PAGE}")
    assert rest.status_code == 200 and rest.content.decode().count('class="kb-card') == 5
    assert "more</button>" not in rest.content.decode()
    assert client.get("/desk/tasks/task/kanban/column?status=Nope&offset=0").status_code == 400
    assert client.get("/desk/tasks/task/kanban/column?status=Open&offset=-1").status_code == 400


def test_filters_by_site_assignee_and_priority(client, people, site) -> None:
    match = make(people.worker, "Match", site=site, assigned_to=people.other, priority="High")
    make(people.worker, "Other site", assigned_to=people.other, priority="High")
    make(people.worker, "Low", site=site, assigned_to=people.other, priority="Low")
    client.force_login(people.worker)
    query = f"?site={site.pk}&assignee={people.other.pk}&priority=High"
    response = client.get(f"/desk/tasks/task/kanban/{query}")
    assert columns(response)["Open"] == (1, [match.name])
    bad = client.get("/desk/tasks/task/kanban/?site=abc&priority=Whenever")
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "site: Select a valid choice." in body and "priority: Select a valid choice." in body


def test_a_move_changes_the_status_and_is_in_the_history(client, people) -> None:
    task = make(people.worker, "Fan noise")
    client.force_login(people.worker)
    response = client.post(MOVE, {"task": task.name, "from": "Open", "to": "Working"})
    assert response.status_code == 200 and response.json()["to"] == "Working"
    task.refresh_from_db()
    assert task.status == "Working"
    assert history(task)[0].text == "Wendy changed status from Open to Working"
    undo = client.post(MOVE, {"task": task.name, "from": "Working", "to": "Open"})
    assert undo.status_code == 200
    task.refresh_from_db()
    assert task.status == "Open"


def test_completing_and_undoing_clears_the_completion(client, people) -> None:
    task = make(people.worker, "Belt")
    client.force_login(people.worker)
    client.post(MOVE, {"task": task.name, "from": "Open", "to": "Completed"})
    task.refresh_from_db()
    assert task.completed_by == people.worker and task.completed_on is not None
    client.post(MOVE, {"task": task.name, "from": "Completed", "to": "Open"})
    task.refresh_from_db()
    assert task.status == "Open" and task.completed_on is None and task.completed_by is None


def test_moves_are_refused_by_role_rule_and_staleness(client, people) -> None:
    task = make(people.other, "Oscar's task")
    client.force_login(people.viewer)
    refused = client.post(MOVE, {"task": task.name, "from": "Open", "to": "Working"})
    assert refused.status_code == 403 and "Not permitted" in refused.json()["error"]
    client.force_login(people.worker)
    assert (
        client.post(MOVE, {"task": task.name, "from": "Open", "to": "Working"}).status_code == 403
    )
    client.force_login(people.other)
    cases = [
        ({"task": task.name, "from": "Open", "to": "Overdue"}, 400, "follows the due date"),
        ({"task": task.name, "from": "Open", "to": "Done"}, 400, "not a task status"),
        ({"task": task.name, "from": "Working", "to": "Completed"}, 409, "changed by someone"),
        ({"task": "TASK-1999-00001", "from": "Open", "to": "Working"}, 404, "not found"),
        ({"task": task.name, "to": "Working"}, 400, "Send task, from and to."),
    ]
    for fields, status, words in cases:
        response = client.post(MOVE, fields)
        assert response.status_code == status and words in response.json()["error"], fields
    assert client.get(MOVE).status_code == 405
    task.refresh_from_db()
    assert task.status == "Open"


def test_a_parent_with_open_subtasks_does_not_complete_unless_forced(client, people) -> None:
    parent = make(people.worker, "Safety audit")
    child = make(people.worker, "Extinguishers", parent_task=parent)
    client.force_login(people.worker)
    refused = client.post(MOVE, {"task": parent.name, "from": "Open", "to": "Completed"})
    assert refused.status_code == 409
    assert "cannot be completed while sub-tasks are open" in refused.json()["error"]
    assert refused.json()["can_force"] is True
    parent.refresh_from_db()
    assert parent.status == "Open"
    forced = client.post(
        MOVE, {"task": parent.name, "from": "Open", "to": "Completed", "force": "1"}
    )
    assert forced.status_code == 200
    child.refresh_from_db()
    assert child.status == "Completed"


def test_forcing_needs_the_right_to_complete_every_subtask(client, people) -> None:
    parent = make(people.worker, "Audit")
    make(people.other, "Someone else's step", parent_task=parent)
    client.force_login(people.worker)
    refused = client.post(MOVE, {"task": parent.name, "from": "Open", "to": "Completed"})
    assert refused.status_code == 409 and refused.json()["can_force"] is False
    forced = client.post(
        MOVE, {"task": parent.name, "from": "Open", "to": "Completed", "force": "1"}
    )
    assert forced.status_code == 403
    assert Task.objects.filter(status="Completed").count() == 0


def test_the_task_list_and_the_home_page_link_to_the_boards(client, people) -> None:
    client.force_login(people.viewer)
    listing = client.get("/desk/tasks/task/").content.decode()
    assert 'href="/desk/tasks/task/kanban/" id="tasks-kanban-link"' in listing
    assert 'href="/desk/tasks/task/calendar/" id="tasks-calendar-link"' in listing
    home = client.get("/desk/").content.decode()
    assert 'href="/desk/tasks/task/kanban/">Kanban board</a>' in home
    assert 'href="/desk/tasks/task/calendar/">calendar</a>' in home
