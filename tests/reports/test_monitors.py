"""Monitors: each condition raises one alert (Telegram and email to the Admins), stays quiet while
it lasts, and sends one recovery message when it clears."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from tests.reports.conftest import local

from flrts.reports.models import MonitorSettings, MonitorState
from flrts.reports.monitors import run

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)
NOW = local(DAY, 18)
ADMIN_CHAT = 501  # Alice, the Admin in the `people` fixture


class Inbox:
    """What the Admins received: Telegram texts at the fake server and emails."""

    def __init__(self, fake: Any) -> None:
        self.fake = fake

    def telegram(self) -> list[str]:
        return self.fake.sent_texts(chat_id=ADMIN_CHAT)

    def subjects(self) -> list[str]:
        return [m.subject for m in mail.outbox]


@pytest.fixture
def inbox(people: Any, bot_config: Any) -> Inbox:
    mail.outbox.clear()
    return Inbox(bot_config)


def _cycle(
    inbox: Inbox,
    key: str,
    trigger: Callable[[], Any],
    clear: Callable[[], Any],
    alert_text: str,
    recovery_text: str,
    *,
    now: dt.datetime = NOW,
    later: dt.datetime | None = None,
) -> None:
    assert run(key, now).startswith(f"{key}: ok") or "not judged" in run(key, now)
    assert inbox.telegram() == [] and mail.outbox == []
    trigger()
    assert run(key, now).startswith(f"{key}: ALERT sent")
    assert len(inbox.telegram()) == 1 and alert_text in inbox.telegram()[0]
    assert len(mail.outbox) == 1 and alert_text in mail.outbox[0].subject
    assert mail.outbox[0].to == ["alice@example.com"]
    # Still wrong: no second message.
    assert run(key, now).startswith(f"{key}: still alerting")
    assert len(inbox.telegram()) == 1 and len(mail.outbox) == 1
    state = MonitorState.objects.get(key=key)
    assert state.alerting and state.alerts_sent == 1
    clear()
    assert run(key, later or now).startswith(f"{key}: RECOVERED")
    assert len(inbox.telegram()) == 2 and recovery_text in inbox.telegram()[1]
    assert len(mail.outbox) == 2 and recovery_text in mail.outbox[1].subject
    assert run(key, later or now).startswith(f"{key}: ok")
    assert len(inbox.telegram()) == 2 and len(mail.outbox) == 2
    assert not MonitorState.objects.get(key=key).alerting


def test_parser_success_rate(inbox: Inbox, make_log: Any) -> None:
    from flrts.nlp.models import ParserLog

    make_log(local(DAY, 10), "Accepted")

    def trigger() -> None:
        for hour in (11, 12, 13):
            make_log(local(DAY, hour), "Rejected")  # 1 of 4 accepted: 25 %

    def clear() -> None:
        ParserLog.objects.filter(user_accepted="Rejected").update(user_accepted="Accepted")

    _cycle(inbox, "parser_success_rate", trigger, clear,
           "Parser Success Rate Alert: 25.0%", "parser success rate back to 100.0%")  # fmt: skip
    assert "1 accepted, 3 rejected, 0 pending" in inbox.telegram()[0]


def test_parser_success_rate_not_judged_without_reviews(inbox: Inbox, make_log: Any) -> None:
    make_log(local(DAY, 10), "Pending")
    assert "not judged" in run("parser_success_rate", NOW)
    assert inbox.telegram() == [] and mail.outbox == []


def test_threshold_comes_from_the_settings(inbox: Inbox, make_log: Any) -> None:
    make_log(local(DAY, 10), "Accepted")
    make_log(local(DAY, 11), "Rejected")  # 50 %
    row = MonitorSettings.load()
    row.success_rate_threshold = Decimal("40")
    row.save()
    assert run("parser_success_rate", NOW).startswith("parser_success_rate: ok")
    row.success_rate_threshold = Decimal("60")
    row.save()
    assert "ALERT" in run("parser_success_rate", NOW)


def test_openai_cost_daily_budget(inbox: Inbox, make_log: Any) -> None:
    from flrts.nlp.models import ParserLog

    make_log(local(DAY, 9), model_name="gpt-4o", estimated_cost_usd=Decimal("0.50"))

    def trigger() -> None:
        make_log(local(DAY, 10), model_name="gpt-4o", estimated_cost_usd=Decimal("11.25"))

    def clear() -> None:
        ParserLog.objects.filter(estimated_cost_usd=Decimal("11.25")).delete()

    _cycle(inbox, "openai_cost", trigger, clear,
           "OpenAI Cost Alert: $11.75 today", "OpenAI cost back within budget")  # fmt: skip


def test_openai_cost_monthly_projection(inbox: Inbox, make_log: Any) -> None:
    # $9 on each of the first days: under $10 a day, but 9 x 31 = $279 ... plus today's $9:
    # month so far $90 over 10 days -> $279 projected: under $300. Add $30 earlier in the
    # month: $120 / 10 x 31 = $372 > $300.
    for day in range(1, 11):
        make_log(local(dt.date(2026, 3, day), 9), model_name="gpt-4o",
                 estimated_cost_usd=Decimal("9"))  # fmt: skip
    assert run("openai_cost", NOW).startswith("openai_cost: ok")
    extra = make_log(local(dt.date(2026, 3, 2), 10), model_name="gpt-4o",
                     estimated_cost_usd=Decimal("30"))  # fmt: skip
    result = run("openai_cost", NOW)
    assert "ALERT" in result and "projected $372.00" in result
    extra.delete()
    assert "RECOVERED" in run("openai_cost", NOW)


def test_failed_jobs(inbox: Inbox) -> None:
    from flrts.jobs.models import Job

    def trigger() -> None:
        Job.objects.create(method="flrts.x.broken", status="failed",
                           finished_at=NOW - dt.timedelta(minutes=5))  # fmt: skip

    _cycle(inbox, "failed_jobs", trigger, lambda: None,
           "1 background jobs failed", "FLRTS jobs run again",
           later=NOW + dt.timedelta(hours=2))  # fmt: skip
    assert "flrts.x.broken" in inbox.telegram()[0]


def test_stalled_queue(inbox: Inbox, make_update: Any) -> None:
    from flrts.jobs.models import Job

    def trigger() -> Any:
        Job.objects.create(method="flrts.x.slow", status="queued",
                           enqueued_at=NOW - dt.timedelta(minutes=30))  # fmt: skip
        make_update(NOW - dt.timedelta(minutes=20), status="received")

    def clear() -> None:
        Job.objects.update(status="finished")
        from flrts.telegram.models import TelegramUpdate

        TelegramUpdate.objects.update(status="done")

    _cycle(inbox, "stalled_queue", trigger, clear,
           "queue is stalled", "queue moves again")  # fmt: skip
    assert "1 jobs waiting over 15 min (oldest 30 min)" in inbox.telegram()[0]
    assert "1 Telegram updates not processed" in inbox.telegram()[0]


def test_a_job_scheduled_for_later_is_not_stalled(inbox: Inbox) -> None:
    from flrts.jobs.models import Job

    Job.objects.create(method="flrts.x.later", status="queued",
                       enqueued_at=NOW - dt.timedelta(hours=3),
                       run_after=NOW + dt.timedelta(hours=1))  # fmt: skip
    assert run("stalled_queue", NOW).startswith("stalled_queue: ok")


def test_scheduler_not_ticking(inbox: Inbox) -> None:
    from django.utils import timezone

    from flrts.jobs.models import SchedulerState

    now = timezone.now()
    state = SchedulerState.objects.create(
        name="scheduler", holder="host:1:abc", expires_at=now + dt.timedelta(seconds=10)
    )

    def trigger() -> None:
        SchedulerState.objects.filter(pk=state.pk).update(expires_at=now - dt.timedelta(minutes=9))

    def clear() -> None:
        SchedulerState.objects.filter(pk=state.pk).update(expires_at=now + dt.timedelta(seconds=5))

    _cycle(inbox, "scheduler", trigger, clear,
           "scheduler is not ticking", "scheduler ticks again", now=now)  # fmt: skip
    assert "last tick 9 min ago (limit 5 min)" in inbox.telegram()[0]


def test_scheduler_never_ran_or_paused(inbox: Inbox) -> None:
    from flrts.jobs.locks import set_paused

    assert "no scheduler tick recorded" in run("scheduler", NOW)
    MonitorState.objects.all().delete()
    mail.outbox.clear()
    set_paused(True)
    assert "the scheduler is paused" in run("scheduler", NOW)


def test_webhook_errors(inbox: Inbox, make_update: Any) -> None:
    def trigger() -> None:
        for minutes in (5, 10, 15):
            make_update(NOW - dt.timedelta(minutes=minutes), status="failed", error="KeyError: x")

    _cycle(inbox, "webhook_errors", trigger, lambda: None,
           "Telegram webhook errors: 3", "Telegram updates are processed again",
           later=NOW + dt.timedelta(hours=2))  # fmt: skip
    assert "last error: KeyError: x" in inbox.telegram()[0]


def test_extra_alert_emails_and_command(inbox: Inbox, capsys: Any) -> None:
    row = MonitorSettings.load()
    row.alert_emails = "ops@example.com; alice@example.com"
    row.save()
    call_command("report", "monitors", "scheduler")
    assert "scheduler: ALERT sent" in capsys.readouterr().out
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "ops@example.com"]


def test_command_rejects_unknown_monitor(db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="unknown monitor nope"):
        call_command("report", "monitors", "nope")


def test_monitors_are_scheduled() -> None:
    from flrts.jobs import registry

    crons = {e.method: e.cron for e in registry.entries()}
    assert crons["flrts.reports.monitors.check_parser_success_rate"] == "0 9 * * *"
    assert crons["flrts.reports.monitors.check_openai_cost"] == "0 18 * * *"
    assert crons["flrts.reports.monitors.check_system"] == "*/5 * * * *"
