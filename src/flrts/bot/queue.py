"""The update store is the queue: the webhook's one INSERT (status `received`) is the message.

- `hand_off(pk)` is all the webhook does after its INSERT: nothing on the database queue (the
  row is enough), a wake-up push to Redis on commit when `redis_queue` is set, and with any other
  task backend (the immediate backend of tests and development) the processing task on commit.
- `claim(limit)` takes a batch of received rows (oldest first) and marks them `processing` in
  one short transaction. Claims are serialised (SQLite: the IMMEDIATE write lock; PostgreSQL: a
  transaction advisory lock; MariaDB: a named lock), and a chat that has a row in `processing`
  is skipped, so two workers never process one chat's messages at the same time or out of order.
- `reclaim()` puts rows stuck in `processing` past `telegram_processing_timeout` (a worker that
  died) back to `received`; after `telegram_max_attempts` claims a row is marked failed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from flrts.core.probes import Probe
from flrts.jobs import redisclient
from flrts.jobs import wake as jobs_wake
from flrts.telegram.models import TelegramUpdate, UpdateStatus

log = logging.getLogger("flrts.telegram")

WAKE_KEY = "flrts:telegram:wake"
_CLAIM_LOCK_ID = 0x464C5254  # "FLRT": PostgreSQL advisory lock key
_CLAIM_LOCK_NAME = "flrts_telegram_claim"


def processing_timeout() -> float:
    return settings.SITE.get_float("telegram_processing_timeout", 300.0, minimum=5.0)


def max_attempts() -> int:
    return settings.SITE.get_int("telegram_max_attempts", 3, minimum=1)


# -- hand-off from the webhook -----------------------------------------------------------------


def table_is_queue() -> bool:
    """True when update workers claim from the table (database queue or Redis wake-ups)."""
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    from flrts.bot.tasks import process_update_task

    if settings.REDIS_QUEUE:
        return True
    return isinstance(task_backends[process_update_task.backend], DatabaseBackend)


def hand_off(update_pk: int) -> None:
    """Make a stored `received` row reach a worker; call inside the storing transaction."""
    if not table_is_queue():
        from flrts.bot.tasks import process_update_task

        transaction.on_commit(lambda: process_update_task.enqueue(update_pk))
    elif settings.REDIS_QUEUE:
        transaction.on_commit(wake)
    else:
        # An update loop on this host sleeps between polls of the table: wake it.
        transaction.on_commit(lambda: jobs_wake.ping("telegram"), robust=True)


def redis_client() -> Any:
    return redisclient.queue_client()


def wake() -> None:
    """Tell one idle update worker there is work. Best effort: workers also poll the table."""
    try:
        pipe = redis_client().pipeline(transaction=False)
        pipe.lpush(WAKE_KEY, 1)
        pipe.ltrim(WAKE_KEY, 0, 63)  # a bounded list whatever happens to the workers
        pipe.execute()
    except Exception as exc:  # Redis down: the row is stored; workers find it by polling
        log.warning("could not wake the Telegram update workers: %s", exc)


# -- claiming --------------------------------------------------------------------------------


@contextmanager
def _claim_lock() -> Iterator[None]:
    """Serialise claims: the 'is this chat busy?' check and the claim must not interleave."""
    vendor = connection.vendor
    if vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT GET_LOCK(%s, 10)", [_CLAIM_LOCK_NAME])
            (got,) = cursor.fetchone()
        if got != 1:
            raise TimeoutError("could not take the Telegram claim lock")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT RELEASE_LOCK(%s)", [_CLAIM_LOCK_NAME])
        return
    if vendor == "postgresql":
        with connection.cursor() as cursor:  # released at the end of the transaction
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CLAIM_LOCK_ID])
    # SQLite: the transaction is BEGIN IMMEDIATE, which already holds the one write lock.
    yield


# Asked every 2 s by an idle update loop: SQL written once (flrts.core.probes).
_RECEIVED = Probe(TelegramUpdate, "{status} = %s")


def has_work() -> bool:
    """A lock-free read, so idle workers polling never take the write lock."""
    return _RECEIVED.any([UpdateStatus.RECEIVED])


def claim(limit: int = 10) -> list[TelegramUpdate]:
    """Claim up to `limit` received rows, oldest first, skipping chats busy in another worker.

    The returned rows are `processing`; process them in order (a chat's rows stay in order).
    """
    if connection.vendor == "mysql":
        with _claim_lock(), transaction.atomic():
            return _claim_rows(limit)
    with transaction.atomic(), _claim_lock():
        return _claim_rows(limit)


def _claim_rows(limit: int) -> list[TelegramUpdate]:
    busy = TelegramUpdate.objects.filter(
        status=UpdateStatus.PROCESSING, chat_id__isnull=False
    ).values("chat_id")
    candidates = (
        TelegramUpdate.objects.filter(status=UpdateStatus.RECEIVED)
        .exclude(chat_id__in=busy)
        .order_by("id")
        .only("id", "update_id", "kind", "chat_id", "payload", "received_at", "attempts")
        .select_for_update(skip_locked=True)[:limit]
    )
    rows = list(candidates)
    if not rows:
        return []
    now = timezone.now()
    TelegramUpdate.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=UpdateStatus.PROCESSING, started_at=now, attempts=F("attempts") + 1
    )
    for row in rows:
        row.status, row.started_at, row.attempts = UpdateStatus.PROCESSING, now, row.attempts + 1
    return rows


def reclaim(now: dt.datetime | None = None) -> tuple[int, int]:
    """Rows `processing` for longer than the timeout: their worker died. Back to `received`
    (or `failed` after `telegram_max_attempts`). Returns (requeued, failed)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=processing_timeout())
    stuck = TelegramUpdate.objects.filter(status=UpdateStatus.PROCESSING, started_at__lt=cutoff)
    limit = max_attempts()
    failed = stuck.filter(attempts__gte=limit).update(
        status=UpdateStatus.FAILED,
        finished_at=now,
        error=f"abandoned: still processing after {limit} attempt(s) (the worker was lost)",
    )
    requeued = stuck.filter(attempts__lt=limit).update(status=UpdateStatus.RECEIVED)
    if requeued or failed:
        log.warning("Telegram updates reclaimed: %s requeued, %s failed", requeued, failed)
    return requeued, failed
