"""The beat: which scheduled jobs are due, and enqueueing each slot exactly once.

Exactly-once does not depend on the leader lock: a slot is claimed by inserting the unique
(scheduled job, slot) row in the same transaction that writes the Job, so a second scheduler
(or a leader that lost its lease mid-tick) gets an IntegrityError and enqueues nothing. After
downtime only the latest missed slot is due, so each job catches up once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from flrts.jobs.models import Job, ScheduledJob, ScheduledRun
from flrts.jobs.queue import enqueue_after_commit
from flrts.jobs.registry import entry, resolve
from flrts.jobs.slots import latest_slot, next_slot

logger = logging.getLogger("flrts.scheduler")


@dataclass
class TickReport:
    now: dt.datetime
    enqueued: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    idle: list[str] = field(default_factory=list)  # due, but their `when=` found nothing to do


def has_work(job: ScheduledJob) -> bool:
    """The entry's `when=` check (one cheap query); no check means always. A failing check
    counts as work, so the job itself runs and reports the problem."""
    declared = entry(job.method)
    if declared is None or declared.when is None:
        return True
    try:
        return bool(declared.when())
    except Exception:
        logger.exception("the work check of %s failed; running it", job.method)
        return True


def due_slot(job: ScheduledJob, now: dt.datetime) -> dt.datetime | None:
    slot = latest_slot(job.frequency, job.cron, now)
    # A job never run counts from when it was registered (Frappe counts from creation).
    floor = job.last_slot or job.created
    if slot <= floor:
        return None
    return slot


def tick(now: dt.datetime | None = None) -> TickReport:
    """Enqueue every enabled scheduled job whose slot has come (not the `second` ones)."""
    now = now or timezone.now()
    report = TickReport(now=now)
    jobs = ScheduledJob.objects.filter(enabled=True, in_registry=True).exclude(frequency="second")
    for job in jobs:
        slot = due_slot(job, now)
        if slot is None:
            continue
        if not has_work(job):
            report.idle.append(job.method)
            continue
        if claim_slot(job, slot, now) is not None:
            report.enqueued.append(job.method)
        else:
            report.skipped.append(job.method)
    return report


def claim_slot(job: ScheduledJob, slot: dt.datetime, now: dt.datetime) -> Job | None:
    """Enqueue `job` for `slot` unless someone already did; returns the Job or None."""
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(scheduled_job=job, slot=slot)
            queued = enqueue_after_commit(
                resolve(job.method), queue=job.queue, scheduled_job=job, job_name=job.method
            )
            run.job = queued
            run.save(update_fields=["job"])
            ScheduledJob.objects.filter(pk=job.pk).update(
                last_slot=slot,
                last_run_at=now,
                next_run_at=next_slot(job.frequency, job.cron, slot),
            )
    except IntegrityError:
        logger.debug("slot %s of %s already claimed", slot, job.method)
        return None
    except OperationalError as exc:
        # InnoDB may pick this transaction as a deadlock victim when two schedulers insert the
        # same slot at once; the other one wins, and an unclaimed slot is retried next tick.
        logger.warning("slot %s of %s not claimed this time: %s", slot, job.method, exc)
        return None
    logger.info("enqueued %s for slot %s", job.method, slot.isoformat())
    return queued


def run_now(method: str) -> Job:
    """`flrts scheduler run JOB`: enqueue a scheduled job now, outside its slots."""
    job = find(method)
    return enqueue_after_commit(
        resolve(job.method), queue=job.queue, scheduled_job=job, job_name=job.method
    )


def find(name: str) -> ScheduledJob:
    """A scheduled job by its dotted path or an unambiguous tail of it."""
    exact = ScheduledJob.objects.filter(method=name).first()
    if exact:
        return exact
    matches = [j for j in ScheduledJob.objects.all() if j.method.endswith("." + name)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise LookupError(f"no scheduled job named {name!r} (see `flrts scheduler status`)")
    raise LookupError(f"{name!r} matches several jobs: {', '.join(j.method for j in matches)}")
