"""What is retried, how long the client waits, and what the caller sees when it gives up."""

from __future__ import annotations

import logging

import pytest

from flrts.telegram.client import BotClient, RetryPolicy
from flrts.telegram.errors import (
    BotBlocked,
    ChatNotFound,
    NetworkError,
    RateLimited,
    ServerError,
    TelegramError,
    mask_token,
)
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram_client.conftest import MakeClient, Sleeps


def test_429_waits_retry_after_then_succeeds(
    client: BotClient, fake_telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    fake_telegram.fail_next("sendMessage", status=429, retry_after=3)

    [sent] = client.send_message(42, "hello")

    assert sent.text == "hello"
    assert sleeps.waits == [3]
    assert [call.status for call in fake_telegram.calls("sendMessage")] == [429, 200]
    assert fake_telegram.sent_texts(42) == ["hello"]  # sent exactly once


def test_429_beyond_the_wait_budget_raises_transient(
    make_client: MakeClient, fake_telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    client = make_client(retry=RetryPolicy(max_rate_limit_wait=10))
    fake_telegram.fail_next("sendMessage", status=429, retry_after=6, times=2)

    with pytest.raises(RateLimited) as caught:
        client.send_message(42, "hello")

    assert sleeps.waits == [6]  # the second wait would pass the 10 s budget
    assert caught.value.permanent is False and caught.value.kind == "rate_limited"
    assert caught.value.retry_after == 6


def test_5xx_is_retried_with_exponential_backoff(
    client: BotClient, fake_telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    fake_telegram.fail_next("sendMessage", status=500)
    fake_telegram.fail_next("sendMessage", status=502)

    [sent] = client.send_message(42, "hello")

    assert sent.text == "hello"
    assert sleeps.waits == [0.5, 1.0]
    assert len(fake_telegram.calls("sendMessage")) == 3


def test_5xx_exhausted_raises_a_transient_error(
    make_client: MakeClient, fake_telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=3, backoff_base=1, backoff_max=1.5))
    fake_telegram.fail_next("sendMessage", status=503, times=5)

    with pytest.raises(ServerError) as caught:
        client.send_message(42, "hello")

    assert caught.value.permanent is False and caught.value.kind == "server_error"
    assert caught.value.status == 503
    assert sleeps.waits == [1, 1.5]
    assert len(fake_telegram.calls("sendMessage")) == 3


def test_a_dropped_connection_is_retried(
    client: BotClient, fake_telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    fake_telegram.fail_next("getMe", disconnect=True)

    assert client.get_me().is_bot
    assert sleeps.waits == [0.5]


def test_an_unreachable_server_is_a_transient_network_error(
    make_client: MakeClient, fake_telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=2))
    fake_telegram.stop()  # nothing listens on the port any more

    with pytest.raises(NetworkError) as caught:
        client.get_me()

    assert caught.value.permanent is False and caught.value.kind in ("network", "timeout")
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert len(sleeps.waits) == 1


def test_blocked_by_the_user_is_permanent_and_not_retried(
    client: BotClient, fake_telegram: FakeTelegram, sleeps: Sleeps
) -> None:
    fake_telegram.block(42)

    with pytest.raises(BotBlocked) as caught:
        client.send_message(42, "hello")

    error = caught.value
    assert error.permanent is True and error.kind == "blocked" and error.status == 403
    assert "bot was blocked by the user" in str(error)
    assert sleeps.waits == []
    assert len(fake_telegram.calls("sendMessage")) == 1


def test_chat_not_found_is_permanent(client: BotClient, fake_telegram: FakeTelegram) -> None:
    fake_telegram.forget_chat(77)

    with pytest.raises(ChatNotFound) as caught:
        client.send_message(77, "hello")

    assert caught.value.permanent is True and caught.value.kind == "chat_not_found"


def test_scripted_403_and_400_map_to_the_same_errors(
    client: BotClient, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail_next("sendMessage", status=403)
    fake_telegram.fail_next("sendMessage", status=400)

    with pytest.raises(BotBlocked):
        client.send_message(42, "a")
    with pytest.raises(ChatNotFound):
        client.send_message(42, "b")


def test_the_token_never_appears_in_errors_reprs_or_logs(
    make_client: MakeClient, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    token = fake_telegram.token
    client = make_client(retry=RetryPolicy(max_attempts=2))
    caplog.set_level(logging.DEBUG)
    fake_telegram.fail_next("sendMessage", status=500, times=2)
    fake_telegram.fail_next("getFile", status=400, description="Bad Request: invalid file_id")

    errors: list[TelegramError] = []
    for call in (lambda: client.send_message(42, "x"), lambda: client.get_file("f")):
        with pytest.raises(TelegramError) as caught:
            call()
        errors.append(caught.value)
    fake_telegram.stop()
    with pytest.raises(NetworkError) as caught:
        client.get_me()
    errors.append(caught.value)

    masked = mask_token(token)
    assert masked == token[:2] + "*" * (len(token) - 4) + token[-2:]
    for error in errors:
        assert token not in str(error) and token not in repr(error)
        assert error.url is not None and masked in error.url
    assert token not in repr(client) and masked in repr(client)
    assert "HTTP Request" in caplog.text  # httpx logged the calls, with the token masked
    assert token not in caplog.text


def test_a_short_token_is_fully_masked() -> None:
    assert mask_token("abc123") == "******"
    assert mask_token("abcdefg") == "ab***fg"
