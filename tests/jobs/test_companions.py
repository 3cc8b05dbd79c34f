"""`flrts worker` runs the companion threads apps register at start-up (the bot's update loop)
without the jobs app importing them; and moved job functions keep their stored jobs."""

from __future__ import annotations

from typing import Any

import pytest

from flrts.jobs import workers


class Recorder:
    """A companion that records what the worker did with it."""

    made: list[Recorder] = []

    def __init__(self) -> None:
        self.events: list[str] = []
        Recorder.made.append(self)

    def start(self) -> None:
        self.events.append("start")

    def stop(self) -> None:
        self.events.append("stop")

    def join(self, timeout: float | None = None) -> None:
        self.events.append("join")


class NoHeartbeat:
    def __init__(self, *args: Any) -> None:
        pass

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def join(self, timeout: float | None = None) -> None:
        pass


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[Recorder]:
    Recorder.made = []
    monkeypatch.setattr(workers, "_COMPANIONS", {"recorder": Recorder})
    # The job loop and the heartbeat thread are not what these tests are about (and a heartbeat
    # still running after its test would write to a database the next test does not own).
    monkeypatch.setattr(workers, "_run_db", lambda *a, **k: None)
    monkeypatch.setattr(workers, "Heartbeat", NoHeartbeat)
    return Recorder.made


def test_the_bot_registers_its_update_loop_as_a_companion() -> None:
    from flrts.bot.worker import UpdateWorkerThread

    assert workers.companions()["telegram-updates"] is UpdateWorkerThread


@pytest.mark.django_db
def test_a_worker_starts_and_stops_each_companion(recorded: list[Recorder]) -> None:
    workers.run_worker(["default"], worker_id="w-companions")
    assert [r.events for r in recorded] == [["start", "stop", "join"]]


@pytest.mark.django_db
@pytest.mark.parametrize("options", [{"burst": True}, {"companion_threads": False}])
def test_no_companions_in_burst_mode_or_when_turned_off(
    recorded: list[Recorder], options: dict[str, Any]
) -> None:
    workers.run_worker(["default"], worker_id="w-no-companions", **options)
    assert recorded == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_renames_stored_paths_of_moved_job_functions() -> None:
    """An existing site's queued delivery and schedule history follow the moved functions."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from flrts.jobs.models import Job, ScheduledJob

    executor = MigrationExecutor(connection)
    executor.migrate([("jobs", "0001_initial")])
    executor.loader.build_graph()
    old = "flrts.reminders.deliver.deliver_reminders"
    Job.objects.create(method=old, queue="short", kwargs={"delivery_ids": [1]})
    ScheduledJob.objects.filter(method="flrts.notify.reminder_dispatch.dispatch_due").delete()
    ScheduledJob.objects.create(method="flrts.reminders.dispatch.dispatch_due", frequency="second")
    executor.migrate([("jobs", "0002_moved_job_functions")])
    assert Job.objects.get().method == "flrts.notify.reminder_delivery.deliver_reminders"
    moved = ScheduledJob.objects.get(method="flrts.notify.reminder_dispatch.dispatch_due")
    assert moved.in_registry
    assert not ScheduledJob.objects.filter(method__startswith="flrts.reminders.").exists()
