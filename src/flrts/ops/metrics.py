"""Prometheus text exposition, written by hand (the format is small).

Request counters and latency histograms are counted in each process's memory and shared through
files, in the spirit of prometheus_client's multiprocess mode: every process that served a
request writes a snapshot of its own numbers to `<site>/logs/metrics/<pid>.json` (atomically,
at most about once a second while it has new numbers, from a small background thread, and when
it exits). `/metrics` first writes its own process's snapshot, then adds up every snapshot in the
folder, so a scrape shows the same numbers whichever gunicorn worker answers it. Snapshots of
workers that have exited stay counted, so counters never go backwards while the service runs;
the folder is emptied when the web tier starts (`flrts.ops.gunicorn_conf.on_starting`), which
Prometheus sees as a counter reset. A damaged snapshot is skipped.

Everything else is read from the database at scrape time, so every process reports the same
numbers.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flrts.sites import Site

log = logging.getLogger(__name__)

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
FLUSH_INTERVAL = 1.0  # seconds between two snapshot writes of one process, at most
SNAPSHOT_FORMAT = 1
SNAPSHOT_MAX_BYTES = 16 * 1024 * 1024  # a bigger file is not one of ours: skipped


def _labels(labels: dict[str, Any]) -> str:
    if not labels:
        return ""

    def esc(v: Any) -> str:
        return str(v).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')

    return "{" + ",".join(f'{k}="{esc(v)}"' for k, v in labels.items()) + "}"


# -- request numbers, shared between processes through snapshot files


def site_snapshot_dir(site: Site) -> Path:
    """Where the processes of a site put their snapshots: under logs/, which no URL serves."""
    return site.logs / "metrics"


def snapshot_dir() -> Path:
    from django.conf import settings

    override = getattr(settings, "METRICS_SNAPSHOT_DIR", None)  # tests
    return Path(override) if override else site_snapshot_dir(settings.SITE)


def clear_snapshots(folder: Path) -> int:
    """Delete every snapshot (and leftover temporary file) in `folder`; return how many."""
    removed = 0
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return 0
    for entry in entries:
        if entry.is_file() or entry.is_symlink():
            entry.unlink(missing_ok=True)
            removed += 1
    return removed


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_seconds(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


@dataclass
class Totals:
    """Request counts by (route, method, status); latency buckets, sum and count by
    (route, method). Bucket counts are cumulative, as Prometheus wants them."""

    counts: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    buckets: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    sums: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    totals: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.counts[(route, method, str(status))] += 1
        key = (route, method)
        hist = self.buckets.setdefault(key, [0] * len(BUCKETS))
        for i, bound in enumerate(BUCKETS):
            if seconds <= bound:
                hist[i] += 1
        self.sums[key] += seconds
        self.totals[key] += 1

    def add(self, other: Totals) -> None:
        for ckey, n in other.counts.items():
            self.counts[ckey] += n
        for key, hist in other.buckets.items():
            mine = self.buckets.setdefault(key, [0] * len(BUCKETS))
            for i, n in enumerate(hist):
                mine[i] += n
        for key, seconds in other.sums.items():
            self.sums[key] += seconds
        for key, n in other.totals.items():
            self.totals[key] += n

    def copy(self) -> Totals:
        out = Totals()
        out.add(self)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "format": SNAPSHOT_FORMAT,
            "buckets": list(BUCKETS),
            "requests": [[*ckey, n] for ckey, n in sorted(self.counts.items())],
            "latency": [
                [*key, hist, self.sums[key], self.totals[key]]
                for key, hist in sorted(self.buckets.items())
            ],
        }

    @classmethod
    def from_json(cls, data: Any) -> Totals:
        """The numbers of one snapshot; ValueError when it is not a whole, valid snapshot."""
        if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
            raise ValueError("not a snapshot of this format")
        if data.get("buckets") != list(BUCKETS):
            raise ValueError("histogram buckets differ from this version's")
        out = cls()
        requests, latency = data.get("requests"), data.get("latency")
        if not isinstance(requests, list) or not isinstance(latency, list):
            raise ValueError("requests or latency missing")
        for row in requests:
            if not (
                isinstance(row, list)
                and len(row) == 4
                and all(isinstance(v, str) for v in row[:3])
                and _is_count(row[3])
            ):
                raise ValueError(f"bad request row {row!r}")
            out.counts[(row[0], row[1], row[2])] += row[3]
        for row in latency:
            if not (
                isinstance(row, list)
                and len(row) == 5
                and all(isinstance(v, str) for v in row[:2])
                and isinstance(row[2], list)
                and len(row[2]) == len(BUCKETS)
                and all(_is_count(n) for n in row[2])
                and _is_seconds(row[3])
                and _is_count(row[4])
            ):
                raise ValueError(f"bad latency row {row!r}")
            key = (row[0], row[1])
            hist = out.buckets.setdefault(key, [0] * len(BUCKETS))
            for i, n in enumerate(row[2]):
                hist[i] += n
            out.sums[key] += float(row[3])
            out.totals[key] += row[4]
        return out

    def lines(self) -> Iterable[str]:
        yield "# HELP flrts_http_requests_total HTTP requests by route, method and status."
        yield "# TYPE flrts_http_requests_total counter"
        for (route, method, status), n in sorted(self.counts.items()):
            labels = _labels({"route": route, "method": method, "status": status})
            yield f"flrts_http_requests_total{labels} {n}"
        yield "# HELP flrts_http_request_duration_seconds Request latency by route."
        yield "# TYPE flrts_http_request_duration_seconds histogram"
        name = "flrts_http_request_duration_seconds"
        for (route, method), hist in sorted(self.buckets.items()):
            base = {"route": route, "method": method}
            for bound, n in zip(BUCKETS, hist, strict=True):
                yield f"{name}_bucket{_labels({**base, 'le': bound})} {n}"
            total = self.totals[(route, method)]
            yield f"{name}_bucket{_labels({**base, 'le': '+Inf'})} {total}"
            yield f"{name}_sum{_labels(base)} {self.sums[(route, method)]:.6f}"
            yield f"{name}_count{_labels(base)} {total}"


def read_snapshot(path: Path) -> Totals | None:
    """One snapshot file's numbers, or None when it is unreadable, partial or not ours."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(SNAPSHOT_MAX_BYTES + 1)
        if len(raw) > SNAPSHOT_MAX_BYTES:
            raise ValueError("too big")
        return Totals.from_json(json.loads(raw))
    except FileNotFoundError:
        return None  # deleted since it was listed
    except (OSError, ValueError, RecursionError) as exc:  # bad JSON or UTF-8 are ValueErrors
        log.warning("metrics: skipped the snapshot %s (%s)", path, exc)
        return None


def read_snapshots(folder: Path) -> Totals:
    """The sum of every snapshot in `folder` (none when there is no folder)."""
    out = Totals()
    try:
        paths = sorted(folder.glob("*.json"))
    except OSError:
        return out
    for path in paths:
        numbers = read_snapshot(path)
        if numbers is not None:
            out.add(numbers)
    return out


class RequestStats:
    """This process's request numbers, and the writer of its snapshot file.

    `observe` (every request) only updates memory under a lock and, the first time, starts the
    writer thread; the thread writes the snapshot when there is something new, at most once per
    FLUSH_INTERVAL. A process that finds a snapshot of its own pid (left by an earlier process
    that had the same pid) continues from those numbers, so they are not lost.
    """

    def __init__(self, folder: Path | None = None, interval: float = FLUSH_INTERVAL) -> None:
        self.folder = folder  # None: snapshot_dir(), looked up at each write
        self.interval = interval
        self._reset()

    def _reset(self) -> None:
        self._lock = threading.Lock()  # guards the numbers
        self._flush_lock = threading.Lock()  # one writer of the file at a time
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._live = Totals()
        self._bases: dict[Path, Totals] = {}  # per folder: what an earlier same-pid process left
        self._version = 0  # observations so far
        self._flushed: dict[Path, int] = {}  # per folder: _version at the last write (none: 0)
        self._warned = False  # a folder we cannot write to is logged once, not every second

    def after_fork(self) -> None:
        """In a forked child: new locks, no thread, no numbers (the parent's are its own)."""
        self._reset()

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self._live.observe(route, method, status, seconds)
            self._version += 1
            if self._thread is None:
                self._start_writer()
        if not self._wake.is_set():
            self._wake.set()

    def totals(self) -> Totals:
        """A copy of this process's numbers (without any same-pid predecessor's)."""
        with self._lock:
            return self._live.copy()

    def _start_writer(self) -> None:
        thread = threading.Thread(target=self._write_loop, name="flrts-metrics", daemon=True)
        self._thread = thread
        thread.start()
        atexit.register(self._flush_at_exit)

    def _write_loop(self) -> None:
        wake = self._wake
        while True:
            wake.wait()
            wake.clear()
            try:
                self.flush(only_if_changed=True)
            except Exception:  # never let the thread die: the next change tries again
                log.exception("metrics: writing the snapshot failed")
            time.sleep(self.interval)

    def _flush_at_exit(self) -> None:
        with contextlib.suppress(Exception):
            self.flush(only_if_changed=True)

    def flush(self, folder: Path | None = None, only_if_changed: bool = False) -> bool:
        """Write this process's snapshot to `folder/<pid>.json` (temporary file, then
        os.replace, so readers see the old or the new file, never half of one). Return False
        when it could not be written."""
        folder = folder or self.folder or snapshot_dir()
        with self._flush_lock:
            with self._lock:
                version = self._version
                if only_if_changed and self._flushed.get(folder, 0) == version:
                    return True
                numbers = self._live.copy()
            path = folder / f"{os.getpid()}.json"
            tmp = folder / f".{os.getpid()}.json.tmp"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                if folder not in self._bases:
                    self._bases[folder] = read_snapshot(path) or Totals()
                numbers.add(self._bases[folder])
                data = json.dumps(numbers.to_json(), separators=(",", ":")).encode()
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, path)
            except OSError as exc:
                level = logging.DEBUG if self._warned else logging.WARNING
                self._warned = True
                log.log(level, "metrics: could not write %s (%s)", path, exc)
                return False
            with self._lock:
                self._flushed[folder] = version
            return True

    def collect(self, folder: Path | None = None) -> Totals:
        """Every process's numbers: this process's snapshot is written first, then all are
        added up. Reading only files keeps each scrape's numbers at least as high as the last
        one's, whichever process answered either."""
        folder = folder or self.folder or snapshot_dir()
        if self.flush(folder):
            return read_snapshots(folder)
        # Our snapshot could not be written: count this process from memory instead.
        out = Totals()
        own = f"{os.getpid()}.json"
        with contextlib.suppress(OSError):
            for path in sorted(folder.glob("*.json")):
                if path.name != own:
                    numbers = read_snapshot(path)
                    if numbers is not None:
                        out.add(numbers)
        out.add(self.totals())
        out.add(self._bases.get(folder, Totals()))
        return out


REQUESTS = RequestStats()
os.register_at_fork(after_in_child=REQUESTS.after_fork)


def _family(
    name: str, kind: str, help_text: str, samples: Iterable[tuple[dict[str, Any], float]]
) -> list[str]:
    out = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    out += [f"{name}{_labels(labels)} {value:g}" for labels, value in samples]
    return out


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


def database_lines(now: dt.datetime) -> list[str]:
    from django.db.models import Sum

    # Not at the top: gunicorn's master imports this module before Django is set up.
    from flrts.nlp.models import ParserLog
    from flrts.ops.health import scheduler_state

    out: list[str] = []
    jobs = _grouped("jobs.Job", ["queue", "status"])
    out += _family(
        "flrts_jobs",
        "gauge",
        "Job rows by queue and state.",
        [({"queue": g["queue"], "state": g["status"]}, n) for g, n in jobs],
    )
    depth: dict[str, float] = defaultdict(float)
    for labels, n in jobs:
        if labels["status"] == "queued":
            depth[labels["queue"]] += n
    out += _family(
        "flrts_queue_depth",
        "gauge",
        "Jobs waiting per queue.",
        [({"queue": q}, n) for q, n in sorted(depth.items())],
    )
    state = scheduler_state(now)
    out += _family(
        "flrts_scheduler_lag_seconds",
        "gauge",
        "How far the most overdue scheduled job is behind.",
        [({}, state["lag_seconds"])],
    )
    out += _family(
        "flrts_scheduler_paused",
        "gauge",
        "1 when the scheduler is paused.",
        [({}, 1.0 if state["paused"] else 0.0)],
    )
    out += _family(
        "flrts_scheduler_leader",
        "gauge",
        "1 when a scheduler holds the lease.",
        [({}, 1.0 if state["leader"] else 0.0)],
    )
    deliveries = _grouped("reminders.ReminderDelivery", ["status", "late"])
    out += _family(
        "flrts_reminder_deliveries",
        "gauge",
        "Reminder deliveries by status and lateness (kept rows).",
        [({"status": g["status"], "late": str(bool(g["late"])).lower()}, n) for g, n in deliveries],
    )
    updates = _grouped("telegram.TelegramUpdate", ["status"])
    out += _family("flrts_telegram_updates", "gauge", "Stored Telegram updates by status.", updates)
    parses = []
    for labels, n in _grouped("nlp.ParserLog", ["parser", "error_occurred", "user_accepted"]):
        outcome = (
            "error" if labels["error_occurred"] else (labels["user_accepted"] or "pending").lower()
        )
        parses.append(({"parser": labels["parser"] or "unknown", "outcome": outcome}, n))
    out += _family(
        "flrts_parses", "gauge", "Parses by parser and outcome (kept Parser Log rows).", parses
    )
    usage = (
        ParserLog.objects.values("model_name")
        .annotate(tokens=Sum("total_tokens"), cost=Sum("estimated_cost_usd"))
        .order_by("model_name")
    )
    out += _family(
        "flrts_llm_tokens",
        "gauge",
        "LLM tokens by model (kept Parser Log rows).",
        [({"model": u["model_name"] or "none"}, float(u["tokens"] or 0)) for u in usage],
    )
    out += _family(
        "flrts_llm_cost_usd",
        "gauge",
        "Estimated LLM cost in USD by model.",
        [({"model": u["model_name"] or "none"}, float(u["cost"] or 0)) for u in usage],
    )
    return out


def backup_lines(now: dt.datetime) -> list[str]:
    from flrts.ops.backup.take import latest_backup

    latest = latest_backup()
    if latest is None:
        return _family(
            "flrts_backup_present", "gauge", "1 when a finished backup exists.", [({}, 0.0)]
        )
    age = (now - dt.datetime.fromisoformat(latest.taken_at)).total_seconds()
    return (
        _family("flrts_backup_present", "gauge", "1 when a finished backup exists.", [({}, 1.0)])
        + _family("flrts_backup_age_seconds", "gauge", "Age of the latest backup.", [({}, age)])
        + _family(
            "flrts_backup_size_bytes",
            "gauge",
            "Size of the latest backup set.",
            [({}, float(latest.total_size))],
        )
        + _family(
            "flrts_backup_duration_seconds",
            "gauge",
            "How long the latest backup took.",
            [({}, latest.duration_seconds)],
        )
    )


def render(now: dt.datetime) -> str:
    lines = list(REQUESTS.collect().lines())
    try:
        lines += database_lines(now)
        up = 1.0
    except Exception:  # the database is down: say so, keep the in-memory numbers
        up = 0.0
    lines += _family(
        "flrts_database_up", "gauge", "1 when the database answered this scrape.", [({}, up)]
    )
    try:
        lines += backup_lines(now)
    except Exception:
        pass
    lines += restart_lines()
    return "\n".join(lines) + "\n"


def restart_lines() -> list[str]:
    """Children `flrts start` restarted after they died (flrts.ops.supervisor)."""
    from django.conf import settings

    from flrts.ops.supervisor import read_restarts

    counts = read_restarts(settings.SITE.path)
    if not counts:
        return []
    return _family(
        "flrts_process_restarts_total",
        "counter",
        "Times flrts start restarted a process that died.",
        [({"process": name}, float(n)) for name, n in sorted(counts.items())],
    )
