"""The parser contract: what goes into `parse()` and what comes out.

Pure data, no Django: the offline parser, the LLM parser, the evaluation harness and the capture
conversation all speak these types. Keep it that way so parsing can be tested and benchmarked
without a database.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Intent(StrEnum):
    CREATE_TASK = "create_task"
    CREATE_FIELD_REPORT = "create_field_report"
    CREATE_REMINDER = "create_reminder"
    CREATE_LIST = "create_list"
    ADD_LIST_ITEMS = "add_list_items"
    COMPLETE_LIST_ITEMS = "complete_list_items"
    COMPLETE_TASK = "complete_task"
    UPDATE_TASK = "update_task"
    QUERY_TASKS = "query_tasks"
    HELP = "help"
    UNKNOWN = "unknown"


class Priority(StrEnum):
    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"
    URGENT = "Urgent"


# --- context: who and what the parser may refer to ---------------------------------------


class PersonRef(BaseModel):
    """A person the parser may name; `id` is the stable key (the email in FLRTS)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    telegram_username: str | None = None
    timezone: str = "UTC"


class SiteRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    code: str | None = None
    aliases: list[str] = Field(default_factory=list)


class ContractorRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str


class ListRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    owner: str | None = None  # person id


class ParseDefaults(BaseModel):
    """Per-site defaults for vague times. Times are local wall-clock times in the chosen zone."""

    morning: dt.time = dt.time(8, 0)
    afternoon: dt.time = dt.time(14, 0)
    evening: dt.time = dt.time(18, 0)
    end_of_day: dt.time = dt.time(17, 0)
    close_of_business: dt.time = dt.time(18, 0)
    max_length: int = 1000


class ParseContext(BaseModel):
    people: list[PersonRef] = Field(default_factory=list)
    sites: list[SiteRef] = Field(default_factory=list)
    contractors: list[ContractorRef] = Field(default_factory=list)
    lists: list[ListRef] = Field(default_factory=list)
    defaults: ParseDefaults = Field(default_factory=ParseDefaults)
    # Set by the capture conversation when the message corrects a pending proposal:
    # the proposal's current fields, so a correction only changes what it mentions.
    pending: ParseResult | None = None

    def person(self, person_id: str) -> PersonRef | None:
        return next((p for p in self.people if p.id == person_id), None)


# --- result ---------------------------------------------------------------------------------


class ListItemSpec(BaseModel):
    name: str
    quantity: float | None = None
    unit: str | None = None


class ReadingSpec(BaseModel):
    metric: str
    value: float | None = None
    unit: str | None = None


class SubTaskSpec(BaseModel):
    subject: str
    assignee: str | None = None  # person id


class QueryFilters(BaseModel):
    status: str | None = None  # "overdue", "open", "completed", "due_today"
    assignee: str | None = None  # person id
    site: str | None = None  # site name
    due_before: dt.date | None = None
    due_after: dt.date | None = None


class ParseResult(BaseModel):
    """One structured intent read from one message.

    Dates: `due` is an aware datetime when a time was given or implied ("tomorrow afternoon"),
    a plain date when only a day was given ("by Friday"), or None.
    People are referred to by `PersonRef.id`, sites and contractors by name, lists by name.
    """

    intent: Intent = Intent.UNKNOWN
    subject: str | None = None
    description: str | None = None
    assignee: str | None = None
    site: str | None = None
    contractor: str | None = None
    priority: Priority | None = None
    due: dt.datetime | dt.date | None = None
    remind_at: dt.datetime | None = None
    recurrence: str | None = None  # RFC 5545 RRULE body, e.g. "FREQ=WEEKLY;BYDAY=MO"
    list_name: str | None = None
    list_type: str | None = None
    items: list[ListItemSpec] = Field(default_factory=list)
    subtasks: list[SubTaskSpec] = Field(default_factory=list)
    task_ref: str | None = None  # a task name (TASK-2026-00042) or words that identify it
    query: QueryFilters | None = None
    # field report
    summary: str | None = None
    observations: str | None = None
    readings: list[ReadingSpec] = Field(default_factory=list)
    issues: str | None = None
    equipment: list[str] = Field(default_factory=list)

    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    rationale: str = ""
    clarify: str | None = None

    # which parser answered ("offline", "llm:<model>"); set by the parser, not the model
    parser: str = "offline"
    # Why a person should look at this record before trusting it, e.g. "injection" (the message
    # held instructions addressed to the parser). Set by our code, never by a model.
    flags: list[str] = Field(default_factory=list)

    @field_validator("due", mode="before")
    @classmethod
    def _date_only_due_stays_a_date(cls, value: Any) -> Any:
        """Keep "2026-03-05" a date; the datetime/date union would make it a naive midnight."""
        if isinstance(value, str) and len(value.strip()) == 10:
            return dt.date.fromisoformat(value.strip())
        return value

    def changed_fields(self, other: ParseResult) -> set[str]:
        """User-visible fields that differ from `other` (to mark what a correction changed)."""
        skip = {"confidence", "rationale", "parser", "clarify", "flags"}
        mine = self.model_dump(exclude=skip)
        theirs = other.model_dump(exclude=skip)
        return {k for k, v in mine.items() if theirs.get(k) != v}


ParseContext.model_rebuild()


class Parser(Protocol):
    """Anything that turns a message into a ParseResult."""

    name: str

    def parse(
        self,
        text: str,
        sender: str,
        now: dt.datetime,
        context: ParseContext,
    ) -> ParseResult: ...


class ParseRefused(ValueError):
    """The input was refused before any parser ran (empty, too long)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # "empty" | "too_long"


JSONDict = dict[str, Any]
