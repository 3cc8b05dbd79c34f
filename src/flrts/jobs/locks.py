"""The scheduler's leader lock: a database row, or a Redis key when `redis_queue` is set.

Both are leases: the leader renews before `ttl` runs out; a leader that dies loses the lock when
the lease expires, and another scheduler takes over.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from flrts.core.probes import Probe
from flrts.jobs import redisclient
from flrts.jobs.models import SchedulerState

LOCK_NAME = "scheduler"


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeaderLock(Protocol):
    holder: str

    def acquire(self) -> bool: ...
    def release(self) -> None: ...


class DatabaseLock:
    def __init__(self, name: str = LOCK_NAME, ttl: float = 15.0, holder: str | None = None):
        self.name, self.ttl, self.holder = name, ttl, holder or holder_id()
        self._row_seen = False

    def acquire(self) -> bool:
        """Take or renew the lease; one conditional UPDATE, safe on every database."""
        now = timezone.now()
        state = SchedulerState.objects.filter(name=self.name)
        if not self._row_seen and not state.exists():
            try:
                with transaction.atomic():
                    SchedulerState.objects.create(name=self.name)
            except IntegrityError:
                pass
        taken = state.filter(Q(holder=self.holder) | Q(expires_at__lt=now) | Q(holder="")).update(
            holder=self.holder, expires_at=now + dt.timedelta(seconds=self.ttl)
        )
        self._row_seen = True  # the row is only ever deleted with the whole table
        return taken == 1

    def release(self) -> None:
        SchedulerState.objects.filter(name=self.name, holder=self.holder).update(
            holder="", expires_at=None
        )


class RedisLock:
    def __init__(self, url: str, name: str = LOCK_NAME, ttl: float = 15.0):
        self.holder = holder_id()
        self.ttl = ttl
        self.key = lock_key(name)
        self.client = redisclient.client(url, None)
        # Renew only if we still hold it: compare and extend in one step.
        self._renew = self.client.register_script(
            "if redis.call('get', KEYS[1]) == ARGV[1] then "
            "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
        )
        self._release = self.client.register_script(
            "if redis.call('get', KEYS[1]) == ARGV[1] then "
            "return redis.call('del', KEYS[1]) else return 0 end"
        )

    def acquire(self) -> bool:
        ms = int(self.ttl * 1000)
        if self.client.set(self.key, self.holder, nx=True, px=ms):
            return True
        return bool(self._renew(keys=[self.key], args=[self.holder, ms]))

    def release(self) -> None:
        self._release(keys=[self.key], args=[self.holder])


def lock_key(name: str = LOCK_NAME) -> str:
    return f"flrts:{settings.SITE.name}:lock:{name}"


def current_lease(now: dt.datetime | None = None) -> tuple[str, dt.datetime | None]:
    """Who holds the scheduler's lease and until when, wherever the lock lives (the database
    row, or the Redis key when `redis_queue` is set); ("", None) when nobody does."""
    now = now or timezone.now()
    if settings.REDIS_QUEUE:
        conn = redisclient.queue_client()
        holder, ms = conn.get(lock_key()), conn.pttl(lock_key())
        if not holder or ms is None or ms < 0:
            return "", None
        return holder.decode(), now + dt.timedelta(milliseconds=ms)
    state = SchedulerState.objects.filter(name=LOCK_NAME).first()
    if state is None or not state.holder or state.expires_at is None:
        return "", None
    return state.holder, state.expires_at


def leader_lock(ttl: float = 15.0) -> LeaderLock:
    if settings.REDIS_QUEUE:
        return RedisLock(settings.REDIS_QUEUE, ttl=ttl)
    return DatabaseLock(ttl=ttl)


# Asked every second by the leader: SQL written once (flrts.core.probes), not a queryset.
_PAUSED = Probe(SchedulerState, "{name} = %s AND {paused} = %s")


def is_paused() -> bool:
    return _PAUSED.any([LOCK_NAME, True])


def set_paused(paused: bool) -> None:
    SchedulerState.objects.update_or_create(name=LOCK_NAME, defaults={"paused": paused})
