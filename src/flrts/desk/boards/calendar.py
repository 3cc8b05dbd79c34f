"""The task calendar: open tasks on their due date and pending reminders on their next times, in
the reader's zone; dragging one reschedules it.

Times go to the browser as wall-clock times in the reader's zone without an offset, and the
calendar runs in 'UTC' so the browser's own zone never shifts them; a drop comes back as the
same kind of wall-clock time and is read in the reader's zone here.

A task's due is a local date (and time) in the task's own zone. A date-only due is a day, shown
on that day for every reader. Dragging by whole days moves the task's local date and keeps its
local time; dropping at another time of day sets the instant the reader chose, written back in
the task's zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet

from flrts.core.permissions import Action, can, readable
from flrts.core.timezones import local_to_utc
from flrts.desk.refused import Refused, locked, require_write
from flrts.desk.timefmt import reader_zone
from flrts.reminders.models import Reminder, ReminderStatus
from flrts.reminders.recurrence import occurrences
from flrts.tasks.models import CLOSED_STATUSES, Task

MAX_DAYS = 62
REMINDER_LIMIT = 300
OCCURRENCES_PER_REMINDER = 62
PRIORITY_COLOURS = {"Low": "#6b7d8c", "Medium": "#2a7ab0", "High": "#c77700", "Urgent": "#c0392b"}
REMINDER_COLOUR = "#7b4fa6"


@dataclass(frozen=True)
class Span:
    """The days the calendar shows, [start, end), in the reader's zone."""

    start: dt.date
    end: dt.date

    @property
    def per_day(self) -> int:
        """How many tasks a day shows before "+N more": a month cell is small."""
        days = (self.end - self.start).days
        return 100 if days <= 1 else 12 if days <= 7 else 4

    def utc_bounds(self, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
        def midnight(d: dt.date) -> dt.datetime:
            return dt.datetime.combine(d, dt.time(0), tzinfo=tz).astimezone(dt.UTC)

        return midnight(self.start), midnight(self.end)


def parse_span(start: str, end: str) -> Span:
    try:
        span = Span(dt.date.fromisoformat(start[:10]), dt.date.fromisoformat(end[:10]))
    except ValueError:
        raise Refused("start and end must be dates (YYYY-MM-DD).") from None
    if not 0 < (span.end - span.start).days <= MAX_DAYS:
        raise Refused(f"end must be after start, at most {MAX_DAYS} days later.")
    return span


def wall(at: dt.datetime, tz: dt.tzinfo) -> str:
    """An instant as the reader's wall-clock time, without an offset."""
    return at.astimezone(tz).replace(tzinfo=None).isoformat(timespec="seconds")


def task_start(task: Task, tz: dt.tzinfo) -> tuple[str, bool]:
    """(start, all_day) of a task's due as the calendar shows it."""
    assert task.exp_end_date is not None
    if task.due_time is None or task.due_at is None:
        return task.exp_end_date.isoformat(), True
    return wall(task.due_at, tz), False


def task_event(user: Any, task: Task, tz: dt.tzinfo) -> dict[str, Any]:
    start, all_day = task_start(task, tz)
    event: dict[str, Any] = {
        "id": f"task:{task.name}",
        "title": task.subject,
        "start": start,
        "allDay": all_day,
        "editable": can(user, Action.WRITE, task),
        "backgroundColor": PRIORITY_COLOURS.get(task.priority, "#2a7ab0"),
        "textColor": "#fff",
        "extendedProps": {
            "kind": "task",
            "name": task.name,
            "url": f"/desk/tasks/task/{task.pk}/change/",
            "priority": task.priority,
            "assignee": str(task.assigned_to) if task.assigned_to else "",
        },
    }
    if all_day:  # the calendar needs the (exclusive) end, or the day runs on
        event["end"] = (dt.date.fromisoformat(start) + dt.timedelta(days=1)).isoformat()
    else:
        assert task.due_at is not None
        event["end"] = wall(task.due_at + dt.timedelta(minutes=30), tz)
    return event


def task_events(user: Any, tasks: QuerySet[Task], span: Span) -> list[dict[str, Any]]:
    """At most `span.per_day` tasks per due date (the earliest), then one "+N more" per day.

    The database counts and picks: one GROUP BY of the tasks due in the range per local due
    date, then for each such date its first few by due, each read in the order of the
    (archived, due date, due instant) index. A month at 100,000 tasks (some 17,000 due in it)
    returns about 45 counts and 4 x 45 ids; only the tasks shown are then read in full.
    """
    tz = reader_zone()
    low, high = span.utc_bounds(tz)
    # A date-only due is the end of its day in the task's zone: up to a day from the reader's.
    query = tasks.exclude(status__in=CLOSED_STATUSES).filter(
        due_at__gte=low - dt.timedelta(days=1), due_at__lt=high + dt.timedelta(days=1)
    )
    # A local due date lies within two days of its UTC instant (zones run from -12 to +14
    # hours), so these dates (a seek on the index) hold every task of the range of instants.
    in_range = query.filter(
        exp_end_date__gte=span.start - dt.timedelta(days=4),
        exp_end_date__lt=span.end + dt.timedelta(days=4),
    )
    counts: dict[dt.date | None, int] = dict(
        in_range.order_by().values_list("exp_end_date").annotate(n=Count("id"))
    )
    days = set(_days(span))
    firsts = [
        query.filter(exp_end_date=day)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[: span.per_day]
        for day in counts
    ]
    if len(firsts) > 1 and connection.features.supports_slicing_ordering_in_compound:
        # MariaDB, PostgreSQL: one round trip (UNION ALL of each date's first few).
        picked = list(firsts[0].union(*firsts[1:], all=True))
    else:  # SQLite runs in this process: a query per date costs no round trip
        picked = [pk for first in firsts for pk in first]
    shown = (
        Task.objects.filter(pk__in=picked)
        .order_by()
        .select_related("assigned_to")
        .only(
            "id",
            "name",
            "subject",
            "priority",
            "status",
            "owner_id",
            "assigned_to__full_name",
            "assigned_to__username",
            "exp_end_date",
            "due_time",
            "due_at",
            "time_zone",
        )
    )
    ordered = sorted(shown, key=lambda t: (t.due_at or _FAR, t.pk))
    events = [e for e in (task_event(user, t, tz) for t in ordered) if _day(e) in days]
    for day in sorted(d for d in counts if d in days):
        if counts[day] > span.per_day:
            events.append(_more(day, counts[day] - span.per_day))
    return events


_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


def _day(event: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(event["start"][:10])


def _days(span: Span) -> list[dt.date]:
    return [span.start + dt.timedelta(days=n) for n in range((span.end - span.start).days)]


def _more(day: dt.date, hidden: int) -> dict[str, Any]:
    return {
        "id": f"more:{day.isoformat()}",
        "title": f"+{hidden} more",
        "start": day.isoformat(),
        "end": (day + dt.timedelta(days=1)).isoformat(),
        "allDay": True,
        "editable": False,
        "backgroundColor": "transparent",
        "textColor": "inherit",
        "classNames": ["cal-more"],
        "extendedProps": {"kind": "more", "day": day.isoformat()},
    }


def reminder_events(
    user: Any, span: Span, assignee: Any = None, site: Any = None
) -> list[dict[str, Any]]:
    tz = reader_zone()
    low, high = span.utc_bounds(tz)
    query = readable(
        user,
        Reminder.objects.filter(
            archived=False,
            status__in=[ReminderStatus.PENDING, ReminderStatus.SNOOZED],
            next_fire_at__lt=high,
        ).filter(Q(next_fire_at__gte=low) | ~Q(recurrence="")),
    )
    if assignee is not None:
        query = query.filter(recipients=assignee)
    if site is not None:
        query = query.filter(related_task__site=site)
    events = []
    for reminder in query.distinct().order_by("next_fire_at")[:REMINDER_LIMIT]:
        assert reminder.next_fire_at is not None
        one_off = not reminder.recurrence
        times = (
            [reminder.next_fire_at]
            if one_off
            else occurrences(
                reminder.remind_at,
                reminder.recurrence,
                reminder.time_zone,
                max(low, reminder.next_fire_at),
                high,
            )[:OCCURRENCES_PER_REMINDER]
        )
        editable = one_off and can(user, Action.WRITE, reminder)
        for at in times:
            events.append(
                {
                    "id": f"reminder:{reminder.name}:{at.isoformat()}",
                    "title": reminder.title,
                    "start": wall(at, tz),
                    "end": wall(at + dt.timedelta(minutes=30), tz),
                    "allDay": False,
                    "editable": editable,
                    "backgroundColor": REMINDER_COLOUR,
                    "textColor": "#fff",
                    "extendedProps": {
                        "kind": "reminder",
                        "name": reminder.name,
                        "url": f"/desk/reminders/reminder/{reminder.pk}/change/",
                        "recurring": not one_off,
                    },
                }
            )
    return events


def parse_wall(text: str) -> tuple[dt.date, dt.time | None]:
    """'2026-06-08' or '2026-06-08T14:00[:00]' (the reader's wall clock)."""
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text), None
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise Refused(f"{text!r} is not a date or a date and time.") from None
    if moment.tzinfo is not None:
        raise Refused("Send the wall-clock time without a zone.")
    return moment.date(), moment.time().replace(second=0, microsecond=0)


def reschedule_task(user: Any, name: str, start: str, was: str, all_day: bool) -> Task:
    day, time = parse_wall(start)
    if all_day:
        time = None
    elif time is None:
        raise Refused("A timed drop needs a time.")
    tz = reader_zone()
    with transaction.atomic():
        task = locked(Task, name, user)
        if task.exp_end_date is None or task_start(task, tz)[0] != was:
            raise Refused(
                f"{task.name} was rescheduled by someone else; reload the calendar.", status=409
            )
        require_write(user, task)
        old_day, old_time = parse_wall(was)
        if time is None:
            task.set_due(day)  # a date in the task's own zone
        elif task.due_time is not None and old_time == time:
            # Whole days: the task keeps its own local time, whatever the zones' DST dates
            # (save derives the UTC instant again).
            task.exp_end_date = task.exp_end_date + (day - old_day)
        else:
            task.set_due(local_to_utc(day, time, _zone_name(tz)))
        task.save()
    return task


def _zone_name(tz: dt.tzinfo) -> str:
    return str(getattr(tz, "key", None) or tz.tzname(None) or "UTC")


def reschedule_reminder(user: Any, name: str, start: str, was: str) -> Reminder:
    day, time = parse_wall(start)
    if time is None:
        raise Refused("A reminder needs a time.")
    tz = reader_zone()
    with transaction.atomic():
        reminder = locked(Reminder, name, user)
        if reminder.recurrence:
            raise Refused("A repeating reminder is changed on its form.")
        if reminder.status not in (ReminderStatus.PENDING, ReminderStatus.SNOOZED):
            raise Refused(f"{reminder.name} is {reminder.status}.", status=409)
        if reminder.next_fire_at is None or wall(reminder.next_fire_at, tz) != was:
            raise Refused(
                f"{reminder.name} was rescheduled by someone else; reload the calendar.",
                status=409,
            )
        require_write(user, reminder)
        at = local_to_utc(day, time, _zone_name(tz))
        reminder.remind_at = at
        reminder.next_fire_at = at
        reminder.save()
    return reminder
