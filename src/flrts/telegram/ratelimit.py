"""Per-chat pacing of outgoing messages.

Telegram allows about one message per second in a chat (groups: about 20 a minute) and answers
429 beyond that. Pacing on our side keeps a burst (a long message split in parts, a card and its
follow-up) inside the limit instead of spending the retry budget on 429s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

ChatId = int | str


class ChatRateLimiter:
    """Hands out send slots: at most one per `min_interval` seconds per chat.

    Thread-safe. A slot is reserved under the lock and the wait happens outside it, so a busy
    chat never delays another chat. `clock` and `sleep` are injectable for tests.
    """

    def __init__(
        self,
        min_interval: float = 1.0,
        *,
        group_min_interval: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_interval = min_interval
        self.group_min_interval = group_min_interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}

    def wait(self, chat_id: ChatId) -> float:
        """Block until this chat may receive a message; return the seconds waited."""
        interval = self._interval_for(chat_id)
        if interval <= 0:
            return 0.0
        key = str(chat_id)
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(key, now))
            self._next_slot[key] = slot + interval
            if len(self._next_slot) > 10_000:
                self._forget_idle(now)
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return max(delay, 0.0)

    def _interval_for(self, chat_id: ChatId) -> float:
        # Group and channel ids are negative; "@channel" usernames are treated as groups too.
        is_private = isinstance(chat_id, int) and chat_id > 0
        if isinstance(chat_id, str) and chat_id.isdigit():
            is_private = True
        return self.min_interval if is_private else max(self.min_interval, self.group_min_interval)

    def _forget_idle(self, now: float) -> None:
        # Chats whose next slot is already past need no memory; keeps the map bounded.
        for key in [k for k, slot in self._next_slot.items() if slot <= now]:
            del self._next_slot[key]


def no_rate_limit() -> ChatRateLimiter:
    """A limiter that never waits (tests that are not about pacing, bulk tools)."""
    return ChatRateLimiter(0.0, group_min_interval=0.0)
