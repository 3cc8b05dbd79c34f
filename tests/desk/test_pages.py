"""Every desk page renders for every role that may see it, and refuses the others."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from flrts.desk.demo import load_demo
from flrts.fieldreports.models import FieldReport
from flrts.lists.models import FlrtsList
from flrts.org.models import Site
from flrts.reminders.models import Reminder
from flrts.tasks.models import Task

pytestmark = pytest.mark.django_db

ROLES = ["admin", "supervisor", "worker", "viewer"]
RECORD_PAGES = [
    "tasks/task",
    "fieldreports/fieldreport",
    "reminders/reminder",
    "lists/flrtslist",
    "org/site",
    "org/contractor",
    "people/user",
]


@pytest.fixture
def demo(people):
    load_demo()


@pytest.mark.parametrize("role", ROLES)
def test_home_renders_with_counts_for_each_role(client, people, demo, role) -> None:
    client.force_login(getattr(people, role))
    response = client.get("/desk/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="count-open"' in body and "Latest field reports" in body
    open_count = (
        Task.objects.filter(archived=False).exclude(status__in=["Completed", "Cancelled"]).count()
    )
    assert response.context["counts"]["open"] == open_count


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", RECORD_PAGES)
def test_list_and_detail_pages_render_for_each_role(client, people, demo, role, page) -> None:
    client.force_login(getattr(people, role))
    listing = client.get(f"/desk/{page}/")
    assert listing.status_code == 200
    app, model = page.split("/")
    from django.apps import apps

    obj = apps.get_model(app, model).objects.order_by("pk").first()
    detail = client.get(f"/desk/{page}/{obj.pk}/change/")
    # Lists and reminders are private to their owner and the people they are shared with;
    # a refused detail page sends the reader back to the desk home.
    from flrts.core.permissions import can

    allowed = can(getattr(people, role), "read", obj)
    assert detail.status_code == (200 if allowed else 302)
    if role in ("admin", "supervisor") or page not in ("lists/flrtslist", "reminders/reminder"):
        assert allowed


def test_add_page_only_for_roles_that_create(client, people) -> None:
    for role, status in [("admin", 200), ("supervisor", 200), ("worker", 200), ("viewer", 403)]:
        client.force_login(getattr(people, role))
        assert client.get("/desk/tasks/task/add/").status_code == status, role
    client.force_login(people.worker)
    assert client.get("/desk/org/site/add/").status_code == 403


def test_anonymous_is_sent_to_login(client) -> None:
    response = client.get("/desk/tasks/task/")
    assert response.status_code == 302
    assert "/desk/login/" in response["Location"]


def test_disabled_person_cannot_use_the_desk(client, people) -> None:
    people.worker.is_active = False
    people.worker.save()
    client.force_login(people.worker)
    assert client.get("/desk/").status_code == 302


def test_task_list_filters_by_status_site_assignee_and_overdue(client, people, demo) -> None:
    client.force_login(people.supervisor)
    viper = Site.objects.get(site_name="Viper")
    response = client.get(f"/desk/tasks/task/?site__id__exact={viper.pk}&status__exact=Open")
    names = {t.name for t in response.context["cl"].result_list}
    open_at_viper = Task.objects.filter(site=viper, status="Open", archived=False)
    expected = set(open_at_viper.values_list("name", flat=True))
    assert names == expected and names
    overdue = client.get("/desk/tasks/task/?due=overdue").context["cl"].result_list
    assert overdue and all(t.due_at < timezone.now() for t in overdue)
    search = client.get("/desk/tasks/task/?q=compressor").context["cl"].result_list
    assert [t.subject for t in search] == ["Check the compressor"]


def test_dates_show_in_the_viewers_time_zone(client, people) -> None:
    task = Task(subject="Zone check", time_zone="America/New_York")
    task.set_due(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC))
    task.save()
    people.worker.time_zone = "America/Los_Angeles"
    people.worker.save()
    client.force_login(people.worker)
    body = client.get("/desk/tasks/task/?q=Zone").content.decode()
    assert "2026-06-01 02:00 PDT" in body
    people.worker.time_zone = "America/New_York"
    people.worker.save()
    assert "2026-06-01 05:00 EDT" in client.get("/desk/tasks/task/?q=Zone").content.decode()


def test_complete_and_reassign_actions(client, people) -> None:
    task = Task(subject="Fans", owner=people.supervisor)
    task.save()
    client.force_login(people.supervisor)
    client.post(
        "/desk/tasks/task/",
        {"action": "reassign", "_selected_action": [task.pk], "assignee": people.worker.pk},
    )
    task.refresh_from_db()
    assert task.assigned_to == people.worker
    client.post("/desk/tasks/task/", {"action": "mark_complete", "_selected_action": [task.pk]})
    task.refresh_from_db()
    assert task.status == "Completed" and task.completed_by == people.supervisor


def test_inlines_render_subtasks_items_and_readings(client, people, demo) -> None:
    client.force_login(people.admin)
    parent = Task.objects.get(subject="Quarterly safety audit")
    body = client.get(f"/desk/tasks/task/{parent.pk}/change/").content.decode()
    assert "Check fire extinguishers" in body
    shopping = FlrtsList.objects.get(list_name="Viper shopping")
    assert "zip ties" in client.get(f"/desk/lists/flrtslist/{shopping.pk}/change/").content.decode()
    report = FieldReport.objects.get(summary__startswith="Morning walk")
    body = client.get(f"/desk/fieldreports/fieldreport/{report.pk}/change/").content.decode()
    assert "compressor pressure" in body


def test_demo_is_loaded_once(people) -> None:
    first = load_demo()
    second = load_demo()
    assert first["created"] == 1 and second["created"] == 0
    zones = set(Reminder.objects.values_list("time_zone", flat=True))
    assert {"America/New_York", "America/Chicago", "America/Los_Angeles"} <= zones
    assert Site.objects.count() == 4
