"""Naming series like Frappe's `TASK-.YYYY.-.#####` -> `TASK-2026-00042`.

The counter row is taken with one upsert inside the caller's transaction, so the row lock
(MariaDB, PostgreSQL) or the write lock (SQLite, IMMEDIATE) keeps two writers from taking the
same number.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone


def expand_series(series: str, today: dt.date) -> tuple[str, int]:
    """Split a series into its literal prefix for `today` and the counter's digit count."""
    prefix: list[str] = []
    digits = 0
    for part in series.split("."):
        if part and set(part) == {"#"}:
            digits = len(part)
            break
        prefix.append(
            {
                "YYYY": f"{today.year:04d}",
                "YY": f"{today.year % 100:02d}",
                "MM": f"{today.month:02d}",
                "DD": f"{today.day:02d}",
            }.get(part, part)
        )
    if not digits:
        raise ValueError(f"naming series {series!r} has no ##### counter")
    return "".join(prefix), digits


def next_in_series(prefix: str) -> int:
    """Take the next number of a series in one atomic upsert.

    An UPDATE-then-INSERT dance deadlocks on MariaDB when several writers create the same new
    series at once (each keeps the shared lock from its duplicate-key check, then all want the
    exclusive one); an upsert takes the exclusive row lock directly.
    """
    from flrts.core.models import NamingSeries

    table = connection.ops.quote_name(NamingSeries._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute(
                f"INSERT INTO {table} (prefix, current) VALUES (%s, 1) "
                "ON DUPLICATE KEY UPDATE current = current + 1",
                [prefix],
            )
            cursor.execute(f"SELECT current FROM {table} WHERE prefix = %s", [prefix])
        else:  # SQLite >= 3.35 and PostgreSQL
            cursor.execute(
                f"INSERT INTO {table} (prefix, current) VALUES (%s, 1) "
                f"ON CONFLICT (prefix) DO UPDATE SET current = {table}.current + 1 "
                "RETURNING current",
                [prefix],
            )
        row = cursor.fetchone()
    return int(row[0])


def make_name(series: str, today: dt.date | None = None) -> str:
    prefix, digits = expand_series(series, today or timezone.now().date())
    return f"{prefix}{next_in_series(prefix):0{digits}d}"
