"""A record's Version rows as sentences: "Taylor Reed changed due from Fri 5 Jun 08:00 CDT to
Mon 8 Jun 14:00 CDT".

A Version holds only the fields that changed (`[[field, old, new], ...]`), but a task's due is
three fields (local date, local time, zone) plus the derived UTC instant, and a change to one
needs the others to be written. So we walk the versions from newest to oldest, starting from
the record as it is now and undoing each change: every version then sees the whole record
before and after it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from flrts.core.models import Version
from flrts.core.timezones import local_to_utc
from flrts.desk.timefmt import day, moment

# Parts of a due or start, written as one phrase from the record's state.
_WHEN_GROUPS = {
    "due": ("exp_end_date", "due_time", "due_at"),
    "start": ("exp_start_date", "start_time", "start_at"),
}
# Book-keeping the reader does not need to see as changes.
_QUIET = frozenset(
    {
        "modified",
        "modified_by",
        "idx",
        "owner",
        "creation",
        "next_fire_at",
        "last_sent_at",
        "completed_on",
        "completed_by",
        "is_group",
        "telegram_chat_id",
        "telegram_message_id",
        "parse_confidence",
        "parse_rationale",
    }
)
_TEXT_MAX = 60
# Words that read better in a sentence than the field's label.
_LABELS = {"assigned_to": "assignee", "flrts_list": "list", "reported_by": "reporter"}


@dataclass(frozen=True)
class Change:
    """One saved edit: when, by whom, and what it changed, in words."""

    at: dt.datetime
    who: str
    phrases: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"{self.who} {'; '.join(self.phrases)}"


def history(document: Any, limit: int = 100) -> list[Change]:
    """The record's changes, newest first (at most `limit`)."""
    model = type(document)
    versions = list(
        Version.objects.filter(ref_doctype=model.doctype, docname=document.name)
        .select_related("owner")
        .order_by("-creation", "-id")[:limit]
    )
    if not versions:
        return []
    fields = {f.name: f for f in model._meta.concrete_fields}
    names = _link_names(fields, versions)
    state = {name: _jsonable(getattr(document, f.attname)) for name, f in fields.items()}
    out: list[Change] = []
    for version in versions:
        changed = [c for c in version.data.get("changed", []) if len(c) == 3 and c[0] in fields]
        before, after = dict(state), dict(state)
        for name, old, new in changed:
            before[name], after[name] = old, new
        phrases = _phrases(fields, [c[0] for c in changed], before, after, names)
        if phrases:
            who = str(version.owner) if version.owner else "FLRTS"
            out.append(Change(version.creation, who, tuple(phrases)))
        state = before
    return out


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _link_names(
    fields: dict[str, models.Field[Any, Any]], versions: list[Version]
) -> dict[str, dict[Any, str]]:
    """For each link field that changed: id -> display name (one query per linked model)."""
    ids: dict[str, set[Any]] = defaultdict(set)
    for version in versions:
        for change in version.data.get("changed", []):
            field = fields.get(change[0]) if len(change) == 3 else None
            if field is not None and field.is_relation:
                ids[change[0]].update(v for v in change[1:] if v is not None)
    out: dict[str, dict[Any, str]] = {}
    for name, wanted in ids.items():
        related = fields[name].related_model
        assert related is not None and not isinstance(related, str)
        out[name] = {obj.pk: str(obj) for obj in related._default_manager.filter(pk__in=wanted)}
    return out


def _phrases(
    fields: dict[str, models.Field[Any, Any]],
    changed: list[str],
    before: dict[str, Any],
    after: dict[str, Any],
    names: dict[str, dict[Any, str]],
) -> list[str]:
    phrases: list[str] = []
    done: set[str] = set()
    for label, parts in _WHEN_GROUPS.items():
        if any(p in changed for p in parts) and parts[0] in fields:
            old, new = _when(before, parts), _when(after, parts)
            if old != new:
                phrases.append(_from_to(label, old, new))
            done.update(parts)
    if "status" in changed:
        done.add("docstatus")  # a report's docstatus follows its status
    for name in changed:
        if name in done or name in _QUIET:
            continue
        done.add(name)
        field = fields[name]
        if name == "archived":
            phrases.append("archived this" if after[name] else "restored this")
            continue
        old = _value(field, before[name], names)
        new = _value(field, after[name], names)
        if old != new:
            phrases.append(_from_to(_LABELS.get(name, str(field.verbose_name)), old, new))
    return phrases


def _from_to(label: str, old: str, new: str) -> str:
    if old == "":
        return f"set {label} to {new}"
    if new == "":
        return f"cleared {label} (was {old})"
    return f"changed {label} from {old} to {new}"


def _when(state: dict[str, Any], parts: tuple[str, ...]) -> str:
    """A due or start from the record's local date, local time and zone."""
    date_text, time_text = state.get(parts[0]), state.get(parts[1])
    if not date_text:
        return ""
    date = dt.date.fromisoformat(date_text)
    if not time_text:
        return day(date)
    instant = local_to_utc(date, dt.time.fromisoformat(time_text), state["time_zone"])
    return moment(instant)


def _value(field: models.Field[Any, Any], raw: Any, names: dict[str, dict[Any, str]]) -> str:
    if raw is None or raw == "":
        return ""
    if field.is_relation:
        return names.get(field.name, {}).get(raw, f"#{raw} (deleted)")
    if field.choices:
        return str(dict(field.flatchoices).get(raw, raw))
    if isinstance(field, models.BooleanField):
        return "yes" if raw else "no"
    if isinstance(field, models.DateTimeField):
        return moment(dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00")))
    if isinstance(field, models.DateField):
        return day(dt.date.fromisoformat(str(raw)))
    if isinstance(field, models.TimeField):
        return str(raw)[:5]
    if isinstance(field, models.JSONField):
        raw = ", ".join(map(str, raw)) if isinstance(raw, list) else json.dumps(raw)
    text = " ".join(str(raw).split())
    if isinstance(field, models.CharField | models.TextField) or len(text) > _TEXT_MAX:
        clipped = text if len(text) <= _TEXT_MAX else text[: _TEXT_MAX - 1] + "…"
        return f"“{clipped}”"
    return text
