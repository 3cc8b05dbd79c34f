"""The same guarantees on RQ (redis_queue set): a real RQ worker, a real Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.jobs.support import (
    TempSite,
    assert_a_job_past_its_queue_timeout_fails,
    empty_redis,
    kill_tree,
    wait_for,
)

pytestmark = [pytest.mark.redis, pytest.mark.slow]

# One Redis database per xdist worker: each worker's module fixture flushes its own database,
# so tests of this module running on two workers at once cannot empty each other's queue.
# FLRTS_TEST_REDIS_DB moves the pair, so two checkouts can run the suite on one server.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_DB = int(os.environ.get("FLRTS_TEST_REDIS_DB", "13")) + _WORKER % 2
REDIS_URL = os.environ.get("FLRTS_TEST_REDIS", f"redis://127.0.0.1:6379/{_DB}")


@pytest.fixture(scope="module")
def rsite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TempSite]:
    client = empty_redis(REDIS_URL)
    made = TempSite(
        tmp_path_factory.mktemp("rq-sites"),
        "rq.localhost",
        redis_queue=REDIS_URL,
        worker_stale_after=2,
    )
    yield made
    made.drop()
    client.flushdb()


def test_a_job_runs_on_an_rq_worker(rsite: TempSite) -> None:
    job_id = rsite.enqueue("tests.jobs.sample_jobs.record", label="via redis")
    rsite.flrts("worker", "--burst", timeout=60)
    assert rsite.job_row(job_id, "status", "attempts", "error") == {
        "status": "finished",
        "attempts": 1,
        "error": "",
    }


def test_a_sigkilled_rq_workers_job_runs_again_after_restart(
    rsite: TempSite, tmp_path: Path
) -> None:
    marker = tmp_path / "slow.log"
    job_id = rsite.enqueue("tests.jobs.sample_jobs.slow", marker=str(marker), seconds=2)
    with rsite.process("worker") as first:
        wait_for(lambda: marker.exists() and "start" in marker.read_text(), timeout=30)
        kill_tree(first.pid)  # the worker and anything it started
        first.wait(timeout=10)
    assert marker.read_text() == "start\n"
    with rsite.process("worker"):
        wait_for(lambda: "done" in marker.read_text(), timeout=40)
        wait_for(
            lambda: rsite.job_row(job_id, "status")["status"] == "finished",
            timeout=20,
        )
    assert rsite.job_row(job_id, "attempts")["attempts"] == 2


def test_a_job_past_its_queue_timeout_fails_on_rq(rsite: TempSite, tmp_path: Path) -> None:
    assert_a_job_past_its_queue_timeout_fails(rsite, tmp_path)
