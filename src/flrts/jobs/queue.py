"""Putting work on a queue. Every job gets a Job row; the backend message only carries its id.

    from flrts.jobs.queue import enqueue, enqueue_after_commit
    from flrts.notify.events import task_assigned
    enqueue_after_commit(task_assigned, task_id=task.pk)

`func` is a function declared with `@job` or `@scheduled` (flrts.jobs.registry), called with
keyword arguments that are JSON-safe; the Job row stores the name the registry gives it. Jobs
must be safe to run twice: a worker killed mid-job has its job run again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from flrts.jobs import wake
from flrts.jobs.models import Job, JobStatus
from flrts.jobs.registry import path_of

DEFAULT_ATTEMPTS = 3


def _summary(kwargs: dict[str, Any]) -> str:
    text = ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in kwargs.items())
    return text if len(text) <= 255 else text[:252] + "..."


def _backend() -> Any:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    return task_backends[DEFAULT_TASK_BACKEND_ALIAS]


def _db_backend_in_same_database() -> bool:
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(_backend(), DatabaseBackend)


def _external_queue() -> bool:
    """RQ lives outside the database: its message must not overtake the Job row's commit."""
    return type(_backend()).__module__.startswith("django_tasks_rq")


def create_job(
    func: Callable[..., Any],
    *,
    queue: str = "default",
    job_name: str = "",
    run_after: dt.datetime | None = None,
    max_attempts: int = DEFAULT_ATTEMPTS,
    scheduled_job: Any = None,
    kwargs: dict[str, Any] | None = None,
) -> Job:
    if queue not in settings.QUEUE_TIMEOUTS:
        raise ValueError(f"unknown queue {queue!r}; use one of {', '.join(settings.QUEUES)}")
    kwargs = json.loads(json.dumps(kwargs or {}, default=str))
    path = path_of(func)
    return Job.objects.create(
        method=path,
        job_name=job_name or path.rsplit(".", 1)[-1],
        queue=queue,
        kwargs=kwargs,
        args_summary=_summary(kwargs),
        run_after=run_after,
        max_attempts=max(1, max_attempts),
        scheduled_job=scheduled_job,
    )


def send_to_backend(job: Job) -> None:
    """Hand the Job to the task backend (database queue or RQ), carrying its current token."""
    from flrts.jobs.runner import execute_job

    backend = _backend()
    run_after = job.run_after if job.run_after and job.run_after > timezone.now() else None
    if run_after is not None and not backend.supports_defer:
        run_after = None  # the immediate backend (tests) runs everything now
    queue = job.queue if not backend.queues or job.queue in backend.queues else "default"
    result = execute_job.using(queue_name=queue, run_after=run_after).enqueue(job.pk, job.token)
    Job.objects.filter(pk=job.pk, token=job.token).update(backend_id=str(result.id)[:64])
    job.backend_id = str(result.id)[:64]
    if _db_backend_in_same_database():
        # An idle worker on this host waits on its wake-up socket rather than polling: tell it
        # once the message is visible (at once outside a transaction).
        transaction.on_commit(wake.ping, robust=True)


def enqueue(func: Callable[..., Any], **options: Any) -> Job:
    """Create the Job row and queue it now. Options: queue, job_name, run_after, max_attempts,
    scheduled_job, kwargs (a dict), or the job's keyword arguments directly."""
    job = create_job(func, **_split(options))
    if _external_queue():
        transaction.on_commit(lambda: send_to_backend(job), robust=True)
    else:
        send_to_backend(job)
    return job


def enqueue_after_commit(func: Callable[..., Any], **options: Any) -> Job:
    """Like `enqueue`, but no worker can see the job before the current transaction commits.

    The Job row is written inside the transaction (so it rolls back with the work that caused
    it). With the database queue the backend row is written there too, which is both "after
    commit" for the workers and lossless; with RQ the message is sent on commit, and a job whose
    message never left (the process died in between) is sent by the recovery sweep.
    """
    job = create_job(func, **_split(options))
    if _db_backend_in_same_database():
        send_to_backend(job)
    else:
        transaction.on_commit(lambda: send_to_backend(job), robust=True)
    return job


_OPTION_NAMES = {"queue", "job_name", "run_after", "max_attempts", "scheduled_job", "kwargs"}


def _split(options: dict[str, Any]) -> dict[str, Any]:
    named = {k: v for k, v in options.items() if k in _OPTION_NAMES}
    extra = {k: v for k, v in options.items() if k not in _OPTION_NAMES}
    if extra:
        named["kwargs"] = {**(named.get("kwargs") or {}), **extra}
    return named


def requeue(
    job: Job, *, run_after: dt.datetime | None = None, reset_attempts: bool = False
) -> bool:
    """Queue an existing job again under a new token (retry, admin retry, lost worker)."""
    fields: dict[str, Any] = {
        "status": JobStatus.QUEUED,
        "token": job.token + 1,
        "run_after": run_after,
        "worker_id": "",
        "backend_id": "",
    }
    if reset_attempts:
        fields["attempts"] = 0
    with transaction.atomic():
        moved = Job.objects.filter(pk=job.pk, token=job.token).update(**fields)
        if not moved:
            return False
        job.refresh_from_db()
        if _external_queue():
            transaction.on_commit(lambda: send_to_backend(job), robust=True)
        else:
            send_to_backend(job)
    return True
