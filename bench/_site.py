"""Benchmarks run against a throw-away site made with the real `flrts new-site`."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import tempfile
from pathlib import Path


def temp_site(db_type: str = "sqlite", name: str = "bench.localhost") -> Path:
    """Create a site in a temp sites folder and point this process's Django at it."""
    sites = Path(tempfile.mkdtemp(prefix="flrts-bench-")) / "sites"
    args = [
        sys.executable,
        "-m",
        "flrts.cli",
        "--sites-dir",
        str(sites),
        "new-site",
        name,
        "--db-type",
        db_type,
        "--admin-password",
        "bench-pass",
        "--force",
    ]
    if db_type == "mariadb":
        args += ["--db-name", f"flrts_bench_{os.getpid()}"]
    if db_type == "postgres":
        args += ["--db-name", f"flrts_bench_{os.getpid()}"]
    subprocess.run(args, check=True, capture_output=True, text=True)
    os.environ["FLRTS_SITES_DIR"] = str(sites)
    os.environ["FLRTS_SITE"] = name
    os.environ["DJANGO_SETTINGS_MODULE"] = "flrts.settings"
    import django

    django.setup()
    return sites


def percentile(samples: list[float], pct: float, digits: int = 2) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return round(ordered[index], digits)


def start_workers(count: int, interval: float, prefix: str) -> list[subprocess.Popen[bytes]]:
    """`count` real `flrts worker --queue short` processes for the current site (environment)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "flrts.cli", "worker", "--queue", "short"]
    return [
        subprocess.Popen(
            [*command, "--interval", str(interval), "--worker-id", f"{prefix}-{n}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(count)
    ]


def stop_processes(procs: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each (a worker finishes its current job), then kill what is left after 20 s."""
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def bulk_tasks(count: int, sites: list, people: list, owner: object = None, start: int = 1) -> None:
    """`count` random tasks (status, priority, site, assignee, due within ±2,000 h) by bulk insert,
    named TASK-<year>-<n> from `start`; the caller sets the naming series."""
    from django.utils import timezone

    from flrts.tasks.models import Priority, Status, Task

    rng = random.Random(7 + start)
    statuses = [s.value for s in Status]
    priorities = [p.value for p in Priority]
    now = timezone.now()
    batch: list[Task] = []
    for n in range(start, start + count):
        due = (now + dt.timedelta(hours=rng.randint(-2000, 2000))).date()
        task = Task(
            name=f"TASK-{now.year}-{n:07d}",
            subject=f"Task {n}",
            status=rng.choice(statuses),
            priority=rng.choice(priorities),
            site=rng.choice(sites),
            assigned_to=rng.choice(people),
            exp_end_date=due,
            time_zone="America/Chicago",
            owner=owner,
            modified_by=owner,
        )
        task._derive_instants()
        batch.append(task)
        if len(batch) == 5000:
            Task.objects.bulk_create(batch)
            batch = []
    if batch:
        Task.objects.bulk_create(batch)
