"""parse_message: LLM first, offline parser on any failure, circuit breaker, Parser Log fields."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from tests.fakes.openai_server import (
    completion,
    error,
    invalid_json,
    refusal,
    slow,
    truncated,
    unknown_wire,
)
from tests.nlp_llm.support import API_KEY, SENDER

from flrts.nlp.guard import mask_value
from flrts.nlp.llm import CircuitBreaker, LLMConfig, LLMParser
from flrts.nlp.service import parse_message
from flrts.nlp.types import Intent, ParseRefused

HELP = unknown_wire(intent="help", rationale="asks what the bot can do", confidence=0.95)


def test_llm_answers_when_configured(server, config, context, now, offline) -> None:
    server.queue(completion(HELP, prompt_tokens=500, completion_tokens=50))

    outcome = parse_message(
        "what can you do?", SENDER, now, context, llm_config=config, offline_parser=offline
    )

    assert offline.calls == 0
    assert outcome.parser == "llm:gpt-4.1-mini"
    assert outcome.result.intent is Intent.HELP
    assert outcome.result.parser == "llm:gpt-4.1-mini"
    assert outcome.model == "gpt-4.1-mini"
    assert outcome.prompt_version
    assert (outcome.prompt_tokens, outcome.completion_tokens, outcome.total_tokens) == (
        500,
        50,
        550,
    )
    assert outcome.cost_usd == pytest.approx(round((500 * 0.40 + 50 * 1.60) / 1e6, 6))
    assert outcome.finish_reason == "stop"
    assert outcome.request_id == "req_fake_1"
    assert outcome.error_type is None and outcome.error_message is None
    assert outcome.system_prompt and "untrusted DATA" in outcome.system_prompt
    assert outcome.user_message == "<message>\nwhat can you do?\n</message>"
    assert outcome.request_time is not None and outcome.response_time is not None
    assert outcome.duration_ms >= (outcome.llm_duration_ms or 0) > 0
    assert outcome.extra["response_model"] == "gpt-4.1-mini"


def test_secrets_are_masked_before_the_model_sees_them(server, config, context, now) -> None:
    server.queue(completion(HELP))
    outcome = parse_message(
        "password: hunter2hunter2 for the Viper gate", SENDER, now, context, llm_config=config
    )
    assert "hunter2hunter2" not in server.chat_requests[0].message("user")
    assert "hunter2hunter2" not in outcome.masked_text


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (invalid_json(), "invalid_output"),
        (completion(unknown_wire(assignee="stranger@example.com")), "invalid_output"),
        (refusal(), "refusal"),
        (truncated(), "length"),
        (error(400, "bad response_format"), "bad_request"),
    ],
)
def test_unusable_answers_fall_back_to_offline(
    server, config, context, now, offline, reply, kind
) -> None:
    server.queue(reply)

    outcome = parse_message(
        "generator check at Viper", SENDER, now, context, llm_config=config, offline_parser=offline
    )

    assert offline.calls == 1
    assert outcome.parser == "offline"
    assert outcome.result.parser == "offline"
    assert outcome.result.intent is Intent.CREATE_TASK
    assert outcome.error_type == kind
    assert outcome.error_message
    assert outcome.model == "gpt-4.1-mini"  # the model that was tried, for the Parser Log
    assert len(server.chat_requests) == 1
    if kind != "bad_request":  # the model answered: its tokens were spent and are recorded
        assert outcome.total_tokens > 0 and outcome.cost_usd > 0
        assert outcome.finish_reason in {"stop", "length"}


def test_timeout_falls_back_quickly(server, make_config, context, now, offline) -> None:
    config = make_config(openai_timeout=0.3, openai_max_retries=0)
    server.queue(slow(4.0))

    started = time.perf_counter()
    outcome = parse_message("x", SENDER, now, context, llm_config=config, offline_parser=offline)
    elapsed = time.perf_counter() - started

    assert outcome.parser == "offline"
    assert outcome.error_type == "timeout"
    assert outcome.extra["error_transient"] is True
    # Well before the server would have answered (a loaded CI machine adds import and thread
    # start-up time, so the bound is the server's delay, not the 0.3 s timeout itself).
    assert elapsed < 3.0


def test_429_retry_after_is_respected_then_success(server, make_config, context, now) -> None:
    config = make_config(openai_max_retries=2)
    server.queue(error(429, "slow down", retry_after="0.3"), completion(HELP))

    started = time.perf_counter()
    outcome = parse_message("help", SENDER, now, context, llm_config=config)
    elapsed = time.perf_counter() - started

    assert len(server.chat_requests) == 2  # the SDK retried
    assert elapsed >= 0.3  # ...after waiting as the server asked
    assert outcome.parser == "llm:gpt-4.1-mini"
    assert outcome.error_type is None
    assert outcome.result.intent is Intent.HELP


def test_500_is_retried_then_falls_back(server, make_config, context, now, offline) -> None:
    config = make_config(openai_max_retries=2)
    server.queue(*[error(500, "boom", retry_after_ms="10") for _ in range(3)])

    outcome = parse_message("x", SENDER, now, context, llm_config=config, offline_parser=offline)

    assert len(server.chat_requests) == 3  # first try + 2 SDK retries
    assert outcome.parser == "offline"
    assert outcome.error_type == "server_error"
    assert outcome.error_code == "500"
    assert outcome.extra["error_transient"] is True


def test_connection_refused_falls_back(make_config, context, now, offline) -> None:
    config = make_config(openai_base_url="http://127.0.0.1:9/v1")  # discard port: nothing there
    outcome = parse_message("x", SENDER, now, context, llm_config=config, offline_parser=offline)
    assert outcome.parser == "offline"
    assert outcome.error_type == "connection"


def test_auth_error_is_not_retried_and_never_leaks_the_key(
    server, make_config, context, now, offline, caplog
) -> None:
    config = make_config(openai_max_retries=2)
    # A server that echoes the key back, as some do in their 401 message.
    server.queue(error(401, f"Incorrect API key provided: {API_KEY}", code="invalid_api_key"))

    with caplog.at_level(logging.DEBUG):
        outcome = parse_message(
            "x", SENDER, now, context, llm_config=config, offline_parser=offline
        )

    assert len(server.chat_requests) == 1
    assert outcome.error_type == "auth"
    assert outcome.error_code == "invalid_api_key"
    assert outcome.extra["error_transient"] is False
    assert API_KEY not in (outcome.error_message or "")
    assert mask_value(API_KEY) in (outcome.error_message or "")
    assert API_KEY not in caplog.text
    assert API_KEY not in repr(config) and API_KEY not in str(config)


def test_quota_exhausted_429_is_not_transient(server, config, context, now, offline) -> None:
    server.queue(error(429, "You exceeded your current quota", code="insufficient_quota"))
    outcome = parse_message("x", SENDER, now, context, llm_config=config, offline_parser=offline)
    assert outcome.error_type == "rate_limit"
    assert outcome.extra["error_transient"] is False


def test_circuit_opens_after_n_failures_then_skips_http(
    server, make_config, context, now, offline
) -> None:
    config = make_config(openai_circuit_failures=2, openai_circuit_seconds=60)
    server.queue(invalid_json(), error(503, "down"))

    first = parse_message("a", SENDER, now, context, llm_config=config, offline_parser=offline)
    second = parse_message("b", SENDER, now, context, llm_config=config, offline_parser=offline)
    assert (first.error_type, second.error_type) == ("invalid_output", "server_error")
    assert len(server.chat_requests) == 2

    started = time.perf_counter()
    third = parse_message("c", SENDER, now, context, llm_config=config, offline_parser=offline)
    assert len(server.chat_requests) == 2  # no HTTP request while open
    assert third.parser == "offline"
    assert third.error_type == "circuit_open"
    assert (time.perf_counter() - started) < 0.5  # no waiting on a network timeout
    assert offline.calls == 3


def test_refusals_do_not_open_the_circuit(server, make_config, context, now, offline) -> None:
    config = make_config(openai_circuit_failures=1)
    server.queue(refusal(), completion(HELP))
    parse_message("a", SENDER, now, context, llm_config=config, offline_parser=offline)
    outcome = parse_message("b", SENDER, now, context, llm_config=config, offline_parser=offline)
    assert outcome.parser == "llm:gpt-4.1-mini"


def test_half_open_recovery(server, config: LLMConfig, context, now) -> None:
    clock = [1000.0]
    breaker = CircuitBreaker(failures=2, seconds=60, clock=lambda: clock[0])
    parser = LLMParser(config, breaker=breaker)
    server.queue(error(500), error(500), completion(HELP), error(500), completion(HELP))
    try:
        for _ in range(2):
            with pytest.raises(Exception, match="HTTP 500"):
                parser.parse("x", SENDER, now, context)
        assert breaker.state == "open"
        with pytest.raises(Exception, match="paused"):
            parser.parse("x", SENDER, now, context)
        assert len(server.chat_requests) == 2

        clock[0] += 61  # cool-down over: one trial goes through and succeeds
        assert breaker.state == "half_open"
        assert parser.parse("x", SENDER, now, context).intent is Intent.HELP
        assert breaker.state == "closed"

        # A failed trial re-opens at once, without needing N failures again.
        with pytest.raises(Exception, match="HTTP 500"):
            parser.parse("x", SENDER, now, context)  # 1 failure: still closed (N=2)
        assert breaker.state == "closed"
        breaker.record_failure()
        assert breaker.state == "open"
        clock[0] += 61
        assert parser.parse("x", SENDER, now, context).intent is Intent.HELP
        assert len(server.chat_requests) == 5
    finally:
        parser.close()


def test_half_open_lets_exactly_one_trial_through() -> None:
    clock = [0.0]
    breaker = CircuitBreaker(failures=1, seconds=10, clock=lambda: clock[0])
    breaker.record_failure()
    clock[0] = 11
    allowed: list[bool] = []
    threads = [threading.Thread(target=lambda: allowed.append(breaker.allow())) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed.count(True) == 1
    breaker.record_failure()  # the trial failed: open again for a full cool-down
    assert breaker.state == "open" and breaker.retry_in() == pytest.approx(10)


def test_offline_choice_never_calls_the_model(server, config, context, now, offline) -> None:
    outcome = parse_message(
        "x", SENDER, now, context, parser="offline", llm_config=config, offline_parser=offline
    )
    assert server.requests == []
    assert outcome.parser == "offline"
    assert outcome.error_type is None and outcome.model is None


def test_no_key_means_offline_without_error(server, make_config, context, now, offline) -> None:
    config = make_config(openai_api_key="")
    outcome = parse_message("x", SENDER, now, context, llm_config=config, offline_parser=offline)
    assert server.requests == []
    assert outcome.parser == "offline" and outcome.error_type is None

    forced = parse_message(
        "x", SENDER, now, context, parser="llm", llm_config=None, offline_parser=offline
    )
    assert forced.parser == "offline" and forced.error_type == "not_configured"


def test_refused_input_never_reaches_any_parser(server, config, context, now, offline) -> None:
    with pytest.raises(ParseRefused):
        parse_message("   ", SENDER, now, context, llm_config=config, offline_parser=offline)
    assert server.requests == [] and offline.calls == 0


def test_fallback_with_the_real_offline_parser(server, config, context, now) -> None:
    module = pytest.importorskip("flrts.nlp.offline", reason="offline parser not written yet")
    if not hasattr(module, "OfflineParser"):
        pytest.skip("offline parser not written yet")
    server.queue(invalid_json())
    outcome = parse_message(
        "URGENT: generator check at Viper for Joel by Friday",
        SENDER,
        now,
        context,
        llm_config=config,
    )
    assert outcome.parser == "offline"
    assert outcome.error_type == "invalid_output"
    assert outcome.result.intent is Intent.CREATE_TASK
