"""A new request becomes a draft (or an answer, for a query); a later message corrects the draft,
or supersedes it when it reads as a new request."""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone

from flrts.capture import queries, records
from flrts.capture.drafts import card, mark_log
from flrts.capture.models import Proposal, ProposalState
from flrts.capture.parsing import log_parse, needs_question, parse, question, refused
from flrts.capture.records import CaptureProblem
from flrts.capture.replies import Button, Reply
from flrts.capture.session import Conversation
from flrts.nlp.types import Intent, ParseRefused, ParseResult

CORRECTION_START = re.compile(
    r"^\s*(?:no|nope|not|nah|actually|change|make\s+(?:it|that)|set|it'?s|it\s+is|instead|wrong"
    r"|fix|edit|update|move|due|assign|priority|rename|call\s+it|and|also|but|oh|sorry|i\s+meant"
    r"|should\s+be|for|to|at|by|on|the\s+(?:due|site|assignee|priority|title|subject|list))\b",
    re.IGNORECASE,
)


HELP_TEXT = (
    "Tell me what needs doing, in plain words. For example:\n"
    "• Colin, check the compressor at Big Sky tomorrow afternoon\n"
    "• Field report Viper: pump pressure 45 psi, all good\n"
    "• Remind me to check the meters every Monday at 8am\n"
    "• Add filters, gloves to the Shopping list\n"
    "• What's overdue at Viper?\n\n"
    "I show you a card first; nothing is saved until you press ✅ Confirm (or say “confirm”). "
    "Say what to change (“no, it's for Taylor and it's urgent”) to correct it."
)


def new_request(conv: Conversation, text: str, outcome: Any = None) -> list[Reply]:
    if outcome is None:
        try:
            outcome = parse(conv, text)
        except ParseRefused as exc:
            return refused(exc)
    result: ParseResult = outcome.result
    parser_log = log_parse(conv, outcome)
    if result.intent == Intent.HELP:
        return [Reply(HELP_TEXT)]
    if result.intent == Intent.QUERY_TASKS and not result.clarify:
        parser_log.mark_outcome("Accepted", feedback="answered as a query")
        return queries.answer_query(conv.user, result.query, result.site)
    if result.intent not in records.CREATABLE:
        return [Reply(question(result), kind="question")]
    try:
        task_label = records.check_allowed(conv.user, result)
    except CaptureProblem as exc:
        parser_log.mark_outcome("Rejected", feedback=str(exc)[:500])
        return [Reply(str(exc), kind="error")]
    now = timezone.now()
    proposal = Proposal(
        user=conv.user,
        channel=conv.channel,
        chat_id=conv.chat_id,
        original_text=outcome.masked_text,
        parser_log=parser_log,
        source_message_id=conv.message_id,
        expires_at=now + Proposal.ttl(),
    )
    proposal.set_result(result)
    proposal.save()
    if needs_question(result):
        # Keep the draft: the answer to the question corrects it.
        return [
            Reply(
                question(result),
                [[Button("❌ Cancel", f"cap:no:{proposal.pk}:{proposal.version}")]],
                proposal_id=proposal.pk,
                kind="question",
            )
        ]
    return [card(conv, proposal, task_label)]


def looks_new(outcome: Any) -> bool:
    result: ParseResult = outcome.result
    if result.intent == Intent.QUERY_TASKS:
        return not result.clarify
    return (
        result.intent in records.CREATABLE
        and not needs_question(result)
        and bool(result.subject or result.list_name or result.task_ref or result.summary)
    )


def correct_or_new(
    conv: Conversation, pending: Proposal, text: str, replying: bool = False
) -> list[Reply]:
    """Correct the pending draft, or start a new one when the message reads as a new request.
    A new request leaves the earlier draft pending (its card still works until it expires), so
    a typed "yes" can ask which card is meant."""
    replying_to_card = replying or bool(
        conv.reply_to_message_id and conv.reply_to_message_id == pending.card_message_id
    )
    if not replying_to_card and not CORRECTION_START.match(text):
        # Maybe a new request rather than an answer to the card.
        try:
            fresh = parse(conv, text)
        except ParseRefused as exc:
            return refused(exc)
        if looks_new(fresh):
            if pending.parse_result.clarify is not None:
                # An unanswered question is dropped: the new message is not its answer.
                closed = Proposal.objects.filter(pk=pending.pk, state=ProposalState.PENDING).update(
                    state=ProposalState.SUPERSEDED, closed_at=timezone.now()
                )
                if closed:
                    mark_log(pending, "Rejected", feedback="superseded by a new message")
                return new_request(conv, text, outcome=fresh)
            replies = new_request(conv, text, outcome=fresh)
            if replies and replies[-1].kind == "card":
                replies.insert(0, Reply(EARLIER_DRAFT_WAITS))
            return replies
    return correct(conv, pending, text)


EARLIER_DRAFT_WAITS = "ℹ️ Your earlier draft is still waiting (not saved); its card still works."


def correct(conv: Conversation, pending: Proposal, text: str) -> list[Reply]:
    """Re-parse with the pending proposal as context and show the next version of the card."""
    before = pending.parse_result
    try:
        outcome = parse(conv, text, pending=before)
    except ParseRefused as exc:
        return refused(exc)
    parser_log = log_parse(conv, outcome, original=pending.parser_log, feedback=text[:2000])
    after: ParseResult = outcome.result
    if after.intent == Intent.UNKNOWN:
        after = after.model_copy(update={"intent": before.intent})
    changed = sorted(after.changed_fields(before))
    if not changed and not after.clarify:
        if before.clarify:  # the answer did not help: ask again
            return [Reply(question(before), kind="question", proposal_id=pending.pk)]
        reply = card(conv, pending)
        reply.text = (
            "🤔 I didn't catch a change. Say e.g. “change the due date to Friday 3pm”, "
            "or confirm.\n\n" + reply.text
        )
        return [reply]
    try:
        task_label = records.check_allowed(conv.user, after) if not after.clarify else ""
    except CaptureProblem as exc:
        return [Reply(str(exc), kind="error")]
    new_version = pending.version + (1 if changed else 0)
    dumped = after.model_dump(mode="json")
    updated = Proposal.objects.filter(
        pk=pending.pk, state=ProposalState.PENDING, version=pending.version
    ).update(
        result=dumped,
        intent=after.intent.value,
        version=new_version,
        changed=changed,
        parser_log=parser_log,
        expires_at=timezone.now() + Proposal.ttl(),
        modified=timezone.now(),
    )
    if not updated:
        return [Reply("That draft was already confirmed or cancelled.", kind="error")]
    pending.refresh_from_db()
    if needs_question(after):
        return [Reply(question(after), kind="question", proposal_id=pending.pk)]
    return [card(conv, pending, task_label)]
