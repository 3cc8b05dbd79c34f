"""`/metrics` with prometheus_client: request counters and latency histograms in its
multiprocess mode (made for gunicorn), everything else read from the database at scrape time.

Every process that serves requests counts them in memory-mapped files of its own in the site's
`logs/metrics/` folder (`PROMETHEUS_MULTIPROC_DIR`, not served over HTTP); a scrape adds up every
file in the folder, so every gunicorn worker shows the same numbers. Files of workers that have
exited stay counted (counters never go backwards while the service runs); gunicorn's `child_exit`
calls `mark_process_dead`, and the folder is emptied when the web tier starts
(`flrts.ops.gunicorn_conf.on_starting`), which Prometheus sees as a counter reset. A damaged file
is skipped and logged.

The folder must be known before prometheus_client makes its first value: `flrts start` exports
it for gunicorn; any other process (runserver, tests) gets its site's folder here, at import.
"""

from __future__ import annotations

import datetime as dt
import glob
import logging
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from flrts.ops.metrics_folder import ENV, clear_folder, site_metrics_dir

log = logging.getLogger(__name__)

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def multiproc_dir() -> Path:
    """This process's folder: the environment's (gunicorn, set by `flrts start`), else the
    site's, exported so that prometheus_client and child processes use it too."""
    given = os.environ.get(ENV)
    if given:
        return Path(given)
    # Only here: a process given a folder (gunicorn's workers) needs no settings for it.
    from django.conf import settings

    folder = site_metrics_dir(settings.SITE)
    os.environ[ENV] = str(folder)
    return folder


_FOLDER = multiproc_dir()
try:
    _FOLDER.mkdir(parents=True, exist_ok=True)
except OSError as exc:  # observe() then counts nothing and says so once; requests still work
    log.warning("metrics: cannot create %s (%s)", _FOLDER, exc)
_WARNED: list[bool] = []

# Imported once the folder is in the environment: prometheus_client picks its value class (per
# process, memory-mapped files) at import. If something imported it earlier, switch it here.
from prometheus_client import values as _values  # noqa: E402

if not getattr(_values.ValueClass, "_multiprocess", False):
    _values.ValueClass = _values.MultiProcessValue()

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest  # noqa: E402
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric  # noqa: E402
from prometheus_client.multiprocess import MultiProcessCollector  # noqa: E402

# registry=None: the values live in the folder's files; a scrape reads them from there.
_REQUESTS = Counter(
    "flrts_http_requests",
    "HTTP requests by route, method and status.",
    ["route", "method", "status"],
    registry=None,
)
_LATENCY = Histogram(
    "flrts_http_request_duration_seconds",
    "Request latency by route.",
    ["route", "method"],
    buckets=BUCKETS,
    registry=None,
)


def observe(route: str, method: str, status: int, seconds: float) -> None:
    """Count one request of this process (a folder it cannot write to is logged once: the
    request itself never fails over metrics)."""
    try:
        _REQUESTS.labels(route, method, str(status)).inc()
        _LATENCY.labels(route, method).observe(seconds)
    except OSError as exc:
        if not _WARNED:
            _WARNED.append(True)
            log.warning("metrics: cannot count requests in %s (%s)", multiproc_dir(), exc)


class FolderCollector:
    """Every process's request numbers, added up from the folder's files; a file that cannot
    be read (cut short, not ours) is skipped and logged instead of failing the scrape."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def collect(self) -> Iterable[Metric]:
        files = sorted(glob.glob(os.path.join(self.folder, "*.db")))
        try:
            return MultiProcessCollector.merge(files, accumulate=True)
        except Exception:  # find the bad ones, keep the rest
            good = []
            for path in files:
                try:
                    MultiProcessCollector.merge([path], accumulate=True)
                except Exception as exc:
                    log.warning("metrics: skipped the file %s (%s)", path, exc)
                else:
                    good.append(path)
            return MultiProcessCollector.merge(good, accumulate=True)


def request_text(folder: Path | None = None) -> str:
    """The request counters and histograms of every process, in the text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FolderCollector(folder or multiproc_dir()))
    return generate_latest(registry).decode()


def _gauge(
    name: str, help_text: str, labels: list[str], samples: Iterable[tuple[dict[str, Any], float]]
) -> Metric:
    family = GaugeMetricFamily(name, help_text, labels=labels)
    for values, value in samples:
        family.add_metric([str(values[k]) for k in labels], float(value))
    return family


def _grouped(
    model_path: str, fields: list[str], **filters: Any
) -> list[tuple[dict[str, Any], float]]:
    from django.apps import apps
    from django.db.models import Count

    try:
        model = apps.get_model(model_path)
    except LookupError:
        return []
    rows = (
        model._default_manager.filter(**filters)
        .values(*fields)
        .annotate(n=Count("pk"))
        .order_by(*fields)
    )
    return [({f: row[f] for f in fields}, row["n"]) for row in rows]


def database_metrics(now: dt.datetime) -> list[Metric]:
    from django.db.models import Sum

    # Not at the top: the models need Django's apps ready, and the middleware imports this
    # module while they are still loading.
    from flrts.nlp.models import ParserLog
    from flrts.ops.health import scheduler_state

    out: list[Metric] = []
    jobs = _grouped("jobs.Job", ["queue", "status"])
    out.append(
        _gauge(
            "flrts_jobs",
            "Job rows by queue and state.",
            ["queue", "state"],
            [({"queue": g["queue"], "state": g["status"]}, n) for g, n in jobs],
        )
    )
    depth: dict[str, float] = defaultdict(float)
    for labels, n in jobs:
        if labels["status"] == "queued":
            depth[labels["queue"]] += n
    out.append(
        _gauge(
            "flrts_queue_depth",
            "Jobs waiting per queue.",
            ["queue"],
            [({"queue": q}, n) for q, n in sorted(depth.items())],
        )
    )
    state = scheduler_state(now)
    out.append(
        _gauge(
            "flrts_scheduler_lag_seconds",
            "How far the most overdue scheduled job is behind.",
            [],
            [({}, state["lag_seconds"])],
        )
    )
    out.append(
        _gauge(
            "flrts_scheduler_paused",
            "1 when the scheduler is paused.",
            [],
            [({}, 1.0 if state["paused"] else 0.0)],
        )
    )
    out.append(
        _gauge(
            "flrts_scheduler_leader",
            "1 when a scheduler holds the lease.",
            [],
            [({}, 1.0 if state["leader"] else 0.0)],
        )
    )
    deliveries = _grouped("reminders.ReminderDelivery", ["status", "late"])
    out.append(
        _gauge(
            "flrts_reminder_deliveries",
            "Reminder deliveries by status and lateness (kept rows).",
            ["status", "late"],
            [
                ({"status": g["status"], "late": str(bool(g["late"])).lower()}, n)
                for g, n in deliveries
            ],
        )
    )
    updates = _grouped("telegram.TelegramUpdate", ["status"])
    out.append(
        _gauge("flrts_telegram_updates", "Stored Telegram updates by status.", ["status"], updates)
    )
    parses = []
    for labels, n in _grouped("nlp.ParserLog", ["parser", "error_occurred", "user_accepted"]):
        outcome = (
            "error" if labels["error_occurred"] else (labels["user_accepted"] or "pending").lower()
        )
        parses.append(({"parser": labels["parser"] or "unknown", "outcome": outcome}, n))
    out.append(
        _gauge(
            "flrts_parses",
            "Parses by parser and outcome (kept Parser Log rows).",
            ["parser", "outcome"],
            parses,
        )
    )
    usage = list(
        ParserLog.objects.values("model_name")
        .annotate(tokens=Sum("total_tokens"), cost=Sum("estimated_cost_usd"))
        .order_by("model_name")
    )
    out.append(
        _gauge(
            "flrts_llm_tokens",
            "LLM tokens by model (kept Parser Log rows).",
            ["model"],
            [({"model": u["model_name"] or "none"}, float(u["tokens"] or 0)) for u in usage],
        )
    )
    out.append(
        _gauge(
            "flrts_llm_cost_usd",
            "Estimated LLM cost in USD by model.",
            ["model"],
            [({"model": u["model_name"] or "none"}, float(u["cost"] or 0)) for u in usage],
        )
    )
    return out


def backup_metrics(now: dt.datetime) -> list[Metric]:
    from flrts.ops.backup.take import latest_backup

    latest = latest_backup()
    present = "1 when a finished backup exists."
    if latest is None:
        return [_gauge("flrts_backup_present", present, [], [({}, 0.0)])]
    age = (now - dt.datetime.fromisoformat(latest.taken_at)).total_seconds()
    return [
        _gauge("flrts_backup_present", present, [], [({}, 1.0)]),
        _gauge("flrts_backup_age_seconds", "Age of the latest backup.", [], [({}, age)]),
        _gauge(
            "flrts_backup_size_bytes",
            "Size of the latest backup set.",
            [],
            [({}, float(latest.total_size))],
        ),
        _gauge(
            "flrts_backup_duration_seconds",
            "How long the latest backup took.",
            [],
            [({}, latest.duration_seconds)],
        ),
    ]


def restart_metrics() -> list[Metric]:
    """Children `flrts start` restarted after they died (flrts.ops.supervisor)."""
    from django.conf import settings

    from flrts.ops.supervisor import read_restarts

    counts = read_restarts(settings.SITE.path)
    if not counts:
        return []
    family = CounterMetricFamily(
        "flrts_process_restarts",
        "Times flrts start restarted a process that died.",
        labels=["process"],
    )
    for name, n in sorted(counts.items()):
        family.add_metric([name], float(n))
    return [family]


class ScrapeCollector:
    """The numbers read at scrape time: database, backups, restarts."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def collect(self) -> Iterator[Metric]:
        try:
            found = database_metrics(self.now)
            up = 1.0
        except Exception:  # the database is down: say so, keep the request numbers
            found, up = [], 0.0
        yield from found
        yield _gauge(
            "flrts_database_up", "1 when the database answered this scrape.", [], [({}, up)]
        )
        try:
            yield from backup_metrics(self.now)
        except Exception:
            log.debug("metrics: no backup numbers", exc_info=True)
        yield from restart_metrics()


def render(now: dt.datetime) -> str:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FolderCollector(multiproc_dir()))
    registry.register(ScrapeCollector(now))
    return generate_latest(registry).decode()


__all__ = ["ENV", "clear_folder", "multiproc_dir", "observe", "render", "request_text"]
__all__ += ["site_metrics_dir"]
