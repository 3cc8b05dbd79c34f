"""SQL LIKE with Frappe's meaning: the caller writes the % and _ wildcards; case-insensitive.

MariaDB's default collation and SQLite's LIKE are already case-insensitive (ASCII for SQLite);
PostgreSQL needs ILIKE and a cast so `like` also works on dates and numbers as in Frappe.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Field, Lookup


class FrappeLike(Lookup):  # type: ignore[type-arg]
    lookup_name = "frappe_like"
    prepare_rhs = False  # the pattern is text whatever the column type

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        params = [*lhs_params, *rhs_params]
        if connection.vendor == "postgresql":
            return f"({lhs})::text ILIKE {rhs}", params
        return f"{lhs} LIKE {rhs}", params


def register() -> None:
    Field.register_lookup(FrappeLike)
