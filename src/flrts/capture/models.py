"""A proposal: what the parser understood, waiting for the person to confirm, correct or cancel.

A chat may hold several pending proposals (a new request leaves the earlier one waiting); a
typed "yes" is bound to the card the person saw (`flrts.capture.conversation.yes_or_no`), a
button to its own proposal and version. A correction replaces `result` and bumps `version`;
confirming moves the state from pending to confirmed with a conditional UPDATE, so the record is
created exactly once however many times Confirm is pressed or an update is re-delivered.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from flrts.core.models import PermKind
from flrts.nlp.types import ParseResult

DEFAULT_TTL = dt.timedelta(minutes=30)


class ProposalState(models.TextChoices):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"  # the person sent a new request instead of answering


class Proposal(models.Model):
    perm_kind: ClassVar[str] = PermKind.SYSTEM
    doctype: ClassVar[str] = "Capture Proposal"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposals"
    )
    channel = models.CharField(max_length=10)  # telegram | desk | api
    chat_id = models.CharField(max_length=40, help_text="Telegram chat id, or 'desk'")
    state = models.CharField(
        max_length=12, choices=ProposalState.choices, default=ProposalState.PENDING, db_index=True
    )
    version = models.PositiveIntegerField(default=1)
    intent = models.CharField(max_length=40)
    original_text = models.TextField()
    result = models.JSONField(help_text="The current ParseResult")
    guide = models.CharField(
        max_length=20, blank=True, help_text="Step of a guided flow (/report), if any"
    )
    changed = models.JSONField(default=list, blank=True, help_text="Fields changed in this version")
    parser_log = models.ForeignKey(
        "nlp.ParserLog", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_message_id = models.BigIntegerField(null=True, blank=True)
    card_message_id = models.BigIntegerField(null=True, blank=True)
    created_doctype = models.CharField(max_length=60, blank=True)
    created_name = models.CharField(max_length=140, blank=True)
    creation = models.DateTimeField(default=timezone.now, editable=False)
    modified = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-creation", "-id"]
        indexes = [
            models.Index(fields=["user", "channel", "chat_id", "state"], name="proposal_open"),
        ]

    def __str__(self) -> str:
        return f"proposal {self.pk} v{self.version} ({self.intent}, {self.state})"

    @staticmethod
    def ttl() -> dt.timedelta:
        minutes = settings.SITE.get_int("capture_proposal_minutes", 30, minimum=1)
        return dt.timedelta(minutes=minutes)

    @property
    def parse_result(self) -> ParseResult:
        # Through JSON, not a dict: from a dict pydantic reads "2026-10-24" as a datetime, and a
        # date-only due would silently gain a midnight time.
        return ParseResult.model_validate_json(json.dumps(self.result))

    def set_result(self, result: ParseResult) -> None:
        self.result = result.model_dump(mode="json")
        self.intent = result.intent.value

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def visible_to(self, user: Any) -> bool:
        return bool(user and user.pk == self.user_id)


class ChatMessage(models.Model):
    """One line of a capture conversation, as it was shown: what the person sent and what the
    bot answered (text, buttons, the card's proposal). The chat page shows it again after a
    reload; a typed "yes" is bound to the last thing the bot said in it (`flrts.capture.dispatch`).
    On Telegram, `telegram_message_id` maps a reply or a button press back to the card."""

    perm_kind: ClassVar[str] = PermKind.SYSTEM
    doctype: ClassVar[str] = "Capture Chat Message"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages"
    )
    channel = models.CharField(max_length=10)
    chat_id = models.CharField(max_length=40)
    outgoing = models.BooleanField(default=False, help_text="Said by the bot")
    text = models.TextField()
    kind = models.CharField(max_length=12, default="text")
    buttons = models.JSONField(default=list, blank=True)
    link = models.CharField(max_length=300, blank=True)
    proposal_id = models.BigIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    telegram_message_id = models.BigIntegerField(null=True, blank=True)
    creation = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["user", "channel", "chat_id", "id"], name="chat_message_seq"),
            models.Index(fields=["chat_id", "telegram_message_id"], name="chat_message_tg"),
        ]

    def __str__(self) -> str:
        return f"{'bot' if self.outgoing else 'person'}: {self.text[:40]}"

    def visible_to(self, user: Any) -> bool:
        return bool(user and user.pk == self.user_id)
