"""Files sent with nothing to attach them to: "📎 Attach to which?" and its buttons.

att:r:<report pk>   attach the held files to that field report
att:t:<task pk>     attach them to that task
att:x               discard them
loc:<site>:<card>   the site for a card, after a location matched no site
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from flrts.capture import attached
from flrts.capture.confirm import desk_url
from flrts.capture.drafts import card
from flrts.capture.models import Proposal, ProposalState
from flrts.capture.replies import ActionResult, Button, Reply
from flrts.capture.session import Conversation
from flrts.core.activity import reference_of
from flrts.core.docstatus import DocStatus
from flrts.core.permissions import Action, can
from flrts.fieldreports.models import FieldReport
from flrts.nlp.types import Intent
from flrts.org.models import Site
from flrts.tasks.models import CLOSED_STATUSES, Task

RECENT_REPORT = dt.timedelta(hours=1)  # a photo without words joins a report this fresh
CHOICES = 3  # of each kind, in "Attach to which?"


def recent_report(user: Any) -> FieldReport | None:
    """The person's latest field report of the last hour (not cancelled), if any."""
    return (
        FieldReport.objects.filter(reported_by=user, creation__gte=timezone.now() - RECENT_REPORT)
        .exclude(docstatus=DocStatus.CANCELLED)
        .order_by("-creation", "-id")
        .first()
    )


def attach_to_record(record: Any, files: list[attached.Incoming], user: Any) -> Reply:
    doctype, name = reference_of(record)
    attached.store_all(doctype, name, files, user)
    return _attached_reply(record, attached.describe(files))


def _attached_reply(record: Any, what: str) -> Reply:
    label = getattr(record, "summary", None) or getattr(record, "subject", "")
    return Reply(
        f"📎 Attached {what} to {record.name}: {label}", kind="saved", link=desk_url(record)
    )


def ask_which(conv: Conversation, what: str) -> Reply:
    """The question for held files, with a button per recent record the person may change."""
    user = conv.user
    rows: list[list[Button]] = []
    reports = (
        FieldReport.objects.filter(reported_by=user)
        .exclude(docstatus=DocStatus.CANCELLED)
        .order_by("-creation", "-id")[:CHOICES]
    )
    for report in reports:
        rows.append([Button(f"📋 {report.name}: {report.summary[:40]}", f"att:r:{report.pk}")])
    tasks = (
        Task.objects.filter(assigned_to=user)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("-modified", "-id")[:CHOICES]
    )
    for task in tasks:
        rows.append([Button(f"📝 {task.name}: {task.subject[:40]}", f"att:t:{task.pk}")])
    rows.append([Button("🗑 Discard", "att:x")])
    text = f"📎 Attach to which? I kept {what}."
    if len(rows) == 1:
        text += (
            " You have no recent report or open task to add it to: send it again with a "
            "caption (e.g. “Viper pump 2 seal leaking”) to start a report with it."
        )
    return Reply(text, rows, kind="question")


def attach_action(conv: Conversation, parts: list[str]) -> ActionResult:
    user = conv.user
    if parts[:1] == ["x"]:
        count = attached.drop_held(user)
        text = "🗑 Discarded." if count else "Nothing was waiting to be attached."
        return ActionResult(text, [Reply(text)], close_card=True)
    if len(parts) != 2 or parts[0] not in ("r", "t") or not parts[1].isdigit():
        return ActionResult("That button is no longer valid.")
    model: Any = FieldReport if parts[0] == "r" else Task
    record = model.objects.filter(pk=int(parts[1])).first()
    if record is None or not can(user, Action.WRITE, record):
        return ActionResult("You can't attach files to that record.", show_alert=True)
    with transaction.atomic():
        files = list(attached.held(user).select_for_update())
        if not files:
            text = "Nothing is waiting to be attached (discarded, attached, or over an hour old)."
            return ActionResult(text, [Reply(text)], close_card=True)
        doctype, name = reference_of(record)
        attached.AttachedFile.objects.filter(pk__in=[f.pk for f in files]).update(
            attached_to_doctype=doctype, attached_to_name=name
        )
    reply = _attached_reply(record, attached.describe(files))
    return ActionResult(f"Attached to {record.name}", [reply], close_card=True)


# -- a location sets the site of the pending card -------------------------------------------------

SITED = {Intent.CREATE_TASK, Intent.CREATE_FIELD_REPORT, Intent.UPDATE_TASK}


def set_site(conv: Conversation, proposal: Proposal, site: Site) -> Reply | None:
    """Show the next version of the card with `site`; None when the card changed meanwhile."""
    before = proposal.parse_result
    after = before.model_copy(update={"site": site.site_name})
    changed = ["site"] if before.site != site.site_name else []
    updated = Proposal.objects.filter(
        pk=proposal.pk, state=ProposalState.PENDING, version=proposal.version
    ).update(
        result=after.model_dump(mode="json"),
        version=proposal.version + (1 if changed else 0),
        changed=changed or proposal.changed,
        expires_at=timezone.now() + Proposal.ttl(),
        modified=timezone.now(),
    )
    if not updated:
        return None
    proposal.refresh_from_db()
    return card(conv, proposal)


def site_action(conv: Conversation, parts: list[str]) -> ActionResult:
    """`loc:<site pk>:<proposal pk>`: the site picked after a location matched none."""
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return ActionResult("That button is no longer valid.")
    site = Site.objects.filter(pk=int(parts[0]), is_active=True).first()
    proposal = Proposal.objects.filter(
        pk=int(parts[1]), user=conv.user, state=ProposalState.PENDING
    ).first()
    if site is None or proposal is None or proposal.expired:
        return ActionResult("That draft is no longer waiting for a site.", close_card=True)
    reply = set_site(conv, proposal, site)
    if reply is None:
        return ActionResult("That draft changed; use the latest card.", show_alert=True)
    return ActionResult(f"Site: {site.site_name}", [reply], close_card=True)
