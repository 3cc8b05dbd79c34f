from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from flrts.core.models import ErrorLog
from flrts.jobs.models import Job, JobStatus
from flrts.jobs.queue import enqueue, enqueue_after_commit, requeue
from flrts.jobs.runner import run_job
from tests.jobs import sample_jobs
from tests.jobs.support import drain

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("db_queue")]


def test_a_job_runs_through_the_database_queue_and_is_recorded() -> None:
    job = enqueue(sample_jobs.record, label="hello", queue="short")
    assert job.status == JobStatus.QUEUED and job.args_summary == 'label="hello"'
    drain()
    job.refresh_from_db()
    assert job.status == JobStatus.FINISHED
    assert job.attempts == 1 and job.result == "recorded hello"
    assert job.started_at and job.finished_at and job.duration is not None
    assert DBTaskResult.objects.get(pk=job.backend_id).queue_name == "short"


def test_an_expected_failure_is_recorded_without_an_error_log() -> None:
    job = enqueue(sample_jobs.expected_failure)
    drain()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "the site has no address" and job.traceback == ""
    assert not ErrorLog.objects.exists()


def test_a_crash_keeps_its_traceback_and_writes_the_error_log() -> None:
    job = enqueue(sample_jobs.crash)
    drain()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "ZeroDivisionError" in job.traceback
    log = ErrorLog.objects.get()
    assert job.error_log == log.name and log.method == "tests.jobs.sample_jobs.crash"


def test_a_transient_failure_is_retried_later_with_backoff(tmp_path: Path) -> None:
    job = enqueue(sample_jobs.flaky, marker=str(tmp_path / "m"))
    drain()
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.attempts == 1 and job.token == 2
    assert job.run_after is not None and job.run_after > timezone.now() + dt.timedelta(seconds=3)
    assert "network blip" in job.error
    # Time passes: make the retry due.
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    drain()
    job.refresh_from_db()
    assert job.status == JobStatus.FINISHED and job.attempts == 2


def test_a_stale_message_never_runs_a_job_twice() -> None:
    job = enqueue(sample_jobs.record, label="once")
    sample_jobs.CALLS.clear()
    assert run_job(job.pk, job.token) == "finished"
    assert run_job(job.pk, job.token) == "skipped"
    assert run_job(job.pk, job.token + 5) == "skipped"
    assert sample_jobs.CALLS == ["once"]


def test_enqueue_after_commit_is_rolled_back_with_its_transaction() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_after_commit(sample_jobs.record, label="never")
        raise RuntimeError("the change failed")
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


def test_an_unknown_queue_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown queue 'fast'"):
        enqueue(sample_jobs.record, label="x", queue="fast")


def test_a_failed_job_can_be_retried() -> None:
    job = enqueue(sample_jobs.expected_failure)
    drain()
    job.refresh_from_db()
    assert requeue(job, reset_attempts=True)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.attempts == 0
    drain()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 1
