"""Naming series like Frappe's `TASK-.YYYY.-.#####` -> `TASK-2026-00042`.

The counter row is incremented with an UPDATE inside the caller's transaction, so the row lock
(MariaDB, PostgreSQL) or the write lock (SQLite, IMMEDIATE) keeps two writers from taking the
same number.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
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
    from flrts.core.models import NamingSeries

    with transaction.atomic():
        if NamingSeries.objects.filter(prefix=prefix).update(current=F("current") + 1):
            return NamingSeries.objects.get(prefix=prefix).current
        try:
            with transaction.atomic():
                NamingSeries.objects.create(prefix=prefix, current=1)
            return 1
        except IntegrityError:  # another writer created it first
            NamingSeries.objects.filter(prefix=prefix).update(current=F("current") + 1)
            return NamingSeries.objects.get(prefix=prefix).current


def make_name(series: str, today: dt.date | None = None) -> str:
    prefix, digits = expand_series(series, today or timezone.now().date())
    return f"{prefix}{next_in_series(prefix):0{digits}d}"
