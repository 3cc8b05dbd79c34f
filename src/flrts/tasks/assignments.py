"""A task's `assigned_to` and its ToDo rows (Frappe's assignments) say the same thing.

Whoever changes `assigned_to` (the form, the bot, the API, a bulk reassign), the new assignee
gets an open ToDo and the previous one's is cancelled, so the form timeline's list of assignees
is always right. Extra assignees added on the timeline keep their own ToDo rows.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.utils import timezone

from flrts.core.activity import ToDo, ToDoStatus
from flrts.core.context import acting_user


def sync_assignee(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
    if raw:
        return
    before = getattr(instance, "_loaded_values", None) or {}
    old = None if created else before.get("assigned_to_id")
    new = instance.assigned_to_id
    if old == new:
        return
    now = timezone.now()
    refs = {"reference_type": instance.doctype, "reference_name": instance.name}
    if old is not None:
        ToDo.objects.filter(**refs, allocated_to_id=old, status=ToDoStatus.OPEN).update(
            status=ToDoStatus.CANCELLED, modified=now
        )
    if new is not None:
        by = acting_user()
        todo, made = ToDo.objects.get_or_create(
            **refs,
            allocated_to_id=new,
            defaults={
                "description": instance.subject,
                "assigned_by": by if by is not None and by.pk else None,
            },
        )
        if not made and todo.status != ToDoStatus.OPEN:
            ToDo.objects.filter(pk=todo.pk).update(status=ToDoStatus.OPEN, modified=now)


def connect() -> None:
    from flrts.tasks.models import Task

    post_save.connect(sync_assignee, sender=Task, dispatch_uid="flrts.tasks.sync_assignee")
