"""The checks behind `/health` and `flrts doctor`: each returns a Check with a status and, when
not ok, the fix. A check never raises; a part that cannot be reached is reported as down."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from flrts.jobs import redisclient
from flrts.jobs.locks import LOCK_NAME, current_lease
from flrts.jobs.models import Job, JobStatus, ScheduledJob, SchedulerState, WorkerHeartbeat
from flrts.jobs.recovery import stale_after

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def _safe(name: str, func: Callable[[], Check]) -> Check:
    try:
        return func()
    except Exception as exc:  # the part is unreachable or broken: that is the finding
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Check(name, FAIL, f"check failed: {first[:300]}", _FIXES.get(name, ""))


_FIXES = {
    "database": "start the database server, or correct db_host/db_port/db_name in site_config.json",
    "migrations": "run: flrts migrate",
    "queue": "start Redis, or correct redis_queue in site_config.json",
    "workers": "start a worker: flrts worker (or systemctl start flrts-worker)",
    "scheduler": "start the scheduler: flrts scheduler (or systemctl start flrts-scheduler)",
}


def check_database() -> Check:
    def run() -> Check:
        connection.ensure_connection()
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
        return Check("database", OK, f"{connection.vendor} reachable")

    return _safe("database", run)


def check_migrations() -> Check:
    def run() -> Check:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
            return Check(
                "migrations", FAIL, f"{len(plan)} not applied ({names})", _FIXES["migrations"]
            )
        return Check("migrations", OK, "all applied")

    return _safe("migrations", run)


def check_queue() -> Check:
    def run() -> Check:
        if settings.REDIS_QUEUE:
            redisclient.queue_client().ping()
            return Check("queue", OK, "redis reachable", data={"backend": "redis"})
        return Check("queue", OK, "database queue", data={"backend": "database"})

    return _safe("queue", run)


def check_workers(now: dt.datetime | None = None) -> Check:
    def run() -> Check:
        current = now or timezone.now()
        latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
        cutoff = current - dt.timedelta(seconds=stale_after())
        alive = WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).count()
        data = {
            "alive": alive,
            "last_heartbeat": latest.last_seen.isoformat() if latest else None,
        }
        if alive:
            return Check("workers", OK, f"{alive} alive", data=data)
        if latest is None:
            return Check("workers", FAIL, "no worker has ever reported", _FIXES["workers"], data)
        age = (current - latest.last_seen).total_seconds()
        return Check("workers", FAIL, f"no heartbeat for {age:.0f}s", _FIXES["workers"], data)

    return _safe("workers", run)


def _last_enqueue() -> dt.datetime | None:
    return (
        ScheduledJob.objects.filter(last_run_at__isnull=False)
        .order_by("-last_run_at")
        .values_list("last_run_at", flat=True)
        .first()
    )


def scheduler_last_tick(now: dt.datetime | None = None) -> dt.datetime | None:
    """When the scheduler last showed life. The leader renews its lease every few seconds, so the
    lease (wherever the lock lives) is the tick; it runs a few seconds ahead, hence capped at
    now. Without a lease, the last scheduled enqueue; None if neither was ever seen."""
    now = now or timezone.now()
    _holder, expires_at = current_lease(now)
    seen = [v for v in (expires_at, _last_enqueue()) if v is not None]
    return min(max(seen), now) if seen else None


def scheduler_state(now: dt.datetime) -> dict[str, Any]:
    state = SchedulerState.objects.filter(name=LOCK_NAME).first()
    holder, expires_at = current_lease(now)
    last_tick = scheduler_last_tick(now)
    last_run = _last_enqueue()
    overdue = ScheduledJob.objects.filter(
        enabled=True, in_registry=True, next_run_at__lt=now
    ).order_by("next_run_at")
    first_overdue = overdue.first()
    return {
        "paused": bool(state and state.paused),
        "leader": holder if expires_at and expires_at > now else "",
        "lease_expires_at": expires_at.isoformat() if expires_at else None,
        "last_tick": last_tick.isoformat() if last_tick else None,
        "last_job_enqueued_at": last_run.isoformat() if last_run else None,
        "lag_seconds": (now - first_overdue.next_run_at).total_seconds()
        if first_overdue and first_overdue.next_run_at
        else 0.0,
    }


def check_scheduler(now: dt.datetime | None = None) -> Check:
    def run() -> Check:
        current = now or timezone.now()
        data = scheduler_state(current)
        if settings.SITE.get_bool("disable_scheduler", False):
            return Check(
                "scheduler",
                WARN,
                "disabled in site_config.json",
                "flrts set-config disable_scheduler 0",
                data,
            )
        if data["paused"]:
            return Check(
                "scheduler",
                WARN,
                "paused: scheduled jobs are not enqueued",
                "flrts scheduler resume",
                data,
            )
        if not data["leader"]:
            return Check(
                "scheduler",
                FAIL,
                "not running (no scheduler holds the lease)",
                _FIXES["scheduler"],
                data,
            )
        lag = data["lag_seconds"]
        if lag > 300:
            return Check(
                "scheduler", WARN, f"running but {lag:.0f}s behind", _FIXES["scheduler"], data
            )
        return Check("scheduler", OK, f"ticking ({data['leader']})", data=data)

    return _safe("scheduler", run)


def check_jobs() -> Check:
    def run() -> Check:
        since = timezone.now() - dt.timedelta(hours=24)
        pending = Job.objects.filter(status=JobStatus.QUEUED).count()
        failed = Job.objects.filter(status=JobStatus.FAILED, enqueued_at__gte=since).count()
        data = {"pending": pending, "failed_24h": failed}
        if failed:
            return Check(
                "jobs",
                WARN,
                f"{pending} pending, {failed} failed in 24h",
                "see the desk: Background jobs (retry or read the Error Log)",
                data,
            )
        return Check("jobs", OK, f"{pending} pending, 0 failed in 24h", data=data)

    return _safe("jobs", run)


def check_disk() -> Check:
    def run() -> Check:
        usage = shutil.disk_usage(settings.SITE.path)
        free_mb = usage.free / 1e6
        minimum = settings.SITE.get_int("disk_min_free_mb", 1024, minimum=1)
        data = {"free_bytes": usage.free, "total_bytes": usage.total}
        if free_mb < minimum / 4:
            return Check(
                "disk", FAIL, f"{free_mb:.0f} MB free", "free disk space (old backups, logs)", data
            )
        if free_mb < minimum:
            return Check(
                "disk", WARN, f"{free_mb:.0f} MB free (under {minimum} MB)", "free disk space", data
            )
        return Check("disk", OK, f"{free_mb / 1000:.1f} GB free", data=data)

    return _safe("disk", run)


def backup_max_age_hours() -> float:
    interval = settings.SITE.get_int("backup_interval_hours", 24, minimum=1)
    return settings.SITE.get_float("backup_max_age_hours", interval * 2 + 1, minimum=1)


def check_backups(verify_latest: bool = False, deep: bool = False) -> Check:
    def run() -> Check:
        from flrts.ops.backup.take import latest_backup

        latest = latest_backup()
        if latest is None:
            return Check("backups", WARN, "no backup yet", "take one: flrts backup --with-files")
        taken = dt.datetime.fromisoformat(latest.taken_at)
        age_h = (timezone.now() - taken).total_seconds() / 3600
        data = {
            "age_seconds": age_h * 3600,
            "size_bytes": latest.total_size,
            "taken_at": latest.taken_at,
        }
        limit = backup_max_age_hours()
        if verify_latest:
            from flrts.ops.backup.verify import verify

            report = verify(latest, load=deep)
            if not report.ok:
                return Check(
                    "backups",
                    FAIL,
                    "latest backup is damaged: " + "; ".join(report.problems),
                    "take a new backup: flrts backup --with-files",
                    data,
                )
        if age_h > limit:
            return Check(
                "backups",
                WARN,
                f"latest backup is {age_h:.1f} h old (limit {limit:.0f} h)",
                "check the scheduler and the backup job, or run: flrts backup --with-files",
                data,
            )
        checked = " and verified" if verify_latest else ""
        return Check("backups", OK, f"latest {age_h:.1f} h old{checked}", data=data)

    return _safe("backups", run)


def check_config_mode() -> Check:
    def run() -> Check:
        path = settings.SITE.path / "site_config.json"
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            return Check(
                "config",
                FAIL,
                f"site_config.json is mode {mode:o}: others can read the secrets",
                f"chmod 600 {path}",
            )
        return Check("config", OK, "site_config.json is mode 600")

    return _safe("config", run)


def health_checks() -> list[Check]:
    database = check_database()
    checks = [database]
    if database.status == FAIL:
        checks.append(check_queue())
        for name in ("workers", "scheduler", "jobs"):
            checks.append(Check(name, FAIL, "unknown: the database is down", _FIXES["database"]))
    else:
        checks += [check_queue(), check_workers(), check_scheduler(), check_jobs()]
    checks += [check_disk(), check_backups()]
    return checks
