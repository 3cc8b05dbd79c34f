"""Link ids to names without SQL joins: one `IN` query per linked model, with a short memo.

A document read with every link joined in (owner, modified_by, assigned_to, site, ...) costs far
more to *compile* than to run, so documents and lists read the foreign-key ids and map them to
names here. A link name is read from the linked row itself (its base manager, like the join it
replaces: archived or inactive rows still have names).

The memo is per process and bounded:
- a save or delete of a linked row in this process forgets its name at once (and
  again when the transaction commits, so a read that raced the commit cannot keep the old name);
- entries expire after `settings.API_LINK_NAME_CACHE_SECONDS` (default 5), so a rename made by
  another process shows within that time;
- names read inside a transaction are used but never stored: the transaction may roll back.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

from flrts.api import prepared
from flrts.api.registry import LinkTarget

_MAX_ENTRIES = 4096  # per model; past it the model's memo starts again


class _Memo:
    __slots__ = ("entries", "generation")

    def __init__(self) -> None:
        self.entries: dict[Any, tuple[float, Any]] = {}  # pk -> (expires, name)
        self.generation = 0


_memos: dict[type[models.Model], _Memo] = {}


def _ttl() -> float:
    return float(getattr(settings, "API_LINK_NAME_CACHE_SECONDS", 5))


def names(link: LinkTarget, ids: Iterable[Any]) -> dict[Any, Any]:
    """{pk: name} for the non-null `ids` of one linked model (missing rows are left out)."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return {}
    memo = _memos.setdefault(link.model, _Memo())
    now = time.monotonic()
    out: dict[Any, Any] = {}
    missing: list[Any] = []
    for pk in wanted:
        hit = memo.entries.get(pk)
        if hit is not None and hit[0] > now:
            out[pk] = hit[1]
        else:
            missing.append(pk)
    if not missing:
        return out
    generation = memo.generation
    fetched = {row[0]: link.to_name(*row[1:]) for row in _fetch(link, missing)}
    out.update(fetched)
    ttl = _ttl()
    connection = transaction.get_connection(link.model._base_manager.db)
    # Store only committed names (outside a transaction) that no save has overtaken meanwhile.
    if ttl > 0 and not connection.in_atomic_block and memo.generation == generation:
        if len(memo.entries) + len(fetched) > _MAX_ENTRIES:
            memo.entries.clear()
        expires = now + ttl
        for pk, name in fetched.items():
            memo.entries[pk] = (expires, name)
    return out


def _fetch(link: LinkTarget, pks: list[Any]) -> list[tuple[Any, ...]]:
    """(pk, *value_columns) of the rows with these pks."""
    model = link.model
    if len(pks) > 2 or not isinstance(model._meta.pk, models.IntegerField):
        return list(model._base_manager.filter(pk__in=pks).values_list("pk", *link.value_columns))

    # One or two ids (a document's links, a write's re-read): a prepared query per id is
    # cheaper than compiling an IN query.
    def build() -> models.QuerySet[Any]:
        return (
            model._base_manager.order_by()
            .filter(pk=prepared.INT_SLOT)
            .values_list("pk", *link.value_columns)
        )

    query = prepared.prepared(("linknames", model._meta.label), build)
    return [row for pk in pks for row in query.rows(pk)]


def forget(model: type[models.Model], pk: Any = None) -> None:
    """Forget one row's name (a name depends on its own row only), or all of the model's."""
    memo = _memos.get(model)
    if memo is not None:
        memo.generation += 1
        if pk is None:
            memo.entries.clear()
        else:
            memo.entries.pop(pk, None)


def _changed(sender: Any, instance: Any, using: str | None = None, **_: Any) -> None:
    if sender not in _memos:  # never looked up in this process: nothing to forget
        return
    pk = instance.pk
    forget(sender, pk)
    transaction.on_commit(lambda: forget(sender, pk), using=using)


def connect() -> None:
    post_save.connect(_changed, dispatch_uid="flrts.api.linknames.save")
    post_delete.connect(_changed, dispatch_uid="flrts.api.linknames.delete")
