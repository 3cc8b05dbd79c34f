"""ORM queries compiled once per thread and run again with new values: the document read.

Reading one document selects every column of its DocType (35 for a Task). The database answers
in microseconds, but building and compiling that SELECT through the ORM took over a millisecond
per request, most of a document GET. A `Prepared` query keeps the SQL the ORM compiled and the
ORM's own converters for its columns (dates, booleans, JSON per backend), so each run costs one
`execute` and the conversion of one row.

Only equality lookups may take new values: their parameter is the value itself (an `iexact` or
`like` parameter is escaped per backend, so those stay on the ordinary ORM path). A query with
no slot (the default list's first page) runs as compiled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# Stand in for a value while compiling (text, or an integer such as a pk); where one lands in the
# compiled parameters is where a run's values go.
SLOT = "\x00flrts-prepared-slot\x00"
INT_SLOT = -4_611_686_018_427_387_291
_SLOTS = (SLOT, INT_SLOT)


class Prepared:
    def __init__(self, queryset: QuerySet[Any]) -> None:
        self.db = queryset.db
        self.compiler = queryset.query.get_compiler(self.db)
        sql, params = self.compiler.as_sql()
        self.sql: str = sql
        self.params: list[Any] = list(params)
        self.slots = [i for i, p in enumerate(self.params) if type(p) in (str, int) and p in _SLOTS]

    def rows(self, *values: Any) -> list[tuple[Any, ...]]:
        params = list(self.params)
        for index, value in zip(self.slots, values, strict=True):
            params[index] = value
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        if not fetched:
            return []
        return list(self.compiler.results_iter(results=[fetched], tuple_expected=True))


# Per thread: a compiler belongs to the connection of the thread that compiled it.
_local = threading.local()


def prepared(key: Hashable, build: Callable[[], QuerySet[Any]]) -> Prepared:
    """The query for `key`, compiled from `build()` on first use in this thread."""
    cache: dict[Hashable, Prepared] | None = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    found = cache.get(key)
    if found is None:
        found = cache[key] = Prepared(build())
    return found
