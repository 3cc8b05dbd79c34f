"""Who is talking to the capture flow, and where: a Telegram chat, the desk's chat page, the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flrts.capture.records import Origin


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
