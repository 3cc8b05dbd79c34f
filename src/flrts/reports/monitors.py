"""Monitors: scheduled checks that tell the Admins, by Telegram and by email, when something is
wrong, once per condition, and once more when it clears.

- parser_success_rate (daily 09:00): Accepted / (Accepted + Rejected) over 24 h < threshold;
- openai_cost (daily 18:00): today's cost > daily budget, or the month's projection > budget;
- failed_jobs (every 5 min): at least N jobs failed in the window;
- stalled_queue (every 5 min): a job (or a Telegram update) due to run waited too long;
- scheduler (every 5 min, and observed from the desk): no tick for N minutes;
- webhook_errors (every 5 min): at least N Telegram updates failed in the window.

Thresholds: `MonitorSettings` (desk, Admins). State: `MonitorState`; the flip from ok to
alerting (and back) is one conditional UPDATE, so two processes checking at once send one
message. A check that cannot judge (nothing reviewed in 24 h) leaves the state as it is.

The scheduler cannot report its own death, so the desk home page (web process) also queues the
scheduler check for a worker at most every few minutes, and `flrts report monitors` runs every
check from a system cron if wanted.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from flrts.jobs.locks import is_paused
from flrts.jobs.models import Job, JobStatus
from flrts.jobs.queue import enqueue
from flrts.jobs.registry import job, scheduled
from flrts.nlp.models import ParserLog
from flrts.notify.team import alert
from flrts.ops.health import scheduler_last_tick
from flrts.people.models import User
from flrts.reports.models import MonitorSettings, MonitorState
from flrts.telegram.models import TelegramUpdate, UpdateStatus

logger = logging.getLogger("flrts.monitors")


@dataclass(frozen=True)
class Finding:
    alerting: bool
    detail: str  # one line: what the check saw
    headline: str = ""  # subject of the alert (or of the recovery)
    judged: bool = True  # False: not enough data to say; the state is left alone


@dataclass(frozen=True)
class Monitor:
    key: str
    title: str
    check: Callable[[MonitorSettings, dt.datetime], Finding]
    link: str


# -- the checks ---------------------------------------------------------------------------------


def parser_success_rate(cfg: MonitorSettings, now: dt.datetime) -> Finding:
    logs = ParserLog.objects.filter(
        archived=False, is_correction=False, request_timestamp__gte=now - dt.timedelta(hours=24)
    )
    counts = {"Accepted": 0, "Rejected": 0, "Pending": 0}
    for outcome in logs.values_list("user_accepted", flat=True).iterator():
        counts[outcome] = counts.get(outcome, 0) + 1
    accepted, rejected, pending = counts["Accepted"], counts["Rejected"], counts["Pending"]
    reviewed = accepted + rejected
    threshold = float(cfg.success_rate_threshold)
    tally = f"{accepted} accepted, {rejected} rejected, {pending} pending"
    if reviewed < max(1, cfg.success_rate_min_reviewed):
        return Finding(False, f"not judged: {reviewed} reviewed in 24 h ({tally})", judged=False)
    rate = accepted * 100.0 / reviewed
    detail = f"success rate {rate:.1f}% over 24 h ({tally}); threshold {threshold:.0f}%"
    if rate < threshold:
        return Finding(True, detail, f"🚨 FLRTS Parser Success Rate Alert: {rate:.1f}%")
    return Finding(False, detail, f"✅ FLRTS parser success rate back to {rate:.1f}%")


def openai_cost(cfg: MonitorSettings, now: dt.datetime) -> Finding:
    from flrts.reports.analytics import month_projection
    from flrts.reports.periods import day_start, local_date

    today = local_date(now)
    start_today = day_start(today)
    start_month = day_start(today.replace(day=1))
    month_rows = ParserLog.objects.filter(
        archived=False, request_timestamp__gte=start_month, request_timestamp__lt=now
    ).values_list("request_timestamp", "estimated_cost_usd")
    cost_today, month_cost, parses_today = Decimal(0), Decimal(0), 0
    for stamp, cost in month_rows.iterator():
        month_cost += cost or 0
        if stamp >= start_today:
            cost_today += cost or 0
            parses_today += 1
    projected = month_projection(month_cost, today)
    average = cost_today / parses_today if parses_today else Decimal(0)
    detail = (
        f"today ${cost_today:.2f} ({parses_today} parses, avg ${average:.4f}; daily budget "
        f"${cfg.daily_cost_budget:.2f}); month so far ${month_cost:.2f}, projected "
        f"${projected:.2f} (monthly budget ${cfg.monthly_cost_budget:.2f})"
    )
    over = cost_today > cfg.daily_cost_budget or projected > cfg.monthly_cost_budget
    if over:
        return Finding(
            True,
            detail + ". Tip: a smaller model (gpt-4o-mini) or the offline parser costs less.",
            f"💰 FLRTS OpenAI Cost Alert: ${cost_today:.2f} today",
        )
    return Finding(False, detail, "✅ FLRTS OpenAI cost back within budget")


def failed_jobs(cfg: MonitorSettings, now: dt.datetime) -> Finding:
    since = now - dt.timedelta(minutes=cfg.failed_jobs_window_minutes)
    failed = Job.objects.filter(status=JobStatus.FAILED, finished_at__gte=since)
    count = failed.count()
    names = sorted(set(failed.values_list("method", flat=True)[:20]))[:5]
    window = f"{cfg.failed_jobs_window_minutes} min"
    if count >= cfg.failed_jobs_threshold:
        return Finding(
            True,
            f"{count} jobs failed in the last {window}: {', '.join(names)}",
            f"🚨 FLRTS: {count} background jobs failed",
        )
    return Finding(False, f"{count} failed jobs in the last {window}", "✅ FLRTS jobs run again")


def stalled_queue(cfg: MonitorSettings, now: dt.datetime) -> Finding:
    cutoff = now - dt.timedelta(minutes=cfg.stalled_queue_minutes)
    waiting = Job.objects.filter(status=JobStatus.QUEUED).filter(
        Q(run_after__isnull=True, enqueued_at__lte=cutoff) | Q(run_after__lte=cutoff)
    )
    jobs = waiting.count()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    updates = TelegramUpdate.objects.filter(
        status=UpdateStatus.RECEIVED, received_at__lte=cutoff
    ).count()
    minutes = cfg.stalled_queue_minutes
    if jobs or updates:
        parts = []
        if jobs:
            age = int((now - oldest).total_seconds() // 60) if oldest else minutes
            parts.append(f"{jobs} jobs waiting over {minutes} min (oldest {age} min)")
        if updates:
            parts.append(f"{updates} Telegram updates not processed after {minutes} min")
        return Finding(
            True,
            "; ".join(parts) + ". Is a worker running?",
            "🚨 FLRTS queue is stalled",
        )
    return Finding(False, f"nothing waiting over {minutes} min", "✅ FLRTS queue moves again")


def scheduler(cfg: MonitorSettings, now: dt.datetime) -> Finding:
    last = scheduler_last_tick()
    limit = cfg.scheduler_stale_minutes
    if is_paused():
        return Finding(True, "the scheduler is paused", "🚨 FLRTS scheduler is paused")
    if last is None:
        return Finding(
            True,
            "no scheduler tick recorded: is `flrts start` running?",
            "🚨 FLRTS scheduler is not running",
        )
    age = (now - last).total_seconds() / 60
    if age > limit:
        return Finding(
            True,
            f"last tick {age:.0f} min ago (limit {limit} min)",
            "🚨 FLRTS scheduler is not ticking",
        )
    return Finding(False, f"last tick {age * 60:.0f} s ago", "✅ FLRTS scheduler ticks again")


def webhook_errors(cfg: MonitorSettings, now: dt.datetime) -> Finding:
    since = now - dt.timedelta(minutes=cfg.webhook_window_minutes)
    failed = TelegramUpdate.objects.filter(status=UpdateStatus.FAILED, received_at__gte=since)
    count = failed.count()
    window = f"{cfg.webhook_window_minutes} min"
    if count >= cfg.webhook_errors_threshold:
        sample = failed.exclude(error="").values_list("error", flat=True).first() or ""
        return Finding(
            True,
            f"{count} Telegram updates failed in the last {window}"
            + (f"; last error: {sample[:200]}" if sample else ""),
            f"🚨 FLRTS Telegram webhook errors: {count}",
        )
    return Finding(
        False,
        f"{count} failed Telegram updates in the last {window}",
        "✅ FLRTS Telegram updates are processed again",
    )


MONITORS: dict[str, Monitor] = {
    m.key: m
    for m in (
        Monitor(
            "parser_success_rate",
            "Parser success rate",
            parser_success_rate,
            "/desk/reports/parser-performance/",
        ),
        Monitor("openai_cost", "OpenAI cost", openai_cost, "/desk/reports/openai-cost/"),
        Monitor("failed_jobs", "Failed jobs", failed_jobs, "/desk/jobs/job/?status__exact=failed"),
        Monitor(
            "stalled_queue", "Stalled queue", stalled_queue, "/desk/jobs/job/?status__exact=queued"
        ),
        Monitor("scheduler", "Scheduler", scheduler, "/desk/jobs/scheduledjob/"),
        Monitor(
            "webhook_errors",
            "Telegram webhook errors",
            webhook_errors,
            "/desk/telegram/telegramupdate/?status__exact=failed",
        ),
    )
}
SYSTEM_CHECKS = ("failed_jobs", "stalled_queue", "scheduler", "webhook_errors")


# -- state and messages -------------------------------------------------------------------------


def _state(key: str) -> MonitorState:
    state = MonitorState.objects.filter(key=key).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            return MonitorState.objects.create(key=key)
    except IntegrityError:
        return MonitorState.objects.get(key=key)


def run(key: str, now: dt.datetime | None = None) -> str:
    """Run one monitor; returns what happened (alert sent, recovered, still alerting, ok)."""
    monitor = MONITORS[key]
    now = now or timezone.now()
    cfg = MonitorSettings.load()
    finding = monitor.check(cfg, now)
    state = _state(key)
    MonitorState.objects.filter(pk=state.pk).update(last_checked_at=now, detail=finding.detail)
    if not finding.judged:
        return f"{key}: not judged ({finding.detail})"
    if finding.alerting:
        flipped = MonitorState.objects.filter(pk=state.pk, alerting=False).update(
            alerting=True, since=now, last_alert_at=now, alerts_sent=F("alerts_sent") + 1
        )
        if flipped:
            _tell_admins(monitor, finding, recovered=False, since=now)
            return f"{key}: ALERT sent ({finding.detail})"
        return f"{key}: still alerting ({finding.detail})"
    flipped = MonitorState.objects.filter(pk=state.pk, alerting=True).update(
        alerting=False, last_recovery_at=now
    )
    if flipped:
        _tell_admins(monitor, finding, recovered=True, since=state.since)
        return f"{key}: RECOVERED ({finding.detail})"
    return f"{key}: ok ({finding.detail})"


def _base_url() -> str:
    return str(settings.SITE.get("host_name", "") or "").rstrip("/")


def _text(monitor: Monitor, finding: Finding, recovered: bool, since: Any) -> tuple[str, str]:
    link = _base_url() + monitor.link
    if recovered:
        subject = finding.headline or f"✅ FLRTS {monitor.title}: recovered"
        started = f" (alerting since {since:%Y-%m-%d %H:%M} UTC)" if since else ""
        body = f"{subject}\n{monitor.title} is back to normal{started}: {finding.detail}\n{link}"
    else:
        subject = finding.headline or f"🚨 FLRTS {monitor.title}"
        body = (
            f"{subject}\n{finding.detail}\n{link}\n"
            "You will get one message when this clears; no repeats until then."
        )
    return subject, body


def alert_recipients() -> tuple[list[Any], list[str]]:
    """Active Admins (Telegram and email), plus the extra addresses in Monitor Settings."""
    admins = list(
        User.objects.filter(is_active=True)
        .filter(Q(role="Admin") | Q(is_superuser=True))
        .order_by("pk")
    )
    emails = [a.email for a in admins if a.email]
    for extra in MonitorSettings.load().extra_emails():
        if extra.lower() not in (e.lower() for e in emails):
            emails.append(extra)
    return admins, emails


def _tell_admins(monitor: Monitor, finding: Finding, *, recovered: bool, since: Any) -> None:
    subject, body = _text(monitor, finding, recovered, since)
    admins, emails = alert_recipients()
    alert(admins, emails, subject, body, f"monitor {monitor.key}")
    logger.warning(
        "monitor %s: %s: %s", monitor.key, "recovered" if recovered else "ALERT", finding.detail
    )


# -- the scheduled entry points ----------------------------------------------------------------


@scheduled("cron", cron="0 9 * * *")
def check_parser_success_rate() -> str:
    return run("parser_success_rate")


@scheduled("cron", cron="0 18 * * *")
def check_openai_cost() -> str:
    return run("openai_cost")


def system_check_pending(now: dt.datetime | None = None) -> bool:
    """Could a system check alert or clear now? An alert to clear, a failed job or Telegram
    update in the window, or a job or update waiting too long: a few indexed queries, run by the
    scheduler, so an idle site writes no Job row every 5 minutes. (The scheduler check needs no
    query here: a scheduler running this is ticking, and a paused one does not run it.)"""
    now = now or timezone.now()
    if MonitorState.objects.filter(key__in=SYSTEM_CHECKS, alerting=True).exists():
        return True
    cfg = MonitorSettings.load()
    failed_since = now - dt.timedelta(minutes=cfg.failed_jobs_window_minutes)
    if Job.objects.filter(status=JobStatus.FAILED, finished_at__gte=failed_since).exists():
        return True
    cutoff = now - dt.timedelta(minutes=cfg.stalled_queue_minutes)
    if (
        Job.objects.filter(status=JobStatus.QUEUED)
        .filter(Q(run_after__isnull=True, enqueued_at__lte=cutoff) | Q(run_after__lte=cutoff))
        .exists()
    ):
        return True
    updates_since = now - dt.timedelta(minutes=cfg.webhook_window_minutes)
    updates = TelegramUpdate.objects.filter(
        Q(status=UpdateStatus.RECEIVED, received_at__lte=cutoff)
        | Q(status=UpdateStatus.FAILED, received_at__gte=updates_since)
    )
    return updates.exists()


# Failed jobs, stalled queue, scheduler, webhook errors: every 5 minutes when there is something
# to judge (see system_check_pending).
@scheduled("cron", cron="*/5 * * * *", when=system_check_pending)
def check_system() -> str:
    return "; ".join(run(key) for key in SYSTEM_CHECKS)


@job
def check_scheduler() -> str:
    return run("scheduler")


def run_all(keys: list[str] | None = None) -> list[str]:
    return [run(key) for key in (keys or list(MONITORS))]


OBSERVE_EVERY = dt.timedelta(minutes=5)


def observe_scheduler_from_web() -> None:
    """Called by the desk home: queue the scheduler check for a worker when the scheduler looks
    stale (at most every few minutes), so its death is noticed without it."""
    from django.core.cache import cache

    last = scheduler_last_tick()
    if last is None:
        return  # never ran here (a fresh site, tests): the scheduled check says so when it runs
    cfg = MonitorSettings.load()
    stale = timezone.now() - last > dt.timedelta(minutes=cfg.scheduler_stale_minutes)
    alerting = MonitorState.objects.filter(key="scheduler", alerting=True).exists()
    if stale == alerting:
        return  # nothing new to say
    if cache.add("flrts:monitors:scheduler-observed", 1, int(OBSERVE_EVERY.total_seconds())):
        try:
            enqueue(check_scheduler, queue="short")
        except Exception:
            logger.exception("could not queue the scheduler check")
