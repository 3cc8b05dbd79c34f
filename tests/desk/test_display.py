"""What the desk shows: one date format in the reader's zone, help that names the zone, RRULEs in
words, status pills, the person's name in the header, the grouped navigation, one 403 page, and
only the actions a role may use."""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from flrts.capture.queries import task_buttons
from flrts.fieldreports.models import FieldReport
from flrts.reminders.models import Reminder
from flrts.tasks.models import Task
from tests.desk.support import run_action

pytestmark = pytest.mark.django_db
ONE_FORMAT = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{4}-\d{2}-\d{2} \d{2}:\d{2} [A-Z]{3,4}")


@pytest.fixture
def task(people):
    task = Task(subject="Inspect fans", owner=people.worker, assigned_to=people.worker)
    task.set_due(dt.datetime(2026, 6, 1, 14, 0, tzinfo=dt.UTC), "America/Chicago")
    task.save()
    return task


def test_every_list_and_form_uses_one_format_in_the_readers_zone(client, people, task) -> None:
    from flrts.telegram.models import OutboxMessage

    at = dt.datetime(2026, 6, 1, 14, tzinfo=dt.UTC)
    OutboxMessage.objects.create(user=people.worker, chat_id=1, text="hi", creation=at)
    client.force_login(people.admin)  # America/New_York
    task_list = client.get("/desk/tasks/task/").content.decode()
    assert "Mon 2026-06-01 10:00 EDT" in task_list
    outbox = client.get("/desk/telegram/outboxmessage/").content.decode()
    assert "Mon 2026-06-01 10:00 EDT" in outbox
    form = client.get(f"/desk/tasks/task/{task.pk}/change/").content.decode()
    created = timezone.localtime(task.creation, ZoneInfo("America/New_York"))  # EST or EDT
    assert ONE_FORMAT.search(form) and f"{created:%Y-%m-%d}" in form
    assert "docstatus" not in form
    chat = client.get("/telegram/chat/outbox").json()["messages"]
    assert chat == [] or all(ONE_FORMAT.fullmatch(m["when"]) for m in chat)


def test_chat_outbox_shows_the_readers_time(client, people) -> None:
    from flrts.telegram.models import OutboxMessage

    OutboxMessage.objects.create(
        user=people.admin,
        chat_id=people.admin.telegram_user_id,
        text="hello",
        creation=dt.datetime(2026, 6, 1, 14, tzinfo=dt.UTC),
    )
    client.force_login(people.admin)
    messages = client.get("/telegram/chat/outbox").json()["messages"]
    assert messages and messages[0]["when"] == "Mon 2026-06-01 10:00 EDT"
    assert "Mon 2026-06-01 10:00 EDT" in client.get("/telegram/chat/").content.decode()


def test_reminder_form_time_is_in_the_readers_zone_and_says_so(client, people) -> None:
    client.force_login(people.supervisor)  # America/Chicago
    form = client.get("/desk/reminders/reminder/add/").content.decode()
    assert "When it first fires, in your time zone: America/Chicago (" in form
    assert "First (or only) time, UTC" not in form
    response = client.post(
        "/desk/reminders/reminder/add/",
        {
            "title": "Read the meters",
            "remind_at_0": "2026-06-01",
            "remind_at_1": "09:00",
            "time_zone": "America/Chicago",
            "recurrence": "FREQ=WEEKLY;BYDAY=MO",
            "status": "Pending",
            "recipients": [people.worker.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    reminder = Reminder.objects.get(title="Read the meters")
    assert reminder.remind_at == dt.datetime(2026, 6, 1, 14, 0, tzinfo=dt.UTC)  # 09:00 CDT
    page = client.get(f"/desk/reminders/reminder/{reminder.pk}/change/").content.decode()
    assert 'value="09:00' in page
    assert "every Monday at 09:00" in client.get("/desk/reminders/reminder/").content.decode()


def test_rrule_words_name_the_reminders_zone_when_it_is_not_the_readers(client, people) -> None:
    reminder = Reminder(
        title="Meters",
        remind_at=dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC),
        time_zone="America/New_York",
        recurrence="FREQ=WEEKLY;BYDAY=MO",
    )
    reminder.save()
    client.force_login(people.supervisor)
    body = client.get("/desk/reminders/reminder/").content.decode()
    assert "every Monday at 08:00 (America/New_York)" in body
    assert "FREQ=WEEKLY" not in body


def test_status_pills_and_overdue_in_red(client, people, task) -> None:
    client.force_login(people.supervisor)
    body = client.get("/desk/tasks/task/").content.decode()
    assert '<span class="pill pill-blue">Open</span>' in body
    assert '<span class="pill pill-red">Overdue</span>' in body  # due 2026-06-01 is past
    assert "icon-yes.svg" not in body and "icon-no.svg" not in body
    report = FieldReport(summary="Walk", status="Submitted")
    report.save()
    reports = client.get("/desk/fieldreports/fieldreport/").content.decode()
    assert '<span class="pill pill-blue">Submitted</span>' in reports


def test_header_greets_people_by_name(client, people) -> None:
    client.force_login(people.worker)
    body = client.get("/desk/").content.decode()
    assert "<strong>Wendy</strong>" in body
    assert "<strong>wendy@example.com</strong>" not in body


def test_home_page_has_the_desks_sections_not_the_raw_app_list(client, people) -> None:
    client.force_login(people.admin)
    body = client.get("/desk/").content.decode()
    for section in ("Work", "People and places", "Capture and parsing", "System"):
        assert f"<h3>{section}</h3>" in body
    assert "Tasks database backend" not in body and "Task results" not in body
    assert 'id="nav-work"' in body and "/desk/tasks/task/" in body
    sidebar = client.get("/desk/tasks/task/").content.decode()
    assert "Tasks database backend" not in sidebar and ">Work</a>" in sidebar


def test_one_403_page_across_the_desk(client, people, task) -> None:
    client.force_login(people.viewer)
    for url in (
        "/desk/tasks/task/add/",
        "/desk/reports/",
        f"/desk/tasks/task/{task.pk}/purge/",
        f"/desk/tasks/task/{task.pk}/delete/",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.templates[0].name == "flrts/403.html", url
        assert 'id="forbidden"' in response.content.decode()


def test_viewer_sees_no_action_he_cannot_use(client, people, task) -> None:
    client.force_login(people.viewer)
    listing = client.get("/desk/tasks/task/")
    body = listing.content.decode()
    for word in ("mark_complete", "reassign", "archive_selected", "Reassign to", "Add task"):
        assert word not in body, word
    assert listing.context["action_form"] is None
    form = client.get(f"/desk/tasks/task/{task.pk}/change/").content.decode()
    assert 'name="_save"' not in form and "deletelink" not in form
    assert task_buttons(task, people.viewer) == []
    assert task_buttons(task, people.other) == []  # a Worker on someone else's task
    assert [b.text for b in task_buttons(task, people.worker)[0]] == [
        "✅ Mark complete", "➡️ Reassign", "💤 Snooze",
    ]  # fmt: skip


def test_refused_bulk_action_is_an_error_not_a_green_zero(client, people, task) -> None:
    client.force_login(people.other)
    banners = run_action(client, "mark_complete", [task.pk])
    assert banners == [("error", f"{task.name}: not permitted")]
    task.refresh_from_db()
    assert task.status == "Open"


def test_system_page_actions_are_for_admins_only(client, people) -> None:
    from flrts.jobs.models import ScheduledJob
    from flrts.reports.models import DailyReport

    job = ScheduledJob.objects.create(method="flrts.x", frequency="daily", enabled=True)
    DailyReport.objects.create(report_date=dt.date(2026, 6, 1), time_zone="America/Chicago")
    client.force_login(people.supervisor)
    page = client.get("/desk/jobs/scheduledjob/").content.decode()
    assert 'value="disable"' not in page
    run_action(client, "disable", [job.pk], "/desk/jobs/scheduledjob/")
    job.refresh_from_db()
    assert job.enabled
    assert 'value="send_again"' not in client.get("/desk/reports/dailyreport/").content.decode()
    client.force_login(people.admin)
    assert 'value="disable"' in client.get("/desk/jobs/scheduledjob/").content.decode()
    assert 'value="send_again"' in client.get("/desk/reports/dailyreport/").content.decode()


def test_person_form_says_whose_zone_the_times_are_in(client, people) -> None:
    client.force_login(people.admin)
    form = client.get(f"/desk/people/user/{people.worker.pk}/change/").content.decode()
    assert "Start of the quiet hours, in the person's own zone" in form
    assert "numeric Telegram id" in form


def test_reports_page_dates_in_the_one_format(client, people) -> None:
    from flrts.reports.models import DailyReport

    DailyReport.objects.create(
        report_date=dt.date(2026, 6, 1),
        time_zone="America/Chicago",
        built_at=dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC),
    )
    client.force_login(people.admin)  # America/New_York
    body = client.get("/desk/reports/").content.decode()
    assert "<td>Mon 2026-06-01</td>" in body and "<td>Mon 2026-06-01 08:00 EDT</td>" in body


def test_too_many_filters_are_refused(client, people) -> None:
    client.force_login(people.worker)
    many = json.dumps([["status", "=", "Open"]] * 21)
    response = client.get("/desk/tasks/task/", {"filters": many})
    assert response.status_code == 200
    assert any("At most 20 filters" in str(m) for m in response.context["messages"])
