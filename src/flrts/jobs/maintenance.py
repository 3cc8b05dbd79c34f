"""Scheduled housekeeping: Telegram webhook health (hourly) and cleanup by retention (daily)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("flrts.jobs")

PENDING_ALERT = 100  # pending updates at Telegram that mean our webhook is not keeping up


def check_telegram_webhook() -> str:
    """getWebhookInfo; alert Admins on a backlog or a recent error; re-register if lost."""
    from flrts.telegram.config import bot_settings, get_client

    config = bot_settings()
    if not config.configured:
        return "telegram_bot_token is not configured; nothing to check"
    client = get_client(config)
    info = client.get_webhook_info()
    problems = []
    wanted = str(settings.SITE.get("telegram_webhook_url", "") or "")
    if not info.url and wanted:
        client.set_webhook(wanted, secret_token=config.webhook_secret or None)
        problems.append("the webhook was not set at Telegram; it has been registered again")
    threshold = settings.SITE.get_int("telegram_pending_alert", PENDING_ALERT, minimum=1)
    if info.pending_update_count >= threshold:
        problems.append(f"{info.pending_update_count} updates are waiting at Telegram")
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    if info.last_error_message and info.last_error_date and info.last_error_date > hour_ago:
        problems.append(f"Telegram's last delivery error: {info.last_error_message}")
    if problems:
        _alert_admins("Telegram webhook needs attention", problems)
        return "; ".join(problems)
    return f"webhook ok ({info.pending_update_count} pending)"


def _alert_admins(subject: str, problems: list[str]) -> None:
    from flrts.notify.service import Message, notify
    from flrts.people.models import User

    text = f"⚠️ {subject}\n" + "\n".join(f"• {p}" for p in problems)
    hour = timezone.now().strftime("%Y-%m-%dT%H")
    for admin in User.objects.filter(is_active=True, role="Admin"):
        notify(
            admin,
            "alert",
            Message(text, subject=subject),
            once_key=f"alert:{subject}:{hour}:{admin.pk}",
        )


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
