"""Build the daily report for a site with 10,000 tasks and 1,000 field reports that day.

    python bench/reports.py [--tasks 10000] [--reports 1000] [--db sqlite|mariadb|postgres]
                            [--runs 5]

Prints one JSON object: the whole build (collect + HTML + PDF + store) p50/max in seconds, and
its parts, with the PDF's pages and size. Target: under 5 s on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._site import percentile, temp_site

WORDS = [
    "pump",
    "compressor",
    "valve",
    "panel",
    "fence",
    "generator",
    "transformer",
    "filter",
    "belt",
    "bearing",
    "oil",
    "leak",
    "pressure",
    "noise",
    "vibration",
    "inspected",
    "replaced",
    "cleaned",
    "north",
    "south",
    "east",
    "west",
    "unit",
]


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def seed(day: dt.date, tasks: int, reports: int) -> None:
    from flrts.core.models import NamingSeries
    from flrts.fieldreports.models import FieldReport, Reading
    from flrts.nlp.models import ParserLog
    from flrts.org.models import Site
    from flrts.people.models import User
    from flrts.reminders.models import Reminder
    from flrts.reports.periods import day_start
    from flrts.tasks.models import Status, Task

    rng = random.Random(11)
    site = Site(site_name="Big Sky", site_code="BS")
    site.save()
    people = []
    for i in range(10):
        user = User(
            username=f"p{i}@example.com", email=f"p{i}@example.com", full_name=f"Person {i}"
        )
        user.save()
        people.append(user)
    start = day_start(day)
    year = day.year
    batch: list[Task] = []
    for n in range(1, tasks + 1):
        # A tenth created that day, the rest over the previous month; due around the day.
        if n % 10 == 0:
            created = start + dt.timedelta(seconds=rng.randint(0, 86_000))
        else:
            created = start - dt.timedelta(seconds=rng.randint(1, 30 * 86_400))
        status = rng.choice([Status.OPEN, Status.OPEN, Status.WORKING, Status.COMPLETED])
        task = Task(
            name=f"TASK-{year}-{n:06d}",
            subject=_text(rng, 5),
            status=status,
            site=site,
            assigned_to=rng.choice(people),
            creation=created,
            exp_end_date=day + dt.timedelta(days=rng.randint(-10, 10)),
            time_zone="America/Chicago",
        )
        if status == Status.COMPLETED:
            task.completed_on = created + dt.timedelta(hours=rng.randint(1, 48))
        task._derive_instants()
        batch.append(task)
        if len(batch) == 2000:
            Task.objects.bulk_create(batch)
            batch = []
    Task.objects.bulk_create(batch)
    NamingSeries.objects.update_or_create(prefix=f"TASK-{year}-", defaults={"current": tasks})

    rows = [
        FieldReport(
            name=f"FR-{year}-{n:05d}",
            site=site,
            reported_by=rng.choice(people),
            report_date=day,
            summary=_text(rng, 8),
            observations=_text(rng, 30),
            issues_found=_text(rng, 12) if n % 3 == 0 else "",
            status="Submitted",
        )
        for n in range(1, reports + 1)
    ]
    FieldReport.objects.bulk_create(rows, batch_size=500)
    NamingSeries.objects.update_or_create(prefix=f"FR-{year}-", defaults={"current": reports})
    readings = [
        Reading(
            report=report, idx=i, metric=metric, value=round(rng.uniform(10, 200), 1), unit=unit
        )
        for report in FieldReport.objects.all()
        for i, (metric, unit) in enumerate(
            (("pressure", "psi"), ("temperature", "F"), ("flow", "gpm"))
        )
    ]
    Reading.objects.bulk_create(readings, batch_size=2000)

    tomorrow = day_start(day + dt.timedelta(days=1))
    for n in range(100):
        reminder = Reminder(title=_text(rng, 4), remind_at=tomorrow + dt.timedelta(minutes=9 * n))
        reminder.save()
        reminder.recipients.add(rng.choice(people))
    logs = [
        ParserLog(
            name=f"FLRTS-LOG-{year}-{n:05d}",
            original_message=_text(rng, 8),
            request_timestamp=start + dt.timedelta(seconds=rng.randint(0, 86_000)),
            user_accepted=rng.choice(["Accepted", "Accepted", "Rejected", "Pending"]),
            confidence_score=round(rng.uniform(0.4, 1.0), 2),
            response_duration_ms=rng.randint(50, 2000),
            model_name="gpt-4o",
            estimated_cost_usd=Decimal("0.004"),
        )
        for n in range(1, 501)
    ]
    ParserLog.objects.bulk_create(logs)
    NamingSeries.objects.update_or_create(prefix=f"FLRTS-LOG-{year}-", defaults={"current": 500})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--reports", type=int, default=1_000)
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "mariadb", "postgres"])
    parser.add_argument("--runs", type=int, default=5)
    opts = parser.parse_args()
    temp_site(opts.db)
    from django.db import connection

    from flrts.core.pdf import html_to_pdf
    from flrts.reports.daily import build, collect, render_html
    from flrts.reports.periods import day_start

    day = dt.date(2026, 3, 10)
    now = day_start(day) + dt.timedelta(hours=18)
    t0 = time.perf_counter()
    seed(day, opts.tasks, opts.reports)
    seed_s = time.perf_counter() - t0
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    parts: dict[str, list[float]] = {"collect_s": [], "html_s": [], "pdf_s": [], "build_s": []}
    report = None
    for _ in range(opts.runs):
        t = time.perf_counter()
        data = collect(day, now=now)
        parts["collect_s"].append(time.perf_counter() - t)
        t = time.perf_counter()
        html = render_html(data)
        parts["html_s"].append(time.perf_counter() - t)
        t = time.perf_counter()
        html_to_pdf(html, title="bench")
        parts["pdf_s"].append(time.perf_counter() - t)
        t = time.perf_counter()
        report = build(day, now=now)
        parts["build_s"].append(time.perf_counter() - t)
    assert report is not None
    print(
        json.dumps(
            {
                "benchmark": "daily report build (collect + HTML + PDF + store)",
                "db": opts.db,
                "tasks": opts.tasks,
                "field_reports": opts.reports,
                "readings": opts.reports * 3,
                "seed_seconds": round(seed_s, 1),
                "runs": opts.runs,
                **{
                    k: {"p50": round(percentile(v, 50), 3), "max": round(max(v), 3)}
                    for k, v in parts.items()
                },
                "pdf_pages": report.pages,
                "pdf_bytes": report.size,
                "summary": report.summary,
                "target_s": 5.0,
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
