"""The LLM parser: prompt in, validated ParseResult out, with the usage the Parser Log needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flrts.nlp.injection import scan as scan_injection
from flrts.nlp.llm.circuit import CircuitBreaker, breaker_for
from flrts.nlp.llm.client import Completion, LLMClient
from flrts.nlp.llm.config import LLMConfig
from flrts.nlp.llm.errors import LLMError
from flrts.nlp.llm.obedience import check_obedience, flag
from flrts.nlp.llm.pricing import estimate_cost
from flrts.nlp.llm.prompt import PROMPT_VERSION, build_messages
from flrts.nlp.llm.schema import InvalidOutput, response_format, to_parse_result
from flrts.nlp.types import ParseContext, ParseResult

# Failures that say something about this message, not about the service: they must not open the
# circuit for everyone else.
_NOT_HEALTH_FAILURES = frozenset({"refusal", "content_filter"})


@dataclass
class LLMUsage:
    """How one model call went: what the Parser Log stores next to the result."""

    model: str
    prompt_version: str = PROMPT_VERSION
    system_prompt: str = ""
    user_message: str = ""
    request_time: dt.datetime | None = None
    response_time: dt.datetime | None = None
    duration_ms: float = 0.0
    finish_reason: str | None = None
    request_id: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float = 0.0
    cost_note: str | None = None
    response_model: str | None = None  # what the server says answered (often a dated snapshot)
    raw_output: str | None = field(default=None, repr=False)


@dataclass
class LLMParse:
    result: ParseResult
    usage: LLMUsage


class LLMParser:
    """`parse()` satisfies the Parser protocol; `parse_detailed()` also returns the usage."""

    def __init__(
        self,
        config: LLMConfig,
        *,
        breaker: CircuitBreaker | None = None,
        client: LLMClient | None = None,
    ) -> None:
        self.config = config
        self.name = f"llm:{config.model}"
        self.breaker = breaker or breaker_for(
            config.base_url, config.model, config.circuit_failures, config.circuit_seconds
        )
        self._client = client or LLMClient(config)

    def __repr__(self) -> str:
        return f"LLMParser({self.config!r})"

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def parse(self, text: str, sender: str, now: dt.datetime, context: ParseContext) -> ParseResult:
        return self.parse_detailed(text, sender, now, context).result

    def parse_detailed(
        self, text: str, sender: str, now: dt.datetime, context: ParseContext
    ) -> LLMParse:
        """Parse `text` (already checked and masked). Raises LLMError; never returns a guess."""
        if not self.breaker.allow():
            raise LLMError(
                "circuit_open",
                f"The LLM is paused after repeated failures; next try in "
                f"{self.breaker.retry_in():.0f} s.",
            )
        messages = build_messages(text, sender, now, context)
        usage = LLMUsage(
            model=self.config.model,
            system_prompt=messages[0]["content"],
            user_message=messages[1]["content"],
            request_time=dt.datetime.now(dt.UTC),
        )
        healthy: bool | None = None  # None: the call said nothing about the service's health
        try:
            try:
                completion = self._client.complete(messages, response_format())
            except LLMError as exc:
                usage.response_time = dt.datetime.now(dt.UTC)
                exc.usage = usage
                healthy = False
                raise
            self._record(usage, completion)
            try:
                result = self._check(completion, text, sender, context)
            except LLMError as exc:
                exc.usage = usage
                healthy = None if exc.kind in _NOT_HEALTH_FAILURES else False
                raise
            healthy = True
            return LLMParse(result=result, usage=usage)
        finally:
            if healthy is True:
                self.breaker.record_success()
            elif healthy is False:
                self.breaker.record_failure()
            else:
                self.breaker.release()

    def transcribe(self, audio: bytes, filename: str = "voice.ogg", mime: str = "audio/ogg") -> str:
        """Voice note to text through the same client (and its error mapping)."""
        return self._client.transcribe(audio, filename, mime)

    def _record(self, usage: LLMUsage, completion: Completion) -> None:
        usage.response_time = dt.datetime.now(dt.UTC)
        usage.duration_ms = completion.duration_ms
        usage.finish_reason = completion.finish_reason
        usage.request_id = completion.request_id
        usage.response_model = completion.model
        usage.prompt_tokens = completion.prompt_tokens
        usage.completion_tokens = completion.completion_tokens
        usage.total_tokens = completion.total_tokens or (
            completion.prompt_tokens + completion.completion_tokens
        )
        usage.cached_tokens = completion.cached_tokens
        usage.raw_output = completion.content
        cost = estimate_cost(
            self.config.prices,
            completion.prompt_tokens,
            completion.completion_tokens,
            self.config.model,
            completion.model,
            cached_tokens=completion.cached_tokens,
        )
        usage.cost_usd, usage.cost_note = cost.usd, cost.note

    def _check(
        self, completion: Completion, text: str, sender: str, context: ParseContext
    ) -> ParseResult:
        if completion.refusal:
            raise LLMError("refusal", f"The model refused: {completion.refusal[:300]}")
        if completion.finish_reason == "length":
            raise LLMError("length", "The model's answer was cut off (finish_reason=length).")
        if completion.finish_reason == "content_filter":
            raise LLMError("content_filter", "The model's answer was blocked by a content filter.")
        injected = scan_injection(text)
        try:
            result = to_parse_result(
                completion.content, sender=sender, context=context, parser_name=self.name
            )
            if injected.found:
                check_obedience(result, text, injected, sender, context)
        except InvalidOutput as exc:
            raise LLMError("invalid_output", f"Invalid model output: {exc}")
        return flag(result) if injected.found else result


def transcribe(
    audio_bytes: bytes,
    filename: str,
    mime: str,
    config: LLMConfig,
    *,
    breaker: CircuitBreaker | None = None,
) -> str:
    """Transcribe a voice note. Raises LLMError (kind "not_configured" when no key is set).

    Has its own breaker (keyed by the transcription model) so a server without speech support
    doesn't pause text parsing.
    """
    if not config.configured:
        raise LLMError("not_configured", "No OpenAI API key is configured (openai_api_key).")
    breaker = breaker or breaker_for(
        config.base_url,
        config.transcription_model,
        config.circuit_failures,
        config.circuit_seconds,
    )
    if not breaker.allow():
        raise LLMError("circuit_open", "Transcription is paused after repeated failures.")
    client = LLMClient(config)
    try:
        text = client.transcribe(audio_bytes, filename, mime)
    except LLMError:
        breaker.record_failure()
        raise
    except BaseException:
        breaker.release()
        raise
    finally:
        client.close()
    breaker.record_success()
    return text
