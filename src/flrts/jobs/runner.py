"""The one runner every job goes through.

It claims the Job row (only the message carrying the row's current token may), calls the
function, and records the outcome: finished; failed as expected (`JobFailed`: no Error Log);
retried later with backoff (a transient error with attempts left); or crashed (traceback on the
row and in the Error Log).
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from flrts.core.models import ErrorLog
from flrts.jobs.errors import JobFailed, JobTimeout, UnknownJob, is_transient
from flrts.jobs.models import Job, JobStatus
from flrts.jobs.registry import resolve

logger = logging.getLogger("flrts.jobs")

# Set by `flrts worker`: who runs jobs in this process, and whether the runner enforces the
# queue timeout itself (both backends run jobs in the worker's main thread).
WORKER_ID = "inline"
ENFORCE_TIMEOUTS = False

BACKOFF_BASE = 5.0  # seconds; attempt n waits BASE * 4**(n-1): 5 s, 20 s, 80 s ...
BACKOFF_MAX = 600.0


def backoff(attempt: int) -> float:
    return min(BACKOFF_MAX, BACKOFF_BASE * 4 ** max(0, attempt - 1))


@task()
def execute_job(job_id: int, token: int) -> str:
    """The task every backend message points at."""
    return run_job(job_id, token)


def run_job(job_id: int, token: int) -> str:
    started = timezone.now()
    claimed = Job.objects.filter(pk=job_id, token=token, status=JobStatus.QUEUED).update(
        status=JobStatus.STARTED,
        started_at=started,
        finished_at=None,
        worker_id=WORKER_ID[:64],
        attempts=F("attempts") + 1,
    )
    if not claimed:
        # Already run, requeued under a newer token, or rolled back: nothing to do.
        logger.info("job %s token %s is not queued; skipped", job_id, token)
        return "skipped"
    job = Job.objects.get(pk=job_id)
    clock = time.monotonic()
    try:
        func = resolve(job.method)
    except UnknownJob as exc:
        # Not retried and not a crash loop: the row says why, the Error Log has it once.
        _crash(job, clock, exc)
        return "failed"
    try:
        with _deadline(settings.QUEUE_TIMEOUTS.get(job.queue, 300)):
            result = func(**job.kwargs)
    except JobFailed as exc:
        _finish(job, clock, JobStatus.FAILED, error=str(exc) or type(exc).__name__)
        return "failed"
    except (KeyboardInterrupt, SystemExit):
        # The worker is being stopped hard: leave the row "started" for the recovery sweep.
        raise
    except BaseException as exc:
        if is_transient(exc) and job.attempts < job.max_attempts:
            return _retry_later(job, clock, exc)
        _crash(job, clock, exc)
        return "crashed"
    _finish(job, clock, JobStatus.FINISHED, result=_short(result))
    return "finished"


def _short(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= 1000 else text[:997] + "..."


def _finish(job: Job, clock: float, status: str, **fields: Any) -> None:
    Job.objects.filter(pk=job.pk, token=job.token).update(
        status=status,
        finished_at=timezone.now(),
        duration=round(time.monotonic() - clock, 4),
        **fields,
    )


def _retry_later(job: Job, clock: float, exc: BaseException) -> str:
    from flrts.jobs.queue import requeue

    wait = backoff(job.attempts)
    Job.objects.filter(pk=job.pk, token=job.token).update(
        error=f"attempt {job.attempts}: {type(exc).__name__}: {exc}"[:2000],
        duration=round(time.monotonic() - clock, 4),
    )
    logger.warning(
        "job %s attempt %s failed (%s); retrying in %ss", job.pk, job.attempts, exc, wait
    )
    requeue(job, run_after=timezone.now() + dt.timedelta(seconds=wait))
    return "retrying"


def _crash(job: Job, clock: float, exc: BaseException) -> None:
    tb = "".join(traceback.format_exception(exc))
    error_log = ""
    try:
        log = ErrorLog(
            method=job.method[:255],
            error=tb,
            context={"job": job.pk, "queue": job.queue, "attempts": job.attempts},
        )
        log.save()
        error_log = log.name
    except Exception:  # the Error Log must never hide the job's own failure
        logger.exception("could not write the Error Log for job %s", job.pk)
    logger.error("job %s (%s) crashed: %s", job.pk, job.method, exc)
    _finish(
        job,
        clock,
        JobStatus.FAILED,
        error=f"{type(exc).__name__}: {exc}"[:2000],
        traceback=tb,
        error_log=error_log,
    )


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Stop a job that outlives its queue's timeout (in a worker's main thread)."""
    if not ENFORCE_TIMEOUTS or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise JobTimeout(f"job exceeded its queue timeout of {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
