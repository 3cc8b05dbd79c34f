"""Real sites in subprocesses (`flrts new-site`), as an admin would run them, and a way to read
every table of a site's database directly for comparisons."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
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
