"""Collect work during a transaction, one entry per key (the last one wins), and hand it over
only after the transaction commits, like Frappe's per-request webhook queue.

    aftercommit.add(("webhook", hook.pk, "Task", "TASK-1"), payload, handler)

- Each entry registers its own `on_commit` marker, so Django forgets it when the savepoint it
  was added in rolls back; a rollback of the whole transaction forgets everything.
- One flush per transaction, kept as the *last* commit hook (moved there on every add) and
  outside every savepoint, so it runs after all markers: it hands each key's latest surviving
  entry to its handler.
- Outside a transaction (autocommit) the handler runs at once.

The flush keeps its place in `connection.run_on_commit` by appending a tuple of Django's own
shape `(savepoint_ids, func, robust)` with no savepoint ids: Django has no public call for "run
at commit whatever savepoint rolls back".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger("flrts.integrations")

Handler = Callable[[Any], None]


@dataclass(eq=False)
class _Entry:
    key: Hashable
    payload: Any
    handler: Handler
    survived: bool = False

    def mark(self) -> None:
        self.survived = True


@dataclass(eq=False)
class _Batch:
    entries: list[_Entry] = field(default_factory=list)

    def flush(self) -> None:
        latest: dict[Hashable, _Entry] = {}
        for entry in self.entries:
            if entry.survived:
                latest.pop(entry.key, None)  # re-insert: keys keep the order of their last event
                latest[entry.key] = entry
        self.entries = []
        for entry in latest.values():
            try:
                entry.handler(entry.payload)
            except Exception:  # one bad handler must not stop the others (nor the commit)
                logger.exception("after-commit handler failed for %s", entry.key)


_ATTR = "_flrts_aftercommit_batch"


def add(key: Hashable, payload: Any, handler: Handler, using: str = DEFAULT_DB_ALIAS) -> None:
    connection = connections[using]
    if not connection.in_atomic_block:
        handler(payload)
        return
    hooks = connection.run_on_commit
    batch: _Batch | None = getattr(connection, _ATTR, None)
    position = _find(hooks, batch)
    if batch is None or position is None:
        batch = _Batch()  # a new transaction (or the last one rolled back)
        setattr(connection, _ATTR, batch)
    else:
        del hooks[position]
    entry = _Entry(key, payload, handler)
    batch.entries.append(entry)
    connection.on_commit(entry.mark)
    hooks.append((set(), batch.flush, True))  # type: ignore[arg-type]


def _find(hooks: list[Any], batch: _Batch | None) -> int | None:
    if batch is None:
        return None
    for index in range(len(hooks) - 1, -1, -1):
        if hooks[index][1] == batch.flush:
            return index
    return None
