"""Checks that run every second (the scheduler's "is anything due?", "am I paused?") as SQL
written once, not as ORM querysets.

Compiling a queryset costs about a millisecond of Python each time; the query itself, on an
index, costs a few microseconds. An idle scheduler asks two such questions a second, so the
compilation was most of what an idle site spent. A `Probe` keeps the statement (quoted for the
database in use, from the model's own table and column names) and runs it with fresh values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models


class Probe:
    """`SELECT 1 FROM <table> WHERE <where> LIMIT 1`: does any row match?

    `where` names fields in braces (`{status} IN (%s, %s) AND {next_fire_at} <= %s`); values are
    always parameters. Date-times go through `datetime(...)`, as Django would store them.
    """

    def __init__(self, model: type[models.Model], where: str, using: str = "default") -> None:
        self.model, self.where, self.using = model, where, using
        self._sql: str | None = None

    @property
    def sql(self) -> str:
        if self._sql is None:
            quote = connections[self.using].ops.quote_name
            columns = {
                field.name: quote(field.column)
                for field in self.model._meta.concrete_fields  # type: ignore[attr-defined]
            }
            table = quote(self.model._meta.db_table)
            self._sql = f"SELECT 1 FROM {table} WHERE {self.where.format(**columns)} LIMIT 1"
        return self._sql

    def datetime(self, value: Any) -> Any:
        """A date-time parameter as this database's column holds it."""
        return connections[self.using].ops.adapt_datetimefield_value(value)

    def any(self, params: Sequence[Any]) -> bool:
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, list(params))
            return cursor.fetchone() is not None
