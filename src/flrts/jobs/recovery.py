"""Nothing is lost when a worker dies: its job is run again, and unsent messages are sent.

Workers write a heartbeat every few seconds. A job still "started" by a worker whose heartbeat
stopped (SIGKILL, power loss, OOM) is requeued under a new token; for the database queue the
backend row it was claimed from is closed as failed so it is never picked up again. Jobs are
written to be safe to repeat. Runs in every worker's heartbeat thread and in the scheduler.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from django.conf import settings
from django.utils import timezone

from flrts.jobs.models import Job, JobStatus, WorkerHeartbeat

logger = logging.getLogger("flrts.jobs")


def stale_after() -> float:
    return settings.SITE.get_float("worker_stale_after", 30.0, minimum=1.0)


def heartbeat_interval() -> float:
    # Three beats per stale window: a missed beat or two is not a death.
    return max(0.2, stale_after() / 3)


def beat(worker_id: str, backend: str, queues: list[str]) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "backend": backend,
            "queues": ",".join(queues)[:100],
            "pid": os.getpid(),
            "hostname": socket.gethostname()[:255],
            "last_seen": timezone.now(),
        },
    )


def forget(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def live_workers(now: dt.datetime | None = None) -> set[str]:
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=stale_after())
    return set(
        WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).values_list("worker_id", flat=True)
    )


def requeue_lost_jobs(now: dt.datetime | None = None) -> list[int]:
    """Requeue jobs whose worker is gone; returns their ids."""
    from flrts.jobs.queue import requeue

    now = now or timezone.now()
    alive = live_workers(now)
    grace = dt.timedelta(seconds=stale_after())
    requeued: list[int] = _requeue_lost_db_rows(now, alive, grace)
    started = Job.objects.filter(status=JobStatus.STARTED, started_at__lt=now - grace)
    for job in started.exclude(worker_id__in=alive):
        if job.worker_id == "inline":
            # Run inside a web request or test (immediate backend): only the queue timeout
            # tells us it is gone.
            limit = settings.QUEUE_TIMEOUTS.get(job.queue, 300) * 2
            if job.started_at and job.started_at > now - dt.timedelta(seconds=limit):
                continue
        _close_backend_row(job)
        if requeue(job):
            logger.warning("job %s was lost with worker %s; requeued", job.pk, job.worker_id)
            requeued.append(job.pk)
    # A message that never reached RQ (the process died between commit and send).
    unsent = Job.objects.filter(status=JobStatus.QUEUED, backend_id="", enqueued_at__lt=now - grace)
    for job in unsent:
        if requeue(job):
            requeued.append(job.pk)
    WorkerHeartbeat.objects.filter(last_seen__lt=now - 10 * grace).delete()
    return requeued


def _requeue_lost_db_rows(now: dt.datetime, alive: set[str], grace: dt.timedelta) -> list[int]:
    """Database queue: rows claimed by a dead worker, even before the runner claimed the Job."""
    from flrts.jobs.queue import _db_backend_in_same_database, requeue

    if not _db_backend_in_same_database():
        return []
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    out = []
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - grace
    )
    for row in running:
        if row.worker_ids and row.worker_ids[-1] in alive:
            continue
        DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path="flrts.jobs.errors.WorkerLost",
            traceback="the worker stopped sending heartbeats; the job was requeued",
        )
        args = (row.args_kwargs or {}).get("args") or []
        if len(args) != 2:
            continue
        job = Job.objects.filter(
            pk=args[0], token=args[1], status__in=[JobStatus.QUEUED, JobStatus.STARTED]
        ).first()
        if job and requeue(job):
            logger.warning("job %s was lost with worker %s; requeued", job.pk, row.worker_ids)
            out.append(job.pk)
    return out


def _close_backend_row(job: Job) -> None:
    from flrts.jobs.queue import _db_backend_in_same_database

    if not job.backend_id or not _db_backend_in_same_database():
        return  # RQ moves an abandoned job to its failed registry itself
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=job.backend_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="flrts.jobs.errors.WorkerLost",
        traceback=f"worker {job.worker_id} stopped sending heartbeats; job requeued",
    )
