"""`/health` (200 / 503) and `/metrics` (content, access control, request numbers of every
process added up by prometheus_client's multiprocess mode, and the same from every gunicorn
worker)."""

from __future__ import annotations

import datetime as dt
import http.client
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from flrts.ops import metrics
from tests.ops.support import Started, clean_env

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
    from flrts.ops.backup.take import take_backup

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
    before = scrape()
    client.get("/health")
    client.post("/health")  # 405
    text = client.get("/metrics").content.decode()
    after = samples(text)
    posted = key("flrts_http_requests_total", route="/health", method="POST", status="405")
    assert after[posted] - before.get(posted, 0) == 1
    inf = key(
        "flrts_http_request_duration_seconds_bucket", route="/health", method="GET", le="+Inf"
    )
    assert after[inf] >= 1
    assert after[key("flrts_jobs", queue="long", state="failed")] == 1
    assert after[key("flrts_queue_depth", queue="default")] == 1
    assert "flrts_scheduler_lag_seconds" in text
    assert after[key("flrts_parses", parser="llm:gpt-4o-mini", outcome="pending")] == 1
    assert after[key("flrts_llm_tokens", model="gpt-4o-mini")] == 120
    assert after[key("flrts_llm_cost_usd", model="gpt-4o-mini")] == 0.0012
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


# -- request numbers of several processes


def key(name: str, **labels: str) -> str:
    """A sample's name with its labels in a fixed order (expositions may order them freely)."""
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}" if labels else name


LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def samples(text: str) -> dict[str, float]:
    """`name{labels}` -> value, for every sample line of an exposition, labels sorted."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            head, value = line.rsplit(" ", 1)
            name, _, labels = head.partition("{")
            out[key(name, **dict(LABEL.findall(labels)))] = float(value)
    return out


def scrape() -> dict[str, float]:
    response = Client(REMOTE_ADDR="127.0.0.1").get("/metrics")
    assert response.status_code == 200
    return samples(response.content.decode())


# A process of its own: records requests through flrts.ops.metrics, exits (no Django needed: the
# folder comes from the environment, as in gunicorn's workers).
SERVE = """
import sys
from flrts.ops.metrics import observe
for _ in range(int(sys.argv[1])):
    observe(sys.argv[2], "GET", int(sys.argv[3]), float(sys.argv[4]))
"""


def serve_and_exit(count: int, route: str, status: int, seconds: float) -> int:
    env = {**clean_env(), metrics.ENV: str(metrics.multiproc_dir())}
    args = [sys.executable, "-c", SERVE, str(count), route, str(status), str(seconds)]
    with subprocess.Popen(args, env=env) as proc:
        assert proc.wait(timeout=60) == 0
    with pytest.raises(ProcessLookupError):
        os.kill(proc.pid, 0)
    return proc.pid


@pytest.mark.django_db
def test_metrics_add_up_every_process_and_keep_exited_ones() -> None:
    """Two real processes serve "requests" and exit; every later scrape shows their numbers,
    also after gunicorn's child_exit marked them dead."""
    from prometheus_client import multiprocess

    route = f"/gone/{os.getpid()}/{time.monotonic_ns()}"  # this test's own label values
    pids = [serve_and_exit(3, route, 200, 0.03), serve_and_exit(5, route, 200, 0.008)]
    serve_and_exit(1, route, 503, 0.2)
    for round_ in range(2):
        got = scrape()
        assert got[key("flrts_http_requests_total", route=route, method="GET", status="200")] == 8
        assert got[key("flrts_http_requests_total", route=route, method="GET", status="503")] == 1
        count = key("flrts_http_request_duration_seconds_count", route=route, method="GET")
        assert got[count] == 9
        total = key("flrts_http_request_duration_seconds_sum", route=route, method="GET")
        assert got[total] == pytest.approx(3 * 0.03 + 5 * 0.008 + 0.2)
        # cumulative buckets: 5 by 0.01, 8 by 0.05, all 9 by 0.25
        want = {"0.005": 0, "0.01": 5, "0.025": 5, "0.05": 8, "0.1": 8, "0.25": 9, "+Inf": 9}
        for le, n in want.items():
            name = "flrts_http_request_duration_seconds_bucket"
            assert got[key(name, route=route, method="GET", le=le)] == n, le
        if round_ == 0:
            for pid in pids:
                multiprocess.mark_process_dead(pid, str(metrics.multiproc_dir()))


@pytest.mark.django_db
def test_a_damaged_file_is_skipped() -> None:
    route = f"/kept/{os.getpid()}/{time.monotonic_ns()}"
    serve_and_exit(4, route, 200, 0.01)
    folder = metrics.multiproc_dir()
    bad = [folder / "counter_999999991.db", folder / "histogram_999999992.db"]
    bad[0].write_bytes(b"\x00\xff not a prometheus_client file" * 3)
    bad[1].write_bytes(b"")
    try:
        got = scrape()  # 200, not 500
        assert got[key("flrts_http_requests_total", route=route, method="GET", status="200")] == 4
    finally:
        for path in bad:
            path.unlink()


def test_starting_the_web_tier_empties_the_folder_and_exports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flrts.ops import gunicorn_conf

    sites = tmp_path / "sites"
    site = make_site(sites, "m.localhost")
    folder = site / "logs" / "metrics"
    folder.mkdir()
    (folder / "counter_4242.db").write_bytes(b"left by the last run")
    (folder / "histogram_4242.db").write_bytes(b"")
    monkeypatch.setenv("FLRTS_SITES_DIR", str(sites))
    monkeypatch.setenv("FLRTS_SITE", "m.localhost")
    monkeypatch.setenv(metrics.ENV, os.environ[metrics.ENV])  # restored after the test

    class Server:
        class log:
            info = warning = staticmethod(lambda *args: None)

    gunicorn_conf.on_starting(Server())
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert os.environ[metrics.ENV] == str(folder)
    # a worker that exits: its live gauges go, its counters stay
    (folder / "gauge_livesum_777.db").write_bytes(b"")
    (folder / "counter_777.db").write_bytes(b"")

    class Worker:
        pid = 777

    gunicorn_conf.child_exit(Server(), Worker())
    assert sorted(p.name for p in folder.iterdir()) == ["counter_777.db"]


# -- the real thing: gunicorn with two workers


def make_site(sites: Path, name: str) -> Path:
    """A site folder (no database yet: /metrics and /health answer without one)."""
    from flrts.sites import create_site_folders, new_site_config, write_json

    create_site_folders(sites / name)
    (sites / "assets").mkdir(exist_ok=True)
    write_json(sites / name / "site_config.json", new_site_config(name), private=True)
    write_json(sites / "common_site_config.json", {"default_site": name})
    return sites / name


def http_get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def health_count(port: int) -> float:
    status, text = http_get(port, "/metrics")
    assert status == 200, text
    return sum(
        v
        for status in ("200", "503")
        for k, v in samples(text).items()
        if k == key("flrts_http_requests_total", method="GET", route="/health", status=status)
    )


def counter_pids(folder: Path) -> set[str]:
    return {p.stem.rpartition("_")[2] for p in folder.glob("counter_*.db")}


@pytest.mark.slow
def test_every_gunicorn_worker_shows_the_same_counts(tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    site = make_site(sites, "m.localhost")
    folder = site / "logs" / "metrics"
    folder.mkdir()
    (folder / "counter_4242.db").write_bytes(b"")  # from a previous run: gone once it starts
    with Started(
        sites, "m.localhost", "--no-worker", "--no-scheduler", "--workers", "2", cwd=tmp_path
    ) as started:
        port = started.port
        # Rounds of concurrent requests until both workers have served some (the second
        # may still be loading Django when the first answers); each has its own files.
        n, deadline = 0, time.monotonic() + 60
        with ThreadPoolExecutor(max_workers=8) as pool:
            while len(counter_pids(folder) - {"4242"}) < 2:
                assert time.monotonic() < deadline, "the second worker never answered"
                statuses = list(pool.map(lambda _: http_get(port, "/health")[0], range(40)))
                assert len(statuses) == 40  # 503: no worker or scheduler runs here
                n += 40
                time.sleep(1.2)
        counts = [health_count(port) for _ in range(10)]
        assert counts == [n] * 10
        pids = counter_pids(folder)
        assert len(pids) == 2 and "4242" not in pids, pids
