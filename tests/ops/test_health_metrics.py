"""`/health` (200 / 503) and `/metrics` (content, access control, request numbers added up
over the snapshot files of every process, and the same from every gunicorn worker)."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from flrts.ops import metrics
from tests.ops.support import FLRTS, clean_env

pytestmark = pytest.mark.usefixtures("isolated_backups")


@pytest.fixture(autouse=True)
def snapshots(settings: Any, tmp_path: Path) -> Path:
    """This test's own snapshot folder (the test site's is shared by every test)."""
    folder = tmp_path / "metrics"
    settings.METRICS_SNAPSHOT_DIR = folder
    return folder


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


# -- request numbers of several processes


def samples(text: str) -> dict[str, float]:
    """`name{labels}` -> value, for every sample line of an exposition."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            out[key] = float(value)
    return out


def scrape() -> dict[str, float]:
    response = Client(REMOTE_ADDR="127.0.0.1").get("/metrics")
    assert response.status_code == 200
    return samples(response.content.decode())


def snapshot_text(
    requests: list[tuple[str, str, str, int]],
    latency: list[tuple[str, str, list[int], float, int]],
) -> str:
    """A snapshot file as a process writes it, built by hand."""
    return json.dumps(
        {
            "format": 1,
            "buckets": list(metrics.BUCKETS),
            "requests": [list(row) for row in requests],
            "latency": [list(row) for row in latency],
        }
    )


def exited_pid() -> int:
    """The pid of a process that has come and gone."""
    with subprocess.Popen([sys.executable, "-c", "pass"]) as proc:
        proc.wait(timeout=30)
    with pytest.raises(ProcessLookupError):
        os.kill(proc.pid, 0)
    return proc.pid


# 3 requests of 30 ms (le 0.05 and up), 1 of 0.2 s (le 0.25 and up)
HIST_A = [0, 0, 0, 3, 3, 4, 4, 4, 4, 4, 4]
# 5 requests of 8 ms (le 0.01 and up)
HIST_B = [0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]
FILE_A = snapshot_text(
    [("/health", "GET", "200", 3), ("/health", "GET", "503", 1)],
    [("/health", "GET", HIST_A, 0.29, 4)],
)
FILE_B = snapshot_text(
    [("/health", "GET", "200", 5), ("/only/in/files", "POST", "201", 2)],
    [("/health", "GET", HIST_B, 0.04, 5), ("/only/in/files", "POST", [2] * 11, 0.002, 2)],
)


@pytest.mark.django_db
def test_metrics_add_up_every_process_snapshot(snapshots: Path) -> None:
    snapshots.mkdir()
    (snapshots / f"{exited_pid()}.json").write_text(FILE_A)
    (snapshots / f"{exited_pid()}.json").write_text(FILE_B)
    alive_worker_and_scheduler()
    Client().get("/health")
    live = metrics.REQUESTS.totals()  # this process: /health and whatever earlier tests asked
    got = scrape()

    ok = 'flrts_http_requests_total{route="/health",method="GET",status="200"}'
    assert got[ok] == live.counts[("/health", "GET", "200")] + 3 + 5
    down = 'flrts_http_requests_total{route="/health",method="GET",status="503"}'
    assert got[down] == live.counts.get(("/health", "GET", "503"), 0) + 1
    assert got['flrts_http_requests_total{route="/only/in/files",method="POST",status="201"}'] == 2

    hist = "flrts_http_request_duration_seconds"
    key = ("/health", "GET")
    for i, bound in enumerate(metrics.BUCKETS):
        labels = f'{{route="/health",method="GET",le="{bound}"}}'
        assert got[f"{hist}_bucket{labels}"] == live.buckets[key][i] + HIST_A[i] + HIST_B[i]
    total = live.totals[key] + 4 + 5
    assert got[f'{hist}_bucket{{route="/health",method="GET",le="+Inf"}}'] == total
    assert got[f'{hist}_count{{route="/health",method="GET"}}'] == total
    assert got[f'{hist}_sum{{route="/health",method="GET"}}'] == pytest.approx(
        live.sums[key] + 0.29 + 0.04, abs=1e-5
    )
    assert got[f'{hist}_count{{route="/only/in/files",method="POST"}}'] == 2
    # the scrape wrote this process's snapshot too
    own = json.loads((snapshots / f"{os.getpid()}.json").read_text())
    assert ["/health", "GET", "200", live.counts[("/health", "GET", "200")]] in own["requests"]


@pytest.mark.django_db
def test_a_damaged_snapshot_is_skipped(snapshots: Path) -> None:
    snapshots.mkdir()
    (snapshots / "101.json").write_text(FILE_B)
    (snapshots / "102.json").write_bytes(b"\x00\xff not json at all")
    (snapshots / "103.json").write_text(FILE_A[: len(FILE_A) // 2])  # cut short
    (snapshots / "104.json").write_text("[1, 2, 3]")
    (snapshots / "105.json").write_text(FILE_A.replace('"503", 1', '"503", -1'))
    (snapshots / "106.json").write_text(FILE_A.replace("0.005", "0.001"))  # other buckets
    (snapshots / "107.json").write_text(FILE_A.replace('"format": 1', '"format": 99'))
    (snapshots / "108.json").mkdir()
    (snapshots / ".109.json.tmp").write_text(FILE_A)  # a write in progress
    Client().get("/health")
    live = metrics.REQUESTS.totals()
    got = scrape()
    assert got['flrts_http_requests_total{route="/only/in/files",method="POST",status="201"}'] == 2
    health = sum(n for (route, *_), n in live.counts.items() if route == "/health")
    shown = sum(
        v for k, v in got.items() if k.startswith('flrts_http_requests_total{route="/health"')
    )
    assert shown == health + 5  # file B only: none of A's numbers came through a damaged copy


def test_a_process_that_exited_stays_counted(snapshots: Path) -> None:
    """A real process serves "requests", exits without being asked to write (its exit does),
    and its numbers stay in every later scrape."""
    script = (
        "import sys; from pathlib import Path; from flrts.ops.metrics import RequestStats\n"
        "stats = RequestStats(folder=Path(sys.argv[1]), interval=60)\n"
        "for i in range(7): stats.observe('/gone', 'GET', 200, 0.02)\n"
    )
    with subprocess.Popen([sys.executable, "-c", script, str(snapshots)], env=clean_env()) as proc:
        assert proc.wait(timeout=60) == 0
    with pytest.raises(ProcessLookupError):
        os.kill(proc.pid, 0)
    assert (snapshots / f"{proc.pid}.json").exists()
    for _ in range(2):
        got = scrape()
        assert got['flrts_http_requests_total{route="/gone",method="GET",status="200"}'] == 7
        assert got['flrts_http_request_duration_seconds_count{route="/gone",method="GET"}'] == 7


def test_a_process_with_a_reused_pid_continues_the_old_numbers(tmp_path: Path) -> None:
    folder = tmp_path / "reused"
    folder.mkdir()
    (folder / f"{os.getpid()}.json").write_text(FILE_B)  # left by an earlier process, same pid
    stats = metrics.RequestStats(folder=folder, interval=60)
    stats.observe("/health", "GET", 200, 0.003)
    numbers = stats.collect()
    assert numbers.counts[("/health", "GET", "200")] == 5 + 1
    assert numbers.counts[("/only/in/files", "POST", "201")] == 2
    again = metrics.read_snapshots(folder)
    assert again == numbers


def test_starting_the_web_tier_empties_the_snapshot_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flrts.ops import gunicorn_conf

    sites = tmp_path / "sites"
    site = make_site(sites, "m.localhost")
    folder = site / "logs" / "metrics"
    folder.mkdir()
    (folder / "4242.json").write_text(FILE_A)
    (folder / ".4242.json.tmp").write_text("{")
    monkeypatch.setenv("FLRTS_SITES_DIR", str(sites))
    monkeypatch.setenv("FLRTS_SITE", "m.localhost")

    class Server:
        class log:
            info = warning = staticmethod(lambda *args: None)

    gunicorn_conf.on_starting(Server())
    assert folder.is_dir() and list(folder.iterdir()) == []


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
    prefix = 'flrts_http_requests_total{route="/health",method="GET",'
    return sum(v for k, v in samples(text).items() if k.startswith(prefix))


def wait_for_port(proc: subprocess.Popen[str], lines: queue.Queue[str], seen: list[str]) -> int:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
        if found:
            return int(found.group(1))
    pytest.fail("gunicorn did not start:\n" + "".join(seen))


def stop(proc: subprocess.Popen[str]) -> None:
    """`flrts start` stops gunicorn on TERM; anything left of its session is killed."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # its own session: start_new_session below
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


@pytest.mark.slow
def test_every_gunicorn_worker_shows_the_same_counts(tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    site = make_site(sites, "m.localhost")
    folder = site / "logs" / "metrics"
    folder.mkdir()
    (folder / "4242.json").write_text(FILE_A)  # from a previous run: gone once gunicorn starts
    cmd = [*FLRTS, "--sites-dir", str(sites), "--site", "m.localhost", "start"]
    cmd += ["--no-worker", "--no-scheduler", "--bind", "127.0.0.1:0", "--workers", "2"]
    env = clean_env()
    with subprocess.Popen(
        cmd,
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    ) as proc:
        assert proc.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        stream = proc.stdout
        reader = threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True)
        reader.start()
        seen: list[str] = []
        try:
            port = wait_for_port(proc, lines, seen)
            # Rounds of concurrent requests until both workers have served some (the second
            # may still be loading Django when the first answers); each writes its snapshot
            # within about a second.
            n, deadline = 0, time.monotonic() + 60
            with ThreadPoolExecutor(max_workers=8) as pool:
                while len({p.stem for p in folder.glob("*.json")} - {"4242"}) < 2:
                    assert time.monotonic() < deadline, "the second worker never answered"
                    statuses = list(pool.map(lambda _: http_get(port, "/health")[0], range(40)))
                    assert len(statuses) == 40  # 503: no worker or scheduler runs here
                    n += 40
                    time.sleep(1.2)
            deadline = time.monotonic() + 20  # the other worker writes within about a second
            while health_count(port) != n:
                assert time.monotonic() < deadline, "the counts never added up to n"
                time.sleep(0.2)
            counts = [health_count(port) for _ in range(10)]
            assert counts == [n] * 10
            pids = {p.stem for p in folder.glob("*.json")}
            assert len(pids) == 2 and "4242" not in pids, pids
        finally:
            stop(proc)
            reader.join(timeout=10)
