from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

ACTIONS = ("run-loop", "status", "enable", "disable", "pause", "resume", "run", "tick")


class Command(BaseCommand):
    help = (
        "Run the scheduler, or: status | enable JOB | disable JOB | pause | resume | run JOB | "
        "tick (one tick now)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", default="run-loop", choices=ACTIONS)
        parser.add_argument("job", nargs="?", help="scheduled job (dotted path or its tail)")
        parser.add_argument(
            "--interval", type=float, help="seconds between ticks (default: scheduler_interval)"
        )
        parser.add_argument("--max-seconds", type=float, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **opts: Any) -> None:
        from flrts.jobs import locks, scheduler
        from flrts.jobs.models import ScheduledJob
        from flrts.jobs.registry import sync_scheduled_jobs

        action, name = opts["action"], opts["job"]
        if action in ("enable", "disable", "run") and not name:
            raise CommandError(f"scheduler {action} needs a JOB (see `flrts scheduler status`)")
        if action == "run-loop":
            from flrts.jobs.beat import Beat

            interval = opts["interval"]
            if interval is not None and interval <= 0:
                raise CommandError("--interval must be more than 0")
            Beat(interval=interval).run(max_seconds=opts["max_seconds"])
            return
        sync_scheduled_jobs()
        if action == "status":
            self._status()
        elif action in ("enable", "disable"):
            try:
                job = scheduler.find(name)
            except LookupError as exc:
                raise CommandError(str(exc))
            ScheduledJob.objects.filter(pk=job.pk).update(enabled=action == "enable")
            self.stdout.write(f"{job.method}: {action}d")
        elif action in ("pause", "resume"):
            locks.set_paused(action == "pause")
            self.stdout.write(f"scheduler {'paused' if action == 'pause' else 'resumed'}")
        elif action == "run":
            try:
                queued = scheduler.run_now(name)
            except LookupError as exc:
                raise CommandError(str(exc))
            self.stdout.write(f"enqueued {queued.method} as job {queued.pk} on {queued.queue}")
        elif action == "tick":
            report = scheduler.tick()
            self.stdout.write("enqueued: " + (", ".join(report.enqueued) or "nothing"))

    def _status(self) -> None:
        from flrts.jobs.locks import LOCK_NAME
        from flrts.jobs.models import ScheduledJob, SchedulerState, WorkerHeartbeat

        state = SchedulerState.objects.filter(name=LOCK_NAME).first()
        now = timezone.now()
        leader = "none"
        if state and state.holder and state.expires_at and state.expires_at > now:
            leader = state.holder
        self.stdout.write(f"paused: {'yes' if state and state.paused else 'no'}")
        self.stdout.write(f"leader: {leader}")
        workers = WorkerHeartbeat.objects.order_by("worker_id")
        self.stdout.write(f"workers: {', '.join(str(w) for w in workers) or 'none'}")
        self.stdout.write(f"{'job':60} {'every':10} {'on':4} {'last run':20} next run")
        for job in ScheduledJob.objects.filter(in_registry=True):
            every = job.cron if job.frequency == "cron" else job.frequency
            last = f"{job.last_run_at:%Y-%m-%d %H:%M:%S}" if job.last_run_at else "-"
            nxt = f"{job.next_run_at:%Y-%m-%d %H:%M:%S}" if job.next_run_at else "-"
            on = "yes" if job.enabled else "no"
            self.stdout.write(f"{job.method:60} {every:10} {on:4} {last:20} {nxt}")
