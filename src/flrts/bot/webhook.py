"""The webhook Telegram POSTs updates to: check, store, enqueue, answer 200 at once.

- `X-Telegram-Bot-Api-Secret-Token` is compared in constant time; wrong or missing → 403. With
  no `telegram_webhook_secret` configured the endpoint refuses (403) unless the site is in
  developer mode, so a forgotten secret never leaves the bot open to anyone.
- A body over `telegram_max_update_bytes` → 413; not JSON or not an update → 400.
- The raw update is stored keyed by `update_id` BEFORE answering; a repeated delivery answers 200
  and is ignored. A kind we do not handle answers 200 and is stored as ignored.
- The stored row (status `received`) is the queue: one INSERT, one commit, then 200. Update
  workers claim received rows in batches (`flrts.bot.queue`); with `redis_queue` the webhook
  also wakes them through Redis, and with the immediate backend (tests) the update is processed
  after the commit. The answer never waits for the parser or for Telegram.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection
from django.db.models import Field
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from flrts.bot.queue import hand_off
from flrts.core.text import storable, unstorable
from flrts.telegram.config import bot_settings
from flrts.telegram.models import TelegramUpdate, UpdateSource, UpdateStatus
from flrts.telegram.types import update_kind

log = logging.getLogger("flrts.telegram")

SECRET_HEADER = "HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"

# Update kinds the bot acts on; everything else is stored as ignored.
HANDLED_KINDS = frozenset({"message", "callback_query", "my_chat_member"})


def _answer(http_status: int, **body: Any) -> JsonResponse:
    return JsonResponse(body, status=http_status)


def _secret_ok(request: HttpRequest, secret: str) -> bool:
    given = request.META.get(SECRET_HEADER, "")
    return hmac.compare_digest(given.encode(), secret.encode())


def _read_body(request: HttpRequest, limit: int) -> bytes | None:
    """The body, or None when it is over `limit` (read at most limit + 1 bytes)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    if not declared and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        # No Content-Length: Django reads such a body as empty. The server (gunicorn) has
        # removed the chunk framing; read its stream directly, still at most limit + 1 bytes.
        body = request.META["wsgi.input"].read(limit + 1)
    else:
        body = request.read(limit + 1)
    return None if len(body) > limit else body


def ids_of(payload: dict[str, Any], kind: str) -> tuple[int | None, int | None]:
    """(chat id, Telegram user id) of an update, for the store's columns."""
    item = payload.get(kind)
    if not isinstance(item, dict):
        return None, None
    sender = item.get("from")
    message = item.get("message") if kind == "callback_query" else item
    chat = message.get("chat") if isinstance(message, dict) else None
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    user_id = sender.get("id") if isinstance(sender, dict) else None
    return (
        chat_id if isinstance(chat_id, int) else None,
        user_id if isinstance(user_id, int) else None,
    )


_MYSQL_DUPLICATE_KEY = 1062
_MAX_UPDATE_ID = 2**63 - 1  # the BIGINT column

_COLUMNS = (
    "update_id", "kind", "chat_id", "telegram_user_id", "payload", "source", "status", "error",
    "attempts", "received_at",
)  # fmt: skip


def _insert_sql() -> str:
    """One INSERT; on SQLite/PostgreSQL a repeated `update_id` inserts nothing, raises nothing."""
    quote = connection.ops.quote_name
    table = quote(TelegramUpdate._meta.db_table)
    columns = ", ".join(quote(c) for c in _COLUMNS)
    values = ", ".join(["%s"] * len(_COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({values})"
    if connection.vendor == "mysql":
        # ON DUPLICATE KEY's row count cannot tell a duplicate apart (Django connects with
        # FOUND_ROWS); MariaDB rejects the one statement and nothing else, so catch 1062.
        return sql
    return sql + f" ON CONFLICT ({quote('update_id')}) DO NOTHING RETURNING {quote('id')}"


def _execute_sqlite(cursor: Any, sql: str, params: list[Any]) -> Any:
    """Execute one write on SQLite, waiting for the write lock in 0.5 ms steps.

    SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25… ms between tries, so a webhook
    that meets a worker's short transaction waits up to twice as long as the lock is held; the
    acknowledgement is what Telegram waits for, so it polls finely instead (same overall limit).
    Returns the statement's first row (RETURNING)."""
    # The connection's own `timeout` (settings.py; Python's sqlite3 default is 5 s).
    wait = float(connection.settings_dict["OPTIONS"].get("timeout", 5.0))
    deadline = time.monotonic() + wait
    cursor.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                cursor.execute(sql, params)
                return cursor.fetchone()
            except OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(0.0005)
    finally:
        cursor.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")


def _insert(row: TelegramUpdate) -> int | None:
    """Insert `row`; its new id, or None when the `update_id` was stored before."""
    fields = [cast(Field, TelegramUpdate._meta.get_field(name)) for name in _COLUMNS]
    params = [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            found = _execute_sqlite(cursor, _insert_sql(), params)
            return int(found[0]) if found else None
        if connection.vendor == "mysql":
            try:
                cursor.execute(_insert_sql(), params)
            except IntegrityError as exc:
                if exc.args and exc.args[0] == _MYSQL_DUPLICATE_KEY:
                    return None
                raise
            return int(cursor.lastrowid)
        cursor.execute(_insert_sql(), params)
        found = cursor.fetchone()
    return int(found[0]) if found else None


def store_update(
    payload: dict[str, Any], source: str = UpdateSource.WEBHOOK, *, enqueue: bool = True
) -> TelegramUpdate | None:
    """Store an update; None when this `update_id` was stored before. With `enqueue`, it is
    handed to the update workers (`flrts.bot.queue.hand_off`).

    One statement: in autocommit it commits by itself (no BEGIN/COMMIT round trips), and the
    unique `update_id` (ON CONFLICT DO NOTHING; MariaDB: the duplicate-key error) makes a
    repeated delivery a no-op."""
    if unstorable(payload):
        payload = storable(payload)  # a person's message is kept, its bad characters replaced
    kind = update_kind(payload)
    chat_id, user_id = ids_of(payload, kind)
    handled = kind in HANDLED_KINDS
    row = TelegramUpdate(
        update_id=payload["update_id"],
        kind=kind[:40],
        chat_id=chat_id,
        telegram_user_id=user_id,
        payload=payload,
        source=source,
        status=UpdateStatus.RECEIVED if handled else UpdateStatus.IGNORED,
        error="" if handled else f"update kind {kind!r} is not handled",
    )
    pk = _insert(row)
    if pk is None:
        return None
    row.pk = pk
    if handled and enqueue:
        hand_off(pk)  # in autocommit the row is committed already; else after the commit
    return row


@csrf_exempt
def webhook(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return _answer(405, ok=False, error="Use POST")
    config = bot_settings()
    if config.webhook_secret:
        if not _secret_ok(request, config.webhook_secret):
            return _answer(403, ok=False, error="Invalid webhook secret")
    elif not settings.DEVELOPER_MODE:
        return _answer(
            403, ok=False, error="Webhook secret not configured (telegram_webhook_secret)"
        )
    body = _read_body(request, config.max_update_bytes)
    if body is None:
        return _answer(413, ok=False, error="Update too large")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _answer(400, ok=False, error="Body is not JSON")
    update_id = payload.get("update_id") if isinstance(payload, dict) else None
    if (
        not isinstance(update_id, int)
        or isinstance(update_id, bool)
        or not 0 <= update_id <= _MAX_UPDATE_ID
    ):
        return _answer(400, ok=False, error="Not a Telegram update (no update_id)")
    row = store_update(payload)
    if row is None:
        return _answer(200, ok=True, duplicate=True)
    return _answer(200, ok=True, state=str(row.status))
