"""The reports and the dashboard in the desk, per role."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from tests.reports.conftest import local

from flrts.reports.analytics import REPORTS

pytestmark = pytest.mark.django_db

D1 = dt.date(2026, 3, 10)


@pytest.fixture
def logs(make_log: Any) -> None:
    make_log(local(D1, 9), "Accepted", model_name="gpt-4o", estimated_cost_usd=Decimal("0.01"))
    make_log(local(D1, 10), "Rejected", model_name="gpt-4o", estimated_cost_usd=Decimal("0.02"))


@pytest.mark.parametrize("role", ["admin", "supervisor"])
@pytest.mark.parametrize("slug", list(REPORTS))
def test_report_pages_for_report_roles(client: Any, people: Any, logs: None, role: str,
                                       slug: str) -> None:  # fmt: skip
    client.force_login(getattr(people, role))
    response = client.get(f"/desk/reports/{slug}/", {"from_date": "2026-03-10",
                                                       "to_date": "2026-03-11"})  # fmt: skip
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="flrts-chart"' in body and 'id="report-table"' in body
    assert 'id="csv-link"' in body


@pytest.mark.parametrize("role", ["worker", "viewer"])
@pytest.mark.parametrize("page", ["", *list(REPORTS)])
def test_report_pages_refuse_workers_and_viewers(client: Any, people: Any, role: str,
                                                 page: str) -> None:  # fmt: skip
    client.force_login(getattr(people, role))
    response = client.get(f"/desk/reports/{page + '/' if page else ''}")
    assert response.status_code == 403
    assert "Reports are for Admins and Supervisors" in response.content.decode()


def test_anonymous_is_sent_to_login(client: Any, db: Any) -> None:
    response = client.get("/desk/reports/parser-performance/")
    assert response.status_code == 302 and "/desk/login/" in response["Location"]


def test_csv_export(client: Any, people: Any, logs: None) -> None:
    client.force_login(people.supervisor)
    response = client.get(
        "/desk/reports/parser-performance/",
        {"from_date": "2026-03-10", "to_date": "2026-03-11", "format": "csv"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "parser-performance_2026-03-10_2026-03-11.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Date", "Parses", "Accepted"]
    assert rows[1][:4] == ["2026-03-10", "2", "1", "1"]
    assert rows[1][6] == "50.0"  # success rate
    assert rows[2][6] == ""  # nothing reviewed on the 11th: blank, not 0


def test_cost_csv_has_the_total_row(client: Any, people: Any, logs: None) -> None:
    client.force_login(people.admin)
    response = client.get(
        "/desk/reports/openai-cost/",
        {"from_date": "2026-03-10", "to_date": "2026-03-10", "format": "csv"},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[-1][0] == "Total" and rows[-1][2] == "2" and rows[-1][6] == "0.03"


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ({"from_date": "31/12/2026"}, "From date: invalid date format"),
        ({"from_date": "2026-01-01", "to_date": "2026-05-01"}, "cannot exceed 90 days"),
        ({"group_by": "decade"}, "Group by must be one of Date, Hour"),
        ({"telegram_user_id": "12ab"}, "Telegram user id must be a whole number"),
    ],
)
def test_bad_filters_are_shown_not_crashed(client: Any, people: Any, query: dict,
                                           text: str) -> None:  # fmt: skip
    client.force_login(people.admin)
    response = client.get("/desk/reports/message-volume/", query)
    assert response.status_code == 400
    assert text in response.content.decode()
    # and no CSV for a bad request
    response = client.get("/desk/reports/message-volume/", {**query, "format": "csv"})
    assert response.status_code == 400


def test_reports_index_lists_daily_reports_with_download(client: Any, people: Any) -> None:
    from flrts.reports.daily import build

    build(D1, now=local(D1, 18))
    client.force_login(people.supervisor)
    body = client.get("/desk/reports/").content.decode()
    assert 'href="/private/files/reports/daily/daily-report-2026-03-10.pdf"' in body
    assert "Build the daily report now" not in body  # Supervisors read; Admins build
    changelist = client.get("/desk/reports/dailyreport/")
    assert changelist.status_code == 200
    assert "daily-report-2026-03-10.pdf" in changelist.content.decode()


def test_admin_builds_from_the_desk(client: Any, people: Any) -> None:
    from flrts.reports.models import DailyReport

    client.force_login(people.admin)
    assert "Build the daily report now" in client.get("/desk/reports/").content.decode()
    response = client.post("/desk/reports/daily/build/", {"date": "2026-03-10"})
    assert response.status_code == 302
    assert DailyReport.objects.filter(report_date=D1).exists()
    bad = client.post("/desk/reports/daily/build/", {"date": "tomorrow"}, follow=True)
    assert "Date: invalid date format" in bad.content.decode()
    client.force_login(people.supervisor)
    assert client.post("/desk/reports/daily/build/", {"date": "2026-03-11"}).status_code == 403


def test_monitor_settings_are_for_admins(client: Any, people: Any) -> None:
    from flrts.reports.models import MonitorSettings

    client.force_login(people.supervisor)
    assert client.get("/desk/reports/monitorsettings/").status_code == 403
    client.force_login(people.admin)
    response = client.get("/desk/reports/monitorsettings/", follow=True)
    assert response.status_code == 200 and "success_rate_threshold" in response.content.decode()
    form = {
        "success_rate_threshold": "75",
        "success_rate_min_reviewed": "3",
        "daily_cost_budget": "5",
        "monthly_cost_budget": "150",
        "failed_jobs_threshold": "2",
        "failed_jobs_window_minutes": "30",
        "stalled_queue_minutes": "10",
        "scheduler_stale_minutes": "3",
        "webhook_errors_threshold": "5",
        "webhook_window_minutes": "60",
        "alert_emails": "not-an-email",
    }
    bad = client.post("/desk/reports/monitorsettings/1/change/", form)
    assert bad.status_code == 200 and "is not an email address" in bad.content.decode()
    form["alert_emails"] = "ops@example.com"
    assert client.post("/desk/reports/monitorsettings/1/change/", form).status_code == 302
    row = MonitorSettings.load()
    assert row.success_rate_threshold == Decimal("75") and row.modified_by == people.admin


# -- the dashboard -----------------------------------------------------------------------------


@pytest.fixture
def tasks(people: Any, site: Any) -> None:
    from django.utils import timezone

    from flrts.tasks.models import Task

    now = timezone.now()
    for n in range(3):
        t = Task(subject=f"open {n}", site=site, assigned_to=people.worker,
                 creation=now - dt.timedelta(days=7))  # fmt: skip
        t.set_due(now - dt.timedelta(days=n + 1))  # overdue for 1, 2, 3 days
        t.save()
    done = Task(subject="done", site=site, assigned_to=people.other)
    done.save()
    done.complete(by=people.other)
    Task(subject="no site", assigned_to=None).save()


@pytest.mark.parametrize("role", ["admin", "supervisor", "worker", "viewer"])
def test_dashboard_for_each_role(client: Any, people: Any, tasks: None, role: str) -> None:
    client.force_login(getattr(people, role))
    response = client.get("/desk/")
    assert response.status_code == 200
    body = response.content.decode()
    for element in ("count-open", "count-due-today", "count-overdue", "count-completed-week",
                    "per-site", "per-person", "latest-reports", "chart-overdue-trend"):  # fmt: skip
        assert f'id="{element}"' in body
    counts = response.context["counts"]
    assert (counts["open"], counts["overdue"], counts["completed_week"]) == (4, 3, 1)
    assert "?assigned_to__id__exact=" in body and "?site__id__exact=" in body
    assert body.count('class="flrts-chart"') == (4 if role in ("admin", "supervisor") else 2)
    assert ('id="chart-parser-success"' in body) is (role in ("admin", "supervisor"))


def test_overdue_trend_counts_each_day(client: Any, people: Any, tasks: None) -> None:
    client.force_login(people.admin)
    body = client.get("/desk/").content.decode()
    trend = body[body.index('id="chart-overdue-trend"') :]
    trend = trend[: trend.index("</svg>")]
    values = [float(v) for v in _attr_values(trend, "data-value")]
    # Due 3, 2 and 1 days ago: overdue count grows 1 -> 2 -> 3 over the last days.
    assert values[-4:] == [1.0, 2.0, 3.0, 3.0]


def _attr_values(svg: str, name: str) -> list[str]:
    out, key = [], f'{name}="'
    start = svg.find(key)
    while start != -1:
        end = svg.index('"', start + len(key))
        out.append(svg[start + len(key) : end])
        start = svg.find(key, end)
    return out
