"""The capture conversation, for every channel: message → parser → card → confirm / correct /
cancel → exactly one record.

    conv = Conversation(user, channel="telegram", chat_id=str(chat.id), ...)
    replies = handle_text(conv, "Colin check the pump at Big Sky tomorrow 2pm")
    result = handle_action(conv, "cap:ok:17:1")      # a button press (or its text equivalent)

Channels only render `Reply` objects and remember the card's message id (`remember_card`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from flrts.capture import queries, records
from flrts.capture.cards import render_card
from flrts.capture.models import Proposal, ProposalState
from flrts.capture.records import CaptureProblem, Origin
from flrts.capture.replies import ActionResult, Button, Reply
from flrts.core.context import acting_as
from flrts.core.permissions import Action, can
from flrts.nlp.types import Intent, ParseRefused, ParseResult

log = logging.getLogger("flrts.capture")

# Below this the parser is guessing: ask instead of proposing.
MIN_CONFIDENCE = 0.5

_CONFIRM = {
    "confirm", "yes", "y", "ok", "okay", "yep", "yeah", "sure", "perfect", "correct", "save",
    "save it", "looks good", "good", "go", "do it", "confirmed", "yes please", "👍", "✅",
}  # fmt: skip
_CANCEL = {
    "cancel", "no", "n", "nope", "stop", "abort", "forget it", "never mind", "nevermind",
    "discard", "drop it", "❌",
}  # fmt: skip
_EDIT = {"edit", "change", "fix", "change it", "✏️"}
_CORRECTION_START = re.compile(
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


@dataclass
class Conversation:
    """Who is talking, and where (a Telegram chat, or the desk)."""

    user: Any
    channel: str = "desk"  # telegram | desk | api
    chat_id: str = "desk"
    telegram_chat_id: int | None = None
    message_id: int | None = None  # the incoming message (Telegram)
    reply_to_message_id: int | None = None  # the message it answers (Telegram)

    @property
    def origin(self) -> Origin:
        return Origin(self.channel, self.telegram_chat_id, self.message_id)


def _norm(text: str) -> str:
    return re.sub(r"[\s.!]+$", "", (text or "").strip().lower())


# -- entry points ------------------------------------------------------------------------------


def handle_text(conv: Conversation, text: str) -> list[Reply]:
    """Answer one message."""
    word = _norm(text)
    pending = current_proposal(conv)
    if pending is not None:
        if word in _CONFIRM:
            return confirm(conv, pending.pk, None).replies_with_toast()
        if word in _CANCEL:
            return cancel(conv, pending.pk).replies_with_toast()
        if pending.guide:
            return guided_step(conv, pending, text)
        if word in _EDIT:
            return [_edit_hint()]
        return _correct_or_new(conv, pending, text)
    if word in _CONFIRM or word in _CANCEL:
        if _recently_expired(conv):
            return [Reply("⌛ That draft expired before it was confirmed. Send it again.")]
        return [Reply("There is nothing waiting for confirmation. Tell me what to capture.")]
    if word in ("help", "?", "/help"):
        return [Reply(HELP_TEXT)]
    return new_request(conv, text)


def handle_action(conv: Conversation, data: str) -> ActionResult:
    """A button press. `data` is the button's callback data."""
    parts = (data or "").split(":")
    try:
        if parts[0] == "cap" and len(parts) >= 3:
            proposal_id = int(parts[2])
            version = int(parts[3]) if len(parts) > 3 else None
            if parts[1] == "ok":
                return confirm(conv, proposal_id, version)
            if parts[1] == "no":
                return cancel(conv, proposal_id)
            if parts[1] == "edit":
                return ActionResult("Tell me what to change", [_edit_hint()])
        if parts[0] == "task" and len(parts) >= 3:
            from flrts.capture.task_actions import task_action

            return task_action(conv, parts[1], parts[2], parts[3:])
        if parts[0] == "rem" and len(parts) == 3 and parts[2].isdigit():
            # Buttons on a delivered reminder carry its delivery id (flrts.reminders.deliver).
            from flrts.reminders.actions import ReminderActionError, handle_callback

            try:
                text = handle_callback(data, conv.user)
            except ReminderActionError as exc:
                return ActionResult(str(exc), show_alert=True)
            return ActionResult(text, [Reply(text)], close_card=True)
        if parts[0] == "rem" and len(parts) >= 3:
            from flrts.capture.task_actions import reminder_action

            return reminder_action(conv, parts[1], parts[2])
    except (ValueError, IndexError):
        pass
    return ActionResult("That button is no longer valid.")


# -- proposals ------------------------------------------------------------------------------


def _open(conv: Conversation) -> Any:
    return Proposal.objects.filter(
        user=conv.user, channel=conv.channel, chat_id=conv.chat_id, state=ProposalState.PENDING
    )


def current_proposal(conv: Conversation) -> Proposal | None:
    """The pending proposal in this chat; expired ones are closed on the way."""
    found = None
    for proposal in _open(conv).order_by("-creation", "-id"):
        if proposal.expired:
            _expire(proposal)
        elif found is None:
            found = proposal
    return found


def _expire(proposal: Proposal) -> None:
    closed = Proposal.objects.filter(pk=proposal.pk, state=ProposalState.PENDING).update(
        state=ProposalState.EXPIRED, closed_at=timezone.now()
    )
    if closed and proposal.parser_log_id:
        _mark_log(proposal, "Rejected", feedback="expired before confirmation")


def expire_stale() -> int:
    """Close every pending proposal past its expiry (a scheduled job may call this)."""
    count = 0
    for proposal in Proposal.objects.filter(
        state=ProposalState.PENDING, expires_at__lte=timezone.now()
    ):
        _expire(proposal)
        count += 1
    return count


def _recently_expired(conv: Conversation) -> bool:
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


def _people_names(result: ParseResult) -> dict[str, Any]:
    """The people a card names (assignee, sub-task assignees), by parser id (the email)."""
    from django.db.models import Q

    from flrts.people.models import User

    ids = {result.assignee, *(s.assignee for s in result.subtasks)} - {None}
    if not ids:
        return {}
    people = User.objects.filter(Q(email__in=ids) | Q(username__in=ids))
    return {u.name: u for u in people}


def _card(conv: Conversation, proposal: Proposal, task_label: str = "") -> Reply:
    ttl = int(Proposal.ttl().total_seconds() // 60)
    result = proposal.parse_result
    return render_card(
        result,
        proposal_id=proposal.pk,
        version=proposal.version,
        changed=proposal.changed,
        reader_zone=conv.user.zone,
        people=_people_names(result),
        task_label=task_label,
        expires_minutes=ttl,
    )


def _edit_hint() -> Reply:
    return Reply(
        "✏️ Tell me what to change, for example:\n"
        "• change the due date to Friday 3pm\n"
        "• no, it's for Taylor and it's urgent\n"
        "• the site is Viper",
        kind="question",
    )


# -- parsing -----------------------------------------------------------------------------------


def _parse(conv: Conversation, text: str, pending: ParseResult | None = None) -> Any:
    from flrts.nlp.context import build_context, llm_config_from_site
    from flrts.nlp.service import parse_message

    context = build_context(conv.user)
    if pending is not None:
        context = context.model_copy(update={"pending": pending})
    return parse_message(
        text, conv.user.name, timezone.now(), context, llm_config=llm_config_from_site()
    )


def _log(conv: Conversation, outcome: Any, original: Any = None, feedback: str | None = None):
    from flrts.nlp.models import ParserLog

    return ParserLog.record(
        outcome,
        user=conv.user,
        channel=conv.channel,
        telegram_message_id=conv.message_id,
        telegram_chat_id=conv.telegram_chat_id,
        original_log=original,
        feedback=feedback,
    )


def _mark_log(proposal: Proposal, outcome: str, record: Any = None, feedback: str | None = None):
    log_row = proposal.parser_log
    if log_row is None:
        return
    try:
        log_row.mark_outcome(outcome, record=record, feedback=feedback)
    except Exception:  # the audit trail must never undo the person's action
        log.exception("could not mark parser log %s", log_row.pk)


def _refused(exc: ParseRefused) -> list[Reply]:
    if exc.reason == "too_long":
        return [Reply(f"✋ {exc}", kind="error")]
    return [Reply(f"🤔 {exc}", kind="error")]


def _needs_question(result: ParseResult) -> bool:
    return bool(result.clarify) or result.confidence < MIN_CONFIDENCE


def _question(result: ParseResult) -> str:
    if result.clarify:
        return f"❓ {result.clarify}"
    return (
        "❓ I'm not sure what you want to capture. Try something like “Colin, check the "
        "compressor at Big Sky tomorrow afternoon”, or send /help."
    )


# -- new requests ---------------------------------------------------------------------------------


def new_request(conv: Conversation, text: str, outcome: Any = None) -> list[Reply]:
    if outcome is None:
        try:
            outcome = _parse(conv, text)
        except ParseRefused as exc:
            return _refused(exc)
    result: ParseResult = outcome.result
    parser_log = _log(conv, outcome)
    if result.intent == Intent.HELP:
        return [Reply(HELP_TEXT)]
    if result.intent == Intent.QUERY_TASKS and not result.clarify:
        parser_log.mark_outcome("Accepted", feedback="answered as a query")
        return queries.answer_query(conv.user, result.query, result.site)
    if result.intent not in records.CREATABLE:
        return [Reply(_question(result), kind="question")]
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
    if _needs_question(result):
        # Keep the draft: the answer to the question corrects it.
        return [
            Reply(
                _question(result),
                [[Button("❌ Cancel", f"cap:no:{proposal.pk}:{proposal.version}")]],
                proposal_id=proposal.pk,
                kind="question",
            )
        ]
    return [_card(conv, proposal, task_label)]


def _looks_new(outcome: Any) -> bool:
    result: ParseResult = outcome.result
    if result.intent == Intent.QUERY_TASKS:
        return not result.clarify
    return (
        result.intent in records.CREATABLE
        and not _needs_question(result)
        and bool(result.subject or result.list_name or result.task_ref or result.summary)
    )


def _correct_or_new(conv: Conversation, pending: Proposal, text: str) -> list[Reply]:
    replying_to_card = bool(
        conv.reply_to_message_id and conv.reply_to_message_id == pending.card_message_id
    )
    if not replying_to_card and not _CORRECTION_START.match(text):
        # Maybe a new request rather than an answer to the card.
        try:
            fresh = _parse(conv, text)
        except ParseRefused as exc:
            return _refused(exc)
        if _looks_new(fresh):
            closed = Proposal.objects.filter(pk=pending.pk, state=ProposalState.PENDING).update(
                state=ProposalState.SUPERSEDED, closed_at=timezone.now()
            )
            if closed:
                _mark_log(pending, "Rejected", feedback="superseded by a new message")
            replies = new_request(conv, text, outcome=fresh)
            if pending.parse_result.clarify is None:
                replies.insert(0, Reply("ℹ️ I set the previous draft aside (not saved)."))
            return replies
    return correct(conv, pending, text)


def correct(conv: Conversation, pending: Proposal, text: str) -> list[Reply]:
    """Re-parse with the pending proposal as context and show the next version of the card."""
    before = pending.parse_result
    try:
        outcome = _parse(conv, text, pending=before)
    except ParseRefused as exc:
        return _refused(exc)
    parser_log = _log(conv, outcome, original=pending.parser_log, feedback=text[:2000])
    after: ParseResult = outcome.result
    if after.intent == Intent.UNKNOWN:
        after = after.model_copy(update={"intent": before.intent})
    changed = sorted(after.changed_fields(before))
    if not changed and not after.clarify:
        if before.clarify:  # the answer did not help: ask again
            return [Reply(_question(before), kind="question", proposal_id=pending.pk)]
        reply = _card(conv, pending)
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
    if _needs_question(after):
        return [Reply(_question(after), kind="question", proposal_id=pending.pk)]
    return [_card(conv, pending, task_label)]


# -- confirm and cancel ---------------------------------------------------------------------------


def confirm(conv: Conversation, proposal_id: int, version: int | None) -> ActionResult:
    """Create the record for a proposal, exactly once."""
    try:
        with transaction.atomic():
            proposal = (
                # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of the
                # outer join a nullable parser_log would add.
                Proposal.objects.select_for_update().filter(pk=proposal_id, user=conv.user).first()
            )
            early = _not_confirmable(proposal, version)
            if early is not None:
                return early
            assert proposal is not None
            won = Proposal.objects.filter(
                pk=proposal.pk, state=ProposalState.PENDING, version=proposal.version
            ).update(state=ProposalState.CONFIRMED, closed_at=timezone.now())
            if won != 1:  # someone else confirmed it between our read and our write
                return ActionResult("Already saved.", close_card=True)
            with acting_as(conv.user):
                record, lines = records.create(
                    conv.user, proposal.parse_result, _origin(conv, proposal)
                )
            Proposal.objects.filter(pk=proposal.pk).update(
                created_doctype=getattr(record, "doctype", ""), created_name=record.name
            )
            _mark_log(proposal, "Accepted", record=record)
    except CaptureProblem as exc:
        # Rolled back: the proposal is still pending, so the person can correct and retry.
        return ActionResult(str(exc)[:190], [Reply(str(exc), kind="error")])
    buttons = []
    if getattr(record, "doctype", "") == "Task" and record.is_open:
        buttons = queries.task_buttons(record)
    saved = Reply("\n".join(lines), buttons, kind="saved", link=desk_url(record))
    return ActionResult(f"Saved {record.name}", [saved], close_card=True)


def desk_url(record: Any) -> str | None:
    from django.urls import NoReverseMatch, reverse

    meta = record._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])
    except NoReverseMatch:
        return None


def _origin(conv: Conversation, proposal: Proposal) -> Origin:
    origin = conv.origin
    origin.message_id = proposal.source_message_id or origin.message_id
    return origin


def _not_confirmable(proposal: Proposal | None, version: int | None) -> ActionResult | None:
    if proposal is None:
        return ActionResult("That draft no longer exists.", close_card=True)
    if proposal.state == ProposalState.CONFIRMED:
        name = proposal.created_name or "already"
        return ActionResult(f"Already saved: {name}", close_card=True)
    if proposal.state in (ProposalState.CANCELLED, ProposalState.SUPERSEDED):
        return ActionResult("That draft was cancelled; nothing saved.", close_card=True)
    if proposal.state == ProposalState.EXPIRED or proposal.expired:
        _expire(proposal)
        text = "⌛ That draft expired before it was confirmed. Send it again."
        return ActionResult("Expired", [Reply(text)], close_card=True)
    if version is not None and version != proposal.version:
        return ActionResult(
            f"This card was replaced by version {proposal.version}; use the latest card.",
            show_alert=True,
        )
    if _needs_question(proposal.parse_result):
        return ActionResult(
            "I still need an answer first.", [Reply(_question(proposal.parse_result))]
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
    _mark_log(proposal, "Rejected", feedback="cancelled")
    return ActionResult("Cancelled", [Reply("❌ Cancelled. Nothing was saved.")], close_card=True)


def can_capture(user: Any) -> bool:
    """Viewers may ask questions but not create; everyone enabled may talk to the bot."""
    from flrts.tasks.models import Task

    return can(user, Action.CREATE, Task)


# -- the guided field report (/report) ---------------------------------------------------------

_SITE_QUESTION = "📋 Field report. Which site is it for? ({sites}, or “none”)"
_NOTES_QUESTION = (
    "📋 What did you see? Write it as you would say it; readings like “pressure 45 psi” and "
    "problems are picked up."
)


def start_guided_report(conv: Conversation, args: str) -> list[Reply]:
    from flrts.fieldreports.models import FieldReport
    from flrts.org.models import Site

    if not can(conv.user, Action.CREATE, FieldReport):
        return [Reply(f"⛔ Your role ({conv.user.role}) may not create field reports.")]
    if args.strip():
        return new_request(conv, f"field report {args.strip()}")
    for open_one in _open(conv):
        Proposal.objects.filter(pk=open_one.pk, state=ProposalState.PENDING).update(
            state=ProposalState.SUPERSEDED, closed_at=timezone.now()
        )
    sites = list(
        Site.objects.filter(is_active=True, archived=False).values_list("site_name", flat=True)[:12]
    )
    question = _SITE_QUESTION.format(sites=", ".join(sites) or "no sites yet")
    result = ParseResult(intent=Intent.CREATE_FIELD_REPORT, confidence=1.0, clarify=question)
    proposal = Proposal(
        user=conv.user,
        channel=conv.channel,
        chat_id=conv.chat_id,
        original_text="/report",
        source_message_id=conv.message_id,
        expires_at=timezone.now() + Proposal.ttl(),
        guide="site",
    )
    proposal.set_result(result)
    proposal.save()
    cancel_button = [[Button("❌ Cancel", f"cap:no:{proposal.pk}:{proposal.version}")]]
    return [Reply(question, cancel_button, proposal_id=proposal.pk, kind="question")]


def _site_from(conv: Conversation, text: str) -> tuple[bool, str | None]:
    from django.db.models import Q

    from flrts.org.models import Site

    wanted = text.strip().strip(".")
    if wanted.lower() in ("none", "no site", "-", "n/a"):
        return True, None
    found = Site.objects.filter(
        Q(site_name__iexact=wanted) | Q(site_code__iexact=wanted), archived=False
    ).first()
    if found is None:
        for site in Site.objects.filter(archived=False, is_active=True):
            aliases = [str(a).lower() for a in (site.aliases or [])]
            if wanted.lower() in aliases:
                found = site
                break
    if found is None:
        try:
            parsed = _parse(conv, f"report at {wanted}").result
        except ParseRefused:
            parsed = None
        if parsed is not None and parsed.site:
            return True, parsed.site
        return False, None
    return True, found.site_name


def guided_step(conv: Conversation, pending: Proposal, text: str) -> list[Reply]:
    current = pending.parse_result
    if pending.guide == "site":
        ok, site_name = _site_from(conv, text)
        if not ok:
            unknown = f"⚠️ I don't know the site “{text.strip()[:60]}”. "
            return [Reply(unknown + (current.clarify or ""))]
        updated = current.model_copy(update={"site": site_name, "clarify": _NOTES_QUESTION})
        pending.set_result(updated)
        pending.guide = "notes"
        pending.save(update_fields=["result", "intent", "guide"])
        return [Reply(_NOTES_QUESTION, proposal_id=pending.pk, kind="question")]
    try:
        outcome = _parse(conv, f"field report: {text}")
    except ParseRefused as exc:
        return _refused(exc)
    parsed: ParseResult = outcome.result
    body = text.strip()
    result = ParseResult(
        intent=Intent.CREATE_FIELD_REPORT,
        site=current.site or parsed.site,
        summary=(body.split("\n")[0])[:200],
        observations=body,
        readings=parsed.readings,
        equipment=parsed.equipment,
        issues=parsed.issues,
        confidence=max(parsed.confidence, 0.9),
        rationale="Guided field report (/report).",
        parser=parsed.parser,
    )
    outcome.result = result
    pending.parser_log = _log(conv, outcome)
    pending.set_result(result)
    pending.guide = ""
    pending.original_text = outcome.masked_text
    pending.expires_at = timezone.now() + Proposal.ttl()
    pending.save()
    return [_card(conv, pending)]
