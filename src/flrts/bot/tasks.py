"""The processing task, for task backends that run it (the immediate backend of tests and
development). On the database queue and with Redis, update workers claim the stored rows
instead (`flrts.bot.queue`, `flrts.bot.worker`).

Processing is idempotent (the update row is claimed with a conditional UPDATE), so a job that
runs twice, or a worker killed mid-job and restarted, never answers one message twice.
"""

from __future__ import annotations

from django_tasks import task


@task()
def process_update_task(update_pk: int) -> str:
    from flrts.bot.processing import process_stored_update

    return process_stored_update(update_pk)


def enqueue_processing(update_pk: int) -> None:
    """Hand a stored `received` update to the workers (see `flrts.bot.queue.hand_off`)."""
    from flrts.bot.queue import hand_off

    hand_off(update_pk)
