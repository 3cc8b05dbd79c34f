"""Real sites in subprocesses (`flrts new-site`), as an admin would run them, and a way to read
every table of a site's database directly for comparisons."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

FLRTS = [sys.executable, "-m", "flrts.cli"]
DB = os.environ.get("FLRTS_TEST_DB", "sqlite")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLRTS_", "DJANGO_"))}
    env.update(extra)
    return env


def flrts(
    sites: Path,
    *args: str,
    check: bool = True,
    timeout: float = 300,
    input: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*FLRTS, "--sites-dir", str(sites), *args],
        capture_output=True,
        text=True,
        env=env or clean_env(),
        timeout=timeout,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def server_up(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def require_db(db: str) -> None:
    port = {"mariadb": 3306, "postgres": 5432}.get(db)
    if port and not server_up(port):
        if os.environ.get("FLRTS_REQUIRE_SERVICES"):
            pytest.fail(f"{db} is not running on 127.0.0.1:{port}")
        pytest.skip(f"{db} is not running on 127.0.0.1:{port}")


def new_site(sites: Path, name: str, db: str = DB, demo: bool = False) -> Path:
    args = ["new-site", name, "--db-type", db, "--admin-password", "drill-pass", "--force"]
    if db == "postgres":
        args += ["--db-user", os.environ.get("FLRTS_TEST_PG_USER", "postgres")]
    flrts(sites, *args, *(["--demo"] if demo else []))
    return sites / name


def drop_site_db(site: Path) -> None:
    config = json.loads((site / "site_config.json").read_text())
    if config["db_type"] == "sqlite":
        return
    from flrts.bootstrap import drop_database

    drop_database(config)


def site_params(site: Path) -> Any:
    from flrts.ops.dbparams import DbParams

    config = json.loads((site / "site_config.json").read_text())
    if config["db_type"] == "sqlite":
        return DbParams("sqlite", str(site / "db.sqlite3"))
    return DbParams(
        config["db_type"],
        config["db_name"],
        config["db_host"],
        int(config["db_port"]),
        config["db_user"],
        config.get("db_password", ""),
    )


def read_tables(site: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted, as comparable tuples."""
    from flrts.ops import dbparams
    from flrts.ops.backup import dumpers

    params = site_params(site)
    conn = dbparams.connect(params)
    try:
        out = {}
        cur = conn.cursor()
        for table in dumpers.table_names(params, conn):
            cur.execute(f"SELECT * FROM {dumpers.quote(params.engine, table)}")
            out[table] = sorted(tuple(repr(v) for v in row) for row in cur.fetchall())
        return out
    finally:
        conn.close()


def file_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


FILL = r"""
import datetime as dt
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from flrts.core.models import ErrorLog
from flrts.fieldreports.models import Attachment, FieldReport
from flrts.nlp.models import ParserLog
from flrts.tasks.models import Task
from flrts.people.models import User
admin = User.objects.get(username="Administrator")
task = Task.objects.order_by("pk").first()
task.subject = task.subject + " (checked)"
task.save()  # a Version row
ErrorLog(method="drill", error="Traceback: drill", context={"k": "v"}).save()
ParserLog(original_message="check the compressor at Big Sky tomorrow", parser="offline",
          user=admin, intent="create_task").save()
report = FieldReport.objects.order_by("pk").first()
att = Attachment(report=report, file_name="photo.jpg", content_type="image/jpeg", uploaded_by=admin)
att.file.save("photo.jpg", ContentFile(b"\xff\xd8\xff" + bytes(range(256)) * 40), save=True)
storages["public"].save("logo.png", ContentFile(b"\x89PNG" + b"x" * 1000))
print("filled")
"""

WRITER = r"""
import time
from flrts.tasks.models import Task
deadline = time.monotonic() + {seconds}
n = 0
while time.monotonic() < deadline:
    Task(subject=f"written during backup {{n}}", priority="Low").save()
    n += 1
print(n)
"""


class Started:
    """`flrts start` in its own session (so everything it started can be killed), its output
    read line by line on a thread: `port` once gunicorn listens, `wait_for(pattern)` for a log
    line, `stop()` with SIGTERM and then SIGKILL for whatever is left.

        with Started(sites, "s.localhost", "--no-scheduler", cwd=tmp_path) as started:
            http_get(started.port, "/api/method/ping")
    """

    def __init__(
        self,
        sites: Path,
        site: str,
        *args: str,
        cwd: Path,
        env: dict[str, str] | None = None,
        bind: str = "127.0.0.1:0",
    ) -> None:
        cmd = [*FLRTS, "--sites-dir", str(sites), "--site", site, "start", "--bind", bind, *args]
        self.proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env or clean_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        stream = self.proc.stdout
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._reader = threading.Thread(
            target=lambda: [self.lines.put(line) for line in stream], daemon=True
        )
        self._reader.start()
        self._port: int | None = None

    def __enter__(self) -> Started:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_for(self, pattern: str, timeout: float = 60) -> str:
        """The next output line matching `pattern` (a regex); fails with the recent output."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        pytest.fail(f"never saw {pattern!r}:\n" + "".join(self.seen[-80:]))

    @property
    def port(self) -> int:
        if self._port is None:
            line = self.wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)", timeout=90)
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            assert found is not None
            self._port = int(found.group(1))
        return self._port

    def stop(self) -> None:
        """SIGTERM (`flrts start` stops its children), then SIGKILL to anything left."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._reader.join(timeout=10)
        if self.proc.stdout:
            self.proc.stdout.close()
