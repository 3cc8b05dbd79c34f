from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from flrts.jobs import registry
from flrts.jobs.locks import DatabaseLock, is_paused, set_paused
from flrts.jobs.models import Job, ScheduledJob, ScheduledRun
from flrts.jobs.scheduler import claim_slot, due_slot, tick
from flrts.jobs.slots import latest_slot
from tests.jobs import sample_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("db_queue")]

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def daily(settings: Any) -> ScheduledJob:
    settings.SITE_TIME_ZONE = "UTC"
    registry.register("daily", sample_jobs.record)
    registry.sync_scheduled_jobs()
    job = ScheduledJob.objects.get(method="tests.jobs.sample_jobs.record")
    ScheduledJob.objects.filter(pk=job.pk).update(created=at("2025-01-01T00:00:00"))
    job.refresh_from_db()
    yield job
    registry.unregister("tests.jobs.sample_jobs.record")


def test_the_registry_reads_like_frappes_scheduler_events() -> None:
    events = registry.scheduler_events()
    assert "flrts.bot.webhook_check.check_telegram_webhook" in events["hourly"]
    assert "flrts.jobs.maintenance.cleanup" in events["daily_long"]
    assert "flrts.notify.sweeps.sweep_overdue" in events["all"]
    assert "flrts.notify.reminder_dispatch.dispatch_due" in events["second"]


def test_register_validates_the_event_and_the_cron_expression() -> None:
    with pytest.raises(ValueError, match="unknown scheduler event"):
        registry.register("fortnightly", "x.y")
    with pytest.raises(ValueError, match="valid cron"):
        registry.register("cron", "x.y", cron="every day")
    entry = registry.register("cron", sample_jobs.crash, cron="*/15 * * * *")
    assert entry.cron == "*/15 * * * *" and entry.queue == "default"
    assert registry.register("weekly_long", sample_jobs.crash).queue == "long"
    registry.unregister("tests.jobs.sample_jobs.crash")


def test_the_decorator_registers_the_function() -> None:
    registry.scheduled("hourly")(sample_jobs.record)
    entry = registry.entry("tests.jobs.sample_jobs.record")
    assert entry is not None and entry.frequency == "hourly"
    assert registry.resolve("tests.jobs.sample_jobs.record") is sample_jobs.record
    registry.unregister(sample_jobs.record)
    assert registry.entry("tests.jobs.sample_jobs.record") is None


def test_only_module_level_functions_can_be_jobs() -> None:
    def nested() -> None: ...

    with pytest.raises(TypeError, match="not a module-level function"):
        registry.job(nested)
    with pytest.raises(TypeError, match="pass the function itself"):
        registry.register("hourly", "tests.jobs.sample_jobs.record")  # type: ignore[arg-type]


def test_slots_follow_the_site_time_zone_across_dst(settings: Any) -> None:
    settings.SITE_TIME_ZONE = "America/New_York"
    # Daily at local midnight: 05:00 UTC in winter, 04:00 UTC in summer.
    assert latest_slot("daily", "0 0 * * *", at("2025-03-08T12:00")) == at("2025-03-08T05:00")
    assert latest_slot("daily", "0 0 * * *", at("2025-03-10T12:00")) == at("2025-03-10T04:00")
    # Exactly on the slot counts as that slot.
    assert latest_slot("hourly", "0 * * * *", at("2025-03-10T04:00")) == at("2025-03-10T04:00")


def test_a_due_job_is_enqueued_once_per_slot(daily: ScheduledJob) -> None:
    now = at("2025-01-02T00:00:30")
    assert tick(now).enqueued == ["tests.jobs.sample_jobs.record"]
    assert tick(now).enqueued == []
    assert tick(now + dt.timedelta(hours=5)).enqueued == []
    daily.refresh_from_db()
    assert daily.last_slot == at("2025-01-02T00:00") and daily.next_run_at == at("2025-01-03T00:00")
    assert Job.objects.filter(scheduled_job=daily).count() == 1


def test_a_second_claim_of_the_same_slot_enqueues_nothing(daily: ScheduledJob) -> None:
    slot = at("2025-01-02T00:00")
    assert claim_slot(daily, slot, slot) is not None
    # A second scheduler that read the row before the first one wrote it:
    assert claim_slot(daily, slot, slot) is None
    assert ScheduledRun.objects.count() == 1 and Job.objects.count() == 1


def test_after_downtime_each_job_catches_up_once(daily: ScheduledJob) -> None:
    ScheduledJob.objects.filter(pk=daily.pk).update(last_slot=at("2025-01-02T00:00"))
    daily.refresh_from_db()
    # Down for five days: one run, for the latest missed slot.
    now = at("2025-01-07T09:00")
    assert due_slot(daily, now) == at("2025-01-07T00:00")
    assert tick(now).enqueued == ["tests.jobs.sample_jobs.record"]
    assert tick(now + dt.timedelta(minutes=1)).enqueued == []
    assert list(ScheduledRun.objects.values_list("slot", flat=True)) == [at("2025-01-07T00:00")]


def test_a_new_job_waits_for_its_first_slot_after_registration(daily: ScheduledJob) -> None:
    ScheduledJob.objects.filter(pk=daily.pk).update(created=at("2025-01-05T10:00"))
    assert tick(at("2025-01-05T23:59")).enqueued == []
    assert tick(at("2025-01-06T00:00:01")).enqueued == ["tests.jobs.sample_jobs.record"]


def test_a_disabled_job_is_not_enqueued(daily: ScheduledJob) -> None:
    call_command("scheduler", "disable", "sample_jobs.record", stdout=StringIO())
    assert tick(at("2025-01-02T00:01")).enqueued == []
    call_command("scheduler", "enable", "tests.jobs.sample_jobs.record", stdout=StringIO())
    assert tick(at("2025-01-02T00:01")).enqueued == ["tests.jobs.sample_jobs.record"]


def test_scheduler_commands(daily: ScheduledJob) -> None:
    out = StringIO()
    call_command("scheduler", "pause", stdout=out)
    assert is_paused()
    call_command("scheduler", "resume", stdout=out)
    assert not is_paused()
    call_command("scheduler", "run", "sample_jobs.record", stdout=out)
    assert "enqueued tests.jobs.sample_jobs.record" in out.getvalue()
    call_command("scheduler", "status", stdout=out)
    assert "flrts.jobs.maintenance.cleanup" in out.getvalue() and "paused: no" in out.getvalue()
    with pytest.raises(CommandError, match="no scheduled job named"):
        call_command("scheduler", "run", "nope", stdout=out)
    with pytest.raises(CommandError, match="needs a JOB"):
        call_command("scheduler", "enable", stdout=out)


def test_the_database_lock_has_one_holder_until_its_lease_ends() -> None:
    first, second = DatabaseLock(ttl=30), DatabaseLock(ttl=30)
    assert first.acquire() and first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire() and not first.acquire()
    set_paused(True)
    assert is_paused() and second.acquire()  # pausing keeps the leader


def test_an_expired_lease_is_taken_over() -> None:
    first, second = DatabaseLock(ttl=0.01), DatabaseLock(ttl=30)
    assert first.acquire()
    import time

    time.sleep(0.05)
    assert second.acquire() and not first.acquire()
