"""Counts per value for the list sidebar, in as few passes over the rows as possible.

A field whose values are few and known (a Select's choices, a link to a small table such as sites
or people) is counted with conditional counts, all such fields in one scan of the filtered rows;
any other field falls back to its own GROUP BY. At 100,000 tasks one scan instead of one per
field is what keeps the sidebar within the desk's time budget.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, ForeignKey, Q, QuerySet

SMALL_TABLE = 100  # a linked table up to this size is counted by its ids in the single pass
LIMIT = 8  # values shown per field


def _known_values(field: Any) -> list[Any] | None:
    if field.choices:
        values: list[Any] = [value for value, _label in field.flatchoices]
    elif isinstance(field, ForeignKey):
        related: Any = field.related_model
        ids = list(related._default_manager.values_list("pk", flat=True)[: SMALL_TABLE + 1])
        if len(ids) > SMALL_TABLE:
            return None
        values = ids
    else:
        return None
    return [*values, None] if field.null else values


def count_values(rows: QuerySet[Any], fields: list[Any]) -> dict[str, list[tuple[Any, int]]]:
    """field name -> [(value, count), ...], largest first, at most LIMIT, no zeros."""
    aggregates: dict[str, Count] = {}
    keys: dict[str, list[tuple[str, Any]]] = {}
    grouped: list[Any] = []
    for field in fields:
        values = _known_values(field)
        if values is None:
            grouped.append(field)
            continue
        keys[field.name] = []
        for i, value in enumerate(values):
            key = f"c_{field.name}_{i}"
            match = (
                Q(**{f"{field.attname}__isnull": True})
                if value is None
                else Q(**{field.attname: value})
            )
            aggregates[key] = Count("pk", filter=match)
            keys[field.name].append((key, value))
    out: dict[str, list[tuple[Any, int]]] = {}
    if aggregates:
        totals = rows.aggregate(**aggregates)
        for name, pairs in keys.items():
            counted = [(value, totals[key]) for key, value in pairs if totals[key]]
            counted.sort(key=lambda pair: -pair[1])
            out[name] = counted[:LIMIT]
    for field in grouped:
        column = field.attname
        top = rows.values(column).annotate(n=Count("pk")).order_by("-n", column)[:LIMIT]
        out[field.name] = [(row[column], row["n"]) for row in top]
    return out
