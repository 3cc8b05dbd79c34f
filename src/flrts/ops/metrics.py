"""Prometheus text exposition, written by hand (the format is small).

Request counters and latency histograms live in this process's memory (each gunicorn worker has
its own; Prometheus sums them per instance when each worker is scraped — or, behind one port,
the numbers are per worker: see docs/operations.md). Everything else is read from the database
at scrape time, so every process reports the same numbers.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _labels(labels: dict[str, Any]) -> str:
    if not labels:
        return ""

    def esc(v: Any) -> str:
        return str(v).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')

    return "{" + ",".join(f'{k}="{esc(v)}"' for k, v in labels.items()) + "}"


class RequestStats:
    """Requests by route, method and status, with a latency histogram per route."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: dict[tuple[str, str, str], int] = defaultdict(int)
        self.buckets: dict[tuple[str, str], list[int]] = {}
        self.sums: dict[tuple[str, str], float] = defaultdict(float)
        self.totals: dict[tuple[str, str], int] = defaultdict(int)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.counts[(route, method, str(status))] += 1
            key = (route, method)
            hist = self.buckets.setdefault(key, [0] * len(BUCKETS))
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    hist[i] += 1
            self.sums[key] += seconds
            self.totals[key] += 1

    def lines(self) -> Iterable[str]:
        with self._lock:
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


REQUESTS = RequestStats()


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
    from flrts.ops.backup import latest_backup

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
    lines = list(REQUESTS.lines())
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
    return "\n".join(lines) + "\n"
