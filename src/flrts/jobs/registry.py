"""The job registry: every function a worker may run, and the scheduled ones with their cadence.

A job function is declared beside its code, and queued by reference:

    from flrts.jobs.registry import job, scheduled

    @job
    def task_assigned(task_id: int, ...) -> str: ...

    @scheduled("all", when=has_overdue_tasks)  # every tick, only when there is work
    def sweep_overdue(...) -> str: ...

    enqueue_after_commit(task_assigned, queue="short", task_id=task.pk)

The stored name (`Job.method`, `ScheduledJob.method`) is the function's dotted path; only this
module makes it (`path_of`) and reads it back (`resolve`). A path that names no registered
function is an `UnknownJob`: the runner fails that job with the reason instead of importing
whatever the string says.

Scheduled events, in the shape of Frappe's `scheduler_events`: `all` (every scheduler tick,
`scheduler_interval` seconds, default 60), `hourly`, `daily`, `weekly`, `monthly`, `yearly`,
`cron` (with `cron=`), and `hourly_long`, `daily_long`, `weekly_long`, `monthly_long` (same
cadence, on the long queue). Cron expressions and the daily/weekly/monthly boundaries are read in
the site's time zone (`time_zone`). `second` is FLRTS's own: checks the scheduler runs inline
every second (reminders). `when=` is a cheap check (one indexed query) the scheduler runs before a
slot: when it says there is nothing to do, no Job row is written and the slot stays open.

A schedule that depends on site configuration is declared with `register(event, func, cron=)`
from the app's `schedule.py` (autodiscovered at start-up, like the modules holding `@scheduled`
functions, which each app's `schedule.py` imports). `sync_scheduled_jobs()` (after every migrate
and when the scheduler starts) makes one ScheduledJob row per entry.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from croniter import croniter

from flrts.jobs.errors import UnknownJob

CRON_MAP = {
    "hourly": "0 * * * *",
    "daily": "0 0 * * *",
    "weekly": "0 0 * * 0",
    "monthly": "0 0 1 * *",
    "yearly": "0 0 1 1 *",
}
EVENTS = {"second", "all", "cron", *CRON_MAP, *(f"{e}_long" for e in CRON_MAP if e != "yearly")}


@dataclass(frozen=True)
class Entry:
    method: str
    frequency: str  # second | all | hourly | ... | cron
    cron: str
    queue: str
    # "Is there anything to do?": checked by the scheduler before it writes a Job for a slot.
    when: Callable[[], bool] | None = field(default=None, compare=False)


F = TypeVar("F", bound=Callable[..., Any])

_JOBS: dict[str, Callable[..., Any]] = {}
_SCHEDULE: dict[str, Entry] = {}


def _dotted(func: Callable[..., Any]) -> str:
    if isinstance(func, str) or not callable(func):
        raise TypeError(f"a job is a function, not {func!r}: pass the function itself")
    qualname = getattr(func, "__qualname__", "")
    if not qualname or "<" in qualname:
        raise TypeError(f"{func!r} is not a module-level function and cannot be a job")
    return f"{func.__module__}.{qualname}"


@overload
def job(func: F) -> F: ...
@overload
def job(func: None = None) -> Callable[[F], F]: ...
def job(func: F | None = None) -> F | Callable[[F], F]:
    """Declare `func` a job function (a worker may run it). `@job` or `@job()`."""

    def wrap(f: F) -> F:
        _JOBS[_dotted(f)] = f
        return f

    return wrap(func) if func is not None else wrap


def register(
    event: str,
    func: Callable[..., Any],
    *,
    cron: str = "",
    queue: str | None = None,
    when: Callable[[], bool] | None = None,
) -> Entry:
    """Declare `func` a job and schedule it under `event` (replacing an earlier schedule)."""
    if event not in EVENTS:
        raise ValueError(f"unknown scheduler event {event!r}; use one of {sorted(EVENTS)}")
    if event == "cron":
        if not cron or not croniter.is_valid(cron):
            raise ValueError(f"event 'cron' needs a valid cron expression, got {cron!r}")
    elif cron:
        raise ValueError("cron= is only for the 'cron' event")
    job(func)
    frequency, _, long = event.partition("_")
    entry = Entry(
        method=_dotted(func),
        frequency=frequency,
        cron=cron or CRON_MAP.get(frequency, ""),
        queue=queue or ("long" if long else "default"),
        when=when,
    )
    _SCHEDULE[entry.method] = entry
    return entry


def scheduled(
    event: str, *, cron: str = "", queue: str | None = None, when: Callable[[], bool] | None = None
) -> Callable[[F], F]:
    """Decorator form of `register`: the schedule sits on the function."""

    def wrap(func: F) -> F:
        register(event, func, cron=cron, queue=queue, when=when)
        return func

    return wrap


def unregister(func: Callable[..., Any] | str) -> None:
    """Drop a schedule (the function stays runnable); tests and config-dependent schedules."""
    path = func if isinstance(func, str) else _dotted(func)
    _SCHEDULE.pop(path, None)


def path_of(func: Callable[..., Any]) -> str:
    """The stored name of a registered job function."""
    path = _dotted(func)
    if _JOBS.get(path) is not func:
        raise UnknownJob(
            f"{path} is not a registered job function: declare it with @job "
            "(flrts.jobs.registry) beside its code"
        )
    return path


def resolve(path: str) -> Callable[..., Any]:
    """The registered function stored as `path`; its module is imported if not loaded yet (a
    worker that never imported it), which runs its `@job` declaration. Nothing else is run."""
    func = _JOBS.get(path)
    if func is None and "." in path:
        try:
            importlib.import_module(path.rsplit(".", 1)[0])
        except Exception:  # a missing or broken module is the same answer: not a job here
            pass
        func = _JOBS.get(path)
    if func is None:
        raise UnknownJob(
            f"no registered job function is stored as {path!r} (renamed or removed? a rename "
            "needs a data migration like jobs 0002_moved_job_functions)"
        )
    return func


def jobs() -> dict[str, Callable[..., Any]]:
    """Every registered job function by its stored path."""
    return dict(_JOBS)


def entries() -> list[Entry]:
    return sorted(_SCHEDULE.values(), key=lambda e: e.method)


def entry(path: str) -> Entry | None:
    return _SCHEDULE.get(path)


def scheduler_events() -> dict[str, Any]:
    """The registry as Frappe writes it in hooks.py."""
    out: dict[str, Any] = {}
    for e in entries():
        if e.frequency == "cron":
            out.setdefault("cron", {}).setdefault(e.cron, []).append(e.method)
        else:
            key = e.frequency + ("_long" if e.queue == "long" else "")
            out.setdefault(key, []).append(e.method)
    return out


def sync_scheduled_jobs() -> None:
    """One ScheduledJob row per registry entry; rows no longer registered are marked so."""
    from flrts.jobs.models import ScheduledJob

    seen = []
    for e in entries():
        row, created = ScheduledJob.objects.get_or_create(
            method=e.method,
            defaults={"frequency": e.frequency, "cron": e.cron, "queue": e.queue},
        )
        changed = (row.frequency, row.cron, row.queue, row.in_registry) != (
            e.frequency,
            e.cron,
            e.queue,
            True,
        )
        if not created and changed:
            row.frequency, row.cron, row.queue, row.in_registry = (
                e.frequency,
                e.cron,
                e.queue,
                True,
            )
            row.save(update_fields=["frequency", "cron", "queue", "in_registry"])
        seen.append(e.method)
    ScheduledJob.objects.exclude(method__in=seen).update(in_registry=False)
