"""Whether this thread is applying ERPNext's own changes (so the saves push nothing back)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_applying_remote: ContextVar[bool] = ContextVar("flrts_erpnext_applying_remote", default=False)


@contextmanager
def applying_remote() -> Iterator[None]:
    token = _applying_remote.set(True)
    try:
        yield
    finally:
        _applying_remote.reset(token)


def is_applying_remote() -> bool:
    return _applying_remote.get()
