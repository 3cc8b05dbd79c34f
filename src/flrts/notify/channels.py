"""The two channels. Each returns what it did; Telegram transient failures raise (so the job
retries), a person who blocked the bot is skipped by the outbound seam.

`send_mail_message` is the one SMTP path of the product: people's notifications, Admin alerts
and the daily report's PDF all go through it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage

from flrts.telegram.outbound import send_text


@dataclass(frozen=True)
class Message:
    text: str
    subject: str = ""
    buttons: Any = None  # rows of (text, callback_data), as flrts.telegram.outbound takes
    reply_to: int | None = None  # Telegram message id to reply to, in the person's chat
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "subject": self.subject,
            "buttons": [list(map(list, row)) for row in self.buttons] if self.buttons else None,
            "reply_to": self.reply_to,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Message:
        buttons = data.get("buttons")
        return cls(
            text=data["text"],
            subject=data.get("subject", ""),
            buttons=[[tuple(b) for b in row] for row in buttons] if buttons else None,
            reply_to=data.get("reply_to"),
        )


def telegram_ok(user: Any) -> bool:
    return bool((user.telegram_chat_id or user.telegram_user_id) and not user.telegram_blocked)


def email_ok(user: Any) -> bool:
    return bool(user.email)


def channels_for(user: Any) -> list[str]:
    """The person's chosen channels that can reach them; if none of the chosen can, the other."""
    chosen = []
    if user.notify_telegram and telegram_ok(user):
        chosen.append("telegram")
    if user.notify_email and email_ok(user):
        chosen.append("email")
    if chosen or not (user.notify_telegram or user.notify_email):
        return chosen
    # They want to be told but their channel cannot reach them (no chat linked, blocked).
    if telegram_ok(user):
        return ["telegram"]
    return ["email"] if email_ok(user) else []


def send_telegram(user: Any, message: Message) -> int | None:
    return send_text(user, message.text, buttons=message.buttons, reply_to=message.reply_to)


def send_email(user: Any, message: Message) -> None:
    subject = message.subject or message.text.splitlines()[0][:120]
    send_mail_message(subject, message.text, [user.email])


def send_mail_message(
    subject: str,
    body: str,
    to: list[str],
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> None:
    """One email from DEFAULT_FROM_EMAIL; `attachments` are (file name, content, MIME type)."""
    mail = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to)
    for name, content, mime_type in attachments or []:
        mail.attach(name, content, mime_type)
    mail.send()
