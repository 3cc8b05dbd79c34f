"""Linking a Telegram account to a person, proven with a one-time code.

The person makes the code on their desk profile ("Link Telegram"), or an Admin makes it for
them; they send it to the bot as `/link CODE`, `/start CODE`, or (not yet linked) the code
alone. Holding the code proves the desk side; sending it proves the Telegram side. Nobody else
can set a person's Telegram ids except an Admin (desk, `flrts set-telegram`).

Guessing is bounded twice: a code is 8 characters of a 32-letter alphabet (10^12 values) that
lives 10 minutes, and one Telegram account may send at most LINK_FAILURES_PER_WINDOW wrong codes
in that time.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from flrts.capture.commands import welcome
from flrts.capture.conversation import Conversation
from flrts.capture.replies import Reply
from flrts.people.models import (
    LINK_CODE_ALPHABET,
    LINK_CODE_LENGTH,
    LINK_CODE_MINUTES,
    TelegramLinkCode,
    TelegramLinkFailure,
    User,
)

LINK_COMMANDS = frozenset({"/link", "/start"})
_HALF = LINK_CODE_LENGTH // 2
# The code alone, as the desk shows it, in any case, with an optional dash or space in the middle.
_CODE_SHAPE = re.compile(
    rf"(?i)^[{LINK_CODE_ALPHABET}]{{{_HALF}}}[- ]?[{LINK_CODE_ALPHABET}]{{{_HALF}}}$"
)


def looks_like_code(text: str | None) -> bool:
    stripped = (text or "").strip()
    return len(stripped) <= LINK_CODE_LENGTH + 1 and bool(_CODE_SHAPE.match(stripped))


def _refused(sender_id: int, text: str) -> list[Reply]:
    TelegramLinkFailure.objects.create(telegram_user_id=sender_id)
    return [Reply(f"{text}\n(Your Telegram user id is {sender_id}.)")]


def link_account(sender: Any, message: Any, code_text: str, current: Any) -> list[Reply]:
    """Link the sender's Telegram account to the person the code was made for."""
    if TelegramLinkFailure.too_many(sender.id):
        return [
            Reply(
                f"⛔ Too many wrong link codes. Wait {LINK_CODE_MINUTES} minutes, then send a "
                "fresh code from your desk profile (Link Telegram)."
            )
        ]
    code = TelegramLinkCode.find(code_text[:64])
    if code is None or not code.usable:
        return _refused(
            sender.id,
            "❌ That link code is not valid or has expired. Make a new one on your desk profile "
            "(Link Telegram), or ask an admin.",
        )
    person = code.user
    if current is not None and current.pk != person.pk:
        return _refused(sender.id, f"❌ This Telegram account is already linked to {current}.")
    if not person.is_active:
        return [Reply("⛔ That FLRTS account is disabled. Ask an admin.")]
    with transaction.atomic():
        # One use only, even if two messages with the code race.
        used = TelegramLinkCode.objects.filter(pk=code.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not used:
            return _refused(sender.id, "❌ That link code was already used. Make a new one.")
        person = User.objects.select_for_update().get(pk=person.pk)
        # A Telegram account belongs to one person: an earlier holder of this id loses it.
        User.objects.filter(telegram_user_id=sender.id).exclude(pk=person.pk).update(
            telegram_user_id=None, telegram_chat_id=None
        )
        person.telegram_user_id = sender.id
        person.telegram_chat_id = message.chat.id if message.chat.is_private else None
        person.telegram_username = (sender.username or "")[:64]
        person.telegram_blocked = ""
        person.save()
    conv = Conversation(person, channel="telegram", chat_id=str(message.chat.id))
    replies = welcome(conv)
    replies[0].text = "✅ " + replies[0].text
    return replies
