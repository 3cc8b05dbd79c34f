"""How a job says what kind of failure happened; the runner acts on the kind."""

from __future__ import annotations

import httpx
from django.db import InterfaceError, OperationalError


class JobFailed(Exception):
    """An expected failure: recorded on the Job row, not written to the Error Log, not retried."""


class TransientError(Exception):
    """A failure that a later attempt may not have (a network blip, a locked database)."""


class JobTimeout(Exception):
    """The job ran longer than its queue's timeout."""


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, TransientError | OperationalError | InterfaceError):
        return True
    if isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError):
        return True
    # Telegram errors carry their own verdict (rate limits and 5xx are not permanent).
    permanent = getattr(exc, "permanent", None)
    return permanent is False


class UnknownJob(LookupError):
    """A stored job path that names no registered job function (renamed, removed, or typed)."""
