"""Queueing the processing of stored updates (django_tasks; a worker runs them).

Processing is idempotent (the update row is claimed with a conditional UPDATE), so a job that
runs twice, or a worker killed mid-job and restarted, never answers one message twice.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task


@task()
def process_update_task(update_pk: int) -> str:
    from flrts.telegram.processing import process_stored_update

    return process_stored_update(update_pk)


def _queue_in_same_database() -> bool:
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends[process_update_task.backend], DatabaseBackend)


def enqueue_processing(update_pk: int) -> None:
    """Queue processing of a stored update; a worker must only see it once the row is committed.

    With the database queue the job row is written in the caller's transaction (one commit for
    the update and its job, and never one without the other). Other backends (RQ, immediate)
    are handed the job after the commit.
    """
    if _queue_in_same_database() and transaction.get_connection().in_atomic_block:
        process_update_task.enqueue(update_pk)
    else:
        transaction.on_commit(lambda: process_update_task.enqueue(update_pk))
