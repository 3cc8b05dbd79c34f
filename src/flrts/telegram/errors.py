"""Typed Bot API failures.

Callers decide with two attributes: `permanent` (retrying cannot help: the person blocked the bot,
the chat does not exist, the token is wrong) and `kind` (a short stable name to record, e.g. on
the person's profile). Messages never contain the bot token: every text that could carry it goes
through `mask_token` first.
"""

from __future__ import annotations

from typing import Any


def mask_token(token: str) -> str:
    """First two + stars + last two: enough to tell tokens apart in a log, useless to others."""
    if len(token) <= 6:
        return "*" * len(token)
    return token[:2] + "*" * (len(token) - 4) + token[-2:]


def redact(text: str, token: str) -> str:
    """`text` with every occurrence of `token` masked."""
    return text.replace(token, mask_token(token)) if token else text


class TelegramError(Exception):
    """A Bot API call failed. `status` is the HTTP status (None for network failures)."""

    kind = "error"
    permanent = False

    def __init__(
        self,
        method: str,
        description: str,
        *,
        status: int | None = None,
        url: str | None = None,
        retry_after: float | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        self.method = method
        self.description = description
        self.status = status
        self.url = url  # already masked by the client
        self.retry_after = retry_after
        self.parameters = parameters or {}
        where = f" ({url})" if url else ""
        code = f"{status} " if status is not None else ""
        super().__init__(f"Telegram {method} failed: {code}{description}{where}")


class PermanentTelegramError(TelegramError):
    permanent = True


class TransientTelegramError(TelegramError):
    permanent = False


class BadRequest(PermanentTelegramError):
    kind = "bad_request"


class ChatNotFound(BadRequest):
    kind = "chat_not_found"


class MessageNotModified(BadRequest):
    """An edit with the same text and buttons: usually a double tap, and safe to ignore."""

    kind = "not_modified"


class ChatMigrated(BadRequest):
    """A group became a supergroup; `parameters["migrate_to_chat_id"]` is the new chat id."""

    kind = "migrated"


class Unauthorized(PermanentTelegramError):
    kind = "unauthorized"


class Forbidden(PermanentTelegramError):
    """403 other than a block: kicked from a group, or the user never started the bot."""

    kind = "forbidden"


class BotBlocked(Forbidden):
    kind = "blocked"


class NotFound(PermanentTelegramError):
    kind = "not_found"


class Conflict(PermanentTelegramError):
    """getUpdates while a webhook is set, or two pollers at once: a setup problem."""

    kind = "conflict"


class ResponseTooLarge(PermanentTelegramError):
    kind = "too_large"


class InvalidResponse(PermanentTelegramError):
    """Telegram said ok but the result is not what the Bot API promises; retrying would resend."""

    kind = "invalid_response"


class RateLimited(TransientTelegramError):
    """429 whose `retry_after` did not fit in the client's waiting budget."""

    kind = "rate_limited"


class ServerError(TransientTelegramError):
    kind = "server_error"


class NetworkError(TransientTelegramError):
    kind = "network"


class TimedOut(NetworkError):
    kind = "timeout"


def error_from_response(
    method: str, status: int, payload: dict[str, Any] | None, *, url: str
) -> TelegramError:
    """Map an `ok: false` answer (or a non-JSON error page) to its typed error."""
    payload = payload or {}
    code = payload.get("error_code")
    code = code if isinstance(code, int) else status
    description = str(payload.get("description") or f"HTTP {status}")
    raw_parameters = payload.get("parameters")
    parameters: dict[str, Any] = raw_parameters if isinstance(raw_parameters, dict) else {}
    lowered = description.lower()
    kwargs: dict[str, Any] = {"status": code, "url": url, "parameters": parameters}

    error_class: type[TelegramError]
    if code == 429:
        retry_after = parameters.get("retry_after")
        kwargs["retry_after"] = float(retry_after) if isinstance(retry_after, int | float) else 1.0
        error_class = RateLimited
    elif code >= 500:
        error_class = ServerError
    elif code == 401:
        error_class = Unauthorized
    elif code == 403:
        blocked = "blocked by the user" in lowered or "user is deactivated" in lowered
        error_class = BotBlocked if blocked else Forbidden
    elif code == 404:
        error_class = NotFound
    elif code == 409:
        error_class = Conflict
    elif "migrate_to_chat_id" in parameters:
        error_class = ChatMigrated
    elif "chat not found" in lowered:
        error_class = ChatNotFound
    elif "message is not modified" in lowered:
        error_class = MessageNotModified
    else:
        error_class = BadRequest
    return error_class(method, description, **kwargs)
