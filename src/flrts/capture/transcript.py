"""The stored conversation of each chat (`ChatMessage`): what the person sent and what the bot
answered, with the buttons as shown. The chat page shows it again after a reload; the typed
"yes" rule reads the last thing the bot said from it; on Telegram a reply or a press on a bot
message is mapped back to the card it showed."""

from __future__ import annotations

from typing import Any

from flrts.capture.models import ChatMessage, Proposal, ProposalState
from flrts.capture.replies import Button, Reply
from flrts.capture.session import Conversation

KEEP = 200  # lines kept per chat; older ones are deleted as new ones arrive


def _chat(conv: Conversation) -> Any:
    return ChatMessage.objects.filter(user=conv.user, channel=conv.channel, chat_id=conv.chat_id)


def record_in(conv: Conversation, text: str) -> ChatMessage:
    return ChatMessage.objects.create(
        user=conv.user,
        channel=conv.channel,
        chat_id=conv.chat_id,
        text=text[:20000],
        telegram_message_id=conv.message_id,
    )


def card_version(reply: Reply) -> int | None:
    """The version a card's buttons act on (`cap:ok:<id>:<version>`)."""
    for row in reply.buttons:
        for button in row:
            parts = button.data.split(":")
            if parts[0] == "cap" and len(parts) == 4 and parts[3].isdigit():
                return int(parts[3])
    return None


def record_out(conv: Conversation, replies: list[Reply]) -> None:
    """Store the bot's replies; each Reply learns its row (`Reply.line_id`)."""
    for reply in replies:
        row = ChatMessage.objects.create(
            user=conv.user,
            channel=conv.channel,
            chat_id=conv.chat_id,
            outgoing=True,
            text=reply.text,
            kind=reply.kind,
            buttons=[[b.as_dict() for b in row] for row in reply.buttons],
            link=(reply.link or "")[:300],
            proposal_id=reply.proposal_id,
            version=card_version(reply),
        )
        reply.line_id = row.pk
    _prune(conv)


def _prune(conv: Conversation) -> None:
    cut = list(_chat(conv).order_by("-id").values_list("id", flat=True)[KEEP : KEEP + 1])
    if cut:
        _chat(conv).filter(id__lte=cut[0]).delete()


def sent_as(line_id: int | None, telegram_message_id: int | None) -> None:
    """The channel delivered line `line_id` as Telegram message `telegram_message_id`."""
    if line_id and telegram_message_id:
        ChatMessage.objects.filter(pk=line_id).update(telegram_message_id=telegram_message_id)


def last_bot_line(conv: Conversation) -> ChatMessage | None:
    return _chat(conv).filter(outgoing=True).order_by("-id").first()


def line_for(conv: Conversation, key: int | None) -> ChatMessage | None:
    """A bot line by the channel's key: the Telegram message id, or the line id (chat page)."""
    if not key:
        return None
    lines = _chat(conv).filter(outgoing=True)
    if conv.channel == "telegram":
        return lines.filter(telegram_message_id=key).order_by("-id").first()
    return lines.filter(pk=key).first()


def rows_of(line: ChatMessage) -> list[list[Button]]:
    return [[Button(b["text"], b["data"]) for b in row] for row in line.buttons or []]


def subject_of(data: str) -> str:
    """What a button acts on: the proposal of `cap:*:<id>:*`, the task of `task:*:<name>:*`,
    the delivery of `rem:*:<id>`. Pressing a closing button closes every row about it."""
    parts = data.split(":")
    if len(parts) >= 3 and parts[0] in ("cap", "task", "rem"):
        return f"{parts[0]}:{parts[2]}"
    return data


def without(rows: list[list[Button]], data: str) -> list[list[Button]]:
    """The rows left once the subject of `data` is finished."""
    gone = subject_of(data)
    return [row for row in rows if not any(subject_of(b.data) == gone for b in row)]


def close_rows(line: ChatMessage, data: str) -> list[list[Button]]:
    remaining = without(rows_of(line), data)
    line.buttons = [[b.as_dict() for b in row] for row in remaining]
    ChatMessage.objects.filter(pk=line.pk).update(buttons=line.buttons)
    return remaining


def _card_note(proposal: Proposal | None, version: int | None) -> str | None:
    """Why a stored card's buttons no longer apply, or None while they do."""
    if proposal is None:
        return "(no longer exists)"
    if proposal.state == ProposalState.CONFIRMED:
        return f"(saved as {proposal.created_name})" if proposal.created_name else "(saved)"
    if proposal.state == ProposalState.PENDING and proposal.expired:
        return "(expired)"
    if proposal.state != ProposalState.PENDING:
        return f"({proposal.state})"
    if version is not None and version != proposal.version:
        return f"(replaced by version {proposal.version})"
    return None


def history(conv: Conversation, limit: int = 100) -> list[dict[str, Any]]:
    """The chat as the page shows it again: a card no longer pending keeps its text, loses its
    buttons and says why ("saved as TASK-…", "expired", "replaced by version 2")."""
    lines = list(_chat(conv).order_by("-id")[:limit])[::-1]
    ids = {line.proposal_id for line in lines if line.proposal_id}
    proposals = {p.pk: p for p in Proposal.objects.filter(pk__in=ids, user=conv.user)}
    out = []
    for line in lines:
        buttons = line.buttons or []
        note = None
        if line.proposal_id and line.outgoing:
            note = _card_note(proposals.get(line.proposal_id), line.version)
            if note is not None:
                buttons = [
                    row for row in buttons if not any(b["data"].startswith("cap:") for b in row)
                ]
        out.append(
            {
                "id": line.pk,
                "line_id": line.pk if line.outgoing else None,
                "me": not line.outgoing,
                "text": line.text,
                "kind": line.kind,
                "proposal_id": line.proposal_id,
                "link": line.link or None,
                "buttons": buttons,
                "note": note,
            }
        )
    return out
