from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run a background worker (database queue, or RQ when redis_queue is configured)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue",
            action="append",
            help="queue to work (repeat or comma-separate); default: all of "
            + ", ".join(settings.QUEUES),
        )
        parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
        parser.add_argument(
            "--interval", type=float, default=0.5, help="seconds between polls when idle (db)"
        )
        parser.add_argument("--max-jobs", type=int, help="exit after this many jobs")
        parser.add_argument("--worker-id", help="unique id (default: generated)")
        parser.add_argument(
            "--no-telegram-updates",
            action="store_true",
            help="start no companion threads (the Telegram update loop; run `flrts telegram work`)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from flrts.jobs.workers import run_worker

        queues: list[str] = []
        for value in opts["queue"] or [",".join(settings.QUEUES)]:
            queues += [q.strip() for q in value.split(",") if q.strip()]
        unknown = [q for q in queues if q not in settings.QUEUES]
        if unknown:
            raise CommandError(
                f"unknown queue {unknown[0]!r}; use one of {', '.join(settings.QUEUES)}"
            )
        if opts["interval"] < 0:
            raise CommandError("--interval must be zero or more")
        if opts["max_jobs"] is not None and opts["max_jobs"] < 1:
            raise CommandError("--max-jobs must be at least 1")
        worker_id = opts["worker_id"]
        if worker_id is not None and not (0 < len(worker_id) <= 64):
            raise CommandError("--worker-id must be 1 to 64 characters")
        run_worker(
            queues,
            burst=opts["burst"],
            interval=opts["interval"],
            max_jobs=opts["max_jobs"],
            worker_id=worker_id,
            companion_threads=not opts["no_telegram_updates"],
        )
