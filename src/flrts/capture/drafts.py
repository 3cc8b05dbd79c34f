"""The pending proposal (the draft a card shows) of each chat: finding it, expiring it, its card,
and the parser log's outcome when it closes."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import Q
from django.utils import timezone

from flrts.capture import attached
from flrts.capture.cards import TITLES, render_card
from flrts.capture.models import Proposal, ProposalState
from flrts.capture.replies import Reply
from flrts.capture.session import Conversation
from flrts.jobs.registry import scheduled
from flrts.nlp.types import ParseResult
from flrts.people.models import User

log = logging.getLogger("flrts.capture")


def open_drafts(conv: Conversation) -> Any:
    return Proposal.objects.filter(
        user=conv.user, channel=conv.channel, chat_id=conv.chat_id, state=ProposalState.PENDING
    )


def current_proposal(conv: Conversation) -> Proposal | None:
    """The pending proposal in this chat; expired ones are closed on the way."""
    found = None
    for proposal in open_drafts(conv).order_by("-creation", "-id"):
        if proposal.expired:
            expire(proposal)
        elif found is None:
            found = proposal
    return found


def expire(proposal: Proposal) -> None:
    closed = Proposal.objects.filter(pk=proposal.pk, state=ProposalState.PENDING).update(
        state=ProposalState.EXPIRED, closed_at=timezone.now()
    )
    if closed and proposal.parser_log_id:
        mark_log(proposal, "Rejected", feedback="expired before confirmation")


def _stale() -> Any:
    return Proposal.objects.filter(state=ProposalState.PENDING, expires_at__lte=timezone.now())


def stale_pending() -> bool:
    """A pending proposal is past its expiry."""
    return _stale().exists()


# Pending proposals past their expiry are closed lazily when touched; this closes the rest, so
# their Parser Logs get the outcome "Rejected" and the desk shows them as expired.
@scheduled("all", when=stale_pending)
def expire_stale() -> int:
    """Close every pending proposal past its expiry (a scheduled job may call this)."""
    count = 0
    for proposal in _stale():
        expire(proposal)
        count += 1
    attached.sweep()
    return count


def recently_expired(conv: Conversation) -> bool:
    last = (
        Proposal.objects.filter(user=conv.user, channel=conv.channel, chat_id=conv.chat_id)
        .order_by("-creation", "-id")
        .only("state")
        .first()
    )
    return bool(last and last.state == ProposalState.EXPIRED)


def remember_card(proposal_id: int | None, message_id: int | None) -> None:
    """The channel sent the card as message `message_id` (so a reply to it is a correction)."""
    if proposal_id and message_id:
        Proposal.objects.filter(pk=proposal_id).update(card_message_id=message_id)


def people_names(result: ParseResult) -> dict[str, Any]:
    """The people a card names (assignee, sub-task assignees), by parser id (the email)."""

    ids = {result.assignee, *(s.assignee for s in result.subtasks)} - {None}
    if not ids:
        return {}
    people = User.objects.filter(Q(email__in=ids) | Q(username__in=ids))
    return {u.name: u for u in people}


def card(conv: Conversation, proposal: Proposal, task_label: str = "") -> Reply:
    ttl = int(Proposal.ttl().total_seconds() // 60)
    result = proposal.parse_result
    return render_card(
        result,
        proposal_id=proposal.pk,
        version=proposal.version,
        changed=proposal.changed,
        reader_zone=conv.user.zone,
        people=people_names(result),
        task_label=task_label,
        expires_minutes=ttl,
        files_note=attached.note(proposal.pk),
    )


def card_label(proposal: Proposal) -> str:
    """One line naming a draft ("📝 New task: Check pump at Big Sky")."""
    result = proposal.parse_result
    what = result.subject or result.summary or result.list_name or result.task_ref or ""
    title = TITLES.get(result.intent, "Draft")
    return f"{title}: {what[:60]}" if what else title


def edit_hint() -> Reply:
    return Reply(
        "✏️ Tell me what to change, for example:\n"
        "• change the due date to Friday 3pm\n"
        "• no, it's for Taylor and it's urgent\n"
        "• the site is Viper",
        kind="question",
    )


def mark_log(proposal: Proposal, outcome: str, record: Any = None, feedback: str | None = None):
    log_row = proposal.parser_log
    if log_row is None:
        return
    try:
        log_row.mark_outcome(outcome, record=record, feedback=feedback)
    except Exception:  # the audit trail must never undo the person's action
        log.exception("could not mark parser log %s", log_row.pk)
