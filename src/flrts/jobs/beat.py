"""`flrts scheduler`: the long-running beat.

Every second the leader runs the `second` checks (reminders: an indexed query for what is due);
every `scheduler_interval` seconds (default 60, aligned to the minute) it ticks the registry and
requeues jobs lost with dead workers. Only the holder of the leader lock does either; a standby
scheduler takes over when the leader's lease runs out.
"""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.db import close_old_connections
from django.utils import timezone

from flrts.jobs import recovery
from flrts.jobs.locks import LeaderLock, is_paused, leader_lock
from flrts.jobs.registry import entries, resolve, sync_scheduled_jobs
from flrts.jobs.scheduler import tick
from flrts.jobs.slots import tick_interval

logger = logging.getLogger("flrts.scheduler")


class Beat:
    def __init__(
        self,
        *,
        interval: float | None = None,
        fast_interval: float = 1.0,
        lock: LeaderLock | None = None,
    ) -> None:
        self.interval = float(interval or tick_interval())
        self.fast_interval = fast_interval
        self.lock = lock or leader_lock(ttl=max(10.0, fast_interval * 10))
        # The lease is renewed (or, by a standby, tried) every third of its length, not every
        # second: an idle leader then writes nothing most seconds. A standby takes over at most
        # a third of a lease after the leader's lease ran out.
        self.renew_every = max(fast_interval, float(getattr(self.lock, "ttl", 10.0)) / 3)
        self.next_renew = 0.0
        self.running = True
        self.leader = False
        self.ticks = 0

    def stop(self, *_: Any) -> None:
        self.running = False

    def fast_checks(self) -> list[Any]:
        """The enabled `second` entries (re-read every tick, so disable takes effect)."""
        from flrts.jobs.models import ScheduledJob

        registered = {e.method for e in entries() if e.frequency == "second"}
        enabled = ScheduledJob.objects.filter(
            method__in=registered, enabled=True, in_registry=True
        ).values_list("method", flat=True)
        return [resolve(m) for m in sorted(enabled)]

    def run(self, max_seconds: float | None = None, install_signals: bool = True) -> None:
        if install_signals:
            signal.signal(signal.SIGTERM, self.stop)
            signal.signal(signal.SIGINT, self.stop)
        sync_scheduled_jobs()
        checks = self.fast_checks()
        started = time.monotonic()
        next_tick = time.time()  # tick at once on start: that is the catch-up after downtime
        logger.info("scheduler %s started (tick %ss)", self.lock.holder, self.interval)
        try:
            while self.running:
                if max_seconds is not None and time.monotonic() - started > max_seconds:
                    break
                next_tick = self.step(checks, next_tick)
                close_old_connections()
                # Wake on the next whole second so due times are met to the second.
                now = time.time()
                time.sleep(max(0.01, self.fast_interval - (now % self.fast_interval)))
        finally:
            try:
                self.lock.release()
            except Exception:
                logger.exception("could not release the scheduler lock")

    def step(self, checks: list[Any], next_tick: float) -> float:
        """One pass; `checks` is refreshed in place at every tick."""
        try:
            if time.monotonic() >= self.next_renew:
                leader = self.lock.acquire()
                self.next_renew = time.monotonic() + self.renew_every
            else:
                leader = self.leader
            if leader != self.leader:
                logger.info(
                    "scheduler %s is %s", self.lock.holder, "leader" if leader else "standby"
                )
                self.leader = leader
            if not leader or is_paused():
                return next_tick
            now = timezone.now()
            for check in checks:
                check(now=now)
            if time.time() >= next_tick:
                checks[:] = self.fast_checks()
                report = tick(now)
                recovery.requeue_lost_jobs(now)
                self.ticks += 1
                if report.enqueued:
                    logger.info("tick: enqueued %s", ", ".join(report.enqueued))
                # Align to the interval so minute slots are met just after they start.
                step = self.interval
                next_tick = (time.time() // step + 1) * step
        except Exception:  # a database restart must not end the scheduler
            logger.exception("scheduler step failed")
        return next_tick
