"""The webhook Telegram POSTs updates to: check, store, enqueue, answer 200 at once.

- `X-Telegram-Bot-Api-Secret-Token` is compared in constant time; wrong or missing → 403. With
  no `telegram_webhook_secret` configured the endpoint refuses (403) unless the site is in
  developer mode, so a forgotten secret never leaves the bot open to anyone.
- A body over `telegram_max_update_bytes` → 413; not JSON or not an update → 400.
- The raw update is stored keyed by `update_id` BEFORE answering; a repeated delivery answers 200
  and is ignored. A kind we do not handle answers 200 and is stored as ignored.
- Processing is queued after the commit and runs in a worker (or inline with the immediate
  backend); the answer never waits for the parser or for Telegram.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

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


def store_update(
    payload: dict[str, Any], source: str = UpdateSource.WEBHOOK, *, enqueue: bool = True
) -> TelegramUpdate | None:
    """Store an update; None when this `update_id` was stored before. With `enqueue`, its
    processing is queued to run after the commit."""
    kind = update_kind(payload)
    chat_id, user_id = ids_of(payload, kind)
    handled = kind in HANDLED_KINDS
    try:
        with transaction.atomic():
            row = TelegramUpdate.objects.create(
                update_id=payload["update_id"],
                kind=kind[:40],
                chat_id=chat_id,
                telegram_user_id=user_id,
                payload=payload,
                source=source,
                status=UpdateStatus.RECEIVED if handled else UpdateStatus.IGNORED,
                error="" if handled else f"update kind {kind!r} is not handled",
            )
            if handled and enqueue:
                from flrts.telegram.tasks import enqueue_processing

                enqueue_processing(row.pk)
    except IntegrityError:
        return None
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
    except (ValueError, UnicodeDecodeError):
        return _answer(400, ok=False, error="Body is not JSON")
    update_id = payload.get("update_id") if isinstance(payload, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return _answer(400, ok=False, error="Not a Telegram update (no update_id)")
    row = store_update(payload)
    if row is None:
        return _answer(200, ok=True, duplicate=True)
    return _answer(200, ok=True, state=str(row.status))
