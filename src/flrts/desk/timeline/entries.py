"""Everything the form timeline shows for one record, newest first: changes (Version), comments,
assignments and attachments (Comment rows), and the record's creation; plus the current
assignees and files, and what the reader may do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from flrts.core.activity import AttachedFile, Comment, CommentType, ToDoStatus
from flrts.core.attachments import human_size, max_file_size
from flrts.core.permissions import Action, can
from flrts.desk.timefmt import moment
from flrts.desk.timeline.history import history
from flrts.people.mentions import mention_spans

LIMIT = 100
# The DocTypes whose desk form has a timeline.
TIMELINE_DOCTYPES = ("Task", "Field Report", "Reminder", "FLRTS List")


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    kind: str  # change | comment | assigned | unassigned | attachment | created
    who: str
    html: SafeString
    file: AttachedFile | None = None

    @property
    def when(self) -> str:
        return moment(self.at)


@dataclass
class Timeline:
    document: Any
    entries: list[Entry]
    assignees: list[Any]
    files: list[AttachedFile]
    people: list[Any] = field(default_factory=list)  # who can be assigned or mentioned
    may_comment: bool = False
    may_write: bool = False
    max_file_size: int = 0

    @property
    def people_json(self) -> list[dict[str, Any]]:
        """For the @mention picker."""
        return [{"id": p.pk, "name": str(p), "email": p.email} for p in self.people]

    @property
    def max_file_size_text(self) -> str:
        return human_size(self.max_file_size)


def refs(document: Any) -> dict[str, str]:
    return {"reference_doctype": type(document).doctype, "reference_name": document.name}


def assignees(document: Any) -> list[Any]:
    """Open ToDo people, plus the record's own assignee field (tasks made before ToDo rows)."""
    doctype = type(document).doctype
    people = list(
        get_user_model()
        .objects.filter(
            todos__reference_type=doctype,
            todos__reference_name=document.name,
            todos__status=ToDoStatus.OPEN,
        )
        .order_by("full_name")
    )
    primary_field = getattr(type(document), "assignee_field", "")
    primary = getattr(document, primary_field, None) if primary_field else None
    if primary is not None and all(p.pk != primary.pk for p in people):
        people.insert(0, primary)
    return people


def build(document: Any, user: Any) -> Timeline:
    people = list(get_user_model().objects.enabled().order_by("full_name"))
    comments = list(Comment.objects.filter(**refs(document)).select_related("owner")[:LIMIT])
    files = list(
        AttachedFile.objects.filter(
            attached_to_doctype=type(document).doctype, attached_to_name=document.name
        ).select_related("owner")
    )
    entries = [_change_entry(change) for change in history(document, LIMIT)]
    entries += [_comment_entry(c, people) for c in comments]
    entries += [_file_entry(f) for f in files]
    creator = getattr(document, "owner", None)
    via = " from Telegram" if getattr(document, "source", "") == "telegram" else ""
    entries.append(
        Entry(
            document.creation,
            "created",
            str(creator or "FLRTS"),
            format_html("<b>{}</b> created this{}", str(creator or "FLRTS"), via),
        )
    )
    entries.sort(key=lambda e: e.at, reverse=True)
    return Timeline(
        document=document,
        entries=entries,
        assignees=assignees(document),
        files=files,
        people=people,
        may_comment=can(user, Action.CREATE, Comment) and can(user, Action.READ, document),
        may_write=can(user, Action.WRITE, document),
        max_file_size=max_file_size(),
    )


def _change_entry(change: Any) -> Entry:
    html = format_html("<b>{}</b> {}", change.who, "; ".join(change.phrases))
    return Entry(change.at, "change", change.who, html)


def _file_entry(attached: AttachedFile) -> Entry:
    who = str(attached.owner or "FLRTS")
    html = format_html("<b>{}</b> attached {}", who, attached.file_name)
    return Entry(attached.creation, "attachment", who, html, attached)


def _comment_entry(comment: Comment, people: list[Any]) -> Entry:
    who = str(comment.owner or "FLRTS")
    if comment.comment_type == CommentType.COMMENT:
        mentioned = [p for p in people if p.pk in set(comment.mentions or [])]
        body = format_html(
            '<b>{}</b> commented:<div class="tl-said">{}</div>',
            who,
            highlight_mentions(comment.content, mentioned),
        )
        return Entry(comment.creation, "comment", who, body)
    kinds: dict[str, str] = {
        CommentType.ASSIGNED: "assigned",
        CommentType.UNASSIGNED: "unassigned",
        CommentType.ATTACHMENT_REMOVED: "attachment",
    }
    kind = kinds.get(comment.comment_type, "info")
    return Entry(comment.creation, kind, who, format_html("<b>{}</b> {}", who, comment.content))


def highlight_mentions(text: str, mentioned: list[Any]) -> SafeString:
    """The comment, escaped, with each mention of a notified person marked."""
    out, last = [], 0
    for start, end in mention_spans(text, mentioned):
        out.append(escape(text[last:start]))
        out.append(format_html('<span class="tl-mention">{}</span>', text[start:end]))
        last = end
    out.append(escape(text[last:]))
    # Every piece was escaped above; linebreaksbr only adds <br>.
    return mark_safe(linebreaksbr("".join(out), autoescape=False))
