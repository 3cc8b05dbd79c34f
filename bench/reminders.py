"""Reminder delivery under load: 100,000 pending reminders, 1,000 due in the same minute.

    .venv/bin/python bench/reminders.py [--pending 100000] [--due 1000] [--workers 2]
        [--db-type sqlite|mariadb|postgres]

Makes a throw-away site, fills it, runs the scheduler's reminder pass in this process (so each
pass's queries and rows can be counted) and `--workers` real `flrts worker` processes, waits for
every due reminder to be delivered (to the Telegram outbox: no bot token), and prints JSON:
lateness p50/p99/max (sent_at - due time) and the scheduler's work per pass.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._site import percentile, start_workers, stop_processes

SITE = "bench.localhost"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db-type", default="sqlite", choices=["sqlite", "mariadb", "postgres"])
    parser.add_argument("--lead", type=float, default=30.0, help="seconds until the due minute")
    opts = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="flrts-bench-"))
    os.environ.update(FLRTS_SITES_DIR=str(base), FLRTS_SITE=SITE, FLRTS_LOG_LEVEL="WARNING")
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    args = [SITE, "--admin-password", "bench-pass-1"]
    if opts.db_type != "sqlite":
        args += ["--db-type", opts.db_type, "--db-name", f"flrts_bench_{os.getpid()}"]
    from flrts import bootstrap

    bootstrap.run("new-site", args)  # also sets Django up for this site
    procs: list[subprocess.Popen[bytes]] = []
    try:
        return run(opts, base, procs)
    finally:
        stop_processes(procs)
        from django.conf import settings

        config = dict(settings.SITE.config)
        from django.db import connections

        connections.close_all()
        if opts.db_type != "sqlite":
            bootstrap.drop_database(config)
        shutil.rmtree(base, ignore_errors=True)


def run(opts: argparse.Namespace, base: Path, procs: list[subprocess.Popen[bytes]]) -> int:
    from django.db import connection
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from flrts.notify.reminder_dispatch import dispatch_due
    from flrts.people.models import User
    from flrts.reminders.models import Reminder, ReminderDelivery

    rng = random.Random(42)
    zones = ["America/New_York", "America/Chicago", "Europe/Berlin", "Asia/Kolkata", "UTC"]
    people = User.objects.bulk_create(
        [
            User(
                username=f"p{i}",
                email=f"p{i}@example.com",
                time_zone=zones[i % 5],
                telegram_user_id=10_000 + i,
                telegram_chat_id=10_000 + i,
            )
            for i in range(200)
        ]
    )
    t_fill = time.monotonic()
    minute = (timezone.now() + dt.timedelta(seconds=opts.lead)).replace(second=0, microsecond=0)
    minute += dt.timedelta(minutes=1)
    rows = []
    for i in range(opts.pending):
        if i < opts.due:
            at = minute + dt.timedelta(seconds=rng.uniform(0, 59.999))
        else:  # the rest: spread over 30 days from tomorrow, never in the measured minute
            at = minute + dt.timedelta(days=1, seconds=rng.uniform(0, 30 * 86400))
        recurrence = "FREQ=DAILY" if i % 3 == 0 else ""
        rows.append(
            Reminder(
                name=f"REM-B-{i:06d}",
                title=f"Bench reminder {i}",
                remind_at=at,
                next_fire_at=at,
                time_zone=zones[i % 5],
                recurrence=recurrence,
            )
        )
    made = Reminder.objects.bulk_create(rows, batch_size=2000)
    through = Reminder.recipients.through
    through.objects.bulk_create(
        [through(reminder_id=r.pk, user_id=people[i % len(people)].pk) for i, r in enumerate(made)],
        batch_size=5000,
    )
    fill_seconds = time.monotonic() - t_fill
    # Filling can outlast the lead (slow disks): move the due minute to after it.
    start = (timezone.now() + dt.timedelta(seconds=opts.lead)).replace(second=0, microsecond=0)
    start += dt.timedelta(minutes=1)
    if start > minute:
        shift = start - minute
        due_ids = [r.pk for r in made[: opts.due]]
        for i in range(0, len(due_ids), 500):
            Reminder.objects.filter(pk__in=due_ids[i : i + 500]).update(
                remind_at=F("remind_at") + shift, next_fire_at=F("next_fire_at") + shift
            )
        minute = start

    procs.extend(start_workers(opts.workers, 0.1, "bench"))

    passes: list[dict[str, int]] = []
    idle_queries: list[int] = []
    deadline = minute + dt.timedelta(seconds=120)
    sent = 0
    while timezone.now() < deadline:
        with CaptureQueriesContext(connection) as q:
            report = dispatch_due()
        if report.due:
            passes.append(
                {
                    "due": report.due,
                    "deliveries": report.deliveries,
                    "jobs": report.jobs,
                    "queries": len(q),
                }
            )
        else:
            idle_queries.append(len(q))
        if timezone.now() > minute + dt.timedelta(seconds=60):
            sent = ReminderDelivery.objects.filter(status="sent").count()
            if sent >= opts.due:
                break
        time.sleep(1 - time.time() % 1)  # the scheduler wakes on each whole second

    lateness = [
        (d.sent_at - d.due_at).total_seconds()
        for d in ReminderDelivery.objects.filter(status="sent").only("sent_at", "due_at")
    ]
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "cpus": os.cpu_count(),
                "pending_reminders": opts.pending,
                "due_in_minute": opts.due,
                "workers": opts.workers,
                "fill_seconds": round(fill_seconds, 1),
                "delivered": len(lateness),
                "lateness_s": {
                    "p50": percentile(lateness, 50, 3) if lateness else None,
                    "p99": percentile(lateness, 99, 3) if lateness else None,
                    "max": round(max(lateness), 3) if lateness else None,
                },
                "scheduler_per_pass": {
                    "passes_with_due": len(passes),
                    "due_per_pass_max": max((p["due"] for p in passes), default=0),
                    "queries_per_pass_max": max((p["queries"] for p in passes), default=0),
                    "queries_per_due_reminder": round(
                        sum(p["queries"] for p in passes) / max(1, sum(p["due"] for p in passes)), 2
                    ),
                    "rows_written_per_due_reminder": round(
                        sum(p["deliveries"] + p["due"] + 3 * p["jobs"] for p in passes)
                        / max(1, sum(p["due"] for p in passes)),
                        2,
                    ),
                    "idle_pass_queries": max(idle_queries, default=0),
                },
            },
            indent=2,
        )
    )
    return 0 if len(lateness) >= opts.due else 1


if __name__ == "__main__":
    sys.exit(main())
