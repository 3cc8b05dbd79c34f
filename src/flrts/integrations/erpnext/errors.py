"""Frappe's error answers as typed exceptions (ecosystem.md §A.6).

A v1 error body carries `exc_type` ("ValidationError", "MandatoryError", ...) and usually
`_server_messages`: a JSON list of JSON strings, each `{"message": ..., "title": ...}` (encoded
twice). A failed login carries `message`. The status decides the class; the message shown is the
server's own, HTML tags removed.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from flrts.jobs.errors import TransientError

_TAGS = re.compile(r"<[^>]+>")


class FrappeError(Exception):
    """An error answer from ERPNext (or no answer at all)."""

    label = "ERPNext error"

    def __init__(
        self, message: str, status: int | None = None, exc_type: str = "", path: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.exc_type = exc_type
        self.path = path

    def __str__(self) -> str:
        code = f"HTTP {self.status}" if self.status else "no response"
        kind = f" {self.exc_type}" if self.exc_type else ""
        return f"{self.label} ({code}{kind}): {self.message}"


class NotConfigured(FrappeError):
    label = "ERPNext is not configured"


class AuthenticationFailed(FrappeError):
    label = "ERPNext refused the API key/secret"


class PermissionDenied(FrappeError):
    label = "ERPNext denied permission"


class NotFound(FrappeError):
    label = "Not found in ERPNext"


class DuplicateEntry(FrappeError):
    label = "Already exists in ERPNext"


class ValidationFailed(FrappeError):
    label = "ERPNext rejected the document"

    @property
    def is_timestamp_mismatch(self) -> bool:
        return self.exc_type == "TimestampMismatchError"


class BadRequest(FrappeError):
    label = "ERPNext could not read the request"


class RateLimited(FrappeError, TransientError):
    label = "ERPNext is rate limiting"

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class ServerError(FrappeError, TransientError):
    label = "ERPNext server error"


class NetworkError(FrappeError, TransientError):
    label = "Cannot reach ERPNext"


class UnexpectedResponse(FrappeError):
    label = "Unexpected answer from ERPNext"


_BY_STATUS: dict[int, type[FrappeError]] = {
    400: BadRequest,
    401: AuthenticationFailed,
    403: PermissionDenied,
    404: NotFound,
    409: DuplicateEntry,
    417: ValidationFailed,
    429: RateLimited,
}


def _clean(text: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", text)).split())


def server_messages(body: Any) -> list[str]:
    """The messages inside `_server_messages` (double-encoded), tags stripped."""
    if not isinstance(body, dict):
        return []
    raw = body.get("_server_messages")
    if not raw:
        return []
    try:
        items = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return [_clean(str(raw))]
    out = []
    for item in items if isinstance(items, list) else [items]:
        try:
            decoded = json.loads(item) if isinstance(item, str) else item
        except ValueError:
            decoded = item
        message = decoded.get("message") if isinstance(decoded, dict) else decoded
        if message:
            out.append(_clean(str(message)))
    return out


def message_of(body: Any, fallback: str) -> str:
    messages = server_messages(body)
    if messages:
        return "; ".join(messages)
    if isinstance(body, dict):
        if isinstance(body.get("message"), str) and body["message"]:
            return _clean(body["message"])
        exception = body.get("exception")
        if isinstance(exception, str) and exception:
            # "frappe.exceptions.MandatoryError: [Task, X]: subject" → the part after the class
            head, _, tail = exception.partition(": ")
            return _clean(tail or head.rsplit(".", 1)[-1])
        if body.get("exc_type"):
            return str(body["exc_type"])
    return fallback


def from_response(status: int, body: Any, reason: str, path: str, headers: Any) -> FrappeError:
    exc_type = str(body.get("exc_type", "")) if isinstance(body, dict) else ""
    message = message_of(body, reason or f"HTTP {status}")
    if status >= 500:
        return ServerError(message, status, exc_type, path)
    cls = _BY_STATUS.get(status)
    if cls is RateLimited:
        retry_after = None
        try:
            retry_after = float(headers.get("retry-after", ""))
        except (TypeError, ValueError):
            pass
        return RateLimited(message, status, exc_type, path, retry_after=retry_after)
    if cls is None:
        return UnexpectedResponse(message, status, exc_type, path)
    return cls(message, status, exc_type, path)
