"""Scheduler liveness is computed once (`flrts.ops.health`), from the leader's lease wherever the
lock lives, and the scheduler monitor builds on it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from flrts.jobs.locks import DatabaseLock, RedisLock
from flrts.ops.health import check_scheduler, scheduler_last_tick, scheduler_state
from flrts.reports.models import MonitorSettings
from flrts.reports.monitors import scheduler as scheduler_monitor
from tests.jobs.test_redis import REDIS_URL

pytestmark = pytest.mark.django_db


def test_nothing_seen_means_no_tick_and_the_monitor_alerts() -> None:
    assert scheduler_last_tick() is None
    finding = scheduler_monitor(MonitorSettings.load(), timezone.now())
    assert finding.alerting and "no scheduler tick" in finding.detail


def test_a_database_lease_is_a_tick_now() -> None:
    lock = DatabaseLock(ttl=10)
    assert lock.acquire()
    now = timezone.now()
    assert scheduler_last_tick(now) == now  # the lease runs ahead: capped at now
    state = scheduler_state(now)
    assert state["leader"] == lock.holder and state["last_tick"] == now.isoformat()
    assert check_scheduler(now).status == "ok"
    assert not scheduler_monitor(MonitorSettings.load(), now).alerting
    # Twenty minutes later, with nobody renewing: the tick is when the lease ran out.
    later = now + dt.timedelta(minutes=20)
    tick = scheduler_last_tick(later)
    assert tick is not None and (later - tick) > dt.timedelta(minutes=19)
    assert scheduler_monitor(MonitorSettings.load(), later).alerting


@pytest.mark.redis
def test_a_redis_lease_is_seen_too(settings: Any) -> None:
    """With `redis_queue` the lease lives only in Redis; health used to read the database row
    there and call a running scheduler 'not running'."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings.REDIS_QUEUE = REDIS_URL
    lock = RedisLock(REDIS_URL, ttl=10)
    assert lock.acquire()
    try:
        now = timezone.now()
        state = scheduler_state(now)
        assert state["leader"] == lock.holder and state["last_tick"] == now.isoformat()
        assert check_scheduler(now).status == "ok"
    finally:
        lock.release()
    assert scheduler_state(timezone.now())["leader"] == ""
