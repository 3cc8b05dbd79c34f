"""Values as the desk shows them: dates and times in the reader's zone with its abbreviation, and
status words as colour pills. One helper each, used by list columns, forms, reports and templates
(the `flrts_display` template filters wrap them), so no page formats a date its own way."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

EMPTY = "—"

# Frappe's indicator colours, by the status word (the same word means the same colour anywhere).
PILL_COLOURS: dict[str, str] = {
    "Open": "blue",
    "Working": "orange",
    "Pending Review": "purple",
    "Overdue": "red",
    "Completed": "green",
    "Cancelled": "grey",
    "Draft": "grey",
    "Submitted": "blue",
    "Pending": "orange",
    "Sent": "green",
    "Snoozed": "purple",
    "Low": "grey",
    "Medium": "blue",
    "High": "orange",
    "Urgent": "red",
    "Archived": "grey",
}


def when(value: dt.datetime | dt.date | None, tz: dt.tzinfo | None = None) -> str:
    """A datetime in the reader's zone (or `tz`) with the zone's abbreviation; a date as a date."""
    if value is None:
        return EMPTY
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        local = value.astimezone(tz) if tz is not None else timezone.localtime(value)
        return date_format(local, "DATETIME_FORMAT")
    return date_format(value, "DATE_FORMAT")


def clock(value: dt.time | None) -> str:
    return EMPTY if value is None else time_format(value, "TIME_FORMAT")


def zone_label(tz: dt.tzinfo | None = None) -> str:
    """The reader's zone as people say it: `America/Chicago (CDT)`."""
    tz = tz or timezone.get_current_timezone()
    abbreviation = timezone.now().astimezone(tz).tzname() or ""
    key = getattr(tz, "key", str(tz))
    return f"{key} ({abbreviation})" if abbreviation and abbreviation != key else key


def pill(value: Any, label: str | None = None) -> SafeString:
    """A status word as a coloured pill (grey for a word without a colour)."""
    text = str(label if label is not None else value)
    if not text:
        return format_html("{}", EMPTY)
    colour = PILL_COLOURS.get(str(value), "grey")
    return format_html('<span class="pill pill-{}">{}</span>', colour, text)
