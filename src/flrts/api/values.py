"""Typed values from API input: dates, datetimes (site time zone), numbers, checks.

Each parser raises the API ValidationError (417) with a message naming the field and the bad
value, so a bad date never reaches the database (Frappe answers 500 there).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flrts.api.errors import ValidationError
from flrts.api.registry import ApiField
from flrts.api.serialize import input_zone
from flrts.core.timezones import local_to_utc

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _what(api_field: ApiField) -> str:
    return f"{api_field.label} ({api_field.fieldname})"


def parse_date(api_field: ApiField, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if _DATE_RE.match(text):
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        raise ValidationError(
            f"Invalid date {value!r} for {_what(api_field)}: use YYYY-MM-DD"
        ) from None


def parse_datetime(api_field: ApiField, value: Any) -> dt.datetime:
    """Naive values are in the site time zone (as Frappe's system zone); offsets are honoured."""
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = str(value).strip()
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(
                f"Invalid datetime {value!r} for {_what(api_field)}: "
                "use YYYY-MM-DD HH:MM:SS (site time zone) or ISO 8601 with an offset"
            ) from None
    if parsed.tzinfo is None:
        return local_to_utc(parsed.date(), parsed.time(), input_zone().key)
    return parsed.astimezone(dt.UTC)


def parse_time(api_field: ApiField, value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(
            f"Invalid time {value!r} for {_what(api_field)}: use HH:MM:SS"
        ) from None


def parse_check(api_field: ApiField, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("1", "true", "yes"):
        return True
    if text in ("0", "false", "no", ""):
        return False
    raise ValidationError(f"Invalid value {value!r} for {_what(api_field)}: use 0 or 1")


def parse_int(api_field: ApiField, value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    try:
        number = Decimal(str(value).strip()[:100])
        if not number.is_finite() or number != number.to_integral_value():
            raise InvalidOperation
        whole = int(number)
    except (InvalidOperation, ValueError, OverflowError):
        raise ValidationError(f"Invalid whole number {value!r} for {_what(api_field)}") from None
    if not -(2**63) <= whole < 2**63:  # what a BIGINT holds on every database
        raise ValidationError(f"Whole number {value!r} is out of range for {_what(api_field)}")
    return whole


def parse_float(api_field: ApiField, value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    try:
        number = float(str(value).strip()[:100])
    except (ValueError, OverflowError):
        raise ValidationError(f"Invalid number {value!r} for {_what(api_field)}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValidationError(f"Invalid number {value!r} for {_what(api_field)}")
    return number


def scalar(api_field: ApiField, value: Any) -> Any:
    """A filter or write value in the field's Python type (links are resolved elsewhere)."""
    if value is None:
        return None
    kind = api_field.fieldtype
    if kind == "Date":
        return parse_date(api_field, value)
    if kind == "Datetime":
        return parse_datetime(api_field, value)
    if kind == "Time":
        return parse_time(api_field, value)
    if kind == "Check":
        return parse_check(api_field, value)
    if kind == "Int":
        return parse_int(api_field, value)
    if kind == "Float":
        return parse_float(api_field, value)
    if kind == "JSON":
        return value
    if isinstance(value, dict | list):
        raise ValidationError(f"Invalid value for {_what(api_field)}: expected text")
    if isinstance(value, bool):
        return str(int(value))
    return str(value)
