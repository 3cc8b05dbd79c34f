"""Processing one stored update: who sent it, what they may do, and the answer.

The same path serves the webhook (through the queue) and `flrts telegram poll`. The update row
is claimed with a conditional UPDATE (received → processing), so a job run twice answers once.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from django.db.models import F
from django.utils import timezone

from flrts.bot import linking, media
from flrts.capture import dispatch, transcript
from flrts.capture.conversation import Conversation
from flrts.capture.drafts import remember_card
from flrts.capture.replies import Reply
from flrts.core.models import ErrorLog
from flrts.nlp.context import llm_config_from_site
from flrts.nlp.guard import mask_secrets
from flrts.people.models import User
from flrts.telegram import outbound
from flrts.telegram.models import TelegramUpdate, UpdateStatus
from flrts.telegram.types import CallbackQuery, Message, UpdateParseError, parse_update

log = logging.getLogger("flrts.telegram")


def process_stored_update(update_pk: int) -> str:
    """Process a stored update once; returns its final status."""
    claimed = TelegramUpdate.objects.filter(pk=update_pk, status=UpdateStatus.RECEIVED).update(
        status=UpdateStatus.PROCESSING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    return process_claimed(TelegramUpdate.objects.get(pk=update_pk))


def process_claimed(row: TelegramUpdate) -> str:
    """Process a row this worker has claimed (status `processing`); returns its final status."""
    started = timezone.now()
    status: str = UpdateStatus.DONE
    error = ""
    try:
        status = handle_update(row.payload)
    except Exception as exc:
        status, error = UpdateStatus.FAILED, _describe(exc)
        _error_log(row, exc)
        _apologise(row)
    # started_at was the claim time (what reclaiming is measured from); keep the real start.
    TelegramUpdate.objects.filter(pk=row.pk).update(
        status=status, error=error, started_at=started, finished_at=timezone.now()
    )
    return str(status)


def _describe(exc: BaseException) -> str:
    # Masked: an exception message can carry user text, and user text can carry a secret.
    return mask_secrets(f"{type(exc).__name__}: {exc}")[:2000]


def _error_log(row: TelegramUpdate, exc: BaseException) -> None:
    log.exception("processing Telegram update %s failed", row.update_id)
    try:
        ErrorLog.objects.create(
            method="flrts.bot.processing",
            error=mask_secrets("".join(traceback.format_exception(exc)))[:20000],
            context={"update_id": row.update_id, "kind": row.kind},
        )
    except Exception:
        log.exception("could not write the Error Log")


def _apologise(row: TelegramUpdate) -> None:
    if row.chat_id is None:
        return
    try:
        outbound.send_text(
            row.chat_id, "⚠️ Sorry, something went wrong on my side. Nothing was saved; try again."
        )
    except Exception:
        log.warning("could not send the apology for update %s", row.update_id)


def handle_update(payload: dict[str, Any]) -> str:
    try:
        update = parse_update(payload)
    except UpdateParseError:
        return UpdateStatus.IGNORED
    if update.callback_query is not None:
        handle_callback(update.callback_query)
        return UpdateStatus.DONE
    if update.my_chat_member is not None:
        member = update.my_chat_member
        if member.chat.is_private:
            _record_block(member.from_.id, member.new_chat_member.status)
        return UpdateStatus.DONE
    if update.message is not None:
        return handle_message(update.message)
    return UpdateStatus.IGNORED


# -- people ---------------------------------------------------------------------------------------


def person_for(telegram_user_id: int) -> Any:
    return User.objects.filter(telegram_user_id=telegram_user_id).first()


def _record_block(telegram_user_id: int, status: str) -> None:
    reason = "blocked: the person blocked the bot" if status == "kicked" else ""
    User.objects.filter(telegram_user_id=telegram_user_id).update(telegram_blocked=reason)


def _touch(user: Any, message: Message) -> None:
    """Remember the private chat and username; writing to us again lifts a block."""
    sender = message.from_
    changes: dict[str, Any] = {}
    if message.chat.is_private and user.telegram_chat_id != message.chat.id:
        changes["telegram_chat_id"] = message.chat.id
    if sender is not None and sender.username and sender.username != user.telegram_username:
        changes["telegram_username"] = sender.username[:64]
    if user.telegram_blocked:
        changes["telegram_blocked"] = ""
    if changes:
        type(user).objects.filter(pk=user.pk).update(**changes)
        for key, value in changes.items():
            setattr(user, key, value)


def unknown_sender_text(first_name: str, telegram_user_id: int) -> str:
    return (
        f"👋 Hello {first_name}! I don't know you yet, so I can't save anything for you.\n\n"
        f"Your Telegram user id is {telegram_user_id}.\n\n"
        "To link this account: open your profile in the FLRTS desk, choose “Link Telegram”, "
        "and send me the code it shows (/link CODE).\n\n"
        f"Or ask an FLRTS admin to run: flrts set-telegram YOUR-EMAIL {telegram_user_id}"
    )


DISABLED_TEXT = (
    "⛔ Your FLRTS account is disabled, so I can't take requests from you. "
    "Ask an admin if this is a mistake."
)


# -- messages -----------------------------------------------------------------------------------


def send_replies(chat_id: int, replies: list[Reply], reply_to: int | None = None) -> None:
    for index, reply in enumerate(replies):
        message_id = outbound.send_text(
            chat_id, reply.text, reply.buttons or None, reply_to=reply_to if index == 0 else None
        )
        if reply.proposal_id:
            remember_card(reply.proposal_id, message_id)
        transcript.sent_as(reply.line_id, message_id)


def _parser_is_slow() -> bool:
    """The LLM takes seconds; the offline parser answers before a "typing…" hint would show, so
    that Bot API round trip is skipped."""
    try:
        return llm_config_from_site().configured
    except Exception:  # a bad key is reported by the parser itself
        return False


_slash_command = dispatch.command_of  # a command typed without Telegram's entity


def _link_code(command: tuple[str, str] | None, text: str | None, user: Any) -> str | None:
    """The link code in `/link CODE`, `/start CODE`, or a not-yet-linked sender's first words."""
    if command is not None:
        return command[1] if command[0] in linking.LINK_COMMANDS and command[1] else None
    if user is None and linking.looks_like_code(text):
        return str(text)
    return None


def handle_message(message: Message) -> str:
    sender = message.from_
    if sender is None or sender.is_bot:
        return UpdateStatus.IGNORED
    chat_id = message.chat.id
    command = message.command or _slash_command(message.text)
    user = person_for(sender.id)
    code = _link_code(command, message.text, user)
    if code is not None:
        send_replies(chat_id, linking.link_account(sender, message, code, user))
        return UpdateStatus.DONE
    if user is None:
        send_replies(chat_id, [Reply(unknown_sender_text(sender.first_name, sender.id))])
        return UpdateStatus.DONE
    if not user.is_active:
        send_replies(chat_id, [Reply(DISABLED_TEXT)])
        return UpdateStatus.DONE
    _touch(user, message)
    reply_to_id = message.reply_to_message.message_id if message.reply_to_message else None
    conv = Conversation(
        user,
        channel="telegram",
        chat_id=str(chat_id),
        telegram_chat_id=chat_id,
        message_id=message.message_id,
        reply_to_message_id=reply_to_id,
    )
    if command is not None:
        replies = dispatch.message(conv, message.text or command[0], command=command)
    elif message.voice is not None or message.audio is not None:
        from flrts.bot.voice import handle_voice  # here: only voice notes need the LLM client

        replies = handle_voice(conv, message)
    elif media.has_media(message):
        # Kept in the stored conversation like typed text, so "yes" binds to the card it shows.
        replies = dispatch.record(conv, media.said(message), media.handle_media(conv, message))
    elif media.has_place(message):
        replies = dispatch.record(conv, media.said(message), media.handle_place(conv, message))
    elif message.text is not None:
        if _parser_is_slow():
            outbound.send_chat_action(chat_id)  # "typing…" while the LLM thinks
        replies = dispatch.message(conv, message.text)
    else:
        replies = [
            Reply(
                "I read text, voice notes, photos, documents and locations. Tell me what to "
                "capture, or send /help."
            )
        ]
    send_replies(chat_id, replies, reply_to=message.message_id)
    return UpdateStatus.DONE


# -- button presses ---------------------------------------------------------------------


def handle_callback(query: CallbackQuery) -> None:
    """Every press is answered (answerCallbackQuery), whatever happens, so no spinner hangs."""
    answered = False
    try:
        user = person_for(query.from_.id)
        if user is None or not user.is_active:
            outbound.answer_callback(
                query.id,
                "You are not linked to FLRTS (send /start)."
                if user is None
                else "Your FLRTS account is disabled.",
                alert=True,
            )
            answered = True
            return
        message = query.message
        chat_id = (
            message.chat.id
            if message is not None
            else (user.telegram_chat_id or user.telegram_user_id)
        )
        conv = Conversation(
            user, channel="telegram", chat_id=str(chat_id), telegram_chat_id=chat_id
        )
        key = message.message_id if message is not None else None
        result, remaining = dispatch.press(conv, query.data or "", key)
        outbound.answer_callback(query.id, result.toast, alert=result.show_alert)
        answered = True
        if result.close_card and message is not None:
            if remaining:  # other tasks' rows of a list answer stay
                outbound.set_buttons(message.chat.id, message.message_id, remaining)
            else:
                outbound.remove_buttons(message.chat.id, message.message_id)
        if result.replies:
            send_replies(chat_id, result.replies)
    finally:
        if not answered:
            outbound.answer_callback(query.id, "Something went wrong; try again.")
