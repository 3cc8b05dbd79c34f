"""The Parser Log: one row per parse, with how it was reached, what it cost and how it ended.

Fields follow the original "FLRTS Parser Log" (message ids, masked text, model, prompt version,
timings, parsed output, tokens, cost, errors, correction chain, outcome, created record) plus
which parser answered. Capture code writes rows with `ParserLog.record(outcome, ...)` and closes
them with `log.mark_outcome("Accepted" | "Rejected", ...)`.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from flrts.core.doctypes import get_doctype
from flrts.core.models import Document, PermKind
from flrts.nlp.guard import mask_secrets
from flrts.nlp.types import Intent

if TYPE_CHECKING:
    from flrts.nlp.service import ParseOutcome

COST_PLACES = Decimal("0.000001")


class Channel(models.TextChoices):
    TELEGRAM = "telegram", "Telegram"
    DESK = "desk", "Desk"
    API = "api", "API"
    CLI = "cli", "CLI"


class UserAccepted(models.TextChoices):
    PENDING = "Pending"
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"


INTENT_CHOICES = [(intent.value, intent.value) for intent in Intent]


def _clip(value: object, length: int) -> str:
    """Text for a bounded column: PostgreSQL and MariaDB refuse over-long values outright."""
    text = "" if value is None else str(value)
    return text if len(text) <= length else text[: length - 1] + "…"


def _cost(value: float | Decimal | None) -> Decimal:
    try:
        return Decimal(str(value or 0)).quantize(COST_PLACES, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return Decimal(0)


def _json_safe(values: dict[str, object]) -> dict[str, object]:
    """Only plain values go into `details`; anything else is stored as its text."""
    plain = (str, int, float, bool, type(None))
    return {str(k): v if isinstance(v, plain) else str(v) for k, v in values.items()}


class ParserLog(Document):
    doctype = "Parser Log"
    naming_series = "FLRTS-LOG-.YYYY.-.#####"
    title_field = "intent"
    # Supervisors read every log, Admins act; a Worker or Viewer reads the logs of their own
    # messages through `perm_scope` (see flrts.core.permissions, SYSTEM kind).
    perm_kind = PermKind.SYSTEM

    # -- request -----------------------------------------------------------------------------
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.TELEGRAM)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parser_logs",
        help_text="Who sent the message",
    )
    telegram_message_id = models.BigIntegerField(null=True, blank=True)
    telegram_user_id = models.BigIntegerField(null=True, blank=True)
    telegram_chat_id = models.BigIntegerField(null=True, blank=True)
    original_message = models.TextField(help_text="The message, with secrets masked")
    user_timezone = models.CharField(max_length=64, blank=True)
    parser = models.CharField(
        max_length=120, default="offline", help_text='Who answered: "offline" or "llm:<model>"'
    )
    model_name = models.CharField(
        max_length=100, blank=True, help_text="The model called, even when it failed"
    )
    prompt_version = models.CharField(max_length=50, blank=True)
    system_prompt = models.TextField(blank=True)
    user_message = models.TextField(blank=True, help_text="The user prompt sent to the model")
    openai_request_id = models.CharField(max_length=255, blank=True)
    request_timestamp = models.DateTimeField(default=timezone.now)

    # -- response ----------------------------------------------------------------------------
    response_timestamp = models.DateTimeField(null=True, blank=True)
    response_duration_ms = models.IntegerField(
        null=True, blank=True, help_text="The whole parse, a failed model call included"
    )
    llm_duration_ms = models.IntegerField(
        null=True, blank=True, help_text="The model call alone, retries included"
    )
    finish_reason = models.CharField(max_length=50, blank=True)
    parsed_output = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    intent = models.CharField(max_length=40, choices=INTENT_CHOICES, blank=True)
    model_rationale = models.TextField(blank=True)
    confidence_score = models.FloatField(null=True, blank=True)

    # -- usage -------------------------------------------------------------------------------
    prompt_tokens = models.IntegerField(default=0)
    completion_tokens = models.IntegerField(default=0)
    total_tokens = models.IntegerField(default=0)
    estimated_cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal(0))
    details = models.JSONField(
        default=dict, blank=True, help_text="Extras: response model, cached tokens, cost note"
    )

    # -- errors ------------------------------------------------------------------------------
    error_occurred = models.BooleanField(default=False)
    error_type = models.CharField(max_length=100, blank=True)
    error_message = models.TextField(blank=True)
    error_code = models.CharField(max_length=50, blank=True)

    # -- corrections -------------------------------------------------------------------------
    is_correction = models.BooleanField(default=False)
    # The attempt this one corrects (a chain: attempt 3 points at attempt 2). SET_NULL so an
    # Admin can purge old logs; a correction whose original is gone stays readable.
    original_log = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections"
    )
    correction_user_feedback = models.TextField(blank=True)
    correction_attempt_number = models.PositiveSmallIntegerField(default=1)

    # -- outcome -----------------------------------------------------------------------------
    user_accepted = models.CharField(
        max_length=10, choices=UserAccepted.choices, default=UserAccepted.PENDING
    )
    user_response_timestamp = models.DateTimeField(null=True, blank=True)
    user_feedback = models.TextField(blank=True)
    created_doctype = models.CharField(max_length=140, blank=True)
    created_name = models.CharField(max_length=140, blank=True)

    class Meta:
        ordering = ["-request_timestamp", "-id"]
        verbose_name = "parser log"
        indexes = [
            # Reports read by day, by outcome over a period, by model and prompt version, and
            # a Worker's own logs; the capture flow finds a log by its Telegram message.
            models.Index(fields=["request_timestamp"], name="parserlog_time"),
            models.Index(fields=["user_accepted", "request_timestamp"], name="parserlog_outcome"),
            models.Index(fields=["model_name", "prompt_version"], name="parserlog_model"),
            models.Index(fields=["user", "request_timestamp"], name="parserlog_user"),
            models.Index(
                fields=["telegram_chat_id", "telegram_message_id"], name="parserlog_message"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.intent or 'parse'} ({self.parser})"

    # -- rules -------------------------------------------------------------------------------
    def validate(self) -> None:
        errors: dict[str, str] = {}
        if self.confidence_score is not None and not (
            math.isfinite(self.confidence_score) and 0.0 <= self.confidence_score <= 1.0
        ):
            errors["confidence_score"] = "Confidence score must be between 0.0 and 1.0"
        if self.is_correction and self.original_log_id is None and self._needs_original():
            errors["original_log"] = "Correction logs must reference an original log"
        if self.original_log_id is not None and self.pk and self.original_log_id == self.pk:
            errors["original_log"] = "A log cannot correct itself"
        if self.error_occurred and not (self.error_message or "").strip():
            errors["error_message"] = "A log with an error needs an error message"
        for field in ("prompt_tokens", "completion_tokens", "total_tokens"):
            value = getattr(self, field)
            if value is None or value < 0:
                errors[field] = "Token counts must be zero or more"
        if self.estimated_cost_usd is not None and self.estimated_cost_usd < 0:
            errors["estimated_cost_usd"] = "The estimated cost cannot be negative"
        if self.correction_attempt_number is None or self.correction_attempt_number < 1:
            errors["correction_attempt_number"] = "Attempt numbers start at 1"
        for field, choices in (("channel", Channel), ("user_accepted", UserAccepted)):
            if getattr(self, field) not in choices.values:
                errors[field] = f"{getattr(self, field)!r} is not one of {', '.join(choices)}"
        if self.created_name and not self.created_doctype:
            errors["created_doctype"] = "A created record needs its DocType"
        elif self.created_doctype and get_doctype(self.created_doctype) is None:
            errors["created_doctype"] = f"{self.created_doctype!r} is not a DocType"
        if errors:
            raise ValidationError(errors)

        # Defence in depth: whatever a caller passed, no pasted secret is stored.
        for field in (
            "original_message",
            "user_message",
            "correction_user_feedback",
            "user_feedback",
            "error_message",
        ):
            setattr(self, field, mask_secrets(getattr(self, field) or ""))
        if not self.total_tokens and (self.prompt_tokens or self.completion_tokens):
            self.total_tokens = self.prompt_tokens + self.completion_tokens
        self.estimated_cost_usd = _cost(self.estimated_cost_usd)
        if self.user_accepted != UserAccepted.PENDING and self.user_response_timestamp is None:
            self.user_response_timestamp = timezone.now()

    def _needs_original(self) -> bool:
        """New corrections need their original. A stored one whose original was purged
        (SET_NULL) may still be saved, so its outcome can be recorded."""
        if self._state.adding or self.pk is None:
            return True
        stored = (
            type(self)
            .objects.filter(pk=self.pk)
            .values_list("is_correction", "original_log_id")
            .first()
        )
        return stored is None or not stored[0] or stored[1] is not None

    @classmethod
    def perm_scope(cls, user: Any) -> models.Q | None:
        return models.Q(user=user)

    def perm_is_editor(self, user: Any) -> bool:
        return False  # logs are written by code; only Admins (who bypass this) change them

    # -- API for capture code --------------------------------------------------------------
    @classmethod
    def record(
        cls,
        outcome: ParseOutcome,
        *,
        user: Any = None,
        channel: str = Channel.TELEGRAM,
        telegram_message_id: int | None = None,
        telegram_chat_id: int | None = None,
        original_log: ParserLog | None = None,
        feedback: str | None = None,
    ) -> ParserLog:
        """Write the log of one parse.

        `original_log` makes this a correction of that log: the attempt number continues the
        chain, `feedback` is stored as the correction feedback, and a still-Pending original is
        marked Rejected with that feedback (the user corrected it, so it was not accepted).
        """
        result = outcome.result
        now = timezone.now()
        response_time = outcome.response_time or now
        request_time = outcome.request_time or (
            response_time - dt.timedelta(milliseconds=max(outcome.duration_ms, 0.0))
        )
        error_type = _clip(outcome.error_type, 100)
        log = cls(
            channel=channel,
            user=user if user is not None and getattr(user, "pk", None) else None,
            telegram_message_id=telegram_message_id,
            telegram_user_id=getattr(user, "telegram_user_id", None),
            telegram_chat_id=telegram_chat_id,
            original_message=outcome.masked_text,
            user_timezone=_clip(getattr(user, "time_zone", ""), 64),
            parser=_clip(outcome.parser or result.parser, 120),
            model_name=_clip(outcome.model, 100),
            prompt_version=_clip(outcome.prompt_version, 50),
            system_prompt=outcome.system_prompt or "",
            user_message=outcome.user_message or "",
            openai_request_id=_clip(outcome.request_id, 255),
            request_timestamp=request_time,
            response_timestamp=response_time,
            response_duration_ms=round(outcome.duration_ms),
            llm_duration_ms=(
                round(outcome.llm_duration_ms) if outcome.llm_duration_ms is not None else None
            ),
            finish_reason=_clip(outcome.finish_reason, 50),
            parsed_output=result.model_dump(mode="json"),
            intent=result.intent.value,
            model_rationale=result.rationale,
            confidence_score=result.confidence,
            prompt_tokens=max(outcome.prompt_tokens, 0),
            completion_tokens=max(outcome.completion_tokens, 0),
            total_tokens=max(outcome.total_tokens, 0),
            estimated_cost_usd=_cost(outcome.cost_usd),
            details=_json_safe(outcome.extra),
            error_occurred=bool(outcome.error_type),
            error_type=error_type,
            error_message=(outcome.error_message or error_type) if outcome.error_type else "",
            error_code=_clip(outcome.error_code, 50),
        )
        if original_log is not None:
            log.is_correction = True
            log.original_log = original_log
            log.correction_attempt_number = (original_log.correction_attempt_number or 1) + 1
            log.correction_user_feedback = feedback or ""
        elif feedback:
            log.user_feedback = feedback
        with transaction.atomic():
            log.save()
            if original_log is not None and original_log.user_accepted == UserAccepted.PENDING:
                original_log.mark_outcome(UserAccepted.REJECTED, feedback=feedback)
        return log

    def mark_outcome(
        self, outcome: str, record: Any = None, feedback: str | None = None
    ) -> ParserLog:
        """Record the user's answer: "Accepted" (with the record made, if any) or "Rejected"."""
        try:
            answer = UserAccepted(str(outcome).strip().capitalize())
        except ValueError:
            raise ValueError(f"outcome must be Accepted or Rejected, got {outcome!r}") from None
        if answer == UserAccepted.PENDING:
            raise ValueError("outcome must be Accepted or Rejected, got 'Pending'")
        self.user_accepted = answer
        self.user_response_timestamp = timezone.now()
        if feedback is not None:
            self.user_feedback = feedback
        if record is not None:
            doctype = getattr(type(record), "doctype", "") or getattr(record, "doctype", "")
            name = getattr(record, "name", "")
            if not doctype or not name:
                raise ValueError("record must be a saved document (with a doctype and a name)")
            self.created_doctype = doctype
            self.created_name = str(name)
        self.save()
        return self
