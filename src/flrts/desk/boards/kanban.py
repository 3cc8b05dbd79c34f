"""The task Kanban: one column per status, and moving a task between them.

A column shows its first cards only (open work by due date, closed work newest first) and a
count; "more" pages through it, so the board costs the same at 100 tasks or 100,000. A move is
an ordinary edit of the task: the role matrix decides, the task's own rules apply (a parent
does not complete while a sub-task is open), and the history records it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from flrts.core.permissions import Action, can
from flrts.desk.refused import Refused, locked, require_write
from flrts.desk.timefmt import moment_or_day
from flrts.tasks.models import CLOSED_STATUSES, OpenSubtasks, Status, Task

PAGE = 25
COLUMNS: tuple[str, ...] = tuple(s.value for s in Status)
# Overdue follows the due date (the scheduler's sweep sets it); nobody drops a task there.
DROP_TARGETS = frozenset(COLUMNS) - {Status.OVERDUE.value}


@dataclass(frozen=True)
class Card:
    name: str
    pk: int
    subject: str
    status: str
    priority: str
    assignee: str
    site: str
    due: str
    overdue: bool
    is_group: bool
    movable: bool


@dataclass(frozen=True)
class Column:
    status: str
    count: int
    cards: list[Card]
    droppable: bool

    @property
    def more(self) -> int:
        return max(self.count - len(self.cards), 0)


def page(query: QuerySet[Task], status: str, offset: int) -> list[Task]:
    """One page of a column. Open work by due date, undated last; closed work newest first.

    "Undated last" is two index walks rather than NULLS LAST, which no index serves.
    """
    column = _card_fields(query.filter(status=status))
    if status in CLOSED_STATUSES:
        return list(column.order_by("-modified", "-id")[offset : offset + PAGE])
    dated = list(
        column.filter(due_at__isnull=False).order_by("due_at", "id")[offset : offset + PAGE]
    )
    if len(dated) == PAGE:
        return dated
    before = offset + len(dated) if dated else column.filter(due_at__isnull=False).count()
    start = max(offset - before, 0)
    undated = column.filter(due_at__isnull=True).order_by("id")
    return dated + list(undated[start : start + PAGE - len(dated)])


def cards(user: Any, query: QuerySet[Task], status: str, offset: int = 0) -> list[Card]:
    return [card(user, task) for task in page(query, status, offset)]


def _card_fields(query: QuerySet[Task]) -> QuerySet[Task]:
    return query.select_related("assigned_to", "site").only(
        "id",
        "name",
        "subject",
        "status",
        "priority",
        "is_group",
        "owner_id",
        "assigned_to__full_name",
        "assigned_to__username",
        "site__site_name",
        "exp_end_date",
        "due_time",
        "due_at",
        "time_zone",
    )


def card(user: Any, task: Task) -> Card:
    return Card(
        name=task.name,
        pk=task.pk,
        subject=task.subject,
        status=task.status,
        priority=task.priority,
        assignee=str(task.assigned_to) if task.assigned_to else "",
        site=str(task.site) if task.site else "",
        due=moment_or_day(task.due_at, task.exp_end_date, task.due_time is not None)
        if task.exp_end_date
        else "",
        overdue=bool(task.is_open and task.due_at and task.due_at < timezone.now()),
        is_group=task.is_group,
        movable=can(user, Action.WRITE, task),
    )


def board(user: Any, query: QuerySet[Task]) -> list[Column]:
    counts = dict(
        query.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return [
        Column(
            status=status,
            count=counts.get(status, 0),
            cards=cards(user, query, status) if counts.get(status) else [],
            droppable=status in DROP_TARGETS,
        )
        for status in COLUMNS
    ]


def move(user: Any, name: str, to: str, expected: str, force: bool = False) -> Task:
    """Move task `name` from status `expected` to `to`, as `user` would edit it."""
    if to not in COLUMNS:
        raise Refused(f"{to!r} is not a task status.")
    if to not in DROP_TARGETS:
        raise Refused("Overdue follows the due date: reschedule the task on the calendar.")
    with transaction.atomic():
        task = locked(Task, name, user)
        if task.status != expected:
            raise Refused(
                f"{task.name} is now {task.status} (changed by someone else); reload the board.",
                status=409,
            )
        require_write(user, task)
        if to == task.status:
            return task
        try:
            if to == Status.COMPLETED:
                if force:
                    _require_subtasks_writable(user, task)
                task.complete(by=user, force=force)
            else:
                task.status = to
                task.save()
        except OpenSubtasks as exc:
            writable = _subtasks_writable(user, task)
            raise Refused(" ".join(exc.messages), status=409, can_force=writable) from None
        except ValidationError as exc:
            raise Refused(" ".join(exc.messages)) from None
    return task


def _open_descendants(task: Task) -> list[Task]:
    found, frontier = [], [task]
    while frontier:
        children = list(
            Task.objects.filter(parent_task__in=frontier, archived=False).exclude(
                status__in=CLOSED_STATUSES
            )
        )
        found += children
        frontier = children
    return found


def _subtasks_writable(user: Any, task: Task) -> bool:
    return all(can(user, Action.WRITE, child) for child in _open_descendants(task))


def _require_subtasks_writable(user: Any, task: Task) -> None:
    if not _subtasks_writable(user, task):
        raise Refused(
            f"Not permitted: some open sub-tasks of {task.name} are not yours to complete.",
            status=403,
        )
