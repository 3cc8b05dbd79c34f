"""Turning a confirmed ParseResult into records, and finding the records a message refers to.

Everything here runs inside the confirming transaction (see confirm.confirm), so a failure
leaves neither a half-made record nor a confirmed proposal.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from flrts.core.permissions import Action, PermissionDenied, can, readable, require
from flrts.core.timezones import zone
from flrts.fieldreports.models import FieldReport, Reading, ReportStatus
from flrts.lists.models import FlrtsList, ListItem, ListType
from flrts.nlp.types import Intent, ParseResult
from flrts.org.models import Contractor, Site
from flrts.people.models import User
from flrts.reminders.models import Reminder
from flrts.tasks.models import CLOSED_STATUSES, Priority, Source, Task

# Below this confidence a created task is flagged for a supervisor's review (as the first system
# noted it in the reply below 70%).
REVIEW_BELOW = 0.7

_TASK_NAME = re.compile(r"\b[A-Z]+-\d{4}-\d{3,}\b", re.IGNORECASE)


class CaptureProblem(Exception):
    """Something the person must fix (unknown list, task not found); the text is shown as is."""


@dataclass
class Origin:
    """Where a record came from, stamped on it (channel, Telegram ids, the parse)."""

    channel: str  # telegram | desk | api
    chat_id: int | None = None
    message_id: int | None = None
    draft: bool = False  # a field report stays a draft (the card's "Save as draft")

    @property
    def source(self) -> str:
        return {"telegram": Source.TELEGRAM, "desk": Source.WEB}.get(self.channel, Source.API)


# -- finding things -----------------------------------------------------------------------------


def person(person_id: str | None) -> User | None:
    if not person_id:
        return None
    found = User.objects.by_login(person_id)
    if found is None:
        raise CaptureProblem(f"❌ I don't know {person_id}. Who should it be?")
    if not found.is_active:
        raise CaptureProblem(f"❌ {found} is disabled in FLRTS; choose someone else.")
    return found


def site(name: str | None) -> Site | None:
    if not name:
        return None
    found = Site.objects.filter(Q(site_name__iexact=name) | Q(site_code__iexact=name)).first()
    if found is None:
        raise CaptureProblem(f"⚠️ I can't find the site {name}.")
    return found


def contractor(name: str | None) -> Contractor | None:
    if not name:
        return None
    return Contractor.objects.filter(contractor_name__iexact=name).first()


def find_list(user: User, name: str | None, *, for_write: bool) -> FlrtsList:
    if not name:
        raise CaptureProblem("❓ Which list? Say e.g. “add milk to the Shopping list”.")
    lists = readable(user, FlrtsList.objects.filter(archived=False))
    found = lists.filter(list_name__iexact=name).order_by("-owner_id").first()
    if found is None:
        found = lists.filter(list_name__icontains=name).first()
    if found is None:
        raise CaptureProblem(f"⚠️ Can't find a list called {name}. Send /lists to see yours.")
    if for_write and not can(user, Action.WRITE, found):
        raise CaptureProblem(f"⛔ You may not change the list {found.list_name}.")
    return found


def find_task(user: User, ref: str | None) -> Task:
    """A task by its name (TASK-2026-00042) or by words of its subject, among open tasks."""
    ref = (ref or "").strip()
    if not ref:
        raise CaptureProblem("❓ Which task? Give its name, e.g. TASK-2026-00042.")
    tasks = readable(user, Task.objects.filter(archived=False))
    match = _TASK_NAME.search(ref)
    if match:
        found = tasks.filter(name__iexact=match.group(0)).first()
        if found is None:
            raise CaptureProblem(f"⚠️ Can't find task {match.group(0).upper()}.")
        return found
    open_tasks = tasks.exclude(status__in=CLOSED_STATUSES)
    words = [w for w in re.findall(r"\w+", ref) if len(w) > 2][:6]
    candidates = open_tasks
    for word in words:
        candidates = candidates.filter(subject__icontains=word)
    found_list = list(candidates.order_by("-modified")[:3])
    if not found_list:
        raise CaptureProblem(f"⚠️ Can't find an open task matching “{ref}”.")
    if len(found_list) > 1:
        names = ", ".join(f"{t.name} ({t.subject})" for t in found_list)
        raise CaptureProblem(f"❓ Several tasks match: {names}. Which one? Use its name.")
    return found_list[0]


def check_allowed(user: User, result: ParseResult) -> str:
    """Raise CaptureProblem when the person may not do this; return a label of the target task."""
    intent = result.intent
    model = {
        Intent.CREATE_TASK: Task,
        Intent.CREATE_FIELD_REPORT: FieldReport,
        Intent.CREATE_REMINDER: Reminder,
        Intent.CREATE_LIST: FlrtsList,
    }.get(intent)
    if model is not None:
        if not can(user, Action.CREATE, model):
            raise CaptureProblem(
                f"⛔ Your role ({user.role}) may not create a {model.doctype}. Ask a supervisor."
            )
        return ""
    if intent in (Intent.ADD_LIST_ITEMS, Intent.COMPLETE_LIST_ITEMS):
        find_list(user, result.list_name, for_write=True)
        return ""
    if intent in (Intent.COMPLETE_TASK, Intent.UPDATE_TASK):
        task = find_task(user, result.task_ref)
        if not can(user, Action.WRITE, task):
            raise CaptureProblem(f"⛔ You may not change {task.name}: it is not yours.")
        return f"{task.name}: {task.subject}"
    return ""


# -- creating ---------------------------------------------------------------------------------


def _zone_name(value: Any, fallback: str) -> str:
    tz = getattr(value, "tzinfo", None)
    key = getattr(tz, "key", None)
    return str(key) if key else fallback


def _apply_due(task: Task, due: dt.datetime | dt.date | None, fallback_zone: str) -> None:
    if due is None:
        return
    task.set_due(due, _zone_name(due, fallback_zone))


def create(user: User, result: ParseResult, origin: Origin) -> tuple[Any, list[str]]:
    """Make the record(s) for `result`; return the main record and lines describing them."""
    intent = result.intent
    handler = _CREATORS.get(intent)
    if handler is None:
        raise CaptureProblem("❓ There is nothing to save for that message.")
    try:
        return handler(user, result, origin)
    except PermissionDenied as exc:
        raise CaptureProblem(f"⛔ {exc}")
    except ValidationError as exc:
        raise CaptureProblem("❌ Not saved: " + "; ".join(exc.messages))


def _task_fields(user: User, result: ParseResult, origin: Origin) -> Task:
    assignee = person(result.assignee)
    task = Task(
        subject=(result.subject or "").strip()[:255],
        description=(result.description or "")[:5000],
        priority=(result.priority.value if result.priority else Priority.MEDIUM),
        assigned_to=assignee,
        site=site(result.site),
        contractor=contractor(result.contractor),
        time_zone=user.time_zone,
        source=origin.source,
        telegram_chat_id=origin.chat_id,
        telegram_message_id=origin.message_id,
        parse_confidence=result.confidence,
        parse_rationale=result.rationale[:2000],
        # low confidence, or a message that held instructions to the parser (result.flags)
        flagged_for_review=result.confidence < REVIEW_BELOW or bool(result.flags),
    )
    if result.list_name:
        task.flrts_list = find_list(user, result.list_name, for_write=False)
    _apply_due(task, result.due, user.time_zone)
    return task


def _create_task(user: User, result: ParseResult, origin: Origin) -> tuple[Any, list[str]]:
    require(user, Action.CREATE, Task)
    task = _task_fields(user, result, origin)
    task.save()
    lines = [f"✅ Saved {task.name}: {task.subject}"]
    lines += _task_summary(task, user)
    if task.flagged_for_review and result.flags:
        lines.append("⚠️ Flagged for review: the message held instructions to the bot")
    elif task.flagged_for_review:
        lines.append(f"⚠️ Flagged for review (confidence: {result.confidence:.0%})")
    for spec in result.subtasks:
        child = Task(
            subject=spec.subject.strip()[:255],
            parent_task=task,
            assigned_to=person(spec.assignee) or task.assigned_to,
            site=task.site,
            priority=task.priority,
            time_zone=task.time_zone,
            exp_end_date=task.exp_end_date,
            due_time=task.due_time,
            source=origin.source,
            telegram_chat_id=origin.chat_id,
            telegram_message_id=origin.message_id,
        )
        child.save()
        lines.append(f"   • {child.name}: {child.subject}")
    return task, lines


def _task_summary(task: Task, reader: User) -> list[str]:
    from flrts.capture.cards import PRIORITY_ICONS, format_when

    due = "—"
    if task.exp_end_date is not None:
        due = format_when(task.due_at if task.due_time else task.exp_end_date, reader.zone)
    return [
        f"👤 Assigned to: {task.assigned_to or 'nobody yet'}",
        f"📍 Site: {task.site or '—'}",
        f"📅 Due: {due}",
        f"{PRIORITY_ICONS.get(task.priority, '')} Priority: {task.priority}",
    ]


def _create_report(user: User, result: ParseResult, origin: Origin) -> tuple[Any, list[str]]:
    require(user, Action.CREATE, FieldReport)
    summary = (result.summary or result.subject or "").strip()[:255]
    report = FieldReport(
        status=ReportStatus.DRAFT if origin.draft else ReportStatus.SUBMITTED,
        site=site(result.site),
        reported_by=user,
        report_date=timezone.now().astimezone(user.zone).date(),
        summary=summary,
        observations=result.observations or "",
        issues_found=result.issues or "",
        equipment_mentioned="\n".join(result.equipment),
        source=origin.channel,
        telegram_chat_id=origin.chat_id,
        telegram_message_id=origin.message_id,
    )
    report.save()
    for idx, reading in enumerate(result.readings):
        Reading.objects.create(
            report=report,
            idx=idx,
            metric=reading.metric[:140],
            value=reading.value,
            unit=(reading.unit or "")[:40],
        )
    state = "saved as a draft" if origin.draft else "submitted"
    lines = [f"✅ Saved {report.name} ({state}): {report.summary}"]
    lines.append(f"📍 Site: {report.site or '—'}")
    for reading in result.readings:
        value = "?" if reading.value is None else f"{reading.value:g}"
        lines.append(f"   • {reading.metric}: {value} {reading.unit or ''}".rstrip())
    if report.issues_found:
        lines.append(f"⚠️ Issues: {report.issues_found}")
    return report, lines


def _create_reminder(user: User, result: ParseResult, origin: Origin) -> tuple[Any, list[str]]:
    require(user, Action.CREATE, Reminder)
    from flrts.capture.cards import describe_rrule, format_when

    when = result.remind_at or result.due
    if when is None:
        raise CaptureProblem("❓ When should I remind you? Say e.g. “tomorrow at 9am”.")
    if not isinstance(when, dt.datetime):
        when = dt.datetime.combine(when, dt.time(8, 0), tzinfo=user.zone)
    recipient = person(result.assignee) or user
    related = find_task(user, result.task_ref) if result.task_ref else None
    reminder = Reminder(
        title=(result.subject or "Reminder").strip()[:255],
        description=result.description or "",
        remind_at=when,
        time_zone=_zone_name(when, recipient.time_zone),
        recurrence=result.recurrence or "",
        related_task=related,
        telegram_chat_id=origin.chat_id,
        telegram_message_id=origin.message_id,
        source=origin.channel,
    )
    reminder.save()
    reminder.recipients.add(recipient)
    lines = [
        f"✅ Saved {reminder.name}: {reminder.title}",
        f"👤 For: {recipient}",
        f"⏰ When: {format_when(when, user.zone)}",
    ]
    if reminder.recurrence:
        lines.append(f"🔁 Repeats: {describe_rrule(reminder.recurrence)}")
    return reminder, lines


def _create_list(user: User, result: ParseResult, origin: Origin) -> tuple[Any, list[str]]:
    require(user, Action.CREATE, FlrtsList)
    list_type = (result.list_type or "custom").title()
    if list_type not in ListType.values:
        list_type = ListType.CUSTOM
    flrts_list = FlrtsList(list_name=(result.list_name or "").strip()[:140], list_type=list_type)
    flrts_list.owner = user
    flrts_list.save()
    item_lines = _add_items(flrts_list, result, user)
    lines = [f"✅ Saved {flrts_list.name}: {flrts_list.list_name} ({flrts_list.list_type})"]
    lines += item_lines
    return flrts_list, lines


_MORE = re.compile(r"^(?:more|extra|another|additional)\s+", re.IGNORECASE)


def _item_name(name: str) -> str:
    """ "more filters" (from "2 more filters") is the item "filters"."""
    return _MORE.sub("", name.strip())[:255]


def _add_items(flrts_list: FlrtsList, result: ParseResult, user: User) -> list[str]:
    """Add the items; one already open on the list is not added again. A quantity given for
    it is added to the open item's quantity ("2 more filters": 3 → 5; an open item with no
    quantity takes the one given) when the units agree. Returns a line per item."""
    start = flrts_list.items.count()
    lines: list[str] = []
    added = 0
    for item in result.items:
        name = _item_name(item.name)
        if not name:
            continue
        unit = (item.unit or "")[:40]
        open_item = flrts_list.items.filter(item_text__iexact=name, is_completed=False).first()
        if open_item is None:
            ListItem.objects.create(
                list=flrts_list,
                idx=start + added,
                item_text=name,
                quantity=item.quantity,
                unit=unit,
            )
            added += 1
            lines.append(f"   • {name}" + _amount(item.quantity, unit))
            continue
        same_unit = not unit or not open_item.unit or unit.lower() == open_item.unit.lower()
        if item.quantity is None or not same_unit:
            lines.append(f"   • {open_item.item_text}: already on the list, not added again")
            continue
        before = open_item.quantity
        open_item.quantity = (before or 0) + Decimal(str(item.quantity))
        open_item.unit = open_item.unit or unit
        open_item.save(update_fields=["quantity", "unit"])
        was = f" (was {_amount(before, open_item.unit).strip()})" if before is not None else ""
        now = _amount(open_item.quantity, open_item.unit).strip()
        lines.append(f"   • {open_item.item_text}: already on the list, now {now}{was}")
    if result.items:
        flrts_list.save()  # bumps modified, and keeps the change in its history
    return lines


def _amount(quantity: Any, unit: str) -> str:
    if quantity is None:
        return ""
    value = Decimal(str(quantity)).normalize()
    text = f"{value:f}"
    return f" × {text}" + (f" {unit}" if unit else "")


def _add_list_items(user: User, result: ParseResult, origin: Origin) -> tuple[Any, list[str]]:
    flrts_list = find_list(user, result.list_name, for_write=True)
    item_lines = _add_items(flrts_list, result, user)
    added = sum(1 for line in item_lines if "already on the list" not in line)
    lines = [f"✅ Added {added} to {flrts_list.name}: {flrts_list.list_name}"]
    return flrts_list, lines + item_lines


def _complete_list_items(user: User, result: ParseResult, origin: Origin) -> tuple[Any, list[str]]:
    flrts_list = find_list(user, result.list_name, for_write=True)
    done, missing = [], []
    now = timezone.now()
    for item in result.items:
        row = (
            flrts_list.items.filter(item_text__iexact=item.name.strip(), is_completed=False).first()
            or flrts_list.items.filter(
                item_text__icontains=item.name.strip(), is_completed=False
            ).first()
        )
        if row is None:
            missing.append(item.name)
            continue
        row.is_completed, row.done_by, row.done_at = True, user, now
        row.save()
        done.append(row.item_text)
    if not done:
        raise CaptureProblem(
            f"⚠️ Can't find {', '.join(missing)} on {flrts_list.list_name} (or already done)."
        )
    flrts_list.save()
    lines = [f"✅ Checked off on {flrts_list.name}: {flrts_list.list_name}"]
    lines += [f"   ☑️ {name}" for name in done]
    if missing:
        lines.append("⚠️ Not found: " + ", ".join(missing))
    return flrts_list, lines


def _complete_task(user: User, result: ParseResult, origin: Origin) -> tuple[Any, list[str]]:
    task = find_task(user, result.task_ref)
    require(user, Action.WRITE, task)
    if not task.is_open:
        raise CaptureProblem(f"ℹ️ {task.name} is already {task.status.lower()}.")
    task.complete(by=user)
    return task, [f"✅ Completed {task.name}: {task.subject}"]


def _update_task(user: User, result: ParseResult, origin: Origin) -> tuple[Any, list[str]]:
    task = find_task(user, result.task_ref)
    require(user, Action.WRITE, task)
    changes = []
    if result.assignee:
        task.assigned_to = person(result.assignee)
        changes.append(f"assignee → {task.assigned_to}")
    if result.priority:
        task.priority = result.priority.value
        changes.append(f"priority → {task.priority}")
    if result.site:
        task.site = site(result.site)
        changes.append(f"site → {task.site}")
    if result.due:
        _apply_due(task, result.due, task.time_zone or user.time_zone)
        changes.append("due date")
    if result.subject:
        task.subject = result.subject.strip()[:255]
        changes.append("subject")
    if not changes:
        raise CaptureProblem("❓ What should change on the task?")
    task.save()
    lines = [f"✅ Updated {task.name}: {task.subject}", "Changed: " + ", ".join(changes)]
    return task, lines + _task_summary(task, user)


_CREATORS = {
    Intent.CREATE_TASK: _create_task,
    Intent.CREATE_FIELD_REPORT: _create_report,
    Intent.CREATE_REMINDER: _create_reminder,
    Intent.CREATE_LIST: _create_list,
    Intent.ADD_LIST_ITEMS: _add_list_items,
    Intent.COMPLETE_LIST_ITEMS: _complete_list_items,
    Intent.COMPLETE_TASK: _complete_task,
    Intent.UPDATE_TASK: _update_task,
}

CREATABLE = frozenset(_CREATORS)


def zone_of(user: User) -> dt.tzinfo:
    return zone(user.time_zone)
