"""Desk pages with 100,000 tasks: the task list filtered by site and status (desk page and ORM),
the Kanban (all tasks, and one site), and the calendar (the page, and its events for this month
and this week). Server time: each request goes through Django's test client, no network.

    python bench/desk.py [--tasks 100000] [--db sqlite|mariadb|postgres] [--runs 30]

Prints one JSON object with p50/p95/p99 milliseconds for each measure (target: the Kanban and
calendar p95 at most 150 ms).
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
    bulk_tasks(count, sites, people)
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
    client = Client()
    client.force_login(admin)
    url = f"/desk/tasks/task/?site__id__exact={site.pk}&status__exact=Open"

    today = timezone.localdate()
    month = today.replace(day=1)
    week = today - dt.timedelta(days=today.weekday())
    pages = {
        "desk_kanban_ms": "/desk/tasks/task/kanban/",
        "desk_kanban_site_ms": f"/desk/tasks/task/kanban/?site={site.pk}",
        "desk_calendar_page_ms": "/desk/tasks/task/calendar/",
        "desk_calendar_month_events_ms": "/desk/tasks/task/calendar/events?"
        f"start={month - dt.timedelta(days=month.weekday())}"
        f"&end={month - dt.timedelta(days=month.weekday()) + dt.timedelta(days=42)}",
        "desk_calendar_week_events_ms": "/desk/tasks/task/calendar/events?"
        f"start={week}&end={week + dt.timedelta(days=7)}",
    }

    def get(url: str) -> Callable[[], int]:
        def run() -> int:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return len(response.content)

        return run

    def orm() -> int:
        rows = list(
            Task.objects.filter(site=site, status="Open", archived=False)
            .select_related("assigned_to", "site")
            .order_by("-modified")[:50]
        )
        return len(rows)

    def desk() -> int:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return len(response.content)

    results = {}
    measures: list[tuple[str, Callable[[], int]]] = [("orm_list_ms", orm), ("desk_list_ms", desk)]
    measures += [(label, get(url)) for label, url in pages.items()]
    for label, func in measures:
        for _ in range(3):
            func()
        samples = []
        for _ in range(opts.runs):
            t0 = time.perf_counter()
            func()
            samples.append((time.perf_counter() - t0) * 1000)
        results[label] = {
            "p50": percentile(samples, 50),
            "p95": percentile(samples, 95),
            "p99": percentile(samples, 99),
        }
    matching = Task.objects.filter(site=site, status="Open", archived=False).count()
    print(
        json.dumps(
            {
                "benchmark": "desk task list, Kanban and calendar",
                "db": opts.db,
                "tasks": opts.tasks,
                "matching_rows": matching,
                "seed_seconds": round(seed_s, 1),
                "runs": opts.runs,
                **results,
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "load_average": os.getloadavg(),
                },
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
