"""Files: who may read a private one (each kind is checked against the document it belongs to),
and how large an upload may be.

Every upload path calls `check_file_size` (or uses `validate_file_size` as a field validator):
the limit is the site-config key `max_file_size` in bytes (Frappe's name), default 10 MiB.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from flrts.core.permissions import Action, can

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024


def max_file_size() -> int:
    """The largest upload this site takes, in bytes (`max_file_size`, default 10 MiB)."""
    return settings.SITE.get_int("max_file_size", DEFAULT_MAX_FILE_SIZE, minimum=1024)


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def check_file_size(size: int, name: str = "The file") -> None:
    """Raise ValidationError (code `file_too_large`) when `size` bytes is over the limit."""
    limit = max_file_size()
    if size > limit:
        raise ValidationError(
            f"{name} is {_mib(size)}; the largest upload is {_mib(limit)} (max_file_size).",
            code="file_too_large",
        )


def validate_file_size(file: Any) -> None:
    """A FileField validator: the uploaded file's size against `max_file_size`."""
    size = getattr(file, "size", None)
    if size is not None:
        check_file_size(int(size), getattr(file, "name", None) or "The file")


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
