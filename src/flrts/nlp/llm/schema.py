"""The wire format the model must answer in, and its conversion to a validated ParseResult.

The wire model mirrors ParseResult field for field (a test guards that they stay in step), with
the changes strict structured outputs need: every property required, nullable instead of
optional, dates as strings (parsed afterwards in the sender's zone), no `parser` field (set by
us, never by the model), and `rationale` first so the model reasons before it answers.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from flrts.core.text import unstorable
from flrts.nlp.types import (
    Intent,
    ListItemSpec,
    ParseContext,
    ParseResult,
    Priority,
    QueryFilters,
    ReadingSpec,
    SubTaskSpec,
)

SCHEMA_NAME = "flrts_parse_result"

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WireItem(_Wire):
    name: str = Field(description="Item name without quantity or unit")
    quantity: float | None
    unit: str | None


class WireReading(_Wire):
    metric: str
    value: float | None
    unit: str | None


class WireSubTask(_Wire):
    subject: str
    assignee: str | None = Field(description="Person id from the context, or null")


class WireQuery(_Wire):
    status: Literal["overdue", "open", "completed", "due_today"] | None
    assignee: str | None = Field(description="Person id from the context, or null")
    site: str | None = Field(description="Site name from the context, or null")
    due_before: str | None = Field(description="YYYY-MM-DD or null")
    due_after: str | None = Field(description="YYYY-MM-DD or null")


class WireResult(_Wire):
    rationale: str = Field(description="Short reasoning: how each field was read from the message")
    intent: Intent
    subject: str | None
    description: str | None
    assignee: str | None = Field(description="Person id from the context, or null")
    site: str | None = Field(description="Site name from the context, or null")
    contractor: str | None
    priority: Priority | None
    due: str | None = Field(
        description="YYYY-MM-DD when only a day is given; YYYY-MM-DDTHH:MM:SS+HH:MM with the "
        "UTC offset of the zone the time is in when a time is given or implied; else null"
    )
    remind_at: str | None = Field(description="YYYY-MM-DDTHH:MM:SS+HH:MM, or null")
    recurrence: str | None = Field(description='RFC 5545 RRULE body, e.g. "FREQ=WEEKLY;BYDAY=MO"')
    list_name: str | None
    list_type: str | None
    items: list[WireItem]
    subtasks: list[WireSubTask]
    task_ref: str | None
    query: WireQuery | None
    summary: str | None
    observations: str | None
    readings: list[WireReading]
    issues: str | None
    equipment: list[str]
    confidence: float = Field(description="0.0 to 1.0; below 0.7 when anything is ambiguous")
    clarify: str | None = Field(description="Question to ask when something needed is missing")


# --- strict JSON schema ---------------------------------------------------------------------

# Keywords strict mode rejects or some OpenAI-compatible servers choke on; we validate ourselves.
_DROP = {"default", "title", "format", "minimum", "maximum"}


def strict_json_schema(model: type[BaseModel] = WireResult) -> dict[str, Any]:
    """Pydantic's schema made strict: refs inlined, all properties required, no extras."""
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(n) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            target = copy.deepcopy(defs[node["$ref"].rsplit("/", 1)[-1]])
            extra = {k: v for k, v in node.items() if k != "$ref"}
            return walk({**target, **extra})
        out = {k: walk(v) for k, v in node.items() if k not in _DROP and k != "properties"}
        if "properties" in node:
            # Property names are data, not keywords: a field called "title" must stay.
            out["properties"] = {name: walk(sub) for name, sub in node["properties"].items()}
        if out.get("type") == "object" or "properties" in out:
            out["type"] = "object"
            out.setdefault("properties", {})
            out["required"] = list(out["properties"])
            out["additionalProperties"] = False
        return out

    return walk(raw)


def response_format() -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": strict_json_schema()},
    }


# --- wire -> ParseResult ----------------------------------------------------------------------


class InvalidOutput(ValueError):
    """The model's answer is not acceptable (bad JSON, schema violation, unknown reference)."""


def sender_zone(sender: str, context: ParseContext) -> ZoneInfo:
    person = context.person(sender)
    try:
        return ZoneInfo(person.timezone if person else "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def to_parse_result(
    content: str | None,
    *,
    sender: str,
    context: ParseContext,
    parser_name: str,
) -> ParseResult:
    """Validate the model's JSON text and turn it into a ParseResult, or raise InvalidOutput."""
    if not content or not content.strip():
        raise InvalidOutput("the model returned no content")
    try:
        wire = WireResult.model_validate_json(content)
    except ValidationError as exc:
        raise InvalidOutput(f"output does not match the schema: {_first_error(exc)}")
    if problem := unstorable(wire.model_dump(), "the output"):
        raise InvalidOutput(f"output cannot be stored: {problem}")
    if not 0.0 <= wire.confidence <= 1.0:
        raise InvalidOutput(f"confidence {wire.confidence} is outside 0..1")
    zone = sender_zone(sender, context)
    refs = _References(sender, context)
    query = None
    if wire.query is not None:
        query = QueryFilters(
            status=wire.query.status,
            assignee=refs.person(wire.query.assignee, "query.assignee"),
            site=refs.site(wire.query.site),
            due_before=_date(wire.query.due_before, "query.due_before"),
            due_after=_date(wire.query.due_after, "query.due_after"),
        )
    try:
        return ParseResult(
            intent=wire.intent,
            subject=_text(wire.subject),
            description=_text(wire.description),
            assignee=refs.person(wire.assignee, "assignee"),
            site=refs.site(wire.site),
            contractor=refs.contractor(wire.contractor),
            priority=wire.priority,
            due=_due(wire.due, zone),
            remind_at=_remind_at(wire.remind_at, zone, context),
            recurrence=_recurrence(wire.recurrence),
            list_name=refs.list_name(wire.list_name),
            list_type=_text(wire.list_type),
            items=[ListItemSpec(name=i.name, quantity=i.quantity, unit=i.unit) for i in wire.items],
            subtasks=[
                SubTaskSpec(
                    subject=s.subject, assignee=refs.person(s.assignee, "subtasks.assignee")
                )
                for s in wire.subtasks
            ],
            task_ref=_text(wire.task_ref),
            query=query,
            summary=_text(wire.summary),
            observations=_text(wire.observations),
            readings=[
                ReadingSpec(metric=r.metric, value=r.value, unit=r.unit) for r in wire.readings
            ],
            issues=_text(wire.issues),
            equipment=[e for e in wire.equipment if e.strip()],
            confidence=wire.confidence,
            rationale=wire.rationale,
            clarify=_text(wire.clarify),
            parser=parser_name,
        )
    except ValidationError as exc:
        raise InvalidOutput(f"output is not a valid ParseResult: {_first_error(exc)}")


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "(root)"
    return f"{where}: {err.get('msg', 'invalid')} ({exc.error_count()} error(s))"


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None


class _References:
    """Checks and canonicalises names the model used against the context."""

    def __init__(self, sender: str, context: ParseContext) -> None:
        self.sender = sender
        self.context = context
        self.people = {p.id.lower(): p.id for p in context.people}
        self.people.setdefault(sender.lower(), sender)

    def person(self, value: str | None, field: str) -> str | None:
        if value is None or not value.strip():
            return None
        key = value.strip().lower()
        if key == "me":
            return self.sender
        if key not in self.people:
            # Never accept a name the context doesn't know: that is how an unknown person gets
            # silently swapped for someone else (or invented).
            raise InvalidOutput(f"{field} {value!r} is not a person id from the context")
        return self.people[key]

    def site(self, value: str | None) -> str | None:
        value = _text(value)
        if value is None:
            return None
        key = value.lower()
        for site in self.context.sites:
            names = [site.name, site.code or "", *site.aliases]
            if key in (n.lower() for n in names if n):
                return site.name
        return value

    def contractor(self, value: str | None) -> str | None:
        value = _text(value)
        if value is None:
            return None
        return next(
            (c.name for c in self.context.contractors if c.name.lower() == value.lower()), value
        )

    def list_name(self, value: str | None) -> str | None:
        value = _text(value)
        if value is None:
            return None
        return next((x.name for x in self.context.lists if x.name.lower() == value.lower()), value)


def _parse_datetime(value: str, zone: ZoneInfo, field: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidOutput(f"{field} {value!r} is not an ISO 8601 date-time")
    # A time without an offset is read in the sender's zone, the prompt's default.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def _date(value: str | None, field: str) -> dt.date | None:
    value = _text(value)
    if value is None:
        return None
    if _DATE_ONLY.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise InvalidOutput(f"{field} {value!r} is not a valid date")
    return _parse_datetime(value, ZoneInfo("UTC"), field).date()


def _due(value: str | None, zone: ZoneInfo) -> dt.datetime | dt.date | None:
    value = _text(value)
    if value is None:
        return None
    if _DATE_ONLY.match(value):
        return _date(value, "due")
    return _parse_datetime(value, zone, "due")


def _remind_at(value: str | None, zone: ZoneInfo, context: ParseContext) -> dt.datetime | None:
    value = _text(value)
    if value is None:
        return None
    if _DATE_ONLY.match(value):
        # A reminder needs a moment; a bare day means that day's morning.
        day = _date(value, "remind_at")
        assert day is not None
        return dt.datetime.combine(day, context.defaults.morning, tzinfo=zone)
    return _parse_datetime(value, zone, "remind_at")


def _recurrence(value: str | None) -> str | None:
    value = _text(value)
    if value is None:
        return None
    body = value.removeprefix("RRULE:").strip()
    # dateutil insists UNTIL and DTSTART agree on being aware; accept either form.
    for start in (dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 1, tzinfo=dt.UTC)):
        try:
            rrulestr(body, dtstart=start)
            return body
        except (ValueError, TypeError):
            continue
    raise InvalidOutput(f"recurrence {value!r} is not a valid RRULE")
