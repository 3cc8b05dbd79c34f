"""An idle site is quiet: no Job rows for sweeps with nothing to do, and an idle database-queue
worker that sleeps yet takes a job queued from this host at once (real processes, real site)."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.jobs.support import TempSite, wait_for

pytestmark = pytest.mark.slow

COUNT_JOBS = (
    "import json; from flrts.jobs.models import Job; "
    "print(json.dumps(sorted(Job.objects.values_list('method', flat=True))))"
)
LEADER = (
    "from flrts.jobs.models import SchedulerState, WorkerHeartbeat; "
    "print(SchedulerState.objects.exclude(holder='').count(), WorkerHeartbeat.objects.count())"
)
OVERDUE_TASK = """
import datetime as dt
from django.utils import timezone
from flrts.tasks.models import Task
Task.objects.create(subject="Idle check", exp_end_date=timezone.localdate() - dt.timedelta(days=2))
"""
FINISHED = (
    "import json; from flrts.jobs.models import Job; "
    "print(json.dumps(list(Job.objects.filter(pk={pk}).values_list('status', 'started_at', "
    "'enqueued_at', 'run_after'))[0], default=str))"
)


@pytest.fixture(scope="module")
def qsite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TempSite]:
    # A scheduler tick every second: a minute's worth of sweep slots in a few seconds.
    made = TempSite(tmp_path_factory.mktemp("sites"), scheduler_interval=1, worker_idle_max=120)
    yield made
    made.drop()


def _jobs(site: TempSite) -> list[str]:
    return list(json.loads(site.python(COUNT_JOBS).strip().splitlines()[-1]))


def test_an_idle_worker_and_scheduler_write_no_job_rows(qsite: TempSite) -> None:
    before = _jobs(qsite)
    with qsite.process("worker"), qsite.process("scheduler"):
        # Both are up: the scheduler leads, the worker beats.
        wait_for(lambda: qsite.python(LEADER).split()[-2:] == ["1", "1"], timeout=60)
        ticks = 8
        time.sleep(ticks)  # eight scheduler ticks: every `all` sweep is due at each of them
        idle = _jobs(qsite)
        # Control: the same scheduler does enqueue a sweep once there is work for it.
        qsite.python(OVERDUE_TASK)
        wait_for(lambda: "flrts.notify.sweeps.sweep_overdue" in _jobs(qsite), timeout=60)
    assert idle == before, f"an idle site wrote Job rows: {sorted(set(idle) - set(before))}"


def _finished(site: TempSite, pk: int) -> list[str] | None:
    row = json.loads(site.python(FINISHED.format(pk=pk)).strip().splitlines()[-1])
    return row if row[0] == "finished" else None


def test_an_idle_worker_is_woken_by_an_enqueue_on_this_host(
    qsite: TempSite, tmp_path: Path
) -> None:
    # worker_idle_max=120 and --interval 120: without the wake-up the job would wait ~120 s.
    # (Times are the Job row's own stamps: starting the enqueueing process is not measured.)
    with qsite.process("worker", "--interval", "120"):
        wake_dir = qsite.base / qsite.name / "private" / "wake" / "jobs"
        wait_for(lambda: wake_dir.exists() and any(wake_dir.iterdir()), timeout=60)
        time.sleep(1)  # the worker has polled and is asleep
        pk = qsite.enqueue("tests.jobs.sample_jobs.record", label="wake")
        row = wait_for(lambda: _finished(qsite, pk), timeout=100)
    started, enqueued = (dt.datetime.fromisoformat(v) for v in row[1:3])
    assert (started - enqueued).total_seconds() < 60, row
    assert list(wake_dir.iterdir()) == [], "a stopped worker removes its wake-up file"
    assert list((wake_dir.parent / "telegram").iterdir()) == [], "and its update loop's"


def test_a_sleeping_worker_takes_a_deferred_job_at_its_time(qsite: TempSite) -> None:
    with qsite.process("worker", "--interval", "120"):
        wait_for(lambda: qsite.python(LEADER).split()[-1] != "0", timeout=60)
        code = (
            "import datetime as dt; from django.utils import timezone; "
            "from flrts.jobs.queue import enqueue; from tests.jobs.sample_jobs import record; "
            "print(enqueue(record, label='later', "
            "run_after=timezone.now() + dt.timedelta(seconds=4)).pk)"
        )
        pk = int(qsite.python(code).strip().splitlines()[-1])
        row = wait_for(lambda: _finished(qsite, pk), timeout=100)
    started, run_after = dt.datetime.fromisoformat(row[1]), dt.datetime.fromisoformat(row[3])
    assert started >= run_after
    # Taken at its time, not at the next 120 s poll.
    assert (started - run_after).total_seconds() < 60, row


@pytest.mark.skipif(
    os.environ.get("FLRTS_TEST_DB") != "postgres", reason="only PostgreSQL wakes other hosts"
)
def test_an_idle_worker_on_another_host_is_woken_through_postgresql(
    qsite: TempSite, tmp_path: Path
) -> None:
    # The worker runs in a copy of the site in another sites folder: another host as far as the
    # UDP wake-up goes (the enqueueing process pings `qsite`'s wake folder, where nobody
    # listens). Only the NOTIFY can end its 120 s sleep.
    there = qsite.twin(tmp_path / "other-host")
    with there.process("worker", "--interval", "120"):
        there_dir = there.base / there.name / "private" / "wake" / "jobs"
        wait_for(lambda: there_dir.exists() and any(there_dir.iterdir()), timeout=60)
        time.sleep(1)  # the worker has polled and is asleep
        here_dir = qsite.base / qsite.name / "private" / "wake" / "jobs"
        assert not here_dir.exists() or list(here_dir.iterdir()) == [], "no UDP listener here"
        pk = qsite.enqueue("tests.jobs.sample_jobs.record", label="other host")
        row = wait_for(lambda: _finished(qsite, pk), timeout=100)
    started, enqueued = (dt.datetime.fromisoformat(v) for v in row[1:3])
    # Well under the 2 s back-off (and far from the 120 s this worker would otherwise sleep).
    assert (started - enqueued).total_seconds() < 1.5, row
