"""Scheduled housekeeping: cleanup by retention (daily)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from flrts.jobs.registry import scheduled

logger = logging.getLogger("flrts.jobs")


@dataclass(frozen=True)
class Retention:
    model: str  # app_label.ModelName; skipped when that app is not installed
    date_field: str
    config_key: str
    default_days: int
    extra: dict[str, object] | None = None


RETENTION: list[Retention] = [
    Retention(
        "jobs.Job", "enqueued_at", "retention_jobs_days", 30, {"status__in": ["finished", "failed"]}
    ),
    Retention("jobs.ScheduledRun", "created", "retention_jobs_days", 30),
    Retention("django_tasks_db.DBTaskResult", "finished_at", "retention_jobs_days", 30),
    Retention(
        "reminders.ReminderDelivery",
        "creation",
        "retention_deliveries_days",
        90,
        {"status__in": ["sent", "skipped", "failed"]},
    ),
    Retention("notify.Notification", "creation", "retention_notifications_days", 90),
    Retention("telegram.TelegramUpdate", "received_at", "retention_telegram_updates_days", 30),
    Retention("telegram.OutboxMessage", "creation", "retention_telegram_outbox_days", 30),
    Retention("nlp.ParserLog", "creation", "retention_parser_logs_days", 180),
    Retention("core.ErrorLog", "creation", "retention_error_logs_days", 90),
]


def register_retention(rule: Retention) -> None:
    """Other apps add their own rows to clean up (e.g. the backup index)."""
    RETENTION[:] = [r for r in RETENTION if r.model != rule.model] + [rule]


@scheduled("daily_long")
def cleanup(now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    done = []
    for rule in RETENTION:
        try:
            model = apps.get_model(rule.model)
        except (LookupError, ValueError):
            continue
        days = settings.SITE.get_int(rule.config_key, rule.default_days, minimum=1)
        cutoff = now - dt.timedelta(days=days)
        qs = model._default_manager.filter(
            **{f"{rule.date_field}__lt": cutoff, **(rule.extra or {})}
        )
        deleted, _ = qs.delete()
        if deleted:
            done.append(f"{rule.model}: {deleted}")
    return "deleted " + (", ".join(done) if done else "nothing")
