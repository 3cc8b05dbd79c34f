"""Messages that are not one person's notification: the team chat and system alerts.

`notify()` (service.py) is for a person's events, with preferences, quiet hours and told-once.
What goes out here is for the team or the Admins and must leave now: the daily report's PDF in
the team chat, and monitor alerts (Telegram to each Admin who can get it, mail to each address).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from flrts.notify.channels import send_mail_message, telegram_ok
from flrts.telegram.outbound import send_document, send_text, team_chat_id

logger = logging.getLogger("flrts.notify")

__all__ = ["alert", "send_team_document", "team_chat_id"]


def send_team_document(
    chat_id: int, content: bytes, filename: str, *, caption: str, mime_type: str
) -> int | None:
    """A file in the team chat; the message id, or None when it went to the outbox."""
    return send_document(chat_id, content, filename, caption=caption, mime_type=mime_type)


def alert(people: Iterable[Any], emails: Iterable[str], subject: str, body: str, what: str) -> None:
    """Tell every one of `people` (Telegram) and `emails` (mail) now. One unreachable channel
    must not stop the others, so each failure is logged (`what` names the alert) and skipped."""
    for person in people:
        if not telegram_ok(person):
            continue
        try:
            send_text(person, body)
        except Exception:
            logger.exception("%s: Telegram to %s failed", what, person.pk)
    for address in emails:
        try:
            send_mail_message(subject, body, [address])
        except Exception:
            logger.exception("%s: email failed", what)
