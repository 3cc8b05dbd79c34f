"""The one seam every outgoing Telegram message goes through (bot replies, reminders, reports).

    from flrts.telegram.outbound import send_text
    send_text(user, "🔔 Reminder: check the pump", buttons=[[("✅ Done", "task:done:TASK-1")]])

- With `telegram_bot_token` configured the message is sent through `BotClient` (base URL from
  `telegram_api_url`), split past 4,096 characters and paced per chat by the client.
- Without a token it is stored as an `OutboxMessage` (shown on the desk's chat page), so nothing
  is lost on a fresh install.
- A recipient-side permanent failure (bot blocked, chat not found, forbidden) is recorded on the
  person (`User.telegram_blocked`) and `None` is returned; later sends to a blocked person are
  skipped. Transient failures (429 beyond the client's budget, 5xx, network) raise the client's
  `TransientTelegramError`, so a queued job is retried; other permanent errors (a bad request,
  a wrong token) raise `PermanentTelegramError`.

Buttons: rows of buttons, each `(text, callback_data)`, a dict `{"text", "callback_data"|"url"}`
or an object with `.text` and `.data` (capture's `Button`); a flat list is one row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db.models import Q

from flrts.people.models import User
from flrts.telegram.config import bot_settings, get_client
from flrts.telegram.errors import (
    BotBlocked,
    ChatNotFound,
    Forbidden,
    MessageNotModified,
    TelegramError,
)
from flrts.telegram.models import OutboxMessage, OutboxStatus

log = logging.getLogger("flrts.telegram")

_RECIPIENT_GONE = (BotBlocked, ChatNotFound, Forbidden)

Recipient = Any  # a flrts.people.models.User, or a chat id (int, or a numeric string)


def keyboard(buttons: Any) -> list[list[dict[str, str]]]:
    """Normalise the accepted button shapes to the Bot API's `inline_keyboard` rows."""
    if not buttons:
        return []
    rows = buttons if _is_rows(buttons) else [buttons]
    out: list[list[dict[str, str]]] = []
    for row in rows:
        cells = []
        for button in row:
            cells.append(_button(button))
        if cells:
            out.append(cells)
    return out


def _is_rows(buttons: Sequence[Any]) -> bool:
    first = buttons[0]
    return isinstance(first, list | tuple) and not (
        len(first) == 2 and all(isinstance(part, str) for part in first)
    )


def _button(button: Any) -> dict[str, str]:
    if isinstance(button, dict):
        return {k: str(v) for k, v in button.items() if k in ("text", "callback_data", "url")}
    if isinstance(button, list | tuple):
        text, data = button
        return {"text": str(text), "callback_data": str(data)}
    url = getattr(button, "url", None)
    if url:
        return {"text": str(button.text), "url": str(url)}
    return {"text": str(button.text), "callback_data": str(button.data)}


def _markup(buttons: Any) -> dict[str, Any] | None:
    rows = keyboard(buttons)
    return {"inline_keyboard": rows} if rows else None


def _resolve(recipient: Recipient, *, find_person: bool = True) -> tuple[Any, int | None]:
    """(person or None, chat id or None). `find_person=False` skips the look-up of the person
    behind a chat id (sending only needs the id; the outbox wants the person)."""
    if isinstance(recipient, User):
        return recipient, recipient.telegram_chat_id or recipient.telegram_user_id
    chat_id = int(recipient)
    person = (
        User.objects.filter(Q(telegram_chat_id=chat_id) | Q(telegram_user_id=chat_id))
        .only("id", "telegram_blocked")
        .first()
        if chat_id > 0 and find_person
        else None
    )
    return person, chat_id


def _outbox(person: Any, chat_id: int | None, method: str, text: str, **extra: Any) -> None:
    OutboxMessage.objects.create(user=person, chat_id=chat_id, method=method, text=text, **extra)


def mark_unreachable(chat_id: int, error: TelegramError) -> None:
    """Record on the person that Telegram refuses delivery for good (until they write again)."""
    reason = f"{error.kind}: {error.description}"[:200]
    User.objects.filter(Q(telegram_chat_id=chat_id) | Q(telegram_user_id=chat_id)).update(
        telegram_blocked=reason
    )
    log.warning("telegram chat %s unreachable: %s", chat_id, reason)


def send_text(
    user_or_chat_id: Recipient,
    text: str,
    buttons: Any = None,
    reply_to: int | None = None,
) -> int | None:
    """Send `text` (with optional inline buttons, as a reply to message `reply_to`).

    Returns the Telegram message id of the message carrying the buttons (the last part), or
    None when it was stored in the outbox, the person has no Telegram chat, or they blocked
    the bot.
    """
    config = bot_settings()
    person, chat_id = _resolve(user_or_chat_id, find_person=not config.configured)
    if not config.configured:
        _outbox(person, chat_id, "sendMessage", text, buttons=keyboard(buttons), reply_to=reply_to)
        return None
    if chat_id is None:
        return None
    if person is not None and person.telegram_blocked and user_or_chat_id is person:
        return None  # they blocked us; writing to the bot again clears this
    try:
        sent = get_client(config).send_message(
            chat_id, text, reply_markup=_markup(buttons), reply_to_message_id=reply_to
        )
    except _RECIPIENT_GONE as exc:
        mark_unreachable(chat_id, exc)
        return None
    return sent[-1].message_id if sent else None


def edit_text(chat_id: int, message_id: int, text: str, buttons: Any = None) -> bool:
    """Replace a bot message's text and buttons (no buttons: they are removed)."""
    config = bot_settings()
    if not config.configured:
        _outbox(None, chat_id, "editMessageText", text, buttons=keyboard(buttons))
        return False
    try:
        get_client(config).edit_message_text(
            chat_id, message_id, text, reply_markup=_markup(buttons)
        )
    except MessageNotModified:
        return True  # a double tap: the message already says this
    except _RECIPIENT_GONE as exc:
        mark_unreachable(chat_id, exc)
        return False
    return True


def remove_buttons(chat_id: int, message_id: int) -> bool:
    """Take the buttons off a message (after Confirm or Cancel), so it cannot be tapped again."""
    config = bot_settings()
    if not config.configured:
        return False
    try:
        get_client(config).edit_message_reply_markup(chat_id, message_id, None)
    except MessageNotModified:
        return True
    except TelegramError as exc:
        # Cosmetic: the proposal state already refuses a second confirm.
        log.info("could not remove buttons from %s/%s: %s", chat_id, message_id, exc)
        return False
    return True


def set_buttons(chat_id: int, message_id: int, buttons: Any) -> bool:
    """Replace a message's buttons (a list answer keeps the rows of the tasks not yet done)."""
    config = bot_settings()
    if not config.configured:
        return False
    try:
        get_client(config).edit_message_reply_markup(chat_id, message_id, _markup(buttons))
    except MessageNotModified:
        return True
    except TelegramError as exc:
        log.info("could not change the buttons of %s/%s: %s", chat_id, message_id, exc)
        return False
    return True


def answer_callback(callback_query_id: str, text: str | None = None, alert: bool = False) -> None:
    """Stop a button's spinner. Never raises: an unanswered spinner is not worth a failed job."""
    config = bot_settings()
    if not config.configured:
        return
    try:
        get_client(config).answer_callback_query(callback_query_id, text, show_alert=alert)
    except TelegramError as exc:
        log.info("answerCallbackQuery failed: %s", exc)


def send_chat_action(chat_id: int, action: str = "typing") -> None:
    config = bot_settings()
    if not config.configured:
        return
    try:
        get_client(config).send_chat_action(chat_id, action)
    except TelegramError:
        pass  # only a hint to the person that we are working


def send_document(
    user_or_chat_id: Recipient,
    content: bytes,
    filename: str,
    caption: str | None = None,
    mime_type: str = "application/octet-stream",
) -> int | None:
    """Upload a file (e.g. the daily report PDF). Same rules as `send_text`."""
    person, chat_id = _resolve(user_or_chat_id)
    config = bot_settings()
    if not config.configured:
        text = f"📎 {filename}" + (f"\n{caption}" if caption else "")
        _outbox(person, chat_id, "sendDocument", text)
        return None
    if chat_id is None:
        return None
    try:
        message = get_client(config).send_document(
            chat_id, content, filename, caption=caption, mime_type=mime_type
        )
    except _RECIPIENT_GONE as exc:
        mark_unreachable(chat_id, exc)
        return None
    return message.message_id


def team_chat_id() -> int | None:
    """Where team notifications and the daily report go (`telegram_team_chat_id`)."""
    return bot_settings().team_chat_id


def outbox_for(user: Any, limit: int = 50) -> list[OutboxMessage]:
    """Recent outbox messages a person may see: their own; Admins see all."""
    qs = OutboxMessage.objects.filter(status=OutboxStatus.QUEUED)
    if not user.is_superuser:
        qs = qs.filter(user=user)
    return list(qs.select_related("user")[:limit])
