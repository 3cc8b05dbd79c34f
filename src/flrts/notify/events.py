"""The notification events, each a job (queued after the change commits): who is told what."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model

from flrts.core.activity import Comment, CommentType
from flrts.core.doctypes import get_doctype
from flrts.core.permissions import Action, can
from flrts.jobs.registry import job
from flrts.lists.models import ListShare
from flrts.notify import texts
from flrts.notify.service import Message, Outcome, notify
from flrts.tasks.models import Status, Task


def _user(user_id: int | None) -> Any:
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


@job
def task_assigned(
    task_id: int, assignee_id: int, by_id: int | None = None, event_at: str = ""
) -> str:
    task = Task.objects.filter(pk=task_id).first()
    user = _user(assignee_id)
    if task is None or user is None or task.assigned_to_id != assignee_id or not task.is_open:
        return "no longer assigned"
    if by_id == assignee_id:
        return "assigned to self"
    by = _user(by_id)
    key = f"assigned:{task.pk}:{assignee_id}:{event_at}"
    msg = Message(texts.task_assigned(task, user, by), subject=f"New task: {task.subject}")
    msg = _with_reply(msg, task, user)
    return notify(user, "task_assigned", msg, once_key=key[:200]).status


@job
def task_completed(task_id: int) -> str:
    task = Task.objects.filter(pk=task_id).first()
    if task is None or task.status != Status.COMPLETED:
        return "not completed"
    creator = _user(task.owner_id)
    if creator is None or creator.pk == task.completed_by_id:
        return "completed by its creator"
    by = _user(task.completed_by_id)
    key = f"completed:{task.pk}:{task.completed_on.isoformat() if task.completed_on else ''}"
    msg = Message(texts.task_completed(task, by), subject=f"Completed: {task.subject}")
    return notify(creator, "task_completed", _with_reply(msg, task, creator), once_key=key).status


def due_soon_key(task: Any, user: Any) -> str:
    return f"due_soon:{task.pk}:{user.pk}:{task.due_at.isoformat()}"


def task_due_soon(task: Any, user: Any) -> Outcome:
    key = due_soon_key(task, user)
    msg = Message(texts.task_due_soon(task, user), subject=f"Due soon: {task.subject}")
    # A due-soon reminder is only useful before the due time: it goes out even in quiet hours
    # only if the person chose no quiet hours; otherwise it waits like any other message.
    return notify(user, "due_soon", _with_reply(msg, task, user), once_key=key)


def task_overdue(task: Any, now: dt.datetime) -> Outcome | None:
    user = task.assigned_to or task.owner
    if user is None or not user.is_active:
        return None
    key = f"overdue:{task.pk}:{task.due_at.isoformat()}"
    msg = Message(texts.task_overdue(task, user, now), subject=f"Overdue: {task.subject}")
    return notify(user, "overdue", _with_reply(msg, task, user), once_key=key, now=now)


@job
def list_shared(share_id: int, by_id: int | None = None) -> str:
    share = ListShare.objects.select_related("list", "user").filter(pk=share_id).first()
    if share is None or not share.user.is_active:
        return "share gone"
    by = _user(by_id or share.list.owner_id)
    if by is not None and by.pk == share.user_id:
        return "shared with self"
    msg = Message(
        texts.list_shared(share.list, by, share.permission),
        subject=f"List shared: {share.list.list_name}",
    )
    return notify(share.user, "list_shared", msg, once_key=f"list_shared:{share.pk}").status


@job
def comment_notice(comment_id: int) -> str:
    """Tell the people a timeline comment lists: mentioned, assigned or unassigned."""
    comment = Comment.objects.select_related("owner").filter(pk=comment_id).first()
    if comment is None:
        return "comment gone"
    model = get_doctype(comment.reference_doctype)
    document = model._default_manager.filter(name=comment.reference_name).first() if model else None
    if document is None:
        return "record gone"
    notices = {
        CommentType.COMMENT: ("mention", "Mentioned", texts.mentioned),
        CommentType.ASSIGNED: ("todo_assigned", "Assigned", texts.todo_assigned),
        CommentType.UNASSIGNED: ("todo_unassigned", "Unassigned", texts.todo_unassigned),
    }
    if comment.comment_type not in notices:
        return "nothing to tell"
    kind, subject, text = notices[CommentType(comment.comment_type)]
    told = 0
    for user_id in comment.mentions:
        user = _user(user_id)
        # Only people who may read the record hear about it (a private list stays private).
        if user is None or user.pk == comment.owner_id or not can(user, Action.READ, document):
            continue
        msg = Message(text(document, comment), subject=f"{subject}: {document}"[:255])
        key = f"comment:{comment.pk}:{user.pk}"
        told += notify(user, kind, msg, once_key=key).status in ("sent", "deferred")
    return f"told {told}"


def _with_reply(message: Message, task: Any, user: Any) -> Message:
    """Reply to the message that created the task, when it was in this person's chat."""
    chat = user.telegram_chat_id or user.telegram_user_id
    if task.telegram_message_id and task.telegram_chat_id and task.telegram_chat_id == chat:
        return Message(
            message.text, message.subject, message.buttons, reply_to=task.telegram_message_id
        )
    return message
