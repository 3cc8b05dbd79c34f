"""Buttons on task cards: Mark complete, Reassign, Snooze.

Callback data (at most 64 bytes): `task:done:<name>`, `task:reassign:<name>`,
`task:to:<name>:<person pk>`, `task:snooze:<name>`. Every action re-checks the role matrix: a
button is not a permission. Reminder buttons are `flrts.capture.reminder_actions` (by delivery).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from flrts.capture.cards import format_when
from flrts.capture.replies import ActionResult, Button, Reply
from flrts.core.context import acting_as
from flrts.core.permissions import Action, can, readable
from flrts.core.timezones import zone
from flrts.people.models import User
from flrts.tasks.models import Task

SNOOZE_TASK = dt.timedelta(days=1)


def _task(conv: Any, name: str) -> Task | None:
    return readable(conv.user, Task.objects.filter(archived=False)).filter(name=name).first()


def task_action(conv: Any, verb: str, name: str, rest: list[str]) -> ActionResult:
    task = _task(conv, name)
    if task is None:
        return ActionResult(f"Can't find {name}.", close_card=True)
    if not can(conv.user, Action.WRITE, task):
        return ActionResult(f"You may not change {task.name}.", show_alert=True)
    if verb == "done":
        return _complete(conv, task)
    if verb == "reassign":
        people = User.objects.filter(is_active=True)
        if task.assigned_to_id is not None:
            people = people.exclude(pk=task.assigned_to_id)
        people = people[:8]
        rows = [[Button(str(p)[:30], f"task:to:{task.name}:{p.pk}")] for p in people]
        return ActionResult("Choose who", [Reply(f"➡️ Reassign {task.name} to:", rows)])
    if verb == "to" and rest:
        person = User.objects.filter(pk=int(rest[0]), is_active=True).first()
        if person is None:
            return ActionResult("That person is not available.", show_alert=True)
        with acting_as(conv.user):
            task.assigned_to = person
            task.save()
        return ActionResult(
            f"Reassigned to {person}",
            [Reply(f"➡️ {task.name} is now assigned to {person}.")],
            close_card=True,
        )
    if verb == "snooze":
        base = max(task.due_at or timezone.now(), timezone.now())
        with acting_as(conv.user):
            task.set_due((base + SNOOZE_TASK).astimezone(task_zone(task)), task.time_zone)
            task.save()
        when = format_when(task.due_at, conv.user.zone)
        return ActionResult(
            "Snoozed a day", [Reply(f"💤 {task.name} is now due {when}.")], close_card=True
        )
    return ActionResult("That button is no longer valid.")


def task_zone(task: Task) -> dt.tzinfo:
    return zone(task.time_zone)


def _complete(conv: Any, task: Task) -> ActionResult:
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if not task.is_open:
            return ActionResult(f"{task.name} is already {task.status.lower()}.", close_card=True)
        try:
            with acting_as(conv.user):
                task.complete(by=conv.user)
        except ValidationError as exc:
            return ActionResult("; ".join(exc.messages)[:190], show_alert=True)
    return ActionResult(
        f"Completed {task.name}",
        [Reply(f"✅ Completed {task.name}: {task.subject}")],
        close_card=True,
    )
