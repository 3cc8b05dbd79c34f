"""Things other apps want done after every migrate (e.g. syncing the scheduled-job registry)."""

from __future__ import annotations

from collections.abc import Callable

_AFTER_MIGRATE: list[Callable[[], None]] = []


def after_migrate(func: Callable[[], None]) -> Callable[[], None]:
    _AFTER_MIGRATE.append(func)
    return func


def run_after_migrate() -> None:
    for func in _AFTER_MIGRATE:
        func()
