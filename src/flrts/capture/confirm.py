"""Confirm (create the record, exactly once) and cancel a draft."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from flrts.capture import attached, queries, records
from flrts.capture.drafts import expire, mark_log
from flrts.capture.models import Proposal, ProposalState
from flrts.capture.parsing import needs_question, question
from flrts.capture.records import CaptureProblem, Origin
from flrts.capture.replies import ActionResult, Reply
from flrts.capture.session import Conversation
from flrts.core.context import acting_as
from flrts.core.permissions import Action, can
from flrts.tasks.models import Task


def confirm(
    conv: Conversation, proposal_id: int, version: int | None, *, draft: bool = False
) -> ActionResult:
    """Create the record for a proposal, exactly once. A field report is submitted unless
    `draft` (the card's "Save as draft")."""
    try:
        with transaction.atomic():
            proposal = (
                # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of the
                # outer join a nullable parser_log would add.
                Proposal.objects.select_for_update().filter(pk=proposal_id, user=conv.user).first()
            )
            early = not_confirmable(proposal, version)
            if early is not None:
                return early
            assert proposal is not None
            won = Proposal.objects.filter(
                pk=proposal.pk, state=ProposalState.PENDING, version=proposal.version
            ).update(state=ProposalState.CONFIRMED, closed_at=timezone.now())
            if won != 1:  # someone else confirmed it between our read and our write
                return ActionResult("Already saved.", close_card=True)
            origin = origin_of(conv, proposal)
            origin.draft = draft
            with acting_as(conv.user):
                record, lines = records.create(conv.user, proposal.parse_result, origin)
            moved = attached.to_record(proposal.pk, record)
            if moved:
                lines.append(f"📎 {attached.describe(attached.of_record(record))} attached")
            Proposal.objects.filter(pk=proposal.pk).update(
                created_doctype=getattr(record, "doctype", ""), created_name=record.name
            )
            mark_log(proposal, "Accepted", record=record)
    except CaptureProblem as exc:
        # Rolled back: the proposal is still pending, so the person can correct and retry.
        return ActionResult(str(exc)[:190], [Reply(str(exc), kind="error")])
    buttons = []
    if getattr(record, "doctype", "") == "Task" and record.is_open:
        buttons = queries.task_buttons(record, conv.user)
    saved = Reply("\n".join(lines), buttons, kind="saved", link=desk_url(record))
    return ActionResult(f"Saved {record.name}", [saved], close_card=True)


def desk_url(record: Any) -> str | None:

    meta = record._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])
    except NoReverseMatch:
        return None


def origin_of(conv: Conversation, proposal: Proposal) -> Origin:
    origin = conv.origin
    origin.message_id = proposal.source_message_id or origin.message_id
    return origin


def not_confirmable(proposal: Proposal | None, version: int | None) -> ActionResult | None:
    if proposal is None:
        return ActionResult("That draft no longer exists.", close_card=True)
    if proposal.state == ProposalState.CONFIRMED:
        name = proposal.created_name or "already"
        return ActionResult(f"Already saved: {name}", close_card=True)
    if proposal.state in (ProposalState.CANCELLED, ProposalState.SUPERSEDED):
        return ActionResult("That draft was cancelled; nothing saved.", close_card=True)
    if proposal.state == ProposalState.EXPIRED or proposal.expired:
        expire(proposal)
        text = "⌛ That draft expired before it was confirmed. Send it again."
        return ActionResult("Expired", [Reply(text)], close_card=True)
    if version is not None and version != proposal.version:
        return ActionResult(
            f"This card was replaced by version {proposal.version}; use the latest card.",
            show_alert=True,
        )
    if needs_question(proposal.parse_result):
        return ActionResult(
            "I still need an answer first.", [Reply(question(proposal.parse_result))]
        )
    return None


def cancel(conv: Conversation, proposal_id: int) -> ActionResult:
    closed = Proposal.objects.filter(
        pk=proposal_id, user=conv.user, state=ProposalState.PENDING
    ).update(state=ProposalState.CANCELLED, closed_at=timezone.now())
    if not closed:
        proposal = Proposal.objects.filter(pk=proposal_id, user=conv.user).first()
        if proposal is not None and proposal.state == ProposalState.CONFIRMED:
            return ActionResult(f"Already saved as {proposal.created_name}.", close_card=True)
        return ActionResult("Nothing to cancel.", close_card=True)
    proposal = Proposal.objects.select_related("parser_log").get(pk=proposal_id)
    mark_log(proposal, "Rejected", feedback="cancelled")
    attached.sweep([proposal_id])  # its photos go with it
    return ActionResult("Cancelled", [Reply("❌ Cancelled. Nothing was saved.")], close_card=True)


def can_capture(user: Any) -> bool:
    """Viewers may ask questions but not create; everyone enabled may talk to the bot."""

    return can(user, Action.CREATE, Task)
