"""The demo team: four people in three US zones, four sites, and a week of realistic work."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from flrts.core.context import acting_as
from flrts.core.progress import bar
from flrts.core.roles import Role
from flrts.fieldreports.models import FieldReport, Reading, ReportStatus
from flrts.lists.models import FlrtsList, ListItem, ListShare, ListType, SharePermission
from flrts.org.models import Contractor, ContractorType, Site
from flrts.people.models import User
from flrts.reminders.models import Reminder
from flrts.tasks.models import Priority, Status, Task

PEOPLE = [
    # email, full name, role, zone, telegram id, username, aliases
    ("joel@example.com", "Joel Hart", Role.SUPERVISOR, "America/New_York", 1001, "joelh", []),
    ("bryan@example.com", "Bryan Cole", Role.WORKER, "America/New_York", 1002, "bryanc", ["B"]),
    ("taylor@example.com", "Taylor Reed", Role.WORKER, "America/Chicago", 1003, "taylorr", []),
    ("colin@example.com", "Colin Shaw", Role.WORKER, "America/Los_Angeles", 1004, "colins", []),
    ("ari@example.com", "Ari Lane", Role.VIEWER, "America/Los_Angeles", None, "", []),
]

SITES = [
    ("Big Sky", "MT-01", ["bigsky", "BS"], "Big Sky, MT", "America/Denver"),
    ("Viper", "TX-02", ["viper site"], "Midland, TX", "America/Chicago"),
    ("Crystal Peak", "NV-01", ["crystal", "CP"], "Elko, NV", "America/Los_Angeles"),
    ("Thunder Ridge", "OH-03", ["thunder", "TR"], "Zanesville, OH", "America/New_York"),
]


def load_demo(password: str = "demo-pass-2026") -> dict[str, int]:
    """Create the demo data once; a second call changes nothing."""
    if User.objects.filter(email="joel@example.com").exists():
        return {"created": 0}
    with transaction.atomic(), bar("demo", total=7, unit="step") as shown:
        people = _people(password)
        shown.add(1)
        sites = _sites()
        shown.add(1)
        admin = User.objects.filter(username="Administrator").first() or people["joel"]
        with acting_as(admin):
            _contractors(sites)
            shown.add(1)
            tasks = _tasks(people, sites)
            shown.add(1)
            _reports(people, sites, tasks)
            shown.add(1)
            _reminders(people, tasks)
            shown.add(1)
            _lists(people, sites)
            shown.add(1)
    return {"created": 1, "tasks": Task.objects.count()}


def _people(password: str) -> dict[str, User]:
    out = {}
    for email, full_name, role, zone, tg_id, tg_user, aliases in PEOPLE:
        user = User(
            username=email,
            email=email,
            full_name=full_name,
            role=role,
            time_zone=zone,
            telegram_user_id=tg_id,
            telegram_username=tg_user,
            aliases=aliases,
            quiet_hours_start=dt.time(22, 0),
            quiet_hours_end=dt.time(6, 30),
            daily_summary_time=dt.time(7, 0),
        )
        user.set_password(password)
        user.save()
        out[full_name.split()[0].lower()] = user
    return out


def _sites() -> dict[str, Site]:
    out = {}
    for name, code, aliases, location, zone in SITES:
        site = Site(site_name=name, site_code=code, aliases=aliases, location=location)
        site.time_zone = zone
        site.save()
        out[name] = site
    return out


def _contractors(sites: dict[str, Site]) -> None:
    for name, kind, where in [
        ("Apex Electrical", ContractorType.ELECTRICAL, ["Big Sky", "Viper"]),
        ("Cool Air HVAC", ContractorType.HVAC, ["Crystal Peak"]),
        ("Ridge Mechanical", ContractorType.EQUIPMENT, ["Thunder Ridge", "Big Sky"]),
    ]:
        contractor = Contractor(
            contractor_name=name, contractor_type=kind, contact_email=f"ops@{name.split()[0]}.test"
        )
        contractor.contact_email = contractor.contact_email.lower()
        contractor.save()
        contractor.sites.set([sites[s] for s in where])


def _task(
    subject: str,
    assignee: User,
    site: Site,
    due: dt.date | dt.datetime | None,
    priority: str = Priority.MEDIUM,
    status: str = Status.OPEN,
    parent: Task | None = None,
) -> Task:
    task = Task(
        subject=subject,
        assigned_to=assignee,
        site=site,
        priority=priority,
        status=status,
        parent_task=parent,
        time_zone=assignee.time_zone,
        source="telegram",
    )
    task.set_due(due)
    if status == Status.COMPLETED:
        task.completed_by = assignee
    task.save()
    return task


def _local(user: User, days: int, hour: int, minute: int = 0) -> dt.datetime:
    day = user.local_now().date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=user.zone)


def _tasks(p: dict[str, User], s: dict[str, Site]) -> dict[str, Task]:
    today = timezone.localdate()
    t: dict[str, Task] = {}
    t["compressor"] = _task(
        "Check the compressor", p["colin"], s["Big Sky"], _local(p["colin"], 1, 14), Priority.HIGH
    )
    t["generator"] = _task(
        "Generator check", p["joel"], s["Viper"], today + dt.timedelta(days=2), Priority.URGENT
    )
    t["filters"] = _task(
        "Replace intake filters", p["taylor"], s["Viper"], _local(p["taylor"], -2, 17)
    )
    t["fans"] = _task(
        "Inspect exhaust fans", p["bryan"], s["Thunder Ridge"], _local(p["bryan"], 0, 16)
    )
    t["firmware"] = _task(
        "Update miner firmware", p["colin"], s["Crystal Peak"], today - dt.timedelta(days=1)
    )
    t["audit"] = _task(
        "Quarterly safety audit", p["joel"], s["Thunder Ridge"], today + dt.timedelta(days=10)
    )
    t["audit_ext"] = _task(
        "Check fire extinguishers", p["bryan"], s["Thunder Ridge"], today, parent=t["audit"]
    )
    t["audit_exit"] = _task(
        "Test emergency exits", p["bryan"], s["Thunder Ridge"], today, parent=t["audit"]
    )
    t["pdu"] = _task(
        "Label PDU circuits", p["taylor"], s["Viper"], None, Priority.LOW, Status.COMPLETED
    )
    t["transformer"] = _task(
        "Transformer oil sample",
        p["colin"],
        s["Big Sky"],
        _local(p["colin"], 3, 9),
        status=Status.WORKING,
    )
    return t


def _reports(p: dict[str, User], s: dict[str, Site], tasks: dict[str, Task]) -> None:
    rows: list[tuple[str, User, Site, str, list[tuple[str, float, str]], str]] = [
        (
            "Morning walk-through at Big Sky",
            p["colin"],
            s["Big Sky"],
            "All containers online. Fan noise on row C.",
            [("intake temperature", 71.5, "F"), ("compressor pressure", 45, "psi")],
            "Row C fan bearing noisy",
        ),
        (
            "Viper power check",
            p["taylor"],
            s["Viper"],
            "Main breaker warm to the touch.",
            [("load", 2.4, "MW"), ("voltage", 480, "V")],
            "Breaker B2 running hot",
        ),
        (
            "Thunder Ridge weekly",
            p["bryan"],
            s["Thunder Ridge"],
            "Snow cleared from intakes.",
            [("hashrate", 310.5, "PH/s")],
            "",
        ),
    ]
    for summary, who, site, obs, readings, issues in rows:
        report = FieldReport(
            summary=summary,
            reported_by=who,
            site=site,
            observations=obs,
            issues_found=issues,
            status=ReportStatus.SUBMITTED,
            report_date=who.local_now().date(),
        )
        report.save()
        for idx, (metric, value, unit) in enumerate(readings, start=1):
            Reading.objects.create(report=report, idx=idx, metric=metric, value=value, unit=unit)
    first = FieldReport.objects.order_by("id").first()
    if first is not None:
        first.follow_up_tasks.add(tasks["compressor"])


def _reminders(p: dict[str, User], tasks: dict[str, Task]) -> None:
    specs: list[tuple[str, User, dt.datetime, str, Task | None]] = [
        ("Read the meters", p["taylor"], _local(p["taylor"], 1, 8), "FREQ=WEEKLY;BYDAY=MO", None),
        ("Call Apex about breaker B2", p["joel"], _local(p["joel"], 0, 15), "", None),
        ("Compressor check", p["colin"], _local(p["colin"], 1, 13), "", tasks["compressor"]),
    ]
    for title, who, at, rule, task in specs:
        reminder = Reminder(
            title=title,
            remind_at=at.astimezone(dt.UTC),
            time_zone=who.time_zone,
            recurrence=rule,
            related_task=task,
            owner=who,
        )
        reminder.save()
        reminder.recipients.add(who)


def _lists(p: dict[str, User], s: dict[str, Site]) -> None:
    shopping = FlrtsList(
        list_name="Viper shopping", list_type=ListType.SHOPPING, site=s["Viper"], owner=p["taylor"]
    )
    shopping.save()
    items: list[tuple[str, Any, str]] = [
        ("filters", None, ""),
        ("zip ties", None, ""),
        ("gloves", 2, "boxes"),
    ]
    for idx, (text, qty, unit) in enumerate(items, start=1):
        ListItem.objects.create(list=shopping, idx=idx, item_text=text, quantity=qty, unit=unit)
    ListShare.objects.create(list=shopping, user=p["colin"], permission=SharePermission.EDIT)
    checklist = FlrtsList(
        list_name="Startup checklist", list_type=ListType.CHECKLIST, owner=p["joel"]
    )
    checklist.save()
    for idx, text in enumerate(["Breakers on", "Fans spinning", "Pool connected"], start=1):
        ListItem.objects.create(list=checklist, idx=idx, item_text=text)
