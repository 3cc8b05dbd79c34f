"""Unhandled request errors into the Error Log, with traceback and context, secrets masked."""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Any

from flrts.core.masking import mask_pairs, mask_text
from flrts.core.models import ErrorLog
from flrts.ops.logs import request_id

logger = logging.getLogger("flrts.ops.errors")


def request_context(request: Any) -> dict[str, Any]:
    if request is None:
        return {}
    user = getattr(request, "user", None)
    query = mask_pairs(getattr(request, "GET", {}))
    return {
        "request_id": request_id(),
        "method": request.method,
        "path": request.path,
        "query": query,
        "user": getattr(user, "username", None)
        if user is not None and user.is_authenticated
        else None,
        "remote_addr": request.META.get("REMOTE_ADDR", ""),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
    }


def log_request_exception(sender: Any = None, request: Any = None, **kwargs: Any) -> None:
    """`got_request_exception` handler; must never raise (the 500 page still has to render)."""
    exc_type, exc, tb = sys.exc_info()
    if exc is None:
        return
    try:
        path = getattr(request, "path", "") if request is not None else ""
        text = mask_text("".join(traceback.format_exception(exc_type, exc, tb)))
        entry = ErrorLog(
            method=f"{getattr(request, 'method', '')} {path}".strip()[:255],
            error=text,
            context=request_context(request),
        )
        entry.save()
        logger.error(
            "unhandled error in %s: %s (Error Log %s)",
            path,
            exc_type.__name__ if exc_type else "",
            entry.name,
        )
    except Exception:  # the database may be what failed; the log line is the fallback
        logger.exception("could not write the Error Log")
