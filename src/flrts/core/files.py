"""Who may read a private file: each kind of file is checked against the document it belongs to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flrts.core.permissions import Action, can

# prefix under private/files -> check(user, relative_path) -> bool
_CHECKS: dict[str, Callable[[Any, str], bool]] = {}


def register_private_prefix(prefix: str, check: Callable[[Any, str], bool]) -> None:
    _CHECKS[prefix] = check


def may_read_private_file(user: Any, path: str) -> bool:
    for prefix, check in _CHECKS.items():
        if path.startswith(prefix):
            return check(user, path)
    # Files no document claims are for Admins only.
    from flrts.core.models import ErrorLog

    return can(user, Action.PURGE, ErrorLog)
