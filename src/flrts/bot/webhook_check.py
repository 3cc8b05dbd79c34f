"""The hourly check of the bot's webhook at Telegram (getWebhookInfo): alert the Admins on a
backlog or a recent delivery error, and register the webhook again if Telegram lost it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from flrts.jobs.registry import scheduled
from flrts.notify.service import Message, notify
from flrts.people.models import User
from flrts.telegram.config import bot_settings, get_client

PENDING_ALERT = 100  # pending updates at Telegram that mean our webhook is not keeping up


def bot_configured() -> bool:
    """Nothing to check at Telegram without a bot token (no Job row then)."""
    return bool(bot_settings().configured)


@scheduled("hourly", when=bot_configured)
def check_telegram_webhook() -> str:
    """getWebhookInfo; alert Admins on a backlog or a recent error; re-register if lost."""
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
    text = f"⚠️ {subject}\n" + "\n".join(f"• {p}" for p in problems)
    hour = timezone.now().strftime("%Y-%m-%dT%H")
    for admin in User.objects.filter(is_active=True, role="Admin"):
        notify(
            admin,
            "alert",
            Message(text, subject=subject),
            once_key=f"alert:{subject}:{hour}:{admin.pk}",
        )
