"""The capture conversation, for every channel: message → parser → card → confirm / correct /
cancel → exactly one record.

    conv = Conversation(user, channel="telegram", chat_id=str(chat.id), ...)
    replies = handle_text(conv, "Colin check the pump at Big Sky tomorrow 2pm")
    result = handle_action(conv, "cap:ok:17:1")      # a button press (or its text equivalent)

Channels only render `Reply` objects and remember the card's message id
(`flrts.capture.drafts.remember_card`). The steps live beside this module: `session` (who and
where), `drafts` (the pending proposal and its card), `parsing`, `requests` (new and corrected
drafts), `confirm` (confirm and cancel), `guided` (/report).
"""

from __future__ import annotations

import re

from flrts.capture import transcript
from flrts.capture.attach_actions import attach_action, site_action
from flrts.capture.confirm import cancel, confirm
from flrts.capture.drafts import (
    card,
    card_label,
    current_proposal,
    edit_hint,
    open_drafts,
    recently_expired,
)
from flrts.capture.guided import guided_step
from flrts.capture.models import Proposal, ProposalState
from flrts.capture.reminder_actions import ReminderActionError, handle_callback
from flrts.capture.replies import ActionResult, Button, Reply
from flrts.capture.requests import HELP_TEXT, correct_or_new, new_request
from flrts.capture.session import Conversation
from flrts.capture.task_actions import task_action

__all__ = ["Conversation", "handle_action", "handle_text"]

_CONFIRM = {
    "confirm", "yes", "y", "ok", "okay", "yep", "yeah", "sure", "perfect", "correct", "save",
    "save it", "looks good", "good", "go", "do it", "confirmed", "yes please", "👍", "✅",
}  # fmt: skip
_CANCEL = {
    "cancel", "no", "n", "nope", "stop", "abort", "forget it", "never mind", "nevermind",
    "discard", "drop it", "❌",
}  # fmt: skip
_EDIT = {"edit", "change", "fix", "change it", "✏️"}


def _norm(text: str) -> str:
    return re.sub(r"[\s.!]+$", "", (text or "").strip().lower())


# -- entry points ------------------------------------------------------------------------------


def handle_text(conv: Conversation, text: str) -> list[Reply]:
    """Answer one message."""
    word = _norm(text)
    if word in _CONFIRM or word in _CANCEL:
        return yes_or_no(conv, word in _CONFIRM)
    replied = replied_proposal(conv)
    pending = replied or current_proposal(conv)
    if pending is not None:
        if pending.guide:
            return guided_step(conv, pending, text)
        if word in _EDIT:
            return [edit_hint()]
        return correct_or_new(conv, pending, text, replying=replied is not None)
    if word in ("help", "?", "/help"):
        return [Reply(HELP_TEXT)]
    return new_request(conv, text)


def replied_proposal(conv: Conversation) -> Proposal | None:
    """The pending draft whose card this message replies to (Telegram's reply), if any."""
    line = transcript.line_for(conv, conv.reply_to_message_id)
    if line is None or not line.proposal_id:
        return None
    found = open_drafts(conv).filter(pk=line.proposal_id).first()
    return found if found is not None and not found.expired else None


def yes_or_no(conv: Conversation, yes: bool) -> list[Reply]:
    """A typed "yes" (or "no") acts on the card the person saw: the card a Telegram reply
    answers, else the last thing the bot said if it is a card. Anything else asks which card."""
    bound = transcript.line_for(conv, conv.reply_to_message_id)
    if bound is None:
        bound = transcript.last_bot_line(conv)
    if bound is not None and bound.proposal_id:
        proposal = Proposal.objects.filter(pk=bound.proposal_id, user=conv.user).first()
        replying = conv.reply_to_message_id is not None and bound.telegram_message_id is not None
        if proposal is not None and (proposal.state == ProposalState.PENDING or replying):
            outdated = bound.version is not None and bound.version != proposal.version
            if outdated and proposal.state == ProposalState.PENDING and not proposal.expired:
                # Show the card that counts now, so the next "yes" is about it.
                note = f"This card was replaced by version {proposal.version}; here it is:"
                return [Reply(note), card(conv, proposal)]
            if yes:
                return confirm(conv, proposal.pk, bound.version).replies_with_toast()
            return cancel(conv, proposal.pk).replies_with_toast()
    waiting = [p for p in open_drafts(conv).order_by("creation", "id") if not p.expired]
    if not waiting:
        current_proposal(conv)  # closes the expired ones
        if recently_expired(conv):
            return [Reply("⌛ That draft expired before it was confirmed. Send it again.")]
        return [Reply("There is nothing waiting for confirmation. Tell me what to capture.")]
    return [which_card(waiting, yes)]


def which_card(waiting: list[Proposal], yes: bool) -> Reply:
    verb = "confirm" if yes else "cancel"
    lines = [f"❓ Which card do you want to {verb}? Nothing was saved or cancelled yet.", ""]
    rows = []
    for number, proposal in enumerate(waiting[-5:], start=1):
        lines.append(f"{number}. {card_label(proposal)}")
        rows.append(
            [
                Button(f"✅ Confirm {number}", f"cap:ok:{proposal.pk}:{proposal.version}"),
                Button(f"❌ Cancel {number}", f"cap:no:{proposal.pk}:{proposal.version}"),
            ]
        )
    return Reply("\n".join(lines), rows, kind="question")


def handle_action(conv: Conversation, data: str) -> ActionResult:
    """A button press. `data` is the button's callback data."""
    parts = (data or "").split(":")
    try:
        if parts[0] == "cap" and len(parts) >= 3:
            proposal_id = int(parts[2])
            version = int(parts[3]) if len(parts) > 3 else None
            if parts[1] == "ok":
                return confirm(conv, proposal_id, version)
            if parts[1] == "draft":
                return confirm(conv, proposal_id, version, draft=True)
            if parts[1] == "no":
                return cancel(conv, proposal_id)
            if parts[1] == "edit":
                return ActionResult("Tell me what to change", [edit_hint()])
        if parts[0] == "att":
            return attach_action(conv, parts[1:])
        if parts[0] == "loc":
            return site_action(conv, parts[1:])
        if parts[0] == "task" and len(parts) >= 3:
            return task_action(conv, parts[1], parts[2], parts[3:])
        if parts[0] == "rem" and len(parts) == 3 and parts[2].isdigit():
            # A delivered reminder's buttons carry its delivery id (notify.reminder_delivery):
            # the only reminder buttons the product sends.
            try:
                text = handle_callback(data, conv.user)
            except ReminderActionError as exc:
                return ActionResult(str(exc), show_alert=True)
            return ActionResult(text, [Reply(text)], close_card=True)
    except (ValueError, IndexError):
        pass
    return ActionResult("That button is no longer valid.")
