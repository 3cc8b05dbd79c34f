"""The update worker: claims stored updates in batches and processes them.

Runs as `flrts telegram work` (its own process) and inside every `flrts worker` (a thread), so a
site that runs workers processes Telegram updates. Idle, it polls the table with a lock-free
read after `idle` seconds, doubling up to 2 s while nothing comes, woken at once by the
webhook or poller on this host (flrts.jobs.wake, channel `telegram`; on PostgreSQL on any
host, through LISTEN/NOTIFY); or, with `redis_queue`, it
blocks on the Redis wake-up list the webhook pushes to (and still checks the table every second
in case a wake-up was lost). Every
`RECLAIM_EVERY` seconds it reclaims rows a dead worker left in `processing`.

The processing thread runs at a lower CPU priority (`telegram_worker_nice`, default 19): what
Telegram waits for is the webhook's acknowledgement, and on a small host the web workers should
win the CPU. Processing still gets every idle cycle, and the stored rows wait for it. On 2 cores
at 300 updates/s this took the acknowledgement p99 from ~80 ms (nice 10) to ~25 ms.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection

from flrts.bot import queue
from flrts.bot.processing import process_claimed
from flrts.jobs import wake

log = logging.getLogger("flrts.telegram")

RECLAIM_EVERY = 30.0
DEFAULT_NICE = 19


def configured_nice() -> int:
    return min(19, settings.SITE.get_int("telegram_worker_nice", DEFAULT_NICE, minimum=0))


def lower_thread_priority(nice: int) -> None:
    """Lower the calling thread's CPU priority by `nice` (on Linux, this thread only)."""
    if nice <= 0:
        return
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, current + nice))
    except (OSError, AttributeError) as exc:  # not Linux, or not allowed: run as we are
        log.info("could not lower the update worker's priority: %s", exc)


def _wait_for_work(idle: float, idle_polls: int, alarm: wake.Alarm | None) -> bool:
    """Wait for a wake-up or the next poll; True when woken."""
    if settings.REDIS_QUEUE:
        try:
            return bool(queue.redis_client().blpop([queue.WAKE_KEY], timeout=1))
        except Exception as exc:  # Redis down: fall back to polling the table
            log.warning("Redis wake-up list unavailable (%s); polling", exc)
    wait = wake.idle_wait(idle, idle_polls)
    if alarm is None:
        time.sleep(wait)
        return False
    return alarm.wait(wait)


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
    alarm = None if burst or settings.REDIS_QUEUE else wake.Alarm("telegram")
    try:
        return _loop(batch, idle, should_stop, max_updates, burst, alarm)
    finally:
        if alarm is not None:
            alarm.close()


def _loop(
    batch: int,
    idle: float,
    should_stop: Callable[[], bool],
    max_updates: int | None,
    burst: bool,
    alarm: wake.Alarm | None,
) -> int:
    done = 0
    next_reclaim = 0.0
    idle_polls = 0
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
        if count:
            idle_polls = 0
            continue
        if burst:
            break
        close_old_connections()
        idle_polls += 1
        if _wait_for_work(idle, idle_polls, alarm):
            idle_polls = 0
    return done


class UpdateWorkerThread(threading.Thread):
    """The update loop in a thread of its own (at its own priority): inside `flrts worker`, and
    `flrts telegram work`'s loop. Stopped with `stop()`; `processed` counts the updates."""

    def __init__(
        self,
        batch: int = 10,
        idle: float = 0.05,
        nice: int | None = None,
        burst: bool = False,
    ) -> None:
        super().__init__(name="flrts-telegram-updates", daemon=True)
        self.batch, self.idle, self.burst = batch, idle, burst
        self.nice = configured_nice() if nice is None else nice
        self.stopped = threading.Event()
        self.processed = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        lower_thread_priority(self.nice)
        try:
            self.processed = run(
                batch=self.batch, idle=self.idle, burst=self.burst, should_stop=self.stopped.is_set
            )
        except BaseException as exc:
            self.error = exc
            log.exception("the Telegram update loop stopped")
            raise
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
