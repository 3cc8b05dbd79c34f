"""Workers and schedulers as real processes on a real site (file SQLite, or FLRTS_TEST_DB)."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.jobs.support import TempSite, assert_a_job_past_its_queue_timeout_fails, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tsite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TempSite]:
    made = TempSite(tmp_path_factory.mktemp("sites"), worker_stale_after=2, scheduler_interval=1)
    yield made
    made.drop()


def test_a_sigkilled_workers_job_runs_again_after_restart(tsite: TempSite, tmp_path: Path) -> None:
    marker = tmp_path / "slow.log"
    job_id = tsite.enqueue("tests.jobs.sample_jobs.slow", marker=str(marker), seconds=2)
    with tsite.process("worker", "--interval", "0.1") as first:
        wait_for(lambda: marker.exists() and "start" in marker.read_text())
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    assert marker.read_text() == "start\n"  # killed mid-job
    with tsite.process("worker", "--interval", "0.1"):
        wait_for(lambda: "done" in marker.read_text(), timeout=40)
        wait_for(lambda: tsite.job_row(job_id, "status")["status"] == "finished", timeout=20)
    assert tsite.job_row(job_id, "status", "attempts") == {"status": "finished", "attempts": 2}


def test_sigterm_lets_the_current_job_finish(tsite: TempSite, tmp_path: Path) -> None:
    marker = tmp_path / "slow.log"
    job_id = tsite.enqueue("tests.jobs.sample_jobs.slow", marker=str(marker), seconds=2)
    with tsite.process("worker", "--interval", "0.1") as worker:
        wait_for(lambda: marker.exists() and "start" in marker.read_text())
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0
    assert marker.read_text() == "start\ndone\n"
    assert tsite.job_row(job_id, "status", "attempts") == {"status": "finished", "attempts": 1}


def test_a_job_past_its_queue_timeout_fails(tsite: TempSite, tmp_path: Path) -> None:
    assert_a_job_past_its_queue_timeout_fails(tsite, tmp_path)


RACE = """
import time, datetime as dt
from pathlib import Path
from flrts.jobs import scheduler
from flrts.jobs.models import ScheduledJob
while not Path({barrier!r}).exists():
    time.sleep(0.01)
base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
for hour in range(1, 49):
    scheduler.tick(now=base + dt.timedelta(hours=hour, seconds=1))
print("done")
"""

SETUP = """
import datetime as dt
from flrts.jobs import registry
from flrts.jobs.models import ScheduledJob
from tests.jobs import sample_jobs
registry.register("hourly", sample_jobs.record)
registry.sync_scheduled_jobs()
ScheduledJob.objects.exclude(method="tests.jobs.sample_jobs.record").update(enabled=False)
ScheduledJob.objects.filter(method="tests.jobs.sample_jobs.record").update(
    created=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), last_slot=None)
"""

COUNT = """
import json
from flrts.jobs.models import Job, ScheduledRun
m = "tests.jobs.sample_jobs.record"
print(json.dumps({"runs": ScheduledRun.objects.filter(scheduled_job__method=m).count(),
                  "slots": ScheduledRun.objects.filter(scheduled_job__method=m)
                           .values("slot").distinct().count(),
                  "jobs": Job.objects.filter(method=m).count()}))
"""


def test_two_schedulers_racing_enqueue_each_slot_exactly_once(
    tsite: TempSite, tmp_path: Path
) -> None:
    tsite.python(SETUP)
    barrier = tmp_path / "go"
    code = RACE.format(barrier=str(barrier))
    with tsite.process("shell", "-c", code) as a, tsite.process("shell", "-c", code) as b:
        time.sleep(3)  # both processes are up and waiting
        barrier.write_text("go")
        codes = [a.wait(timeout=120), b.wait(timeout=120)]
        assert codes == [0, 0], [p.stdout.read() if p.stdout else "" for p in (a, b)]
    counts = json.loads(tsite.python(COUNT).strip().splitlines()[-1])
    assert counts == {"runs": 48, "slots": 48, "jobs": 48}
    tsite.python(
        "from flrts.jobs.models import ScheduledJob; ScheduledJob.objects.update(enabled=True)"
    )
