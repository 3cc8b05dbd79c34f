"""The daily report: the day's numbers, rendered from an HTML template to a PDF, stored as a
private file, and sent to the team's Telegram chat and by email.

    build(day)            -> DailyReport (rebuilding a day replaces its file)
    send(report)          -> what was sent
    scheduled_daily_report()   the scheduled job (`daily_report_time`, default 18:00, site zone)

A "day" is a local day in the site's zone (`time_zone`). Overdue means: due before the end of
the day (or before now, for today's report), not completed by then, not cancelled.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone

from flrts.core.pdf import html_to_pdf, unicode_font_dir
from flrts.core.timezones import zone
from flrts.fieldreports.models import FieldReport, Reading
from flrts.jobs.registry import scheduled
from flrts.notify.channels import send_mail_message
from flrts.notify.team import send_team_document, team_chat_id
from flrts.people.models import User
from flrts.reminders.models import Reminder
from flrts.reports.analytics import SYSTEM, budgets, month_projection, parse_days
from flrts.reports.periods import Period, day_start, site_today, site_zone_name
from flrts.sites import SiteConfigError
from flrts.tasks.models import Status, Task

logger = logging.getLogger("flrts.reports")

DEFAULT_TIME = "18:00"
TREND_DAYS = 14  # as the desk's home page


def report_time() -> dt.time:
    """`daily_report_time` (HH:MM, site zone); a bad value stops with one line naming the key."""
    raw = str(settings.SITE.get("daily_report_time", DEFAULT_TIME)).strip()
    try:
        hour, minute = raw.split(":")
        value = dt.time(int(hour), int(minute))
    except ValueError:
        raise SiteConfigError(
            f"site_config.json: key 'daily_report_time' must be HH:MM (24 h), got {raw!r}"
        ) from None
    return value


def report_cron() -> str:
    at = report_time()
    return f"{at.minute} {at.hour} * * *"


def email_recipients() -> list[str]:
    """`daily_report_emails` (a list or a comma-separated string), else active Admins and
    Supervisors with an email address."""
    configured = settings.SITE.get("daily_report_emails")
    if configured:
        items = configured if isinstance(configured, list) else str(configured).split(",")
        return [str(item).strip() for item in items if str(item).strip()]

    return list(
        User.objects.filter(is_active=True, role__in=["Admin", "Supervisor"])
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )


# -- the numbers -------------------------------------------------------------------------------


@dataclass
class DailyData:
    day: dt.date
    tz_name: str
    as_of: dt.datetime
    totals: dict[str, int] = field(default_factory=dict)
    per_site: list[dict[str, Any]] = field(default_factory=list)
    per_person: list[dict[str, Any]] = field(default_factory=list)
    field_reports: list[dict[str, Any]] = field(default_factory=list)
    readings_count: int = 0
    reports_with_issues: int = 0
    reminders: list[dict[str, Any]] = field(default_factory=list)
    parser: dict[str, Any] = field(default_factory=dict)
    overdue_trend: list[tuple[dt.date, int]] = field(default_factory=list)  # TREND_DAYS days

    def charts(self) -> dict[str, str]:
        """The PDF's charts, as the JSON of `<figure data-chart>` (flrts.core.pdf.Chart)."""
        out = {
            "per_site": {
                "kind": "bars",
                "title": "Tasks per site: created, completed, overdue",
                "labels": [row["name"] or "(no site)" for row in self.per_site],
                "series": [
                    [name.capitalize(), [row[name] for row in self.per_site]]
                    for name in ("created", "completed", "overdue")
                ],
            },
            "overdue_trend": {
                "kind": "line",
                "title": f"Overdue tasks, last {TREND_DAYS} days (end of each day)",
                "labels": [day.strftime("%m-%d") for day, _ in self.overdue_trend],
                "series": [["Overdue", [n for _, n in self.overdue_trend]]],
            },
        }
        if self.parser.get("parses"):
            p = self.parser
            out["parser"] = {
                "kind": "bars",
                "title": f"Parser outcomes ({p['parses']} parses, cost ${p['cost']:.4f})",
                "labels": ["Accepted", "Rejected", "Pending", "Corrections"],
                "series": [
                    ["Parses", [p["accepted"], p["rejected"], p["pending"], p["corrections"]]]
                ],
            }
        return {name: json.dumps(chart) for name, chart in out.items()}

    def summary(self) -> dict[str, Any]:
        return {
            **self.totals,
            "field_reports": len(self.field_reports),
            "reports_with_issues": self.reports_with_issues,
            "reminders_tomorrow": len(self.reminders),
            "parses": self.parser.get("parses", 0),
            "success_rate": self.parser.get("success_rate"),
            "cost": self.parser.get("cost", 0.0),
        }


def _task_conditions(start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> tuple[Q, Q, Q]:
    created = Q(creation__gte=start, creation__lt=end)
    completed = Q(status=Status.COMPLETED, completed_on__gte=start, completed_on__lt=end)
    not_done_then = Q(completed_on__isnull=True) & ~Q(status=Status.COMPLETED) | Q(
        completed_on__gt=as_of
    )
    overdue = Q(due_at__lt=as_of, creation__lte=as_of) & not_done_then & ~Q(status=Status.CANCELLED)
    return created, completed, overdue


def _grouped(tasks: Any, key: str, label: str, conds: tuple[Q, Q, Q]) -> list[dict[str, Any]]:
    created, completed, overdue = conds
    rows = (
        tasks.filter(created | completed | overdue)
        .values(key, label)
        .annotate(
            created=Count("id", filter=created),
            completed=Count("id", filter=completed),
            overdue=Count("id", filter=overdue),
        )
        .order_by(label)
    )
    return [
        {
            "id": row[key],
            "name": row[label] or "",
            "created": row["created"],
            "completed": row["completed"],
            "overdue": row["overdue"],
        }
        for row in rows
    ]


def overdue_trend(
    tasks: Any, day: dt.date, tz_name: str, now: dt.datetime
) -> list[tuple[dt.date, int]]:
    """Tasks overdue at the end of each of the TREND_DAYS days up to `day` (at `now`, for a
    day not over yet), by the report's definition of overdue: one query."""
    days = [day - dt.timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    counts = {}
    for i, one in enumerate(days):
        start = day_start(one, tz_name)
        end = day_start(one + dt.timedelta(days=1), tz_name)
        _created, _completed, overdue = _task_conditions(start, end, min(end, now))
        counts[f"d{i}"] = Count("id", filter=overdue)
    got = tasks.aggregate(**counts)
    return [(one, int(got[f"d{i}"])) for i, one in enumerate(days)]


def collect(day: dt.date, now: dt.datetime | None = None) -> DailyData:
    tz_name = site_zone_name()
    now = now or timezone.now()
    start, end = day_start(day, tz_name), day_start(day + dt.timedelta(days=1), tz_name)
    as_of = min(end, now)
    data = DailyData(day=day, tz_name=tz_name, as_of=as_of)

    tasks = Task.objects.filter(archived=False)
    conds = _task_conditions(start, end, as_of)
    data.per_site = _grouped(tasks, "site_id", "site__site_name", conds)
    people = _grouped(tasks, "assigned_to_id", "assigned_to__full_name", conds)
    emails = dict(
        User.objects.filter(pk__in=[p["id"] for p in people if p["id"]]).values_list("pk", "email")
    )
    for person in people:
        if person["id"] and not person["name"]:
            person["name"] = emails.get(person["id"], "")
    data.per_person = people
    data.totals = {
        name: sum(row[name] for row in data.per_site)
        for name in ("created", "completed", "overdue")
    }
    data.overdue_trend = overdue_trend(tasks, day, tz_name, now)

    reports = (
        FieldReport.objects.filter(archived=False, report_date=day)
        .select_related("site", "reported_by")
        .prefetch_related(Prefetch("readings", queryset=Reading.objects.order_by("idx", "id")))
        .order_by("site__site_name", "name")
    )
    for report in reports:
        readings = [str(r) for r in report.readings.all()]
        data.readings_count += len(readings)
        issues = (report.issues_found or "").strip()
        if issues:
            data.reports_with_issues += 1
        data.field_reports.append(
            {
                "name": report.name,
                "site": report.site.site_name if report.site else "",
                "by": (report.reported_by.full_name or report.reported_by.email)
                if report.reported_by
                else "",
                "summary": report.summary,
                "status": report.status,
                "readings": readings,
                "issues": issues,
            }
        )

    tomorrow = day + dt.timedelta(days=1)
    t_start, t_end = (
        day_start(tomorrow, tz_name),
        day_start(tomorrow + dt.timedelta(days=1), tz_name),
    )
    due_tomorrow = (
        Reminder.objects.filter(
            archived=False,
            status__in=["Pending", "Snoozed"],
            next_fire_at__gte=t_start,
            next_fire_at__lt=t_end,
        )
        .prefetch_related("recipients")
        .select_related("related_task")
        .order_by("next_fire_at", "name")
    )
    local = zone(tz_name)
    for reminder in due_tomorrow:
        fire_at = reminder.next_fire_at or reminder.remind_at  # the filter made it set
        data.reminders.append(
            {
                "time": fire_at.astimezone(local).strftime("%H:%M"),
                "title": reminder.title,
                "name": reminder.name,
                "recipients": ", ".join(
                    (u.full_name or u.email) for u in reminder.recipients.all()
                ),
                "task": reminder.related_task.name if reminder.related_task else "",
            }
        )

    one_day = Period(start=day, end=day, tz_name=tz_name)
    parse = parse_days(SYSTEM, one_day)[day].row()
    month = Period(start=day.replace(day=1), end=day, tz_name=tz_name)
    month_cost = sum((b.cost for b in parse_days(SYSTEM, month).values()), Decimal(0))
    daily_budget, monthly_budget = budgets()
    projected = month_projection(month_cost, day)
    data.parser = {
        **parse,
        "month_cost": float(month_cost),
        "projected_month": round(float(projected), 2),
        "daily_budget": float(daily_budget),
        "monthly_budget": float(monthly_budget),
        "over_daily": Decimal(str(parse["cost"])) > daily_budget,
        "over_monthly": projected > monthly_budget,
    }
    return data


# -- rendering, storing, sending ---------------------------------------------------------------


def render_html(data: DailyData) -> str:
    local = zone(data.tz_name)
    return render_to_string(
        "reports/daily_report.html",
        {
            "data": data,
            "as_of": data.as_of.astimezone(local).strftime("%Y-%m-%d %H:%M"),
            "generated": timezone.now().astimezone(local).strftime("%Y-%m-%d %H:%M"),
            "site_name": settings.SITE.name,
            "charts": data.charts(),
        },
    )


def filename_for(day: dt.date) -> str:
    return f"daily-report-{day.isoformat()}.pdf"


def _path_for(day: dt.date) -> str:
    from flrts.reports.models import DAILY_REPORT_DIR

    return DAILY_REPORT_DIR + filename_for(day)


def build(
    day: dt.date | None = None,
    *,
    by: Any = None,
    now: dt.datetime | None = None,
    progress: bool = False,
) -> Any:
    """Build (or rebuild) the report of `day` (default: today in the site's zone); progress=True
    draws a bar on a terminal (`flrts report daily`)."""
    from flrts.reports.models import DailyReport

    day = day or site_today()
    started = time.perf_counter()
    data = collect(day, now=now)
    html = render_html(data)
    content, pages = html_to_pdf(
        html,
        title=f"FLRTS daily report {day.isoformat()}",
        footer=f"FLRTS daily report {day.isoformat()} ({data.tz_name})",
        font_dir=unicode_font_dir(settings.SITE.get("report_font_dir")),
        progress=progress,
        header=f"{settings.SITE.name} · daily report {day.isoformat()} ({data.tz_name})",
    )
    elapsed_ms = int((time.perf_counter() - started) * 1000)
    with transaction.atomic():
        report, _ = DailyReport.objects.select_for_update().get_or_create(
            report_date=day, defaults={"time_zone": data.tz_name}
        )
        storage = report.file.storage
        # One file per day under a stable name: drop the old one (and a leftover at that name)
        # so the storage does not invent a suffixed name.
        for stale in {report.file.name if report.file else "", _path_for(day)}:
            if stale and storage.exists(stale):
                storage.delete(stale)
        report.file.save(filename_for(day), ContentFile(content), save=False)
        report.time_zone = data.tz_name
        report.size = len(content)
        report.pages = pages
        report.summary = data.summary()
        report.built_at = timezone.now()
        report.build_ms = elapsed_ms
        report.built_by = by if by is not None and getattr(by, "pk", None) else None
        report.save()
    logger.info(
        "daily report %s built: %s pages, %s bytes, %s ms", day, pages, len(content), elapsed_ms
    )
    return report


def caption(report: Any) -> str:
    s = report.summary or {}
    rate = s.get("success_rate")
    return (
        f"📊 FLRTS daily report {report.report_date:%a %d %b %Y}\n"
        f"Tasks: {s.get('created', 0)} created · {s.get('completed', 0)} completed · "
        f"{s.get('overdue', 0)} overdue\n"
        f"Field reports: {s.get('field_reports', 0)} · reminders tomorrow: "
        f"{s.get('reminders_tomorrow', 0)}\n"
        f"Parser: {s.get('parses', 0)} parses, success "
        f"{'—' if rate is None else f'{rate:.1f}%'}, cost ${s.get('cost', 0):.4f}"
    )


def send(report: Any, *, force: bool = False) -> list[str]:
    """Send the PDF to the team chat and by email. A part already sent is not sent again
    (a retried job must not post twice) unless `force`."""
    done: list[str] = []
    errors: list[str] = []
    with report.file.open("rb") as handle:
        content = handle.read()
    name = filename_for(report.report_date)
    text = caption(report)

    chat = team_chat_id()
    if chat is None:
        errors.append("Telegram: telegram_team_chat_id is not set")
    elif force or report.telegram_sent_at is None:
        message_id = send_team_document(
            chat, content, name, caption=text, mime_type="application/pdf"
        )
        report.telegram_sent_at = timezone.now()
        report.telegram_message_id = message_id
        # Saved at once: if the email fails and the job is retried, the chat is not posted twice.
        report.save(update_fields=["telegram_sent_at", "telegram_message_id"])
        done.append("telegram" if message_id else "telegram outbox")

    recipients = email_recipients()
    if not recipients:
        errors.append("email: no recipients")
    elif force or report.email_sent_at is None:
        send_mail_message(
            f"FLRTS daily report {report.report_date.isoformat()}",
            text + "\n\nThe report is attached as a PDF.",
            recipients,
            attachments=[(name, content, "application/pdf")],
        )
        report.email_sent_at = timezone.now()
        report.email_recipients = ", ".join(recipients)
        done.append(f"email to {len(recipients)}")
    report.send_error = "; ".join(errors)[:500]
    report.save(update_fields=["email_sent_at", "email_recipients", "send_error"])
    return done


def report_day(now: dt.datetime | None = None) -> dt.date:
    """The day a scheduled run reports on: today once the report time has come, else yesterday
    (a run caught up after midnight reports the day it was due for)."""
    now = now or timezone.now()
    local = now.astimezone(zone(site_zone_name()))
    return local.date() if local.time() >= report_time() else local.date() - dt.timedelta(days=1)


# At `daily_report_time` (HH:MM, default 18:00) in the site's zone, the zone cron is read in.
@scheduled("cron", cron=report_cron())
def scheduled_daily_report() -> str:
    report = build(report_day())
    done = send(report)
    return f"{report} ({report.pages} pages): sent {', '.join(done) or 'nowhere'}"
