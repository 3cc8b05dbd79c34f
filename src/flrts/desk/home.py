"""The desk's home page: a dashboard for the people who run the crew.

Everyone sees the task numbers (tasks are readable by every role): open, due today, overdue,
completed this week, per site and per person, and the overdue trend. Admins and Supervisors
also see the parser's success rate and cost over time and the monitors that are alerting.
Days are the reader's own (UserTimezoneMiddleware); weeks start on Monday.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from flrts.core.permissions import readable
from flrts.fieldreports.models import FieldReport
from flrts.reports.access import may_see_reports
from flrts.reports.analytics import Chart, parse_days
from flrts.reports.charts import render
from flrts.reports.models import MonitorState
from flrts.reports.monitors import observe_scheduler_from_web
from flrts.reports.periods import Period, site_today, site_zone_name
from flrts.tasks.models import CLOSED_STATUSES, Status, Task

TREND_DAYS = 14


def _local_midnight(day: dt.date) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(0, 0)).replace(tzinfo=tz).astimezone(dt.UTC)


def _overdue_trend(tasks: Any, today: dt.date, now: dt.datetime) -> tuple[list[str], list[float]]:
    """Tasks overdue at the end of each of the last days (now, for today): one query."""
    days = [today - dt.timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    aggregates = {}
    for i, day in enumerate(days):
        as_of = min(_local_midnight(day + dt.timedelta(days=1)), now)
        not_done = Q(completed_on__isnull=True) & ~Q(status=Status.COMPLETED) | Q(
            completed_on__gt=as_of
        )
        aggregates[f"d{i}"] = Count(
            "id",
            filter=Q(due_at__lt=as_of, creation__lte=as_of) & not_done,
        )
    counts = tasks.exclude(status=Status.CANCELLED).aggregate(**aggregates)
    return [d.isoformat() for d in days], [float(counts[f"d{i}"]) for i in range(len(days))]


def home_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    today = timezone.localdate()
    week_start = _local_midnight(today - dt.timedelta(days=today.weekday()))
    tasks = readable(user, Task.objects.filter(archived=False))
    is_open = ~Q(status__in=CLOSED_STATUSES)
    overdue = is_open & Q(due_at__lt=now)
    due_today = is_open & Q(exp_end_date=today)
    done_week = Q(status=Status.COMPLETED, completed_on__gte=week_start)
    counts = tasks.aggregate(
        open=Count("id", filter=is_open),
        due_today=Count("id", filter=due_today),
        overdue=Count("id", filter=overdue),
        completed_week=Count("id", filter=done_week),
    )
    active = tasks.filter(is_open | done_week)
    per_site = (
        active.values("site__site_name", "site_id")
        .annotate(
            open=Count("id", filter=is_open),
            due_today=Count("id", filter=due_today),
            overdue=Count("id", filter=overdue),
            completed_week=Count("id", filter=done_week),
        )
        .order_by("site__site_name")
    )
    per_person = (
        active.values("assigned_to__full_name", "assigned_to__email", "assigned_to_id")
        .annotate(
            open=Count("id", filter=is_open),
            overdue=Count("id", filter=overdue),
            completed_week=Count("id", filter=done_week),
        )
        .order_by("assigned_to__full_name", "assigned_to__email")
    )
    labels, values = _overdue_trend(tasks, today, now)
    charts = {
        "overdue_trend": render(
            Chart("line", f"Overdue tasks, last {TREND_DAYS} days", labels, values)
        ),
        "per_site": render(
            Chart(
                "bar",
                "Open tasks per site",
                [row["site__site_name"] or "(no site)" for row in per_site],
                [float(row["open"]) for row in per_site],
                highlight=[row["overdue"] > 0 for row in per_site],
            )
        ),
    }
    context: dict[str, Any] = {
        "counts": counts,
        "per_site": list(per_site),
        "per_person": list(per_person),
        "charts": charts,
        "may_see_reports": False,
    }
    if may_see_reports(user):
        context.update(_parser_panel(user))
    reports = readable(user, FieldReport.objects.filter(archived=False)).select_related(
        "site", "reported_by"
    )[:5]
    context["latest_reports"] = list(reports)
    return context


def _parser_panel(user: Any) -> dict[str, Any]:
    end = site_today()
    p = Period(start=end - dt.timedelta(days=TREND_DAYS - 1), end=end, tz_name=site_zone_name())
    rows = [(day.isoformat(), bucket.row()) for day, bucket in parse_days(user, p).items()]
    observe_scheduler_from_web()
    return {
        "may_see_reports": True,
        "parser_charts": {
            "success": render(
                Chart(
                    "line",
                    "Parser success rate (%)",
                    [d for d, _ in rows],
                    [r["success_rate"] for _, r in rows],
                    unit="%",
                    y_max=100.0,
                )
            ),
            "cost": render(
                Chart(
                    "bar",
                    "OpenAI cost per day (USD)",
                    [d for d, _ in rows],
                    [r["cost"] for _, r in rows],
                    unit="$",
                )
            ),
        },
        "alerts": list(MonitorState.objects.filter(alerting=True)),
    }
