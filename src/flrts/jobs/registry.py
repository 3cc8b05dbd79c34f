"""The scheduled-job registry, in the shape of Frappe's `scheduler_events`.

Declare jobs in your app's `schedule.py` (imported at startup), either way:

    from flrts.jobs import registry

    registry.register("daily", "flrts.reports.daily.build")
    registry.register("cron", "flrts.ops.backup.run", cron="30 2 * * *")

    @registry.scheduled("hourly_long")
    def rebuild_search_index() -> None: ...

Events: `all` (every scheduler tick, `scheduler_interval` seconds, default 60), `hourly`,
`daily`, `weekly`, `monthly`, `yearly`, `cron` (with `cron=`), and `hourly_long`, `daily_long`,
`weekly_long`, `monthly_long` (same cadence, on the long queue). Cron expressions and the
daily/weekly/monthly boundaries are read in the site's time zone (`time_zone`). `second` is
FLRTS's own: checks the scheduler runs inline every second (reminders).

`scheduler_events()` returns the registry as Frappe's dict; `sync_scheduled_jobs()` (run after
every migrate and when the scheduler starts) makes one ScheduledJob row per entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from croniter import croniter

from flrts.jobs.queue import method_path

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


_REGISTRY: dict[str, Entry] = {}

F = TypeVar("F", bound=Callable[..., Any])


def register(event: str, method: str | Callable[..., Any], *, cron: str = "") -> Entry:
    """Add (or replace) the scheduled job `method` under `event`."""
    if event not in EVENTS:
        raise ValueError(f"unknown scheduler event {event!r}; use one of {sorted(EVENTS)}")
    if event == "cron":
        if not cron or not croniter.is_valid(cron):
            raise ValueError(f"event 'cron' needs a valid cron expression, got {cron!r}")
    elif cron:
        raise ValueError("cron= is only for the 'cron' event")
    frequency, _, long = event.partition("_")
    path = method_path(method)
    entry = Entry(
        method=path,
        frequency=frequency,
        cron=cron or CRON_MAP.get(frequency, ""),
        queue="long" if long else "default",
    )
    _REGISTRY[path] = entry
    return entry


def scheduled(event: str, *, cron: str = "") -> Callable[[F], F]:
    """Decorator form of `register`."""

    def wrap(func: F) -> F:
        register(event, func, cron=cron)
        return func

    return wrap


def unregister(method: str | Callable[..., Any]) -> None:
    _REGISTRY.pop(method_path(method), None)


def entries() -> list[Entry]:
    return sorted(_REGISTRY.values(), key=lambda e: e.method)


def scheduler_events() -> dict[str, Any]:
    """The registry as Frappe writes it in hooks.py."""
    out: dict[str, Any] = {}
    for entry in entries():
        if entry.frequency == "cron":
            out.setdefault("cron", {}).setdefault(entry.cron, []).append(entry.method)
        else:
            key = entry.frequency + ("_long" if entry.queue == "long" else "")
            out.setdefault(key, []).append(entry.method)
    return out


def sync_scheduled_jobs() -> None:
    """One ScheduledJob row per registry entry; rows no longer registered are marked so."""
    from flrts.jobs.models import ScheduledJob

    seen = []
    for entry in entries():
        row, created = ScheduledJob.objects.get_or_create(
            method=entry.method,
            defaults={"frequency": entry.frequency, "cron": entry.cron, "queue": entry.queue},
        )
        changed = (row.frequency, row.cron, row.queue, row.in_registry) != (
            entry.frequency,
            entry.cron,
            entry.queue,
            True,
        )
        if not created and changed:
            row.frequency, row.cron, row.queue, row.in_registry = (
                entry.frequency,
                entry.cron,
                entry.queue,
                True,
            )
            row.save(update_fields=["frequency", "cron", "queue", "in_registry"])
        seen.append(entry.method)
    ScheduledJob.objects.exclude(method__in=seen).update(in_registry=False)
