"""Filters on Task: every operator, both shapes, or_filters, links, timespans, and bad input."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from flrts.api.filters import timespan_range
from flrts.api.serialize import input_zone
from flrts.tasks.models import Task

pytestmark = pytest.mark.django_db


def names(api: Any, filters: Any = None, **params: Any) -> list[str]:
    query = {"fields": ["name", "subject"], "limit_page_length": 0, "order_by": "subject asc"}
    if filters is not None:
        query["filters"] = filters
    query.update(params)
    response = api.get("/api/resource/Task", query)
    assert response.status_code == 200, response.content
    return [r["subject"] for r in response.json()["data"]]


TASKS = ["Sub of 0", "Task 0", "Task 1", "Task 2", "Task 3", "Task 4", "Task 5"]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (["status", "=", "Open"], ["Sub of 0", "Task 0", "Task 3", "Task 5"]),
        (["status", "!=", "Open"], ["Task 1", "Task 2", "Task 4"]),
        (["exp_end_date", ">", "2025-01-31"], ["Task 4", "Task 5"]),
        (["exp_end_date", "<", "2025-01-11"], ["Task 0"]),
        (["exp_end_date", ">=", "2025-01-31"], ["Task 3", "Task 4", "Task 5"]),
        (["exp_end_date", "<=", "2025-01-11"], ["Task 0", "Task 1"]),
        (["subject", "like", "%sk 1%"], ["Task 1"]),
        (["subject", "like", "task 2"], ["Task 2"]),  # no wildcard, case-insensitive
        (["subject", "not like", "Task%"], ["Sub of 0"]),
        (["priority", "in", ["High", "Urgent"]], ["Task 2", "Task 3", "Task 5"]),
        (["priority", "in", "High,Urgent"], ["Task 2", "Task 3", "Task 5"]),
        (["priority", "not in", ["Low", "Medium", "High"]], ["Task 3"]),
        (["exp_end_date", "between", ["2025-01-11", "2025-01-21"]], ["Task 1", "Task 2"]),
        (["due_at", "between", ["2025-01-11", "2025-01-11"]], ["Task 1"]),  # a whole day
        (["assigned_to", "is", "set"], ["Task 0", "Task 1", "Task 2"]),
        (["assigned_to", "is", "not set"], ["Sub of 0", "Task 3", "Task 4", "Task 5"]),
        (["description", "is", "not set"], ["Sub of 0", "Task 5"]),  # "" counts as not set
        (["assigned_to", "=", "worker@example.com"], ["Task 0", "Task 1", "Task 2"]),
        (["assigned_to", "!=", "worker@example.com"], ["Sub of 0", "Task 3", "Task 4", "Task 5"]),
        (["site", "=", "South Yard"], ["Task 4", "Task 5"]),
        (["site", "like", "south%"], ["Task 4", "Task 5"]),
        (["owner", "in", ["other@example.com"]], ["Task 1", "Task 3", "Task 5"]),
        (["Task", "status", "=", "Cancelled"], ["Task 4"]),  # 4-item form
        (["parent_task", "is", "set"], ["Sub of 0"]),
    ],
)
def test_operator(apis: Any, data: Any, flt: list[Any], expected: list[str]) -> None:
    assert names(apis["admin"], [flt]) == expected
    # the dict form gives the same answer
    if len(flt) == 3:
        field, op, value = flt
        assert names(apis["admin"], {field: [op, value]}) == expected


def test_dict_equality_and_and_join(apis: Any, data: Any) -> None:
    assert names(apis["admin"], {"status": "Open", "site": "North Yard"}) == [
        "Sub of 0",
        "Task 0",
        "Task 3",
    ]
    assert names(apis["admin"], [["status", "=", "Open"], ["priority", "=", "Urgent"]]) == [
        "Task 3"
    ]
    assert names(apis["admin"], ["status", "=", "Cancelled"]) == ["Task 4"]  # a single filter


def test_or_filters(apis: Any, data: Any) -> None:
    got = names(
        apis["admin"], or_filters=[["status", "=", "Completed"], ["priority", "=", "Urgent"]]
    )
    assert got == ["Task 2", "Task 3"]
    got = names(
        apis["admin"],
        {"site": "North Yard"},
        or_filters={"status": "Working", "priority": "Urgent"},
    )
    assert got == ["Task 1", "Task 3"]


def test_timespan(apis: Any, data: Any) -> None:
    # "today" is the site's day, not the machine's: they differ for hours around midnight UTC.
    today = dt.datetime.now(input_zone()).date()
    with_due = apis["admin"].post(
        "/api/resource/Task", {"subject": "Due today", "exp_end_date": str(today)}
    )
    assert with_due.status_code == 200
    for span in ("today", "this week", "this month", "this quarter", "this year"):
        assert names(apis["admin"], [["exp_end_date", "timespan", span]]) == ["Due today"], span
    assert names(apis["admin"], [["exp_end_date", "timespan", "tomorrow"]]) == []
    assert names(apis["admin"], [["exp_end_date", "previous", "1 week"]]) == ["Due today"]
    assert names(apis["admin"], [["exp_end_date", "next", "1 week"]]) == ["Due today"]


def test_timespan_ranges() -> None:
    wednesday = dt.date(2026, 11, 25)
    assert timespan_range("this week", wednesday) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert timespan_range("last week", wednesday) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert timespan_range("last month", wednesday) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert timespan_range("next quarter", wednesday) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    assert timespan_range("yesterday", wednesday) == (dt.date(2026, 11, 24),) * 2


def test_permission_scoped_lists_and_counts(apis: Any, data: Any) -> None:
    def count(api: Any, doctype: str) -> int:
        return api.get("/api/method/frappe.client.get_count", {"doctype": doctype}).json()[
            "message"
        ]

    assert count(apis["worker"], "Reminder") == 1
    assert count(apis["other"], "Reminder") == 0
    assert count(apis["viewer"], "FLRTS List") == 1  # shared with them
    assert count(apis["other"], "FLRTS List") == 1  # their private list only


def test_aggregate_group_by(apis: Any, data: Any) -> None:
    rows = (
        apis["admin"]
        .get(
            "/api/resource/Task",
            {
                "fields": ["status", "count(name) as total"],
                "group_by": "status",
                "order_by": "status asc",
            },
        )
        .json()["data"]
    )
    assert rows == [
        {"status": "Cancelled", "total": 1},
        {"status": "Completed", "total": 1},
        {"status": "Open", "total": 4},
        {"status": "Working", "total": 1},
    ]


def test_field_forms(apis: Any, data: Any) -> None:
    rows = (
        apis["admin"]
        .get(
            "/api/resource/Task",
            {
                "fields": ["`tabTask`.`name`", "subject as title"],
                "order_by": "`tabTask`.name asc",
                "limit": 1,
            },
        )
        .json()["data"]
    )
    assert set(rows[0]) == {"name", "title"}


@pytest.mark.parametrize(
    ("params", "status", "exc_type", "needle"),
    [
        ({"filters": "status=Open"}, 417, "ValidationError", "'filters' is not valid JSON"),
        ({"fields": "name"}, 417, "ValidationError", "'fields' is not valid JSON"),
        ({"filters": json.dumps([["nosuchfield", "=", "x"]])}, 417, "DataError", "nosuchfield"),
        ({"fields": json.dumps(["name", "nosuchfield"])}, 417, "DataError", "nosuchfield"),
        ({"filters": json.dumps([["status", "~~", "Open"]])}, 417, "ValidationError", "~~"),
        (
            {"filters": json.dumps([["exp_end_date", ">", "not-a-date"]])},
            417,
            "ValidationError",
            "not-a-date",
        ),
        (
            {"filters": json.dumps([["exp_end_date", "timespan", "someday"]])},
            417,
            "ValidationError",
            "someday",
        ),
        ({"filters": json.dumps([["status", "is", "maybe"]])}, 417, "ValidationError", "set"),
        ({"order_by": "name; select sleep(1)"}, 417, "ValidationError", "Illegal SQL"),
        ({"limit_page_length": "many"}, 417, "ValidationError", "limit_page_length"),
        (
            {"filters": json.dumps([["Field Report Reading", "metric", "=", "x"]])},
            417,
            "DataError",
            "Field Report Reading",
        ),
    ],
)
def test_bad_input_is_a_clear_4xx(
    apis: Any, data: Any, params: dict[str, str], status: int, exc_type: str, needle: str
) -> None:
    response = apis["admin"].client.get(
        "/api/resource/Task", params, HTTP_AUTHORIZATION=apis["admin"].auth
    )
    assert response.status_code == status, response.content
    body = response.json()
    assert body["exc_type"] == exc_type
    message = json.loads(json.loads(body["_server_messages"])[0])["message"]
    assert needle in message
    assert "Traceback" not in response.content.decode()


def test_missing_operator_means_equals(apis: Any, data: Any) -> None:
    """n8n sends `null` for an operator it cannot translate; Frappe reads it as `=`."""
    api = apis["admin"]
    for flt in (
        [["Task", "status", None, "Completed"]],
        [["status", None, "Completed"]],
        [["Task", "status", "", "Completed"]],
    ):
        rows = api.get("/api/resource/Task", {"filters": flt}).json()["data"]
        assert [r["name"] for r in rows] == [data["tasks"][2].name], flt


def test_url_encoded_doctype_in_a_filter(apis: Any, data: Any) -> None:
    """n8n puts the DocType it URL-encoded for the path into each filter too."""
    api = apis["admin"]
    flt = [["Field%20Report", "summary", "=", "Pump check"]]
    response = api.get("/api/resource/Field%20Report", {"filters": flt})
    assert response.status_code == 200, response.content
    assert [r["name"] for r in response.json()["data"]] == [data["report"].name]


def test_aggregate_without_group_by_is_one_row(apis: Any, data: Any) -> None:
    api = apis["admin"]
    live = Task.objects.filter(archived=False).count()
    rows = api.get("/api/resource/Task", {"fields": ["count(name) as c"]}).json()["data"]
    assert rows == [{"c": live}]
    opened = api.get(
        "/api/resource/Task",
        {
            "fields": ["count(name) as c", "max(exp_end_date) as latest"],
            "filters": {"status": "Open"},
        },
    ).json()["data"]
    assert opened == [{"c": 4, "latest": "2025-02-20"}]
    beyond = api.get(
        "/api/resource/Task", {"fields": ["count(name) as c"], "limit_start": 1}
    ).json()["data"]
    assert beyond == []
