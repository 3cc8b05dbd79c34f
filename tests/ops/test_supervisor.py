"""`flrts start` supervises its children (issue 12, item 6): a worker killed with SIGKILL is
started again with backoff, the web server keeps serving, /metrics counts the restart, and only
SIGTERM stops everything. Also: the access log masks secrets in query strings (item 9)."""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from flrts.ops.supervisor import FIRST_DELAY, MAX_DELAY, STEADY_AFTER, next_delay
from tests.ops.support import Started, flrts
from tests.ops.test_health_metrics import http_get, make_site
from tests.procs import children, cmdline


def test_backoff_doubles_and_starts_over_after_a_steady_run() -> None:
    delays = [FIRST_DELAY]
    for _ in range(8):
        delays.append(next_delay(delays[-1], ran_for=0.5))
    assert delays[:4] == [1, 2, 4, 8] and delays[-1] == MAX_DELAY
    assert next_delay(MAX_DELAY, ran_for=STEADY_AFTER) == FIRST_DELAY


def _children(pid: int) -> dict[int, str]:
    """{pid: command line} of the direct children of `pid`."""
    return {child: cmdline(child) for child in children(pid)}


def _worker_pid(parent: int) -> int | None:
    found = [p for p, cmd in _children(parent).items() if re.search(r"\sworker(\s|$)", cmd)]
    return found[0] if found else None


@pytest.mark.slow
def test_a_killed_worker_is_restarted_and_the_api_keeps_serving(tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    make_site(sites, "s.localhost")
    flrts(sites, "--site", "s.localhost", "set-config", "telegram_webhook_secret", "hook-secret-1")
    flrts(sites, "--site", "s.localhost", "migrate")
    with Started(sites, "s.localhost", "--no-scheduler", "--workers", "1", cwd=tmp_path) as started:
        port = started.port
        deadline = time.monotonic() + 30
        while (first := _worker_pid(started.pid)) is None:
            assert time.monotonic() < deadline, "no worker process"
            time.sleep(0.2)
        subprocess.run(["kill", "-9", str(first)], check=True)
        started.wait_for(r"worker exited with -9 .*restarting in 1 s")
        assert http_get(port, "/api/method/ping")[0] == 200  # the web tier never stopped
        started.wait_for(r"worker restarted \(restart 1\)")
        second = _worker_pid(started.pid)
        assert second is not None and second != first
        status, text = http_get(port, "/metrics")
        assert status == 200
        assert 'flrts_process_restarts_total{process="worker"} 1' in text
        assert 'flrts_process_restarts_total{process="web"} 0' in text
        # the access log (gunicorn's, on stdout) masks a secret sent in a URL
        http_get(port, "/api/method/ping?token=sekret-value-123&limit=20")
        line = started.wait_for(r"GET /api/method/ping\?token=")
        assert "sekret-value-123" not in line and "limit=20" in line
        # item 12: a chunked webhook body (no Content-Length) is read, not taken as empty
        update = {
            "update_id": 777,
            "message": {
                "message_id": 1,
                "date": 0,
                "text": "hi",
                "chat": {"id": 9, "type": "private"},
                "from": {"id": 9, "is_bot": False, "first_name": "C"},
            },
        }
        chunks = iter([json.dumps(update)[:20].encode(), json.dumps(update)[20:].encode()])
        hook = httpx.post(
            f"http://127.0.0.1:{port}/telegram/webhook",
            content=chunks,
            headers={
                "X-Telegram-Bot-Api-Secret-Token": "hook-secret-1",
                "Content-Type": "application/json",
            },
        )
        assert hook.status_code == 200, hook.text
        with sqlite3.connect(sites / "s.localhost" / "db.sqlite3") as db:
            stored = db.execute(
                "SELECT count(*) FROM telegram_telegramupdate WHERE update_id = 777"
            ).fetchone()
        assert stored == (1,)
        assert started.proc.poll() is None
        started.proc.send_signal(signal.SIGTERM)
        assert started.proc.wait(timeout=40) == 0
        assert not _children(started.pid)
