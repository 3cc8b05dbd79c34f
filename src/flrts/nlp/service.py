"""The one entry point the rest of FLRTS calls to parse a message.

`parse_message` checks and masks the input, picks a parser (the LLM when configured, else the
offline parser) and falls back to the offline parser when the LLM fails. It does not touch the
database; the caller (capture, CLI) writes the Parser Log from the returned `ParseOutcome`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from flrts.nlp.guard import check_input, mask_secrets
from flrts.nlp.types import ParseContext, Parser, ParseResult

if TYPE_CHECKING:
    from flrts.nlp.llm import LLMConfig, LLMError, LLMParser, LLMUsage

ParserChoice = Literal["auto", "offline", "llm"]

log = logging.getLogger("flrts.nlp")


@dataclass
class ParseOutcome:
    """A result plus what the Parser Log needs to know about how it was reached.

    `parser` is who answered ("llm:<model>" or "offline"). When the LLM was tried, `model`,
    `prompt_version`, the prompts, tokens and cost describe that call even if it failed and the
    offline parser answered; `error_type`/`error_message`/`error_code` then say why.
    """

    result: ParseResult
    masked_text: str
    parser: str
    duration_ms: float  # the whole parse, including a failed LLM attempt
    model: str | None = None
    prompt_version: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    finish_reason: str | None = None
    request_id: str | None = None
    error_type: str | None = None  # set when the LLM failed and the offline parser answered
    error_message: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
    # Added for the Parser Log (all optional):
    total_tokens: int = 0
    error_code: str | None = None  # HTTP status or API code ("429", "insufficient_quota")
    system_prompt: str | None = None
    user_message: str | None = None
    request_time: dt.datetime | None = None  # UTC
    response_time: dt.datetime | None = None  # UTC
    llm_duration_ms: float | None = None  # the model call alone, retries included


def parse_message(
    text: str,
    sender: str,
    now: dt.datetime,
    context: ParseContext,
    parser: ParserChoice = "auto",
    llm_config: LLMConfig | None = None,
    *,
    offline_parser: Parser | None = None,
) -> ParseOutcome:
    """Parse one message. Raises ParseRefused for empty or over-long input (no parser runs).

    parser="offline" never calls a model. "auto" and "llm" call the LLM when `llm_config` has a
    key, and fall back to the offline parser on any LLMError (including an open circuit); "llm"
    without a key records error_type "not_configured" and answers offline.
    """
    clean = mask_secrets(check_input(text, context.defaults.max_length))
    started = time.perf_counter()
    request_time = dt.datetime.now(dt.UTC)
    failure: LLMError | None = None
    usage: LLMUsage | None = None

    if parser != "offline":
        from flrts.nlp.llm import LLMError

        if llm_config is not None and llm_config.configured:
            try:
                parsed = _llm_parser(llm_config).parse_detailed(clean, sender, now, context)
            except LLMError as exc:
                failure, usage = exc, exc.usage
                log.warning("LLM parse failed, answering offline: %s (%s)", exc.kind, exc.message)
            else:
                outcome = ParseOutcome(
                    result=parsed.result,
                    masked_text=clean,
                    parser=parsed.result.parser,
                    duration_ms=(time.perf_counter() - started) * 1000,
                )
                _fill_usage(outcome, parsed.usage)
                return outcome
        elif parser == "llm":
            failure = LLMError("not_configured", "No OpenAI API key is configured.")

    offline = offline_parser or _offline_parser()
    result = offline.parse(clean, sender, now, context)
    if result.parser != "offline":  # the result names who answered, like outcome.parser
        result = result.model_copy(update={"parser": "offline"})
    outcome = ParseOutcome(
        result=result,
        masked_text=clean,
        parser="offline",
        duration_ms=(time.perf_counter() - started) * 1000,
        request_time=request_time,
        response_time=dt.datetime.now(dt.UTC),
    )
    if usage is not None:
        _fill_usage(outcome, usage)
        outcome.response_time = dt.datetime.now(dt.UTC)
    if failure is not None:
        outcome.error_type = failure.kind
        outcome.error_message = failure.message
        outcome.error_code = failure.code or (
            str(failure.status_code) if failure.status_code else None
        )
        outcome.extra["error_transient"] = failure.transient
    return outcome


def _fill_usage(outcome: ParseOutcome, usage: LLMUsage) -> None:
    outcome.model = usage.model
    outcome.prompt_version = usage.prompt_version
    outcome.prompt_tokens = usage.prompt_tokens
    outcome.completion_tokens = usage.completion_tokens
    outcome.total_tokens = usage.total_tokens
    outcome.cost_usd = usage.cost_usd
    outcome.finish_reason = usage.finish_reason
    outcome.request_id = usage.request_id
    outcome.system_prompt = usage.system_prompt
    outcome.user_message = usage.user_message
    outcome.request_time = usage.request_time
    outcome.response_time = usage.response_time
    outcome.llm_duration_ms = usage.duration_ms
    outcome.extra.update(
        {
            "response_model": usage.response_model,
            "cached_tokens": usage.cached_tokens,
            "cost_note": usage.cost_note,
        }
    )


# --- parser instances ---------------------------------------------------------------------------

_cache_lock = threading.Lock()
_llm_parsers: dict[object, LLMParser] = {}


def _llm_parser(config: LLMConfig) -> LLMParser:
    """One parser (and so one HTTP connection pool) per distinct configuration."""
    from flrts.nlp.llm import LLMParser

    prices = tuple(sorted((m, tuple(sorted(p.items()))) for m, p in config.prices.items()))
    key = (config, prices)
    with _cache_lock:
        found = _llm_parsers.get(key)
        if found is None:
            if len(_llm_parsers) >= 8:  # settings changed many times: drop the stale clients
                for stale in _llm_parsers.values():
                    stale.close()
                _llm_parsers.clear()
            found = _llm_parsers[key] = LLMParser(config)
        return found


def _offline_parser() -> Parser:
    from flrts.nlp.offline import OfflineParser

    return OfflineParser()


def reset_parsers() -> None:
    """Forget cached parser instances (tests; after the LLM settings change)."""
    with _cache_lock:
        for cached in _llm_parsers.values():
            cached.close()
        _llm_parsers.clear()
