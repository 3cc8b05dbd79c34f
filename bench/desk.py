"""Desk pages over 100,000 tasks: the task list as people use it (Django's sidebar filters, the
filter builder, a saved filter, a person's own columns, sorting by a column, "Assigned to me"),
the sidebar counts, the builder's row, the Kanban (all tasks, and one site), the calendar (the
page, and its events for this month and this week), and the ORM query underneath, as server time.

    python bench/desk.py [--tasks 100000] [--db sqlite|mariadb|postgres] [--runs 30]

Prints one JSON object with p50/p95/p99 milliseconds for each page (target: p95 <= 150 ms), the
CPU time this process spent per page (cpu_p50/cpu_p95: on SQLite the whole cost, database
included; on MariaDB without the server's share), and the load average at the start and end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._site import bulk_tasks, percentile, temp_site


def seed(count: int) -> None:
    from django.utils import timezone

    from flrts.core.models import NamingSeries
    from flrts.org.models import Site
    from flrts.people.models import User

    sites = []
    for i, name in enumerate(["Big Sky", "Viper", "Crystal Peak", "Thunder Ridge"]):
        site = Site(site_name=name, site_code=f"S-{i}")
        site.save()
        sites.append(site)
    people = []
    for i in range(10):
        user = User(username=f"p{i}@example.com", email=f"p{i}@example.com", full_name=f"P {i}")
        user.save()
        people.append(user)
    bulk_tasks(count, sites, people, owner=people[0])
    year = timezone.now().year
    NamingSeries.objects.update_or_create(prefix=f"TASK-{year}-", defaults={"current": count})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "mariadb", "postgres"])
    parser.add_argument("--runs", type=int, default=30)
    opts = parser.parse_args()
    temp_site(opts.db)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from flrts.desk.models import ListFilter, ListViewSettings
    from flrts.org.models import Site
    from flrts.people.models import User
    from flrts.tasks.models import Task

    started = time.perf_counter()
    seed(opts.tasks)
    seed_s = time.perf_counter() - started
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    site = Site.objects.get(site_name="Viper")
    admin = User.objects.get(username="Administrator")
    person = User.objects.get(email="p0@example.com")
    person.role = "Supervisor"
    person.save()
    client = Client()
    client.force_login(admin)
    mine = Client()
    mine.force_login(person)
    saved = ListFilter.objects.create(
        filter_name="Urgent at Viper",
        reference_doctype="Task",
        filters=[["site", "=", "Viper"], ["priority", "=", "Urgent"], ["status", "!=", "Closed"]],
    )
    ListViewSettings.objects.create(
        user=person,
        model_label="tasks.task",
        columns=["name", "subject", "status_pill", "site", "contractor", "owner", "creation"],
    )
    today = timezone.localdate()
    month = today.replace(day=1)
    month_start = month - dt.timedelta(days=month.weekday())  # the month view's first Monday
    week = today - dt.timedelta(days=today.weekday())
    builder = json.dumps([["status", "=", "Open"], ["site", "=", "Viper"]])
    pages = {
        "list_default": (client, "/desk/tasks/task/"),
        "list_site_status_sidebar": (
            client,
            f"/desk/tasks/task/?site__id__exact={site.pk}&status__exact=Open",
        ),
        "list_builder_site_status": (
            client,
            "/desk/tasks/task/?" + urlencode({"filters": builder}),
        ),
        "list_builder_like_subject": (
            client,
            "/desk/tasks/task/?" + urlencode({"filters": '[["subject","like","%Task 4242%"]]'}),
        ),
        "list_saved_filter": (
            client,
            "/desk/tasks/task/?" + urlencode({"filters": json.dumps(saved.filters)}),
        ),
        "list_own_columns": (mine, "/desk/tasks/task/"),
        "list_sorted_by_subject": (client, "/desk/tasks/task/?o=2"),
        "list_assigned_to_me": (mine, "/desk/tasks/task/?mine=assigned"),
        "counts_all": (client, "/desk/tasks/task/listview/counts/"),
        "counts_builder_site_status": (
            client,
            "/desk/tasks/task/listview/counts/?" + urlencode({"filters": builder}),
        ),
        "builder_row": (client, "/desk/tasks/task/listview/row/?index=0&f-0-field=site"),
        "kanban": (client, "/desk/tasks/task/kanban/"),
        "kanban_site": (client, f"/desk/tasks/task/kanban/?site={site.pk}"),
        "calendar_page": (client, "/desk/tasks/task/calendar/"),
        "calendar_month_events": (
            client,
            f"/desk/tasks/task/calendar/events?start={month_start}"
            f"&end={month_start + dt.timedelta(days=42)}",
        ),
        "calendar_week_events": (
            client,
            f"/desk/tasks/task/calendar/events?start={week}&end={week + dt.timedelta(days=7)}",
        ),
    }

    def orm() -> int:
        rows = list(
            Task.objects.filter(site=site, status="Open", archived=False)
            .select_related("assigned_to", "site")
            .order_by("-modified")[:50]
        )
        return len(rows)

    def page(who: Client, url: str) -> Callable[[], int]:
        def get() -> int:
            response = who.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert b'<li class="error">' not in response.content, url  # a refused filter
            return len(response.content)

        return get

    measures: list[tuple[str, Callable[[], int]]] = [("orm_list_ms", orm)]
    measures += [(f"{name}_ms", page(who, url)) for name, (who, url) in pages.items()]
    results = {}
    load_at_start = os.getloadavg()
    for label, func in measures:
        for _ in range(3):
            func()
        samples, cpu = [], []
        for _ in range(opts.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            func()
            samples.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        results[label] = {
            "p50": percentile(samples, 50),
            "p95": percentile(samples, 95),
            "p99": percentile(samples, 99),
            # This process's CPU time (with SQLite's work, not MariaDB's server): what a busy
            # machine's other processes do not add to.
            "cpu_p50": percentile(cpu, 50),
            "cpu_p95": percentile(cpu, 95),
        }
    slowest = max(v["p95"] for k, v in results.items() if k != "orm_list_ms")
    matching = Task.objects.filter(site=site, status="Open", archived=False).count()
    print(
        json.dumps(
            {
                "benchmark": "desk task list, list tools, Kanban and calendar",
                "db": opts.db,
                "tasks": opts.tasks,
                "matching_rows": matching,
                "seed_seconds": round(seed_s, 1),
                "runs": opts.runs,
                **results,
                "slowest_page_p95_ms": slowest,
                "target_p95_ms": 150,
                "load_average_at_start": [round(x, 2) for x in load_at_start],
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
