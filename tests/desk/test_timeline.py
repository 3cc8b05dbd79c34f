"""The form timeline: history as sentences in the reader's zone, comments that tell the people
they mention on Telegram, assign / unassign, and the refusals (role, bad input)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from flrts.core.activity import Comment, ToDo, ToDoStatus
from flrts.core.context import acting_as
from flrts.desk.timeline.history import history
from flrts.reminders.models import Reminder
from flrts.tasks.models import Task
from flrts.telegram.models import OutboxMessage

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
HX = {"HTTP_HX_REQUEST": "true"}


def url(task: Any, action: str = "") -> str:
    base = f"/desk/timeline/{type(task).doctype}/{task.name}/"
    return base + action


@pytest.fixture
def task(people: Any) -> Task:
    with acting_as(people.supervisor):
        task = Task(subject="Check the compressor", time_zone="America/Chicago")
        task.set_due(dt.datetime(2026, 6, 5, 8, 0, tzinfo=CHICAGO))  # a Friday
        task.save()
    return task


def lines(task: Task) -> list[str]:
    return [change.text for change in history(task)]


def test_a_due_change_reads_as_one_sentence_in_the_readers_zone(people, task) -> None:
    with acting_as(people.worker):
        task.set_due(dt.datetime(2026, 6, 8, 14, 0, tzinfo=CHICAGO))
        task.status = "Working"
        task.save()
    timezone.activate(CHICAGO)
    assert lines(task) == [
        "Wendy changed due from Fri 2026-06-05 08:00 CDT to Mon 2026-06-08 14:00 CDT; "
        "changed status from Open to Working"
    ]
    timezone.activate(ZoneInfo("America/New_York"))
    assert lines(task)[0].startswith(
        "Wendy changed due from Fri 2026-06-05 09:00 EDT to Mon 2026-06-08"
    )
    timezone.deactivate()


def test_each_version_sees_the_record_as_it_was(people, task, site) -> None:
    """Three edits: each sentence uses the values of its own moment, not today's."""
    timezone.activate(CHICAGO)
    with acting_as(people.supervisor):
        task.due_time = dt.time(9, 30)  # only the time: the date comes from the record
        task.save()
        task.assigned_to = people.worker
        task.site = site
        task.save()
        task.set_due(dt.date(2026, 6, 9))  # now a date without a time
        task.archived = True
        task.save()
    assert lines(task) == [
        "Sam changed due from Fri 2026-06-05 09:30 CDT to Tue 2026-06-09; archived this",
        "Sam set assignee to Wendy; set site to Big Sky",
        "Sam changed due from Fri 2026-06-05 08:00 CDT to Fri 2026-06-05 09:30 CDT",
    ]
    timezone.deactivate()


def test_a_date_only_due_is_not_moved_by_the_readers_zone(people) -> None:
    with acting_as(people.supervisor):
        task = Task(subject="Audit", time_zone="America/Los_Angeles")
        task.set_due(dt.date(2026, 6, 5))
        task.save()
        task.set_due(dt.date(2026, 6, 8))
        task.save()
    timezone.activate(ZoneInfo("Asia/Tokyo"))
    assert lines(task) == ["Sam changed due from Fri 2026-06-05 to Mon 2026-06-08"]
    timezone.deactivate()


def test_the_task_form_shows_the_timeline(client, people, task) -> None:
    with acting_as(people.worker):
        task.priority = "High"
        task.save()
    client.force_login(people.viewer)  # Denver
    body = client.get(f"/desk/tasks/task/{task.pk}/change/").content.decode()
    assert 'id="timeline"' in body
    assert "<b>Wendy</b> changed priority from Medium to High" in body
    assert "<b>Sam</b> created this" in body
    assert 'id="tl-comment-form"' not in body  # a Viewer does not comment
    assert 'id="tl-attach-form"' not in body and 'id="tl-assign-form"' not in body


def test_a_mention_reaches_the_mentioned_persons_telegram_outbox(
    client, people, task, django_capture_on_commit_callbacks
) -> None:
    client.force_login(people.supervisor)
    text = "@Wendy can you look at this before Monday? cc @oscar@example.com and @Sam"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(task, "comment"), {"content": text}, **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<span class="tl-mention">@Wendy</span> can you look' in body
    comment = Comment.objects.get(comment_type="Comment")
    assert set(comment.mentions) == {people.worker.pk, people.other.pk}  # not the writer
    told = {m.user_id: m.text for m in OutboxMessage.objects.all()}
    assert set(told) == {people.worker.pk, people.other.pk}
    assert told[people.worker.pk].startswith(f"💬 Sam mentioned you on {task.name}: ")
    assert text in told[people.worker.pk]


def test_a_mentioned_person_who_cannot_read_the_record_is_not_told(
    client, people, django_capture_on_commit_callbacks
) -> None:
    reminder = Reminder(title="Payroll", remind_at=timezone.now(), owner=people.worker)
    reminder.save()
    client.force_login(people.worker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(reminder, "comment"), {"content": "@Oscar see this"}, **HX)
    assert response.status_code == 200
    assert "Not notified (cannot see this record): Oscar" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_a_viewer_cannot_comment_and_bad_input_is_refused(client, people, task) -> None:
    client.force_login(people.viewer)
    response = client.post(url(task, "comment"), {"content": "hello"}, **HX)
    assert response.status_code == 403 and "Not permitted" in response.content.decode()
    client.force_login(people.worker)
    assert client.post(url(task, "comment"), {"content": "   "}, **HX).status_code == 400
    assert client.post(url(task, "comment"), {"content": "x" * 5001}, **HX).status_code == 400
    assert client.post(url(task, "dance"), {}, **HX).status_code == 404
    assert client.post("/desk/timeline/Task/TASK-1999-00001/comment", {}).status_code == 404
    assert client.post("/desk/timeline/Site/Big Sky/comment", {}).status_code == 404
    assert client.get(url(task, "comment")).status_code == 405
    assert not Comment.objects.exists()


def test_without_javascript_a_comment_redirects_back_with_a_message(client, people, task) -> None:
    client.force_login(people.worker)
    response = client.post(url(task, "comment"), {"content": "Parts ordered"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/desk/tasks/task/{task.pk}/change/"
    body = response.content.decode()
    assert "Comment added." in body and "Parts ordered" in body


def test_assign_and_unassign_keep_the_task_assignee_and_tell_people(
    client, people, task, django_capture_on_commit_callbacks
) -> None:
    client.force_login(people.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url(task, "assign"), {"person": people.worker.pk}, **HX)
        second = client.post(url(task, "assign"), {"person": people.other.pk}, **HX)
    assert first.status_code == 200 and second.status_code == 200
    task.refresh_from_db()
    assert task.assigned_to == people.worker  # the first became the task's assignee
    told = {m.user_id: m.text for m in OutboxMessage.objects.all()}
    assert told[people.worker.pk].startswith("📋 New task for you by Sam")  # once, not twice
    assert told[people.other.pk] == f"📌 Sam assigned you {task}"
    assert OutboxMessage.objects.count() == 2
    again = client.post(url(task, "assign"), {"person": people.other.pk}, **HX)
    assert again.status_code == 409 and "already assigned" in again.content.decode()

    OutboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        gone = client.post(url(task, "unassign"), {"person": people.worker.pk}, **HX)
    assert gone.status_code == 200
    task.refresh_from_db()
    assert task.assigned_to == people.other  # the remaining assignee takes over
    assert ToDo.objects.get(allocated_to=people.worker).status == ToDoStatus.CANCELLED
    assert [m.text for m in OutboxMessage.objects.filter(user=people.worker)] == [
        f"Sam removed your assignment on {task}"
    ]
    body = client.get(url(task)).content.decode()
    assert "<b>Sam</b> assigned Oscar" in body and "removed the assignment of Wendy" in body
    assert "changed assignee from Wendy to Oscar" in body


def test_assignment_needs_write_permission_and_a_real_person(client, people, task) -> None:
    client.force_login(people.other)  # a Worker who neither owns nor is assigned the task
    refused = client.post(url(task, "assign"), {"person": people.other.pk}, **HX)
    assert (
        refused.status_code == 403
        and "Not permitted: you may not change" in refused.content.decode()
    )
    client.force_login(people.supervisor)
    for bad in ("", "abc", "999999"):
        response = client.post(url(task, "assign"), {"person": bad}, **HX)
        assert response.status_code == 400 and "Choose a person." in response.content.decode()
    assert client.post(url(task, "unassign"), {"person": people.viewer.pk}, **HX).status_code == 409
    assert not ToDo.objects.exists()


def test_reassigning_on_the_form_moves_the_todo(people, task) -> None:
    with acting_as(people.supervisor):
        task.assigned_to = people.worker
        task.save()
        task.assigned_to = people.other
        task.save()
    todos = {t.allocated_to_id: t.status for t in ToDo.objects.all()}
    assert todos == {people.worker.pk: "Cancelled", people.other.pk: "Open"}


def test_mentions_by_name_email_telegram_username_or_a_unique_first_name(people) -> None:
    from flrts.people.mentions import find_mentions

    people.worker.telegram_username = "wendyw"
    people.worker.full_name = "Wendy Walsh"
    people.worker.save()

    def names(text: str) -> list[str]:
        return [p.full_name for p in find_mentions(text, type(people.worker).objects.all())]

    assert names("@Wendy Walsh, look") == ["Wendy Walsh"]
    assert names("ask @wendyw and @oscar@example.com") == ["Wendy Walsh", "Oscar"]
    assert names("@wendy please") == ["Wendy Walsh"]  # the only Wendy
    assert names("mail bob@wendyw.com, @Wendys, @nobody") == []
    people.other.full_name = "Wendy Ames"
    people.other.save()
    assert names("@Wendy please") == []  # two Wendys: say which


@pytest.mark.parametrize(
    ("page", "make"),
    [
        ("fieldreports/fieldreport", "report"),
        ("reminders/reminder", "reminder"),
        ("lists/flrtslist", "list"),
    ],
)
def test_field_reports_reminders_and_lists_have_a_timeline_too(
    client, people, page, make, django_capture_on_commit_callbacks
) -> None:
    from flrts.fieldreports.models import FieldReport
    from flrts.lists.models import FlrtsList

    with acting_as(people.worker):
        record = {
            "report": lambda: FieldReport(summary="Walk-through"),
            "reminder": lambda: Reminder(title="Meters", remind_at=timezone.now()),
            "list": lambda: FlrtsList(list_name="Spares"),
        }[make]()
        record.save()
    client.force_login(people.worker)
    with django_capture_on_commit_callbacks(execute=True):
        said = client.post(url(record, "comment"), {"content": "@Sam have a look"}, **HX)
    assert said.status_code == 200
    body = client.get(f"/desk/{page}/{record.pk}/change/").content.decode()
    assert 'id="timeline"' in body and "have a look" in body
    told = OutboxMessage.objects.get(user=people.supervisor)  # Supervisors read every record
    assert told.text.startswith(f"💬 Wendy mentioned you on {record}")


def test_a_mention_follows_the_persons_channels_and_quiet_hours(
    client, people, task, db_queue, django_capture_on_commit_callbacks
) -> None:
    """With the real queue: the message held for quiet hours waits for its time."""
    from django.core import mail

    from flrts.notify.models import Notification
    from tests.jobs.support import drain

    people.worker.notify_email = True
    people.worker.save()
    people.other.quiet_hours_start, people.other.quiet_hours_end = dt.time(0, 0), dt.time(23, 59)
    people.other.save()
    client.force_login(people.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(task, "comment"), {"content": "@Wendy and @Oscar: pump"}, **HX)
    drain()
    assert [m.to for m in mail.outbox] == [["wendy@example.com"]]
    assert mail.outbox[0].subject == f"Mentioned: {task}"
    assert OutboxMessage.objects.filter(user=people.worker).count() == 1
    held = Notification.objects.get(user=people.other)
    assert held.status == "deferred" and not OutboxMessage.objects.filter(user=people.other)
