"""The one place FLRTS opens Redis clients of its own (RQ and the cache are configured in
settings and open theirs): the scheduler's leader lock, the bot's wake-up list and the health
check all take theirs from here, one cached client per URL and timeout."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings


@cache
def client(url: str, timeout: float | None = 2.0) -> Any:
    """A client of the Redis at `url`; `timeout` (seconds) bounds connecting and each call."""
    import redis  # only sites with `redis_queue` need the package loaded

    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)


def queue_client(timeout: float | None = 2.0) -> Any:
    """The client of the site's `redis_queue`."""
    return client(str(settings.REDIS_QUEUE), timeout)
