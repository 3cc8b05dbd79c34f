"""The update worker: claims stored updates in batches and processes them.

Runs as `flrts telegram work` (its own process) and inside every `flrts worker` (a thread), so a
site that runs workers processes Telegram updates. Idle, it polls the table with a lock-free
read every `idle` seconds, or, with `redis_queue`, blocks on the Redis wake-up list the webhook
pushes to (and still checks the table every second in case a wake-up was lost). Every
`RECLAIM_EVERY` seconds it reclaims rows a dead worker left in `processing`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection

from flrts.telegram import queue
from flrts.telegram.processing import process_claimed

log = logging.getLogger("flrts.telegram")

RECLAIM_EVERY = 30.0


def _wait_for_work(idle: float) -> None:
    if settings.REDIS_QUEUE:
        try:
            queue.redis_client().blpop([queue.WAKE_KEY], timeout=1)
            return
        except Exception as exc:  # Redis down: fall back to polling the table
            log.warning("Redis wake-up list unavailable (%s); polling", exc)
    time.sleep(idle)


def work_once(batch: int = 10) -> int:
    """Claim one batch and process it; returns how many updates were processed."""
    rows = queue.claim(batch) if queue.has_work() else []
    for row in rows:
        process_claimed(row)
    return len(rows)


def run(
    *,
    batch: int = 10,
    idle: float = 0.05,
    should_stop: Callable[[], bool] = lambda: False,
    max_updates: int | None = None,
    burst: bool = False,
) -> int:
    """Process updates until stopped (or, with `burst`, until none is waiting).

    Returns how many were processed."""
    done = 0
    next_reclaim = 0.0
    while not should_stop():
        try:
            if time.monotonic() >= next_reclaim:
                queue.reclaim()
                next_reclaim = time.monotonic() + RECLAIM_EVERY
            count = work_once(batch)
        except Exception:  # a locked or restarting database must not end the loop
            log.exception("Telegram update worker: claiming failed")
            close_old_connections()
            time.sleep(1)
            continue
        done += count
        if max_updates is not None and done >= max_updates:
            break
        if count == 0:
            if burst:
                break
            close_old_connections()
            _wait_for_work(idle)
    return done


class UpdateWorkerThread(threading.Thread):
    """The loop inside `flrts worker`, stopped with the worker."""

    def __init__(self, batch: int = 10, idle: float = 0.05) -> None:
        super().__init__(name="flrts-telegram-updates", daemon=True)
        self.batch, self.idle = batch, idle
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            run(batch=self.batch, idle=self.idle, should_stop=self.stopped.is_set)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
