"""Process logs are JSON lines with secrets masked; request errors land in the Error Log."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tests.ops.support import clean_env, flrts

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_json_formatter_masks_secrets_and_carries_the_request_id() -> None:
    from flrts.ops.logs import JsonFormatter, reset_request_id, set_request_id

    record = logging.LogRecord(
        "flrts.x",
        logging.WARNING,
        __file__,
        1,
        "calling bot%s with password=hunter2hunter2 and api_key: sk-abcdefghijklmnopqrstuvwx",
        (TOKEN,),
        None,
    )
    token = set_request_id("req-12345678")
    try:
        line = JsonFormatter("web").format(record)
    finally:
        reset_request_id(token)
    entry = json.loads(line)
    assert entry["request_id"] == "req-12345678" and entry["process"] == "web"
    assert entry["level"] == "WARNING" and entry["logger"] == "flrts.x"
    assert (
        TOKEN not in line
        and "hunter2hunter2" not in line
        and "sk-abcdefghijklmnopqrstuvwx" not in line
    )
    assert "hu**********r2" in entry["msg"]  # first two + stars + last two


def test_each_process_writes_json_lines_to_its_log_and_flrts_logs_reads_them(
    tmp_path: Path,
) -> None:
    sites = tmp_path / "sites"
    flrts(sites, "new-site", "logs.test", "--admin-password", "x-pass-123")
    code = f"import logging; logging.getLogger('flrts.t').warning('token=%s', '{TOKEN}')"
    for process in ("worker", "scheduler"):
        flrts(
            sites,
            "--site",
            "logs.test",
            "console",
            "-c",
            code,
            env=clean_env(FLRTS_PROCESS=process),
        )
    log = sites / "logs.test" / "logs" / "worker.log"
    lines = log.read_text().splitlines()
    assert lines and all(json.loads(line)["process"] == "worker" for line in lines)
    assert TOKEN not in log.read_text()
    out = flrts(
        sites, "--site", "logs.test", "logs", "--process", "scheduler", "--since", "1h"
    ).stdout
    shown = [json.loads(line) for line in out.splitlines()]
    assert shown and {e["process"] for e in shown} == {"scheduler"}
    assert any("token=" in e["msg"] and TOKEN[:2] in e["msg"] for e in shown)
    bad = flrts(sites, "--site", "logs.test", "logs", "--since", "yesterday", check=False)
    assert bad.returncode != 0 and "--since must look like" in bad.stderr


@pytest.mark.django_db
def test_an_unhandled_request_error_lands_in_the_error_log(rf) -> None:
    from flrts.core.models import ErrorLog
    from flrts.ops.errors import log_request_exception

    request = rf.get("/desk/broken/", {"q": "x", "token": "supersecretvalue99"})
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    try:
        raise RuntimeError("boom with password=hunter2hunter2")
    except RuntimeError:
        log_request_exception(sender=None, request=request)
    entry = ErrorLog.objects.get()
    assert entry.method == "GET /desk/broken/"
    assert "RuntimeError: boom" in entry.error and "hunter2hunter2" not in entry.error
    assert entry.context["path"] == "/desk/broken/"
    assert "supersecretvalue99" not in json.dumps(entry.context)
