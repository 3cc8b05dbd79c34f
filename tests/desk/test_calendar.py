"""The calendar: tasks by due date and reminders in the reader's zone, a few per day plus "+N
more", and rescheduling that keeps each task's own zone."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from flrts.core.context import acting_as
from flrts.reminders.models import Reminder
from flrts.tasks.models import Task

pytestmark = pytest.mark.django_db
EVENTS = "/desk/tasks/task/calendar/events"
MOVE = "/desk/tasks/task/calendar/reschedule"
JUNE = "start=2026-06-01&end=2026-07-06"


def make(owner: Any, subject: str, due: Any, tz: str = "America/Chicago", **fields: Any) -> Task:
    with acting_as(owner):
        task = Task(subject=subject, time_zone=tz, **fields)
        task.set_due(due)
        task.save()
    return task


def at(tz: str, *parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=ZoneInfo(tz))


def drop(client: Any, task: Task, start: str, was: str, all_day: str = "0") -> Any:
    fields = {"kind": "task", "name": task.name, "start": start, "was": was, "all_day": all_day}
    return client.post(MOVE, fields)


def events(client: Any, query: str = JUNE) -> dict[str, dict[str, Any]]:
    response = client.get(f"{EVENTS}?{query}")
    assert response.status_code == 200, response.content
    return {e["id"]: e for e in response.json()}


def test_events_are_in_the_readers_zone_and_dates_stay_dates(client, people) -> None:
    timed = make(people.worker, "Compressor", at("America/Chicago", 2026, 6, 5, 8, 0))
    dated = make(people.worker, "Audit", dt.date(2026, 6, 5), tz="America/Los_Angeles")
    make(people.worker, "Done", dt.date(2026, 6, 5), status="Completed")
    make(people.worker, "Gone", dt.date(2026, 6, 5), archived=True)
    client.force_login(people.admin)  # New York
    found = events(client)
    assert set(found) == {f"task:{timed.name}", f"task:{dated.name}"}
    assert found[f"task:{timed.name}"]["start"] == "2026-06-05T09:00:00"
    assert found[f"task:{timed.name}"]["allDay"] is False
    assert found[f"task:{dated.name}"]["start"] == "2026-06-05"
    assert found[f"task:{dated.name}"]["allDay"] is True
    people.admin.time_zone = "Asia/Tokyo"
    people.admin.save()
    found = events(client)
    assert found[f"task:{timed.name}"]["start"] == "2026-06-05T22:00:00"
    assert found[f"task:{dated.name}"]["start"] == "2026-06-05"  # a day, not an instant


def test_a_busy_day_shows_a_few_and_says_how_many_more(client, people) -> None:
    for n in range(14):
        make(people.worker, f"Job {n}", at("America/Chicago", 2026, 6, 9, 8, n))
    client.force_login(people.supervisor)
    month = events(client)
    assert sorted(e["title"] for e in month.values() if e["id"].startswith("task:")) == [
        "Job 0",
        "Job 1",
        "Job 2",
        "Job 3",
    ]
    assert month["more:2026-06-09"]["title"] == "+10 more"
    week = events(client, "start=2026-06-08&end=2026-06-15")
    assert len([k for k in week if k.startswith("task:")]) == 12
    assert week["more:2026-06-09"]["title"] == "+2 more"
    day = events(client, "start=2026-06-09&end=2026-06-10")
    assert len(day) == 14


def test_each_busy_day_shows_its_own_earliest_and_counts_only_open_live_tasks(client, people):
    for day in (9, 10):
        for n in range(6):
            make(people.worker, f"Day {day} job {n}", at("America/Chicago", 2026, 6, day, 15 - n))
    make(people.worker, "Day 9 done", dt.date(2026, 6, 9), status="Completed")
    make(people.worker, "Day 9 gone", at("America/Chicago", 2026, 6, 9, 1), archived=True)
    client.force_login(people.supervisor)
    month = events(client)
    shown = sorted(e["title"] for e in month.values() if e["id"].startswith("task:"))
    assert shown == sorted(f"Day {d} job {n}" for d in (9, 10) for n in (2, 3, 4, 5))
    assert month["more:2026-06-09"]["title"] == "+2 more"
    assert month["more:2026-06-10"]["title"] == "+2 more"


def test_reminders_show_their_times_and_repeats(client, people) -> None:
    once = Reminder(title="Call Apex", remind_at=at("UTC", 2026, 6, 3, 15, 0), owner=people.worker)
    once.save()
    weekly = Reminder(
        title="Meters",
        remind_at=at("America/Chicago", 2026, 6, 1, 8, 0),
        time_zone="America/Chicago",
        recurrence="FREQ=WEEKLY;BYDAY=MO",
        owner=people.worker,
    )
    weekly.save()
    secret = Reminder(title="Not yours", remind_at=at("UTC", 2026, 6, 3, 9), owner=people.other)
    secret.save()
    client.force_login(people.worker)  # Los Angeles
    found = events(client)
    starts = sorted(e["start"] for e in found.values() if e["title"] == "Meters")
    assert starts == [f"2026-06-{d:02d}T06:00:00" for d in (1, 8, 15, 22, 29)]
    call = next(e for e in found.values() if e["title"] == "Call Apex")
    assert call["start"] == "2026-06-03T08:00:00" and call["editable"] is True
    assert all(e["editable"] is False for e in found.values() if e["title"] == "Meters")
    assert not any(e["title"] == "Not yours" for e in found.values())
    only_high = events(client, f"{JUNE}&priority=High")
    assert all(e["extendedProps"]["kind"] == "task" for e in only_high.values())


def test_bad_ranges_and_filters_are_refused(client, people) -> None:
    client.force_login(people.worker)
    for query, words in [
        ("start=junk&end=2026-06-02", "must be dates"),
        ("start=2026-06-01&end=2026-09-01", "at most 62 days"),
        ("start=2026-06-05&end=2026-06-01", "end must be after start"),
        (f"{JUNE}&assignee=xyz", "assignee: Select a valid choice."),
    ]:
        response = client.get(f"{EVENTS}?{query}")
        assert response.status_code == 400 and words in response.json()["error"], query


def test_a_drop_at_a_new_time_keeps_the_tasks_zone(client, people) -> None:
    task = make(people.supervisor, "Pump", at("America/Denver", 2026, 6, 5, 8, 0), "America/Denver")
    client.force_login(people.supervisor)  # Chicago: the task shows at 09:00
    response = drop(client, task, "2026-06-08T14:00:00", was="2026-06-05T09:00:00")
    assert response.status_code == 200, response.content
    assert response.json()["event"]["start"] == "2026-06-08T14:00:00"
    task.refresh_from_db()
    assert task.time_zone == "America/Denver"
    assert (task.exp_end_date, task.due_time) == (dt.date(2026, 6, 8), dt.time(13, 0))


def test_a_whole_day_move_keeps_the_local_time_across_different_dst_dates(client, people) -> None:
    # London changes clocks on 29 March 2026, Chicago on 8 March: a week where they differ.
    task = make(people.supervisor, "Shift", at("Europe/London", 2026, 3, 27, 9, 0), "Europe/London")
    client.force_login(people.supervisor)
    response = drop(client, task, "2026-03-30T04:00:00", was="2026-03-27T04:00:00")
    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert (task.exp_end_date, task.due_time) == (dt.date(2026, 3, 30), dt.time(9, 0))
    assert response.json()["event"]["start"] == "2026-03-30T03:00:00"  # 09:00 BST in Chicago


def test_an_all_day_drop_makes_a_date_only_due(client, people) -> None:
    task = make(people.supervisor, "Paint", at("America/Chicago", 2026, 6, 5, 8, 0))
    client.force_login(people.supervisor)
    response = drop(client, task, "2026-06-10", was="2026-06-05T08:00:00", all_day="1")
    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.exp_end_date, task.due_time) == (dt.date(2026, 6, 10), None)


def test_reschedules_are_refused_by_role_and_staleness(client, people) -> None:
    task = make(people.other, "Oscar's", at("America/Chicago", 2026, 6, 5, 8, 0))
    fields = {"kind": "task", "name": task.name, "start": "2026-06-06T08:00:00", "all_day": "0"}
    client.force_login(people.viewer)  # Denver: 07:00
    refused = client.post(MOVE, {**fields, "was": "2026-06-05T07:00:00"})
    assert refused.status_code == 403 and "Not permitted" in refused.json()["error"]
    client.force_login(people.other)  # Chicago
    stale = client.post(MOVE, {**fields, "was": "2026-06-04T08:00:00"})
    assert stale.status_code == 409 and "someone else" in stale.json()["error"]
    for bad in ({**fields, "start": "soon", "was": "2026-06-05T08:00:00"},
                {**fields, "start": "2026-06-06T08:00:00+02:00", "was": "2026-06-05T08:00:00"},
                {**fields, "kind": "meeting", "was": "2026-06-05T08:00:00"},
                {"kind": "task", "name": task.name}):  # fmt: skip
        assert client.post(MOVE, bad).status_code == 400, bad
    task.refresh_from_db()
    assert task.exp_end_date == dt.date(2026, 6, 5)


def test_a_one_off_reminder_moves_and_a_repeating_one_does_not(client, people) -> None:
    once = Reminder(title="Call", remind_at=at("UTC", 2026, 6, 3, 15), owner=people.other)
    once.save()
    weekly = Reminder(title="Meters", remind_at=at("UTC", 2026, 6, 1, 13), owner=people.other,
                      recurrence="FREQ=WEEKLY")  # fmt: skip
    weekly.save()
    client.force_login(people.other)  # Chicago: 10:00
    response = client.post(
        MOVE,
        {"kind": "reminder", "name": once.name, "start": "2026-06-04T11:30:00",
         "was": "2026-06-03T10:00:00"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    once.refresh_from_db()
    assert once.remind_at == once.next_fire_at == at("UTC", 2026, 6, 4, 16, 30)
    refused = client.post(
        MOVE,
        {"kind": "reminder", "name": weekly.name, "start": "2026-06-02T08:00:00",
         "was": "2026-06-01T08:00:00"},
    )  # fmt: skip
    assert refused.status_code == 400 and "repeating" in refused.json()["error"]


def test_the_calendar_page_renders_for_every_role(client, people) -> None:
    for role in ("admin", "supervisor", "worker", "viewer"):
        client.force_login(getattr(people, role))
        response = client.get("/desk/tasks/task/calendar/?view=week")
        assert response.status_code == 200
        body = response.content.decode()
        assert 'data-view="timeGridWeek"' in body
        assert "/assets/desk/vendor/event-calendar/event-calendar.min.js" in body
        assert 'href="/desk/tasks/task/kanban/"' in body
    assert client.get("/desk/tasks/task/calendar/?site=nope").status_code == 400
