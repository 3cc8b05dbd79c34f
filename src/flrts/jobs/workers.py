"""`flrts worker`: the database-queue worker (django-tasks-db's) or an RQ worker, plus a
heartbeat thread that also requeues the jobs of workers that died, plus the companion threads
that apps above register (the bot's Telegram update loop) without this module importing them.

SIGTERM (or Ctrl+C) lets the current job finish, then the worker exits; a second signal stops
it at once. A SIGKILLed worker's job is requeued once its heartbeat is stale.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string

from flrts.core.probes import Probe
from flrts.jobs import recovery, runner, wake

logger = logging.getLogger("flrts.jobs")


class Companion(Protocol):
    """A long-running thread started beside the job loop (not in burst mode)."""

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def join(self, timeout: float | None = None) -> None: ...


_COMPANIONS: dict[str, Callable[[], Companion]] = {}


def register_companion(name: str, factory: Callable[[], Companion]) -> None:
    """Called from an AppConfig.ready(): `flrts worker` starts one `factory()` per process."""
    _COMPANIONS[name] = factory


def companions() -> dict[str, Callable[[], Companion]]:
    return dict(_COMPANIONS)


_STARTUP: dict[str, Callable[[], object]] = {}


def register_startup(name: str, hook: Callable[[], object]) -> None:
    """Called from an AppConfig.ready(): run once when a worker process starts, before its first
    job (e.g. the bot loads the parser's data, so the first message is as fast as the rest)."""
    _STARTUP[name] = hook


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str, backend: str, queues: list[str]) -> None:
        super().__init__(name="flrts-heartbeat", daemon=True)
        self.worker_id, self.backend, self.queues = worker_id, backend, queues
        self.stopped = threading.Event()

    def run(self) -> None:
        interval = recovery.heartbeat_interval()
        while not self.stopped.is_set():
            try:
                recovery.beat(self.worker_id, self.backend, self.queues)
                recovery.requeue_lost_jobs()
            except Exception:  # a locked or restarting database must not kill the worker
                logger.exception("heartbeat failed")
            finally:
                close_old_connections()
            self.stopped.wait(interval)
        connection.close()

    def stop(self) -> None:
        self.stopped.set()


def new_worker_id() -> str:
    return f"w-{get_random_string(16)}"


def run_worker(
    queues: list[str],
    *,
    burst: bool = False,
    interval: float = 0.5,
    max_jobs: int | None = None,
    worker_id: str | None = None,
    companion_threads: bool = True,
) -> None:
    for hook in _STARTUP.values():
        hook()
    worker_id = worker_id or new_worker_id()
    backend = "rq" if settings.REDIS_QUEUE else "db"
    runner.WORKER_ID = worker_id
    recovery.beat(worker_id, backend, queues)
    heart = Heartbeat(worker_id, backend, queues)
    heart.start()
    # E.g. the bot's update loop: Telegram updates are claimed from their table, not job rows.
    running: list[Companion] = []
    if companion_threads and not burst:
        for factory in _COMPANIONS.values():
            thread = factory()
            thread.start()
            running.append(thread)
    logger.info("worker %s (%s) on queues %s", worker_id, backend, ",".join(queues))
    try:
        if backend == "rq":
            _run_rq(queues, worker_id, burst=burst, max_jobs=max_jobs)
        else:
            _run_db(queues, worker_id, burst=burst, interval=interval, max_jobs=max_jobs)
    finally:
        for thread in running:
            thread.stop()
        for thread in running:
            thread.join(timeout=30)
        heart.stop()
        heart.join(timeout=5)
        try:
            recovery.forget(worker_id)
        except Exception:
            logger.exception("could not remove the heartbeat of %s", worker_id)


def _run_db(
    queues: list[str], worker_id: str, *, burst: bool, interval: float, max_jobs: int | None
) -> None:
    runner.ENFORCE_TIMEOUTS = True
    worker = _db_worker_class()(
        queue_names=queues,
        interval=interval,
        batch=burst,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_jobs,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    # Its SIGTERM/SIGINT handler finishes the running task, then leaves the loop.
    worker.configure_signals()
    try:
        worker.run()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise


def _db_worker_class() -> type:
    # Imported when a worker starts: the backend's modules need the app registry ready.
    from django.db.utils import OperationalError
    from django.utils import timezone
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult, get_date_max
    from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

    class FlrtsDbWorker(Worker):  # type: ignore[misc]
        """django-tasks-db's worker with a quiet idle loop.

        Its own loop polls every `interval` (0.5 s) for ever. Here an empty poll is followed by
        a sleep that doubles up to `wake.IDLE_MAX` (site key `worker_idle_max`, at least 2 s), ended
        early by a wake-up ping (flrts.jobs.wake, sent when a job is queued: from this host, or
        from any host on PostgreSQL) or
        by the run time of the next deferred job, so a job due at 12:00:00 (a reminder) is
        taken at 12:00:00 and not at the next poll.
        """

        def run(self) -> None:
            alarm = wake.Alarm()
            idle_max = max(
                wake.IDLE_MAX,
                settings.SITE.get_float("worker_idle_max", wake.IDLE_MAX, minimum=0.1),
            )
            idle_polls = 0
            try:
                while self.running:
                    close_old_connections()
                    if not self._ready_by(timezone.now()):  # idle: one query, no transaction
                        task_result, polled = None, True
                    else:
                        task_result, polled = self._claim()
                    if task_result is not None:
                        idle_polls = 0
                        alarm.drain()  # pings for this job (or earlier ones) are spent
                        self.run_task(task_result)
                    elif self.batch and polled:
                        logger.info("no more jobs for %s: exiting", self.worker_id)
                        return
                    if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                        return
                    close_old_connections()
                    if not self.running or task_result is not None:
                        continue
                    if not polled:
                        # A locked SQLite file is contention, not idleness: try again soon.
                        alarm.wait(min(self.interval, 0.1) or 0.01)
                        continue
                    idle_polls += 1
                    wait = wake.idle_wait(self.interval, idle_polls, idle_max)
                    horizon = timezone.now() + dt.timedelta(seconds=wait)
                    # The exact time of the next deferred job only when one falls in this wait.
                    upcoming = self._next_run_after() if self._ready_by(horizon) else None
                    if upcoming is not None:
                        wait = min(wait, max(0.0, (upcoming - timezone.now()).total_seconds()))
                    if alarm.wait(wait):
                        idle_polls = 0
            finally:
                alarm.close()

        _probe: Probe | None = None

        def _ready_by(self, when: Any) -> bool:
            """Is a job of these queues ready to run by `when` (an aware datetime)? SQL written
            once (flrts.core.probes): an idle worker asks this twice every 2 s, and compiling
            the claim's queryset and opening its transaction each time was most of its idle
            cost. A job without a run time (django-tasks' date-max) is always ready."""
            if self._probe is None:
                where = "{backend_name} = %s AND {status} = %s"
                if not self.process_all_queues:
                    marks = ", ".join(["%s"] * len(self.queue_names))
                    where += " AND {queue_name} IN (" + marks + ")"
                where += " AND ({run_after} <= %s OR {run_after} = %s)"
                self._probe = Probe(DBTaskResult, where)
            params: list[Any] = [self.backend_name, TaskResultStatus.READY]
            if not self.process_all_queues:
                params += list(self.queue_names)
            at, whenever = self._probe.datetime(when), self._probe.datetime(get_date_max())
            return self._probe.any([*params, at, whenever])

        def _queryset(self) -> Any:
            tasks = DBTaskResult.objects.filter(backend_name=self.backend_name)
            if not self.process_all_queues:
                tasks = tasks.filter(queue_name__in=self.queue_names)
            return tasks

        def _claim(self) -> tuple[Any, bool]:
            tasks = self._queryset().ready()
            with exclusive_transaction(tasks.db):
                try:
                    task_result = tasks.get_locked()
                    if task_result is not None:
                        task_result.claim(self.worker_id)
                    return task_result, True
                except OperationalError as exc:
                    if is_locked_database_exception(exc):
                        return None, False  # a locked SQLite file: try again after the wait
                    raise

        def _next_run_after(self) -> Any:
            return (
                self._queryset()
                .filter(status=TaskResultStatus.READY, run_after__lt=get_date_max())
                .order_by("run_after")
                .values_list("run_after", flat=True)
                .first()
            )

    return FlrtsDbWorker


def _run_rq(queues: list[str], worker_id: str, *, burst: bool, max_jobs: int | None) -> None:
    import django_rq
    from django_tasks_rq.backend import Job as TaskJob

    # The django-tasks job class is required: RQ's own Job cannot call a django_tasks Task.
    worker: Any = django_rq.get_worker(
        *queues, job_class=TaskJob, worker_class=_rq_worker_class(), name=worker_id
    )
    # The runner's own deadline marks the Job row as timed out, the same on both backends.
    runner.ENFORCE_TIMEOUTS = True
    # RQ's warm shutdown on SIGTERM finishes the current job; scheduled (run_after) jobs need
    # the worker's scheduler.
    worker.work(burst=burst, with_scheduler=True, max_jobs=max_jobs, logging_level="INFO")


def _rq_worker_class() -> type:
    from rq import SimpleWorker

    class FlrtsRQWorker(SimpleWorker):  # type: ignore[misc]
        """RQ's SimpleWorker without its remote-command channel.

        SimpleWorker runs each job in this process rather than a forked work-horse: this process
        has threads (the heartbeat, the bot's update loop), and a fork taken while one of them
        holds a lock inside SQLite or a database driver leaves the child waiting on it.

        The channel (RQ's `send_shutdown_command` and friends, which FLRTS does not use) is a
        thread blocked in a 60 s read; on exit RQ closed its connection under it, and a burst
        worker then sat for up to a minute after "done, quitting" (the CI hang of
        tests/jobs/test_redis.py). Workers are stopped with SIGTERM instead.
        """

        def subscribe(self) -> None:
            return None

        def unsubscribe(self) -> None:
            return None

    return FlrtsRQWorker
