"""Each analytics report against hand-computed fixtures, plus empty ranges, the range limits
and bad filter input (a clear error: 417 from the API, 400 in the desk, never a 500)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from tests.reports.conftest import local

from flrts.reports.analytics import cost_report, message_volume, parser_performance
from flrts.reports.periods import ReportFilterError

pytestmark = pytest.mark.django_db

D1, D2, D3 = dt.date(2026, 3, 10), dt.date(2026, 3, 11), dt.date(2026, 3, 12)


@pytest.fixture
def parses(make_log: Any) -> None:
    make_log(local(D1, 9), "Accepted", confidence_score=0.9, response_duration_ms=100,
             estimated_cost_usd=Decimal("0.002"), model_name="gpt-4o-mini")  # fmt: skip
    make_log(local(D1, 10), "Accepted", confidence_score=0.8, response_duration_ms=300,
             estimated_cost_usd=Decimal("0.004"), model_name="gpt-4o")  # fmt: skip
    wrong = make_log(local(D1, 11), "Rejected", confidence_score=0.5, response_duration_ms=200,
                     estimated_cost_usd=Decimal("0.003"), model_name="gpt-4o")  # fmt: skip
    make_log(local(D1, 11, 5), "Accepted", confidence_score=0.7, response_duration_ms=400,
             estimated_cost_usd=Decimal("0.001"), model_name="gpt-4o",
             is_correction=True, original_log=wrong)  # fmt: skip
    # 23:30 in Chicago is 04:30 UTC the next day: it belongs to D1.
    make_log(local(D1, 23, 30), "Pending", confidence_score=None, response_duration_ms=None)
    # 00:30 in Chicago on D2 is still D2 (05:30 UTC).
    make_log(local(D2, 0, 30), "Rejected", confidence_score=0.4, response_duration_ms=500,
             estimated_cost_usd=Decimal("0.005"), model_name="gpt-4o")  # fmt: skip
    # Outside the range, and archived: never counted.
    make_log(local(D1 - dt.timedelta(days=1), 23, 59), "Accepted")
    make_log(local(D1, 12), "Accepted", archived=True)


def test_parser_performance_per_day(people: Any, parses: None) -> None:
    result = parser_performance(people.admin, {"from_date": "2026-03-10", "to_date": "2026-03-12"})
    rows = {row["date"]: row for row in result.rows}
    assert list(rows) == ["2026-03-10", "2026-03-11", "2026-03-12"]
    assert rows["2026-03-10"] == {
        "date": "2026-03-10",
        "parses": 5,
        "accepted": 2,
        "rejected": 1,
        "pending": 1,
        "corrections": 1,
        "success_rate": 66.67,
        "avg_confidence": 0.725,
        "avg_parse_ms": 250.0,
        "cost": 0.01,
        "cost_per_parse": 0.002,
    }
    assert rows["2026-03-11"]["parses"] == 1
    assert rows["2026-03-11"]["success_rate"] == 0.0
    assert rows["2026-03-11"]["cost_per_parse"] == 0.005
    # A day with no parses has no rate (the original said 0 %).
    assert rows["2026-03-12"] == {
        "date": "2026-03-12",
        "parses": 0,
        "accepted": 0,
        "rejected": 0,
        "pending": 0,
        "corrections": 0,
        "success_rate": None,
        "avg_confidence": None,
        "avg_parse_ms": None,
        "cost": 0.0,
        "cost_per_parse": None,
    }
    assert [c.fieldname for c in result.columns][:6] == [
        "date", "parses", "accepted", "rejected", "pending", "corrections"
    ]  # fmt: skip
    assert result.chart is not None and result.chart.values == [66.67, 0.0, None]
    assert {"label": "Success rate", "value": "50.0%"} in result.summary


def test_parser_performance_filters(people: Any, parses: None) -> None:
    only_mini = parser_performance(
        people.admin,
        {"from_date": "2026-03-10", "to_date": "2026-03-10", "model_name": "gpt-4o-mini"},
    )
    assert only_mini.rows[0]["parses"] == 1 and only_mini.rows[0]["accepted"] == 1
    nobody = parser_performance(
        people.admin,
        {"from_date": "2026-03-10", "to_date": "2026-03-10", "telegram_user_id": "999"},
    )
    assert nobody.rows[0]["parses"] == 0 and nobody.message == "No parses in this range."


def test_default_range_is_last_30_days_and_limit_is_90(people: Any) -> None:
    result = parser_performance(people.admin, {})
    assert len(result.rows) == 30
    assert result.message == "No parses in this range."
    ninety = parser_performance(people.admin, {"from_date": "2026-01-01", "to_date": "2026-03-31"})
    assert len(ninety.rows) == 90
    with pytest.raises(ReportFilterError, match="cannot exceed 90 days"):
        parser_performance(people.admin, {"from_date": "2026-01-01", "to_date": "2026-04-01"})


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"from_date": "yesterday"}, "From date: invalid date format"),
        ({"to_date": "2026-02-30"}, "To date: invalid date format"),
        ({"from_date": "2026-03-12", "to_date": "2026-03-10"}, "is after To date"),
        ({"telegram_user_id": "abc"}, "Telegram user id must be a whole number"),
        ({"model_name": "x" * 500}, "Model name is too long"),
    ],
)
def test_parser_performance_bad_filters(people: Any, filters: dict, message: str) -> None:
    with pytest.raises(ReportFilterError, match=message):
        parser_performance(people.admin, filters)


@pytest.fixture
def costs(make_log: Any) -> None:
    make_log(local(D1, 9), model_name="gpt-4o", prompt_tokens=1000, completion_tokens=200,
             estimated_cost_usd=Decimal("0.00675"))  # fmt: skip
    make_log(local(D1, 10), model_name="gpt-4o-mini", prompt_tokens=1000, completion_tokens=500,
             estimated_cost_usd=Decimal("0.0018"))  # fmt: skip
    make_log(local(D2, 9), model_name="gpt-4o", prompt_tokens=2000, completion_tokens=0,
             estimated_cost_usd=Decimal("0.0075"))  # fmt: skip
    make_log(local(D2, 10), model_name="")  # the offline parser: no request to OpenAI


def _budget(monthly: str) -> None:
    from flrts.reports.models import MonitorSettings

    row = MonitorSettings.load()
    row.monthly_cost_budget = Decimal(monthly)
    row.save()


def test_cost_tracking_per_day(people: Any, costs: None) -> None:
    _budget("0.25")
    result = cost_report(people.admin, {"from_date": "2026-03-10", "to_date": "2026-03-11"})
    day1, day2, total = result.rows
    assert day1 == {
        "date": "2026-03-10",
        "model_name": "gpt-4o, gpt-4o-mini",
        "requests": 2,
        "prompt_tokens": 2000,
        "completion_tokens": 700,
        "total_tokens": 2700,
        "cost": 0.00855,
        "avg_cost_per_request": 0.004275,
        "projected_monthly_cost": 0.2651,  # 0.00855 x 31 days of March
        "budget_status": "Over budget",  # against the monthly budget of $0.25
    }
    assert day2["requests"] == 1 and day2["cost"] == 0.0075
    assert day2["projected_monthly_cost"] == 0.2325 and day2["budget_status"] == "Under budget"
    assert total["date"] == "Total" and total["is_total"] is True
    assert total["requests"] == 3 and total["cost"] == 0.01605
    assert total["total_tokens"] == 4700
    # run rate: 0.01605 over 2 elapsed days x 31 days
    assert total["projected_monthly_cost"] == 0.2488
    assert total["budget_status"] == "Under budget"
    assert result.chart is not None and result.chart.highlight == [True, False]


def test_cost_tracking_per_model(people: Any, costs: None) -> None:
    result = cost_report(
        people.admin, {"from_date": "2026-03-10", "to_date": "2026-03-11", "group_by": "model"}
    )
    assert result.columns[0].fieldname == "model_name"
    rows = {row["model_name"]: row for row in result.rows}
    assert rows["gpt-4o"]["requests"] == 2 and rows["gpt-4o"]["cost"] == 0.01425
    assert rows["gpt-4o"]["projected_monthly_cost"] == 0.2209
    assert rows["gpt-4o-mini"]["avg_cost_per_request"] == 0.0018
    assert rows["Total"]["requests"] == 3
    assert list(rows)[-1] == "Total"


def test_cost_tracking_empty_range_and_bad_group(people: Any, costs: None) -> None:
    empty = cost_report(people.admin, {"from_date": "2026-02-01", "to_date": "2026-02-28"})
    assert len(empty.rows) == 29  # 28 days and the total
    assert empty.rows[-1]["requests"] == 0 and empty.rows[-1]["avg_cost_per_request"] is None
    assert empty.message == "No OpenAI requests in this range."
    with pytest.raises(ReportFilterError, match="Group by must be one of Date, Model"):
        cost_report(people.admin, {"group_by": "week"})
    with pytest.raises(ReportFilterError, match="cannot exceed 366 days"):
        cost_report(people.admin, {"from_date": "2025-01-01", "to_date": "2026-03-01"})


@pytest.fixture
def volume(make_update: Any, people: Any) -> None:
    from flrts.fieldreports.models import FieldReport
    from flrts.tasks.models import Task

    make_update(local(D1, 9, 15), 501)
    make_update(local(D1, 9, 40), 501)
    make_update(local(D1, 9, 41), 501, kind="callback_query")
    make_update(local(D1, 14), 501, status="failed", error="boom")
    make_update(local(D1, 9, 5), 502)
    make_update(local(D1, 10), 503, kind="my_chat_member")
    make_update(local(D2, 20), 502)  # 01:00 UTC on D3: still D2, 20:00 in Chicago
    Task(subject="from telegram", source="telegram", owner=people.admin,
         creation=local(D1, 9, 16)).save()  # fmt: skip
    Task(subject="from the desk", source="web", creation=local(D1, 9, 17)).save()
    FieldReport(summary="pump ok", source="telegram", owner=people.supervisor,
                creation=local(D2, 20, 1)).save()  # fmt: skip


def test_message_volume_per_day(people: Any, volume: None) -> None:
    result = message_volume(people.admin, {"from_date": "2026-03-10", "to_date": "2026-03-11"})
    rows = {row["date"]: row for row in result.rows}
    assert rows["2026-03-10"] == {
        "date": "2026-03-10",
        "messages": 4,
        "button_taps": 1,
        "unique_users": 2,
        "records_created": 1,
        "errors": 1,
        "avg_confidence": None,
    }
    assert rows["2026-03-11"]["messages"] == 1 and rows["2026-03-11"]["records_created"] == 1
    assert result.message == "Busiest day: 2026-03-10 with 4 messages"


def test_message_volume_per_hour_and_peak(people: Any, volume: None) -> None:
    result = message_volume(
        people.admin,
        {"from_date": "2026-03-10", "to_date": "2026-03-11", "group_by": "Hour"},
    )
    assert len(result.rows) == 24
    rows = {row["hour"]: row for row in result.rows}
    assert rows["09:00"] == {
        "hour": "09:00",
        "messages": 3,
        "button_taps": 1,
        "unique_users": 2,
        "records_created": 1,
        "errors": 0,
    }
    assert rows["14:00"]["errors"] == 1
    assert rows["20:00"]["messages"] == 1 and rows["20:00"]["records_created"] == 1
    assert result.message == "Peak hour: 9:00 with 3 messages (America/Chicago)"
    assert {"label": "Peak hour", "value": "09:00"} in result.summary


def test_message_volume_user_filter_empty_range_and_limit(people: Any, volume: None) -> None:
    mine = message_volume(
        people.admin,
        {"from_date": "2026-03-10", "to_date": "2026-03-11", "telegram_user_id": 502},
    )
    assert [r["messages"] for r in mine.rows] == [1, 1]
    # 502 is Sam (the supervisor), who owns the field report made from Telegram on D2.
    assert [r["records_created"] for r in mine.rows] == [0, 1]
    empty = message_volume(people.admin, {"from_date": "2026-01-01", "to_date": "2026-01-07"})
    assert sum(r["messages"] for r in empty.rows) == 0
    assert empty.message == "No messages in this range."
    with pytest.raises(ReportFilterError, match="Date range cannot exceed 90 days"):
        message_volume(people.admin, {"from_date": "2025-01-01", "to_date": "2026-01-01"})


# -- through the API ---------------------------------------------------------------------------


def test_api_returns_columns_and_rows(client: Any, people: Any, parses: None) -> None:
    client.force_login(people.supervisor)
    response = client.get(
        "/api/method/flrts.reports.parser_performance",
        {"from_date": "2026-03-10", "to_date": "2026-03-11"},
    )
    assert response.status_code == 200, response.content
    message = response.json()["message"]
    assert message["columns"][0] == {"fieldname": "date", "label": "Date", "fieldtype": "Date"}
    assert [row["parses"] for row in message["rows"]] == [5, 1]


def test_api_frappe_query_report_run(client: Any, people: Any, costs: None) -> None:
    client.force_login(people.admin)
    response = client.get(
        "/api/method/frappe.desk.query_report.run",
        {
            "report_name": "OpenAI Cost Tracking",
            "filters": '{"from_date": "2026-03-10", "to_date": "2026-03-11"}',
        },
    )
    assert response.status_code == 200, response.content
    result = response.json()["message"]["result"]
    assert result[-1]["date"] == "Total" and result[-1]["requests"] == 3


@pytest.mark.parametrize(
    ("path", "query", "status", "text"),
    [
        ("flrts.reports.parser_performance", {"from_date": "nope"}, 417, "invalid date format"),
        ("flrts.reports.parser_performance",
         {"from_date": "2026-01-01", "to_date": "2026-06-01"}, 417, "cannot exceed 90 days"),
        ("flrts.reports.telegram_message_volume", {"group_by": "minute"}, 417, "Group by"),
        ("flrts.reports.openai_cost_tracking", {"colour": "red"}, 417, "has no filter colour"),
        ("frappe.desk.query_report.run", {"report_name": "Nope"}, 404, "not found"),
        ("frappe.desk.query_report.run",
         {"report_name": "Parser Performance Dashboard", "filters": "{bad"}, 417, "JSON object"),
    ],
)  # fmt: skip
def test_api_bad_input_is_a_clear_error(
    client: Any, people: Any, path: str, query: dict, status: int, text: str
) -> None:
    client.force_login(people.admin)
    response = client.get(f"/api/method/{path}", query)
    assert response.status_code == status
    assert text in response.content.decode()


@pytest.mark.parametrize("role", ["worker", "viewer"])
def test_api_refuses_workers_and_viewers(client: Any, people: Any, role: str) -> None:
    client.force_login(getattr(people, role))
    response = client.get("/api/method/flrts.reports.parser_performance")
    assert response.status_code == 403


def test_api_refuses_guests(client: Any, db: Any) -> None:
    response = client.get("/api/method/flrts.reports.telegram_message_volume")
    assert response.status_code in (401, 403)
