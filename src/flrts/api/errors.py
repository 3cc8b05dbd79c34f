"""Frappe's exception types as HTTP answers, and the one place that turns an error into a body.

Frappe's v1 error body is `{"exc_type": ..., "exception": ..., "_server_messages": ...}` where
`_server_messages` is a JSON string of a list of JSON strings (double-encoded; clients such as
frappe-client and frappectl decode it twice). A traceback never reaches the client: a true bug is
written to the Error Log and answered with a clean 500 that names the log entry.
"""

from __future__ import annotations

import json
import logging
import secrets
import traceback
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from flrts.core.masking import mask_query, mask_text
from flrts.core.models import ErrorLog

log = logging.getLogger("flrts.api")
MAX_MESSAGE = 500


class ApiError(Exception):
    """An error with a Frappe exception type and an HTTP status; the message is safe to show.

    `with_exc`: Frappe v15 puts `exc` in the body of every error except a 404 and a refused CSRF
    token (its report_error skips the traceback there); frappe-client raises only on `exc`.
    """

    status = 500
    exc_type = "Exception"
    title = "Message"
    with_exc = True

    def __init__(self, message: str = "", *, title: str | None = None) -> None:
        if len(message) > MAX_MESSAGE:  # messages quote caller input; never echo a novel back
            message = f"{message[:MAX_MESSAGE]}… ({len(message) - MAX_MESSAGE:,} more characters)"
        super().__init__(message)
        self.message = message
        if title:
            self.title = title
        self.headers: dict[str, str] = {}
        self.extra: dict[str, Any] = {}


class ValidationError(ApiError):
    status = 417
    exc_type = "ValidationError"


class MandatoryError(ValidationError):
    exc_type = "MandatoryError"


class LinkValidationError(ValidationError):
    exc_type = "LinkValidationError"


class DataError(ValidationError):
    exc_type = "DataError"


class UniqueValidationError(ValidationError):
    exc_type = "UniqueValidationError"


class TimestampMismatchError(ValidationError):
    exc_type = "TimestampMismatchError"


class UpdateAfterSubmitError(ValidationError):
    exc_type = "UpdateAfterSubmitError"


class DocstatusTransitionError(ValidationError):
    exc_type = "DocstatusTransitionError"


class LinkExistsError(ValidationError):
    exc_type = "LinkExistsError"


class DoesNotExistError(ApiError):
    status = 404
    exc_type = "DoesNotExistError"
    with_exc = False


class PermissionError(ApiError):
    status = 403
    exc_type = "PermissionError"


class AuthenticationError(ApiError):
    status = 401
    exc_type = "AuthenticationError"


class DuplicateEntryError(ApiError):
    status = 409
    exc_type = "DuplicateEntryError"


class CSRFTokenError(ApiError):
    """Frappe's name and status (400, as Frappe v15 answers it in the recorded transcripts)."""

    status = 400
    exc_type = "CSRFTokenError"
    with_exc = False


class InvalidAuthorizationToken(ApiError):
    status = 400
    exc_type = "InvalidAuthorizationToken"


class BadRequestError(ApiError):
    """A request Django refuses to read (too large, too many fields): 400, or 413 for size."""

    status = 400
    exc_type = "ValidationError"

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class TooManyRequestsError(ApiError):
    status = 429
    exc_type = "TooManyRequestsError"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.headers["Retry-After"] = str(max(1, retry_after))


def server_messages(message: str, title: str = "Message") -> str:
    """Frappe's double-encoded `_server_messages`: a JSON list of JSON-encoded dicts."""
    inner = {
        "message": message,
        "title": title,
        "indicator": "red",
        "raise_exception": 1,
        "__frappe_exc_id": secrets.token_hex(28),
    }
    return json.dumps([json.dumps(inner)])


def json_response(payload: Any, status: int = 200) -> HttpResponse:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, status=status, content_type="application/json")


def exc_field(exc_type: str, message: str) -> str:
    """Frappe's `exc`: a JSON list of one string. Frappe sends its traceback there; FLRTS sends
    the exception line alone (class and message), never a traceback or a file path."""
    line = (
        f"frappe.exceptions.{exc_type}: {message}" if message else f"frappe.exceptions.{exc_type}"
    )
    return json.dumps([line])


def error_response(exc: ApiError) -> HttpResponse:
    body: dict[str, Any] = {"exc_type": exc.exc_type}
    if exc.message:
        body["exception"] = f"frappe.exceptions.{exc.exc_type}: {exc.message}"
        body["_server_messages"] = server_messages(exc.message, exc.title)
    if exc.with_exc:
        body["exc"] = exc_field(exc.exc_type, exc.message)
    body.update(exc.extra)
    response = json_response(body, exc.status)
    for key, value in exc.headers.items():
        response[key] = value
    return response


def internal_error(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """A true bug: log it to the Error Log (best effort) and answer a clean 500."""
    reference = ""
    trace = "".join(traceback.format_exception(exc))
    log.error("API error on %s %s\n%s", request.method, request.path[:200], trace)
    try:
        # The request's own atomic block has rolled back by now; a broken outer transaction
        # (only in tests) cannot take a write, so skip it then.
        if not transaction.get_connection().needs_rollback:
            entry = ErrorLog(
                method=mask_text(f"{request.method} {request.path}")[:255],
                error=mask_text(trace),
                context={"query": mask_query(request.META.get("QUERY_STRING", ""))[:1000]},
            )
            with transaction.atomic():
                entry.save()
            reference = entry.name
    except Exception:  # the log itself must never turn a 500 into a crash
        log.exception("could not write the Error Log")
    message = "Internal server error" + (f"; logged as {reference}" if reference else "")
    body = {
        "exc_type": "InternalServerError",
        "exc": exc_field("InternalServerError", message),
        "_server_messages": server_messages(message),
    }
    return json_response(body, 500)
