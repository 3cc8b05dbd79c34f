"""Long polling (`flrts telegram poll`), for hosts without a public HTTPS URL.

Each update is stored exactly like the webhook stores it (same table, same `update_id`
deduplication) and processed on the same path, inline or through the queue.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from flrts.bot.processing import process_stored_update
from flrts.bot.webhook import HANDLED_KINDS
from flrts.telegram.client import BotClient
from flrts.telegram.errors import Conflict, TelegramError
from flrts.telegram.models import TelegramUpdate, UpdateSource, UpdateStatus

log = logging.getLogger("flrts.telegram")


def next_offset() -> int | None:
    last = TelegramUpdate.objects.order_by("-update_id").values_list("update_id", flat=True).first()
    return last + 1 if last is not None else None


def poll_once(
    client: BotClient, offset: int | None, timeout: int, inline: bool
) -> tuple[int | None, int]:
    """Fetch one batch; store and process it. Returns (next offset, updates stored)."""
    from flrts.bot.webhook import store_update

    batch = client.get_updates_raw(
        offset=offset, timeout=timeout, allowed_updates=sorted(HANDLED_KINDS)
    )
    stored = 0
    for item in batch:
        update_id = item.get("update_id")
        if not isinstance(update_id, int):
            continue
        offset = max(offset or 0, update_id + 1)
        row = store_update(item, source=UpdateSource.POLL, enqueue=not inline)
        if inline and row is not None and row.status == UpdateStatus.RECEIVED:
            process_stored_update(row.pk)
        stored += row is not None
    return offset, stored


def run(
    client: BotClient,
    *,
    timeout: int = 30,
    inline: bool = True,
    once: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
    write: Callable[[str], None] = print,
) -> int:
    """Poll until stopped (or one batch with `once`). Returns how many updates were stored."""
    offset = next_offset()
    total = 0
    failures = 0
    while not should_stop():
        try:
            offset, stored = poll_once(client, offset, timeout, inline)
            total += stored
            failures = 0
        except Conflict:
            write("A webhook is set (or another poller runs): run `flrts telegram delete-webhook`.")
            raise
        except TelegramError as exc:
            if exc.permanent:
                raise
            failures += 1
            wait = min(2**failures, 60)
            log.warning("getUpdates failed (%s); retrying in %ss", exc, wait)
            time.sleep(wait)
        if once:
            break
    return total
