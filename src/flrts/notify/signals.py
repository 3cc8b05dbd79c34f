"""Changes that tell someone: queue the notification job when the change commits."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from flrts.core.activity import Comment
from flrts.core.context import acting_user
from flrts.jobs.queue import enqueue_after_commit
from flrts.lists.models import ListShare
from flrts.notify.events import comment_notice, list_shared, task_assigned, task_completed
from flrts.tasks.models import Status, Task


def _by() -> int | None:
    user = acting_user()
    return user.pk if user is not None and user.pk else None


def task_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
    if raw:
        return

    before = getattr(instance, "_loaded_values", None) or {}
    old_assignee = None if created else before.get("assigned_to_id")
    if instance.assigned_to_id and instance.assigned_to_id != old_assignee and instance.is_open:
        enqueue_after_commit(
            task_assigned,
            queue="short",
            task_id=instance.pk,
            assignee_id=instance.assigned_to_id,
            by_id=_by(),
            event_at=instance.modified.isoformat(),
        )
    was_completed = before.get("status") == Status.COMPLETED
    if instance.status == Status.COMPLETED and not was_completed and not created:
        enqueue_after_commit(task_completed, queue="short", task_id=instance.pk)


def share_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
    if raw or not created:
        return

    enqueue_after_commit(list_shared, queue="short", share_id=instance.pk, by_id=_by())


def comment_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
    """A comment that mentions people, or an (un)assignment, tells the people it lists."""
    if raw or not created or not instance.mentions:
        return
    enqueue_after_commit(comment_notice, queue="short", comment_id=instance.pk)


def connect() -> None:
    post_save.connect(task_saved, sender=Task, dispatch_uid="flrts.notify.task_saved")
    post_save.connect(share_saved, sender=ListShare, dispatch_uid="flrts.notify.share_saved")
    post_save.connect(comment_saved, sender=Comment, dispatch_uid="flrts.notify.comment_saved")
