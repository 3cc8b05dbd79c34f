"""Asking the parser (with the person's context, and the pending draft when correcting) and
logging each parse; the questions asked when the parser is unsure."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from flrts.capture.replies import Reply
from flrts.capture.session import Conversation
from flrts.nlp.context import build_context, llm_config_from_site
from flrts.nlp.models import ParserLog
from flrts.nlp.service import parse_message
from flrts.nlp.types import ParseRefused, ParseResult

# Below this the parser is guessing: ask instead of proposing.
MIN_CONFIDENCE = 0.5


def parse(conv: Conversation, text: str, pending: ParseResult | None = None) -> Any:

    context = build_context(conv.user)
    if pending is not None:
        context = context.model_copy(update={"pending": pending})
    return parse_message(
        text, conv.user.name, timezone.now(), context, llm_config=llm_config_from_site()
    )


def log_parse(conv: Conversation, outcome: Any, original: Any = None, feedback: str | None = None):

    return ParserLog.record(
        outcome,
        user=conv.user,
        channel=conv.channel,
        telegram_message_id=conv.message_id,
        telegram_chat_id=conv.telegram_chat_id,
        original_log=original,
        feedback=feedback,
    )


def refused(exc: ParseRefused) -> list[Reply]:
    if exc.reason == "too_long":
        return [Reply(f"✋ {exc}", kind="error")]
    return [Reply(f"🤔 {exc}", kind="error")]


def needs_question(result: ParseResult) -> bool:
    return bool(result.clarify) or result.confidence < MIN_CONFIDENCE


def question(result: ParseResult) -> str:
    if result.clarify:
        return f"❓ {result.clarify}"
    return (
        "❓ I'm not sure what you want to capture. Try something like “Colin, check the "
        "compressor at Big Sky tomorrow afternoon”, or send /help."
    )
