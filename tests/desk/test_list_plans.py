"""The desk's key lists are read through Task's indexes, checked on the queries the pages really
send (SQLite's EXPLAIN QUERY PLAN names the index). A lost index, or a filter written so that no
index serves it (`NOT archived` instead of `archived = 0`, a tie-break against the sort), fails
here rather than as a page that is slower at 100,000 tasks. Timing is bench/desk.py's job."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flrts.org.models import Site
from flrts.tasks.models import Priority, Status, Task

pytestmark = pytest.mark.django_db
TASKS = "/desk/tasks/task/"


@pytest.fixture(autouse=True)
def sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the plans pinned here are SQLite's; MariaDB and PostgreSQL plan by statistics")


@pytest.fixture
def many(people: Any, site: Any) -> dict[str, Any]:
    """Enough rows of every kind that the planner weighs the indexes."""
    viper = Site(site_name="Viper", site_code="TX-02")
    viper.save()
    statuses, priorities = list(Status), list(Priority)
    who = [people.worker, people.other, people.supervisor]
    rows = []
    for n in range(240):
        task = Task(
            name=f"TASK-PLAN-{n:04d}",
            subject=f"Job {n % 97}",
            status=statuses[n % len(statuses)],
            priority=priorities[n % len(priorities)],
            assigned_to=who[n % 3],
            site=(site, viper)[n % 2],
            owner=who[(n + 1) % 3],
            exp_end_date=dt.date(2026, 6, 1) + dt.timedelta(days=n % 60),
            archived=n % 10 == 0,
        )
        task._derive_instants()
        rows.append(task)
    Task.objects.bulk_create(rows)
    return {"viper": viper}


def _plans(client: Any, url: str) -> list[tuple[str, str]]:
    """(sql, plan) of each read of the task table the page makes."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    out = []
    for query in ctx.captured_queries:
        sql = query["sql"]
        if sql.startswith("SELECT") and 'FROM "tasks_task"' in sql:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                out.append((sql, " | ".join(str(row[-1]) for row in cursor.fetchall())))
    assert out, f"{url} read no tasks"
    return out


def _list_plan(client: Any, url: str) -> str:
    """The plan of the page's rows, not its count."""
    found = [plan for sql, plan in _plans(client, url) if "ORDER BY" in sql and "COUNT(" not in sql]
    assert len(found) == 1, found
    return found[0]


def _count_plan(client: Any, url: str) -> str:
    found = [plan for sql, plan in _plans(client, url) if "COUNT(*)" in sql]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("mine", "index"),
    [("assigned", "task_live_assignee_modified"), ("created", "task_live_owner_modified")],
)
def test_my_lists_seek_the_persons_live_tasks_newest_first(client, people, many, mine, index):
    client.force_login(people.worker)
    url = f"{TASKS}?mine={mine}"
    plan = _list_plan(client, url)
    assert index in plan and "TEMP B-TREE" not in plan, plan  # read in order, stop at 50
    assert f"COVERING INDEX {index}" in _count_plan(client, url)


@pytest.mark.parametrize("order", ["2", "-2"])
def test_the_list_sorted_by_subject_walks_the_subject_index(client, people, many, order):
    client.force_login(people.supervisor)
    plan = _list_plan(client, f"{TASKS}?o={order}")
    assert "task_live_subject" in plan and "TEMP B-TREE" not in plan, plan


def test_the_default_list_and_its_count_seek_live_tasks(client, people, many) -> None:
    client.force_login(people.supervisor)
    plan = _list_plan(client, TASKS)
    assert "task_live_modified (archived=?)" in plan and "TEMP B-TREE" not in plan, plan
    assert "(archived=?)" in _count_plan(client, TASKS)  # a seek, not a scan of every row


def test_site_and_status_from_the_sidebar_read_one_index_in_order(client, people, many) -> None:
    client.force_login(people.supervisor)
    url = f"{TASKS}?site__id__exact={many['viper'].pk}&status__exact=Open"
    plan = _list_plan(client, url)
    assert "task_live_site_status" in plan and "TEMP B-TREE" not in plan, plan
    assert "COVERING INDEX task_live_site_status" in _count_plan(client, url)


def test_a_saved_style_filter_on_site_and_priority_reads_in_order(client, people, many) -> None:
    client.force_login(people.supervisor)
    filters = [["site", "=", "Viper"], ["priority", "=", "Urgent"], ["status", "!=", "Closed"]]
    plan = _list_plan(client, f"{TASKS}?" + urlencode({"filters": json.dumps(filters)}))
    assert "task_live_priority_site" in plan and "TEMP B-TREE" not in plan, plan


def test_a_like_on_subject_counts_from_the_subject_index(client, people, many) -> None:
    """`like '%…%'` reads every live subject, but from the index, not the table's rows."""
    client.force_login(people.supervisor)
    url = f"{TASKS}?" + urlencode({"filters": '[["subject", "like", "%Job 4%"]]'})
    assert "COVERING INDEX task_live_subject (archived=?)" in _count_plan(client, url)


def test_sidebar_counts_of_a_long_list_read_only_indexes(client, people, many, monkeypatch):
    """A long list (more than PROBE rows, as the whole list at 100,000 tasks) is counted by one
    GROUP BY per field, each answered from an index alone (no table rows read)."""
    from flrts.desk.listview import counts

    monkeypatch.setattr(counts, "PROBE", 50)  # these 216 live tasks are a "long" list
    client.force_login(people.supervisor)
    plans = [
        (sql, plan) for sql, plan in _plans(client, f"{TASKS}listview/counts/") if "GROUP BY" in sql
    ]
    assert len(plans) == 5, plans  # status, priority, site, assignee, creator
    bad = [(sql, plan) for sql, plan in plans if "COVERING INDEX" not in plan]
    assert not bad, bad


def test_the_kanban_counts_from_an_index(client, people, many) -> None:
    client.force_login(people.supervisor)
    for url in ("/desk/tasks/task/kanban/", f"/desk/tasks/task/kanban/?site={many['viper'].pk}"):
        counts = [plan for sql, plan in _plans(client, url) if "GROUP BY" in sql]
        assert len(counts) == 1 and "COVERING INDEX" in counts[0], counts


def test_a_month_of_calendar_events_counts_and_picks_from_the_due_index(client, people, many):
    client.force_login(people.supervisor)
    plans = _plans(client, "/desk/tasks/task/calendar/events?start=2026-06-01&end=2026-07-06")
    counted = [plan for sql, plan in plans if "GROUP BY" in sql]
    assert len(counted) == 1 and "COVERING INDEX task_live_due_day" in counted[0], counted
    assert "TEMP B-TREE FOR GROUP BY" not in counted[0], counted  # counted in index order
    firsts = [plan for sql, plan in plans if "LIMIT 4" in sql]
    assert len(firsts) >= 10, plans  # each due date's first four, by the index
    for plan in firsts:
        assert "COVERING INDEX task_live_due_day (archived=? AND exp_end_date=?" in plan, plan
