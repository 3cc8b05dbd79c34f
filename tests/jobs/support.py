"""Helpers: run the database queue in-process, and temp sites for subprocess tests."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings

from tests.procs import descendants

ROOT = Path(__file__).resolve().parents[2]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.QUEUES}}


def drain(max_jobs: int = 100) -> None:
    """Run ready jobs of every queue in this thread, as a worker would, then return."""
    from unittest import mock

    from django_tasks_db.management.commands.db_worker import Worker

    # The worker closes "old" connections between tasks; the test's connection must stay open.
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        _worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=max_jobs,
            worker_id="test-drain",
            excluded_queue_names=[],
        )
        _worker.run()


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")
        time.sleep(every)


class TempSite:
    """A real site made by `flrts new-site` in a temp sites folder, for subprocess tests.

    SQLite by default (a file database, so several processes share it); FLRTS_TEST_DB picks
    MariaDB or PostgreSQL like the rest of the suite.
    """

    def __init__(
        self, base: Path, name: str = "jobs.localhost", *, existing: bool = False, **config: Any
    ) -> None:
        self.base, self.name = base, name
        self.db_type = os.environ.get("FLRTS_TEST_DB", "sqlite")
        if existing:  # a site folder already there (see twin)
            self.set_config(**config)
            return
        args = ["new-site", name, "--admin-password", "admin-pass-123"]
        if self.db_type != "sqlite":
            db_name = f"flrts_jobs_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
            args += ["--db-type", self.db_type, "--db-name", db_name]
            if self.db_type == "postgres":
                args += ["--db-user", os.environ.get("FLRTS_TEST_PG_USER", "postgres")]
        out = self.flrts(*args, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"new-site failed: {out.stderr}{out.stdout}")
        self.set_config(**config)

    @property
    def config_path(self) -> Path:
        return self.base / self.name / "site_config.json"

    def set_config(self, **values: Any) -> None:
        data = json.loads(self.config_path.read_text())
        data.update(values)
        self.config_path.write_text(json.dumps(data))

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env.update(
            FLRTS_SITES_DIR=str(self.base),
            FLRTS_SITE=self.name,
            # This tree's src first: the code under test, not whichever flrts the venv installed.
            PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            PYTHONUNBUFFERED="1",
        )
        env["FLRTS_SITES_DIR"] = str(self.base)
        return env

    def cmd(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "flrts.cli", "--sites-dir", str(self.base), *args]

    def flrts(self, *args: str, check: bool = True, timeout: float = 120) -> Any:
        try:
            out = subprocess.run(
                self.cmd(*args), env=self.env(), capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired as exc:
            # The whole output, not pytest's shortened repr: a hang must say where it hung.
            raise AssertionError(
                f"flrts {' '.join(args)} still running after {timeout} s:\n"
                f"{_text(exc.stdout)}\n{_text(exc.stderr)}"
            ) from None
        if check and out.returncode != 0:
            raise AssertionError(f"flrts {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
        return out

    def python(self, code: str, timeout: float = 120) -> str:
        """Run code with Django set up for this site; returns stdout."""
        out = self.flrts("shell", "-c", code, timeout=timeout)
        return str(out.stdout)

    def enqueue(self, method: str, **kwargs: object) -> int:
        """Enqueue the job function `method` (module.function) from a separate process on this
        site; the Job's pk."""
        module, func = method.rsplit(".", 1)
        code = (
            f"from flrts.jobs.queue import enqueue; from {module} import {func}; "
            f"print(enqueue({func}, **{kwargs!r}).pk)"
        )
        return int(self.python(code).strip().splitlines()[-1])

    def job_row(self, job_id: int, *fields: str) -> dict[str, Any]:
        """These fields of a Job row, read from a separate process."""
        code = (
            "import json; from flrts.jobs.models import Job; "
            f"j = Job.objects.get(pk={job_id}); "
            f"print(json.dumps({{f: getattr(j, f) for f in {list(fields)!r}}}))"
        )
        return dict(json.loads(self.python(code).strip().splitlines()[-1]))

    @contextmanager
    def process(self, *args: str) -> Iterator[subprocess.Popen[str]]:
        proc = subprocess.Popen(
            self.cmd(*args),
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # so a test can kill the whole group (RQ's work-horse too)
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.stdout:
                proc.stdout.close()

    def twin(self, base: Path) -> TempSite:
        """The same site in the sites folder `base`, as a second host would have it: its own
        files and wake-up folder (so this host's UDP pings never reach it), the same database
        when that is a server. Only the original drops the database."""
        shutil.copytree(
            self.base / self.name, base / self.name, ignore=shutil.ignore_patterns("wake")
        )
        return TempSite(base, self.name, existing=True)

    def drop(self) -> None:
        if self.db_type == "sqlite":
            return
        from flrts.bootstrap import drop_database

        drop_database(json.loads(self.config_path.read_text()))


def kill_tree(pid: int) -> None:
    """SIGKILL a process and everything it started, as a power cut would."""
    for victim in [pid, *descendants(pid)]:
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _text(data: str | bytes | None) -> str:
    if isinstance(data, bytes):
        return data.decode(errors="replace")
    return data or ""


def assert_a_job_past_its_queue_timeout_fails(site: TempSite, tmp_path: Path) -> None:
    """A job on `short` (its timeout set to 2 s) sleeping 30 s is stopped and `failed` with the
    reason, by a burst worker of whichever backend `site` uses."""
    site.set_config(queue_timeout_short=2)
    try:
        marker = tmp_path / "slow.log"
        job_id = site.enqueue(
            "tests.jobs.sample_jobs.slow", marker=str(marker), seconds=30, queue="short"
        )
        site.flrts("worker", "--burst", "--queue", "short", timeout=60)
    finally:
        site.set_config(queue_timeout_short=300)
    row = site.job_row(job_id, "status", "error")
    assert row["status"] == "failed"
    assert "exceeded its queue timeout of 2 s" in row["error"]
    assert marker.read_text() == "start\n"


def empty_redis(url: str) -> Any:
    """A client of the Redis database at `url`, emptied; the test is skipped without a server."""
    import pytest

    redis = pytest.importorskip("redis")
    try:
        client = redis.Redis.from_url(url)
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    client.flushdb()
    return client
