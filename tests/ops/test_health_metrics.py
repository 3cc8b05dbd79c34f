"""`/health` (200 / 503) and `/metrics` (content, access control)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.usefixtures("isolated_backups")


def alive_worker_and_scheduler() -> None:
    from flrts.jobs.locks import LOCK_NAME
    from flrts.jobs.models import SchedulerState, WorkerHeartbeat

    WorkerHeartbeat.objects.create(
        worker_id="w-test", backend="db", queues="default", pid=1, hostname="h"
    )
    SchedulerState.objects.update_or_create(
        name=LOCK_NAME,
        defaults={"holder": "h:1", "expires_at": timezone.now() + dt.timedelta(seconds=10)},
    )


@pytest.mark.django_db
def test_health_is_200_when_everything_is_up() -> None:
    alive_worker_and_scheduler()
    response = Client().get("/health")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    for name in ("database", "queue", "workers", "scheduler", "jobs", "disk", "backups"):
        assert name in body["checks"]
    assert body["checks"]["workers"]["alive"] == 1
    assert "free_bytes" in body["checks"]["disk"]
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_health_is_503_when_the_worker_stopped() -> None:
    from flrts.jobs.models import WorkerHeartbeat

    alive_worker_and_scheduler()
    WorkerHeartbeat.objects.update(last_seen=timezone.now() - dt.timedelta(minutes=10))
    response = Client().get("/health")
    assert response.status_code == 503
    assert response.json()["down"] == ["workers"]


@pytest.mark.django_db
def test_health_is_503_when_the_scheduler_is_not_running() -> None:
    from flrts.jobs.models import SchedulerState

    alive_worker_and_scheduler()
    SchedulerState.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = Client().get("/health")
    assert response.status_code == 503 and "scheduler" in response.json()["down"]


@pytest.mark.django_db
def test_metrics_from_localhost(people) -> None:
    from flrts.jobs.models import Job
    from flrts.nlp.models import ParserLog
    from flrts.ops.backup import take_backup

    Job.objects.create(method="x.y", queue="default", status="queued")
    Job.objects.create(method="x.y", queue="long", status="failed")
    ParserLog(
        original_message="hi",
        parser="llm:gpt-4o-mini",
        model_name="gpt-4o-mini",
        total_tokens=120,
        estimated_cost_usd=Decimal("0.0012"),
    ).save()
    take_backup()
    client = Client(REMOTE_ADDR="127.0.0.1")
    client.get("/health")
    client.post("/health")  # 405
    text = client.get("/metrics").content.decode()
    assert 'flrts_http_requests_total{route="/health",method="POST",status="405"} 1' in text
    assert (
        'flrts_http_request_duration_seconds_bucket{route="/health",method="GET",le="+Inf"}' in text
    )
    assert 'flrts_jobs{queue="long",state="failed"} 1' in text
    assert 'flrts_queue_depth{queue="default"} 1' in text
    assert "flrts_scheduler_lag_seconds" in text
    assert 'flrts_parses{parser="llm:gpt-4o-mini",outcome="pending"} 1' in text
    assert 'flrts_llm_tokens{model="gpt-4o-mini"} 120' in text
    assert 'flrts_llm_cost_usd{model="gpt-4o-mini"} 0.0012' in text
    assert "flrts_backup_age_seconds" in text and "flrts_backup_size_bytes" in text
    assert "flrts_reminder_deliveries" in text and "flrts_telegram_updates" in text
    for line in text.splitlines():  # every sample line is `name{labels} number`
        if line and not line.startswith("#"):
            float(line.rsplit(" ", 1)[1])


@pytest.mark.django_db
def test_metrics_access_control(settings) -> None:
    from flrts.sites import Site

    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 403
    # A client cannot claim to be local through X-Real-IP unless it comes through our proxy.
    assert (
        Client(REMOTE_ADDR="10.1.2.3").get("/metrics", HTTP_X_REAL_IP="127.0.0.1").status_code
        == 403
    )
    assert (
        Client(REMOTE_ADDR="127.0.0.1").get("/metrics", HTTP_X_REAL_IP="10.1.2.3").status_code
        == 403
    )
    site = settings.SITE
    settings.SITE = Site(
        site.name,
        site.path,
        {**site.config, "metrics_token": "s3cret-metrics-token", "metrics_allow": ["10.1.0.0/16"]},
    )
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    other = Client(REMOTE_ADDR="192.0.2.1")
    assert other.get("/metrics").status_code == 403
    assert other.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert (
        other.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token").status_code == 200
    )
