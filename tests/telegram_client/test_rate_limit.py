"""Per-chat pacing: about one message per second per chat, other chats unaffected."""

from __future__ import annotations

import threading
import time

from flrts.telegram.client import BotClient
from flrts.telegram.ratelimit import ChatRateLimiter
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram_client.conftest import MakeClient


class FakeClock:
    """A monotonic clock that moves only when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)


def test_messages_to_one_chat_are_spaced_a_second_apart() -> None:
    clock = FakeClock()
    limiter = ChatRateLimiter(1.0, clock=clock, sleep=clock.sleep)

    waits = [limiter.wait(42) for _ in range(3)]

    assert waits == [0.0, 1.0, 2.0]


def test_other_chats_are_not_delayed() -> None:
    clock = FakeClock()
    limiter = ChatRateLimiter(1.0, clock=clock, sleep=clock.sleep)

    limiter.wait(42)
    assert limiter.wait(43) == 0.0
    assert clock.sleeps == []


def test_time_passing_frees_the_chat() -> None:
    clock = FakeClock()
    limiter = ChatRateLimiter(1.0, clock=clock, sleep=clock.sleep)

    limiter.wait(42)
    clock.now += 1.5
    assert limiter.wait(42) == 0.0
    clock.now += 0.25
    assert limiter.wait(42) == 0.75


def test_groups_are_paced_more_slowly() -> None:
    clock = FakeClock()
    limiter = ChatRateLimiter(1.0, group_min_interval=3.0, clock=clock, sleep=clock.sleep)

    limiter.wait(-1001)
    assert limiter.wait(-1001) == 3.0


def test_concurrent_senders_get_distinct_slots() -> None:
    clock = FakeClock()
    limiter = ChatRateLimiter(1.0, clock=clock, sleep=clock.sleep)
    barrier = threading.Barrier(8)

    def send() -> None:
        barrier.wait()
        limiter.wait(42)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(clock.sleeps) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]


def test_the_client_paces_parts_of_a_long_message(
    make_client: MakeClient, fake_telegram: FakeTelegram
) -> None:
    clock = FakeClock()
    client = make_client(rate_limiter=ChatRateLimiter(1.0, clock=clock, sleep=clock.sleep))

    client.send_message(42, "word " * 2000)  # three parts
    client.send_message(43, "other chat")

    assert clock.sleeps == [1.0, 2.0]
    assert len(fake_telegram.sent_messages(42)) == 3


def test_real_spacing_with_a_short_interval(
    make_client: MakeClient, fake_telegram: FakeTelegram
) -> None:
    # The one test that really sleeps: 0.1 s pacing with the real clock.
    client: BotClient = make_client(rate_limiter=ChatRateLimiter(0.1))

    # Measured on the client's side: arrival times at the server jitter under load, but the third
    # message cannot leave before two intervals have passed since the first one left.
    started = time.monotonic()
    for text in ("a", "b", "c"):
        client.send_message(42, text)
    elapsed = time.monotonic() - started

    assert elapsed >= 0.19
    assert [c.params["text"] for c in fake_telegram.calls("sendMessage")] == ["a", "b", "c"]
