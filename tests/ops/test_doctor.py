"""`flrts doctor` names each broken part, with the fix, and exits non-zero on a failure."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from django.utils import timezone

from tests.ops.support import flrts

pytestmark = pytest.mark.usefixtures("isolated_backups")


def by_name(checks):
    return {c.name: c for c in checks}


def healthy() -> None:
    from flrts.jobs.locks import LOCK_NAME
    from flrts.jobs.models import SchedulerState, WorkerHeartbeat
    from flrts.ops.backup.take import take_backup

    WorkerHeartbeat.objects.create(
        worker_id="w-doc", backend="db", queues="default", pid=1, hostname="h"
    )
    SchedulerState.objects.update_or_create(
        name=LOCK_NAME,
        defaults={"holder": "h:1", "expires_at": timezone.now() + dt.timedelta(seconds=10)},
    )
    take_backup()


@pytest.mark.django_db
def test_doctor_all_ok_on_a_healthy_site() -> None:
    from flrts.ops.doctor import exit_code, run_checks

    healthy()
    checks = by_name(run_checks())
    assert {n: c.status for n, c in checks.items() if c.status != "ok"} == {}, checks
    assert exit_code(list(checks.values())) == 0


@pytest.mark.django_db
def test_doctor_reports_a_stopped_worker() -> None:
    from flrts.jobs.models import WorkerHeartbeat
    from flrts.ops.doctor import exit_code, run_checks

    healthy()
    WorkerHeartbeat.objects.update(last_seen=timezone.now() - dt.timedelta(minutes=5))
    checks = run_checks()
    worker = by_name(checks)["workers"]
    assert worker.status == "fail" and "no heartbeat for" in worker.detail
    assert "flrts worker" in worker.fix and exit_code(checks) == 1


@pytest.mark.django_db
def test_doctor_reports_a_paused_and_a_stopped_scheduler() -> None:
    from flrts.jobs.locks import set_paused
    from flrts.jobs.models import SchedulerState
    from flrts.ops.doctor import run_checks

    healthy()
    set_paused(True)
    check = by_name(run_checks())["scheduler"]
    assert (
        check.status == "warn"
        and "paused" in check.detail
        and check.fix == "flrts scheduler resume"
    )
    set_paused(False)
    SchedulerState.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=2))
    check = by_name(run_checks())["scheduler"]
    assert check.status == "fail" and "not running" in check.detail


@pytest.mark.django_db
def test_doctor_reports_a_stale_and_a_damaged_backup() -> None:
    from flrts.ops.backup.take import latest_backup
    from flrts.ops.doctor import run_checks

    healthy()
    manifest = latest_backup()
    assert manifest is not None and manifest.path is not None
    data = json.loads(manifest.path.read_text())
    data["taken_at"] = (timezone.now() - dt.timedelta(days=3)).isoformat()
    manifest.path.write_text(json.dumps(data))
    check = by_name(run_checks())["backups"]
    assert check.status == "warn" and "h old" in check.detail and "flrts backup" in check.fix
    db_part = manifest.part_path("database")
    db_part.write_bytes(db_part.read_bytes()[:-10])
    check = by_name(run_checks())["backups"]
    assert check.status == "fail" and "damaged" in check.detail


@pytest.mark.django_db
def test_doctor_reports_a_world_readable_site_config(settings) -> None:
    from flrts.ops.doctor import run_checks

    path = settings.SITE.path / "site_config.json"
    os.chmod(path, 0o644)
    try:
        check = by_name(run_checks())["config"]
        assert check.status == "fail" and "chmod 600" in check.fix
    finally:
        os.chmod(path, 0o600)


def test_doctor_reports_a_database_that_is_down(tmp_path: Path) -> None:
    """The site config points at a closed port: one FAIL line per dependent part, no traceback."""
    sites = tmp_path / "sites"
    site = sites / "down.test"
    (site / "private" / "backups").mkdir(parents=True)
    (site / "logs").mkdir()
    config = {
        "db_type": "postgres",
        "db_name": "flrts_nothing",
        "db_host": "127.0.0.1",
        "db_port": 1,
        "db_user": "postgres",
        "secret_key": "k" * 40,
    }
    (site / "site_config.json").write_text(json.dumps(config))
    os.chmod(site / "site_config.json", 0o600)
    result = flrts(sites, "--site", "down.test", "doctor", check=False, timeout=120)
    try:
        import psycopg  # noqa: F401
    except ImportError:  # the README's test command installs no server drivers
        assert result.returncode == 2
        assert result.stderr.strip() == (
            "flrts: error: site_config.json: db_type 'postgres' needs the psycopg package: "
            "pip install 'flrts[postgres]'"
        )
        return
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("FAIL  database") for line in lines), result.stdout
    assert "fix: start the database server" in result.stdout
    assert any(line.startswith("FAIL  workers") and "database is down" in line for line in lines)


def test_the_llm_check_goes_through_the_llm_client_to_the_configured_server(settings) -> None:
    """The doctor asks the site's OpenAI-compatible server with the parser's own client and
    configuration: reachable, a refused key (FAIL, with the fix), and no key at all."""
    from flrts.ops.doctor import check_llm
    from tests.fakes.openai_server import FakeOpenAIServer, error

    config = settings.SITE.config
    with FakeOpenAIServer() as fake:
        config.update(openai_api_key="sk-doctor-test-key-0001", openai_base_url=fake.base_url)
        try:
            assert check_llm().status == "ok"
            assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in fake.requests] == [
                ("GET", "models")
            ]
            assert fake.requests[0].headers["authorization"] == "Bearer sk-doctor-test-key-0001"
            fake.queue(error(401, "Incorrect API key provided"))
            refused = check_llm()
            assert refused.status == "fail" and "refused the API key (401)" in refused.detail
            assert "sk-doctor" not in refused.detail and refused.fix == "set a valid openai_api_key"
        finally:
            config.pop("openai_api_key")
            config.pop("openai_base_url")
    assert "not configured" in check_llm().detail
