"""The confirmation card: what the parser understood, in words, times in the reader's zone.

Plain text (no Markdown), so names with `_` or `*` never break a Telegram message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flrts.capture.replies import Button, Reply
from flrts.nlp.types import Intent, ParseResult

PRIORITY_ICONS = {"Urgent": "🔴", "High": "🟠", "Medium": "🟡", "Low": "🟢"}

TITLES = {
    Intent.CREATE_TASK: "📝 New task",
    Intent.CREATE_FIELD_REPORT: "📋 New field report",
    Intent.CREATE_REMINDER: "🔔 New reminder",
    Intent.CREATE_LIST: "🗒 New list",
    Intent.ADD_LIST_ITEMS: "➕ Add to a list",
    Intent.COMPLETE_LIST_ITEMS: "☑️ Check off list items",
    Intent.COMPLETE_TASK: "✅ Complete a task",
    Intent.UPDATE_TASK: "✏️ Update a task",
}

_DAYS = {"MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat", "SU": "Sun"}
_FREQ = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year", "HOURLY": "hour"}


def person_label(person_id: str | None, people: dict[str, Any]) -> str:
    if not person_id:
        return "—"
    person = people.get(person_id)
    return str(person) if person is not None else person_id


def format_when(value: dt.datetime | dt.date | None, zone: dt.tzinfo) -> str:
    """A due or reminder time in the reader's zone ("Fri 24 Oct 2026, 15:00 CDT")."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        local = value.astimezone(zone) if value.tzinfo else value.replace(tzinfo=zone)
        return local.strftime("%a %d %b %Y, %H:%M %Z")
    return value.strftime("%a %d %b %Y")


def describe_rrule(rule: str | None) -> str:
    """A short English reading of the RRULE bodies the parser emits."""
    if not rule:
        return "—"
    parts = dict(p.split("=", 1) for p in rule.removeprefix("RRULE:").split(";") if "=" in p)
    unit = _FREQ.get(parts.get("FREQ", ""), parts.get("FREQ", "").lower() or "time")
    interval = int(parts.get("INTERVAL", "1") or 1)
    text = f"every {unit}" if interval == 1 else f"every {interval} {unit}s"
    if "BYDAY" in parts:
        days = [_DAYS.get(d[-2:], d) for d in parts["BYDAY"].split(",")]
        text += " on " + ", ".join(days)
    if "BYMONTHDAY" in parts:
        text += f" on day {parts['BYMONTHDAY']}"
    if "BYHOUR" in parts:
        text += f" at {int(parts['BYHOUR']):02d}:{int(parts.get('BYMINUTE', '0') or 0):02d}"
    if "COUNT" in parts:
        text += f", {parts['COUNT']} times"
    if "UNTIL" in parts:
        text += f", until {parts['UNTIL'][:8]}"
    return text


def card_lines(
    result: ParseResult, reader_zone: dt.tzinfo, people: dict[str, Any], task_label: str = ""
) -> list[tuple[str, str, str]]:
    """(field name for change marking, label, value) in display order."""
    intent = result.intent
    due = format_when(result.due, reader_zone)
    priority = result.priority.value if result.priority else "Medium"
    priority_text = f"{PRIORITY_ICONS.get(priority, '')} {priority}".strip()
    lines: list[tuple[str, str, str]] = []
    if intent == Intent.CREATE_TASK:
        lines += [
            ("subject", "Task", result.subject or "—"),
            ("assignee", "Assignee", person_label(result.assignee, people)),
            ("site", "Site", result.site or "—"),
            ("due", "Due", due),
            ("priority", "Priority", priority_text),
        ]
        if result.contractor:
            lines.append(("contractor", "Contractor", result.contractor))
        lines.append(("list_name", "List", result.list_name or "—"))
        if result.subtasks:
            subs = "".join(
                f"\n   • {s.subject}"
                + (f" ({person_label(s.assignee, people)})" if s.assignee else "")
                for s in result.subtasks
            )
            lines.append(("subtasks", "Sub-tasks", subs))
    elif intent == Intent.CREATE_FIELD_REPORT:
        lines += [
            ("summary", "Summary", result.summary or result.subject or "—"),
            ("site", "Site", result.site or "—"),
        ]
        if result.observations:
            lines.append(("observations", "Observations", result.observations))
        if result.readings:
            readings = "".join(
                f"\n   • {r.metric}: {_number(r.value)} {r.unit or ''}".rstrip()
                for r in result.readings
            )
            lines.append(("readings", "Readings", readings))
        if result.equipment:
            lines.append(("equipment", "Equipment", ", ".join(result.equipment)))
        if result.issues:
            lines.append(("issues", "Issues", result.issues))
    elif intent == Intent.CREATE_REMINDER:
        lines += [
            ("subject", "Reminder", result.subject or "—"),
            ("assignee", "For", person_label(result.assignee, people)),
            ("remind_at", "When", format_when(result.remind_at or result.due, reader_zone)),
            ("recurrence", "Repeats", describe_rrule(result.recurrence)),
        ]
        if result.task_ref:
            lines.append(("task_ref", "Task", task_label or result.task_ref))
    elif intent in (Intent.CREATE_LIST, Intent.ADD_LIST_ITEMS, Intent.COMPLETE_LIST_ITEMS):
        lines.append(("list_name", "List", result.list_name or "—"))
        if intent == Intent.CREATE_LIST and result.list_type:
            lines.append(("list_type", "Type", result.list_type.title()))
        if result.items or intent != Intent.CREATE_LIST:
            items = "".join(
                f"\n   • {i.name}"
                + (f" × {_number(i.quantity)}" if i.quantity else "")
                + (f" {i.unit}" if i.unit else "")
                for i in result.items
            )
            lines.append(("items", "Items", items or "—"))
    elif intent in (Intent.COMPLETE_TASK, Intent.UPDATE_TASK):
        lines.append(("task_ref", "Task", task_label or result.task_ref or "—"))
        if intent == Intent.UPDATE_TASK:
            if result.assignee:
                lines.append(("assignee", "New assignee", person_label(result.assignee, people)))
            if result.due:
                lines.append(("due", "New due", due))
            if result.priority:
                lines.append(("priority", "New priority", priority_text))
            if result.site:
                lines.append(("site", "New site", result.site))
            if result.subject:
                lines.append(("subject", "New subject", result.subject))
    return lines


def render_card(
    result: ParseResult,
    *,
    proposal_id: int,
    version: int,
    changed: list[str] | set[str],
    reader_zone: dt.tzinfo,
    people: dict[str, Any],
    task_label: str = "",
    expires_minutes: int = 30,
    files_note: str = "",
) -> Reply:
    title = TITLES.get(result.intent, "Capture")
    header = f"{title} (v{version})" if version > 1 else title
    out = [header, ""]
    changed = set(changed)
    for name, label, value in card_lines(result, reader_zone, people, task_label):
        mark = ""
        if version > 1:
            mark = " ✨" if name in changed or (name == "remind_at" and "due" in changed) else " ✓"
        out.append(f"{label}: {value}{mark}")
    if files_note:
        out.append(files_note)
    if version > 1 and changed:
        labels = sorted(_CHANGE_NAMES.get(c, c.replace("_", " ")) for c in changed)
        out += ["", "Changes made: " + ", ".join(labels)]
    if "injection" in result.flags:
        out += ["", "⚠️ Your message also held instructions to me. I ignored them; a supervisor "
                "will review this."]  # fmt: skip
    elif result.confidence < 0.7:
        out += ["", f"⚠️ I'm not sure I got this right (confidence {result.confidence:.0%})."]
    out += ["", f"Confirm to save, or tell me what to change. (Expires in {expires_minutes} min.)"]
    buttons = [
        [
            Button("✅ Confirm", f"cap:ok:{proposal_id}:{version}"),
            Button("✏️ Edit", f"cap:edit:{proposal_id}:{version}"),
            Button("❌ Cancel", f"cap:no:{proposal_id}:{version}"),
        ]
    ]
    if result.intent == Intent.CREATE_FIELD_REPORT:
        # Confirming submits a report; a draft is the exception, so it is the second row.
        buttons.append([Button("💾 Save as draft", f"cap:draft:{proposal_id}:{version}")])
    return Reply("\n".join(out), buttons, proposal_id=proposal_id, kind="card")


_CHANGE_NAMES = {
    "due": "due",
    "remind_at": "when",
    "list_name": "list",
    "task_ref": "task",
    "subtasks": "sub-tasks",
}


def _number(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
