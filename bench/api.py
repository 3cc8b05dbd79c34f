"""Load the REST API over loopback with wrk, as the Frappe v15 reference was measured.

    python bench/api.py [--db sqlite|mariadb|postgres] [--duration 30] [--warmup 5]
                        [--connections 16] [--workers 2] [--worker-class sync|gthread]
                        [--tasks 1000] [--cpu-requests 1000] [--orm-rows 1000000]
                        [--list-runs 500]

Serves a throw-away site with gunicorn (sync workers) on 127.0.0.1, seeds it, and runs wrk for:
  list    GET /api/resource/Task?limit_page_length=20   (token auth)
  get     GET /api/resource/Task/<name>                  (token auth)
  create  POST /api/resource/Task                        (token auth, JSON body)
  ping    GET /api/method/ping
then times the default list (`GET /api/resource/Task?limit_page_length=20`: live tasks, newest
change first) in-process through Django's WSGI handler, p50/p99 wall ms per request, at the
seeded size (--tasks, ~1,000 as in the issue) and, unless --orm-rows 0, again after bulk-loading
that many tasks (1,000,000), where it also times the API's own list query filtered by status and
site and ordered by due date (`due_at`). Prints one JSON object: requests/s and p50/p99 ms per
scenario (from a wrk Lua `done` hook), the default list's p50/p99 at both sizes, and ORM p50/p99.
Rate limiting stays on (with limits high enough not to trigger) so its cost is measured.

Figures that hold on a busy machine too (other processes only slow the wall clock):
- `server_cpu_ms`: CPU time (user + system, from /proc) the gunicorn workers spent per request
  during the wrk run, with `wrk_cpu_ms` the load generator's own share; `capacity_rps` is
  cores / (server + wrk CPU per request), what the same run would reach on idle cores (less
  for MariaDB, whose server CPU is not counted).
- `inprocess_cpu_ms` (unless --cpu-requests 0): `time.process_time()` per request through
  Django's WSGI handler (every middleware, no HTTP server), the least of five batches.
Each run also records the load average before and after.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._site import bulk_tasks, percentile, temp_site

FRAPPE_V15 = {  # the reference: Frappe v15, 2 cores, gunicorn 2 workers, MariaDB
    "list": {"rps": 185, "p99_ms": 129},
    "get": {"rps": 187},
    "create": {"rps": 100},
    "ping": {"rps": 387},
}

LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.2f, "rps": %.1f, "p50_ms": %.2f, "p90_ms": %.2f, '
    .. '"p99_ms": %.2f, "max_ms": %.2f, "socket_errors": %d, "non_2xx": %d}\\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _set_config(sites: Path, site: str, values: dict[str, object]) -> None:
    path = sites / site / "site_config.json"
    config = json.loads(path.read_text())
    config.update(values)
    path.write_text(json.dumps(config, indent=1))


def seed(count: int) -> dict[str, str]:
    from django.utils import timezone

    from flrts.api.models import ApiKey
    from flrts.core.context import acting_as
    from flrts.core.models import NamingSeries
    from flrts.org.models import Site
    from flrts.people.models import User
    from flrts.tasks.models import Priority, Status, Task

    admin = User.objects.get(username="Administrator")
    with acting_as(admin):
        sites = []
        for i, name in enumerate(["Big Sky", "Viper", "Crystal Peak", "Thunder Ridge"]):
            site = Site(site_name=name, site_code=f"S-{i}")
            site.save()
            sites.append(site)
    people = [
        User.objects.create_user(
            username=f"p{i}@example.com", email=f"p{i}@example.com", full_name=f"P {i}"
        )
        for i in range(10)
    ]
    bulk_tasks(count, sites, people, admin, start=1)
    NamingSeries.objects.update_or_create(
        prefix=f"TASK-{timezone.now().year}-", defaults={"current": count}
    )
    key, secret = ApiKey.generate(admin)
    first = Task.objects.order_by("pk").values_list("name", flat=True).first()
    del Priority, Status
    return {"auth": f"token {key}:{secret}", "task": str(first)}


def _wait_ready(base: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited early; see its output above")
        try:
            with urllib.request.urlopen(base + "/api/method/ping", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /api/method/ping in time")


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes (0 for ones that are gone)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / tick


def _workers(master: int) -> list[int]:
    """The gunicorn worker pids (the master's children)."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def _wrk(url: str, script: Path, duration: int, connections: int) -> dict[str, float]:
    cmd = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    for line in out.splitlines():
        if line.startswith("WRKJSON "):
            result = json.loads(line[len("WRKJSON ") :])
            used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            result["wrk_cpu_ms"] = round(used * 1000 / max(1, result["requests"]), 3)
            return result
    raise SystemExit("wrk printed no summary:\n" + out)


def _script(tmp: Path, name: str, auth: str | None, method: str = "GET", body: str = "") -> Path:
    lines = [f'wrk.method = "{method}"', 'wrk.headers["Accept"] = "application/json"']
    if auth:
        lines.append(f'wrk.headers["Authorization"] = "{auth}"')
    if body:
        lines.append('wrk.headers["Content-Type"] = "application/json"')
        lines.append(f"wrk.body = {json.dumps(body)}")
    path = tmp / f"{name}.lua"
    path.write_text("\n".join(lines) + "\n" + LUA)
    return path


def http_bench(opts: argparse.Namespace, sites: Path, seeded: dict[str, str]) -> dict:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, FLRTS_LOG_LEVEL="WARNING")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    worker_opts = ["--worker-class", opts.worker_class]
    if opts.worker_class == "gthread":
        worker_opts += ["--threads", str(opts.threads)]
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "flrts.wsgi:application",
            "-w",
            str(opts.workers),
            *worker_opts,
            "-b",
            f"127.0.0.1:{port}",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
    )
    tmp = Path(tempfile.mkdtemp(prefix="flrts-wrk-"))
    results: dict[str, dict[str, float]] = {}
    try:
        _wait_ready(base, proc)
        auth = seeded["auth"]
        body = json.dumps({"subject": "Bench task", "site": "Viper", "priority": "High"})
        scenarios = [
            ("list", "/api/resource/Task?limit_page_length=20", _script(tmp, "list", auth)),
            ("get", f"/api/resource/Task/{seeded['task']}", _script(tmp, "get", auth)),
            ("create", "/api/resource/Task", _script(tmp, "create", auth, "POST", body)),
            ("ping", "/api/method/ping", _script(tmp, "ping", None)),
        ]
        cores = os.cpu_count() or 1
        for name, path, script in scenarios:
            if opts.warmup:
                _wrk(base + path, script, opts.warmup, opts.connections)
            workers = _workers(proc.pid)
            cpu_before = _cpu_seconds(workers)
            result = _wrk(base + path, script, opts.duration, opts.connections)
            server_cpu = (_cpu_seconds(workers) - cpu_before) * 1000 / max(1, result["requests"])
            result["server_cpu_ms"] = round(server_cpu, 3)
            result["capacity_rps"] = round(cores * 1000 / (server_cpu + result["wrk_cpu_ms"]))
            result["load_average"] = [round(x, 2) for x in os.getloadavg()]
            results[name] = result
            print(f"# {name}: {results[name]}", file=sys.stderr, flush=True)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def inprocess_bench(seeded: dict[str, str], requests: int) -> dict[str, float]:
    """CPU per request through Django's WSGI handler (all middleware), no HTTP server."""
    from django.core.handlers.wsgi import WSGIHandler

    app = WSGIHandler()
    body = json.dumps({"subject": "Bench task", "site": "Viper", "priority": "High"}).encode()
    scenarios = {
        "list": ("GET", "/api/resource/Task", "limit_page_length=20", seeded["auth"], b""),
        "get": ("GET", f"/api/resource/Task/{seeded['task']}", "", seeded["auth"], b""),
        "create": ("POST", "/api/resource/Task", "", seeded["auth"], body),
        "ping": ("GET", "/api/method/ping", "", None, b""),
    }

    def call(*request: Any) -> str:
        return wsgi_call(app, *request)

    out: dict[str, float] = {}
    batch = max(1, requests // 5)
    for name, request in scenarios.items():
        for _ in range(20):  # warm caches and prepared queries
            status = call(*request)
        if not status.startswith("200"):
            raise SystemExit(f"in-process {name} answered {status}")
        batches = []
        for _ in range(5):  # the least batch: other processes only ever add time
            started = time.process_time()
            for _ in range(batch):
                call(*request)
            batches.append((time.process_time() - started) * 1000 / batch)
        out[name] = round(min(batches), 3)
    return out


def wsgi_call(app: Any, method: str, path: str, query: str, auth: str | None, data: bytes) -> str:
    """One request through Django's WSGI handler (every middleware, no HTTP server)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_ACCEPT": "application/json",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    if auth:
        environ["HTTP_AUTHORIZATION"] = auth
    status: list[str] = []
    response = app(environ, lambda s, headers, exc_info=None: status.append(s))
    b"".join(response)
    response.close()
    return status[0]


def default_list_bench(seeded: dict[str, str], runs: int) -> dict[str, float]:
    """Wall time of the default list request in-process: p50/p99 over `runs` requests."""
    from django.core.handlers.wsgi import WSGIHandler

    from flrts.tasks.models import Task

    app = WSGIHandler()
    request = ("GET", "/api/resource/Task", "limit_page_length=20", seeded["auth"], b"")
    for _ in range(20):
        if not wsgi_call(app, *request).startswith("200"):
            raise SystemExit("the default list did not answer 200")
    timings = []
    cpu_started = time.process_time()
    for _ in range(runs):
        started = time.perf_counter()
        wsgi_call(app, *request)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "tasks": Task.objects.count(),
        "runs": runs,
        "p50_ms": percentile(timings, 50),
        "p99_ms": percentile(timings, 99),
        "cpu_ms": round((time.process_time() - cpu_started) * 1000 / runs, 3),
    }


def load_tasks(rows: int) -> None:
    """Bulk-load tasks up to `rows` (and ANALYZE on SQLite, as a site's optimizer would)."""
    from django.db import connection

    from flrts.org.models import Site
    from flrts.people.models import User
    from flrts.tasks.models import Task

    have = Task.objects.count()
    if rows > have:
        admin = User.objects.get(username="Administrator")
        sites = list(Site.objects.all())
        people = list(User.objects.exclude(username="Administrator"))
        started = time.perf_counter()
        bulk_tasks(rows - have, sites, people, admin, start=have + 100_000)
        print(
            f"# loaded {rows - have} tasks in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def orm_bench(rows: int, runs: int) -> dict[str, float]:
    """The API's list query (filters status + site, order by due date) over `rows` tasks."""
    from flrts.api import query, registry
    from flrts.org.models import Site
    from flrts.people.models import User
    from flrts.tasks.models import Status, Task

    load_tasks(rows)
    admin = User.objects.get(username="Administrator")
    task_dt = registry.get("Task")
    assert task_dt is not None
    site_names = list(Site.objects.values_list("site_name", flat=True))
    statuses = [s.value for s in Status]
    rng = random.Random(3)
    timings = []
    for i in range(runs + 5):
        args = {
            "fields": '["name","subject","status","site","due_at","assigned_to"]',
            "filters": json.dumps({"status": rng.choice(statuses), "site": rng.choice(site_names)}),
            "order_by": "due_at asc",
            "limit_page_length": "20",
        }
        started = time.perf_counter()
        rows_out = query.get_list(task_dt, admin, args)
        elapsed = (time.perf_counter() - started) * 1000
        assert len(rows_out) == 20
        if i >= 5:  # the first few warm the caches
            timings.append(elapsed)
    return {
        "rows": Task.objects.count(),
        "runs": runs,
        "p50_ms": percentile(timings, 50),
        "p99_ms": percentile(timings, 99),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "mariadb", "postgres"])
    parser.add_argument("--duration", type=int, default=30, help="seconds per scenario")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--tasks", type=int, default=1000, help="tasks seeded for the HTTP runs")
    parser.add_argument("--list-runs", type=int, default=500, help="default-list requests timed")
    parser.add_argument("--orm-rows", type=int, default=1_000_000, help="0 skips the ORM measure")
    parser.add_argument(
        "--cpu-requests", type=int, default=1000, help="in-process requests per scenario; 0 skips"
    )
    parser.add_argument("--skip-http", action="store_true", help="no gunicorn/wrk run")
    parser.add_argument("--orm-runs", type=int, default=200)
    opts = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    sites = temp_site(opts.db)
    # Throughput, not the rate limiter: limits far above what a run sends (the limiter still
    # runs). Written to the file for gunicorn, and into this process's site for the in-process
    # part (Django is already set up here).
    unlimited = {
        "api_rate_limit_per_key": 10**9,
        "api_rate_limit_per_ip": 10**9,
        "db_conn_max_age": 600,
    }
    _set_config(sites, os.environ["FLRTS_SITE"], unlimited)
    from django.conf import settings

    settings.SITE.config.update(unlimited)
    seeded = seed(opts.tasks)
    from django.db import connections

    connections.close_all()
    result: dict = {
        "db": opts.db,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "gunicorn": {"workers": opts.workers, "worker_class": opts.worker_class},
        "wrk": {"connections": opts.connections, "duration_s": opts.duration},
        "frappe_v15_reference": FRAPPE_V15,
    }
    # before anything creates tasks: the seeded size (~1,000 by default)
    result["default_list"] = [default_list_bench(seeded, opts.list_runs)]
    connections.close_all()
    if not opts.skip_http:
        result["http"] = http_bench(opts, sites, seeded)
    if opts.cpu_requests:
        result["inprocess_cpu_ms"] = inprocess_bench(seeded, opts.cpu_requests)
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if opts.orm_rows:
        result["orm_list_status_site_due"] = orm_bench(opts.orm_rows, opts.orm_runs)
        result["default_list"].append(default_list_bench(seeded, opts.list_runs))
        result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
