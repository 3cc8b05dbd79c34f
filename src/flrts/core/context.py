"""Who is acting right now, so documents can fill owner and modified_by without threading a user
argument through every call. Set by the request middleware, the API, the bot and jobs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_acting_user: ContextVar[Any] = ContextVar("flrts_acting_user", default=None)


def acting_user() -> Any:
    return _acting_user.get()


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    token = _acting_user.set(user)
    try:
        yield
    finally:
        _acting_user.reset(token)
