"""The `flrts` command and site configs, run as a user would: real subprocesses, real files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

FLRTS = [sys.executable, "-m", "flrts.cli"]


def run(sites: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLRTS_", "DJANGO_"))}
    result = subprocess.run(
        [*FLRTS, "--sites-dir", str(sites), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sites = tmp_path_factory.mktemp("bench") / "sites"
    run(sites, "new-site", "one.test", "--admin-password", "s3cret-pass", check=True)
    return sites


def test_new_site_lays_out_a_bench_site(bench: Path) -> None:
    site = bench / "one.test"
    for sub in ("private/files", "private/backups", "public/files", "logs"):
        assert (site / sub).is_dir()
    config_path = site / "site_config.json"
    assert stat.S_IMODE(config_path.stat().st_mode) == 0o600
    config = json.loads(config_path.read_text())
    assert config["db_type"] == "sqlite" and len(config["secret_key"]) >= 32
    for slot in ("telegram_bot_token", "telegram_webhook_secret", "openai_api_key"):
        assert slot in config
    assert json.loads((bench / "common_site_config.json").read_text()) == {
        "default_site": "one.test"
    }
    out = run(
        bench,
        "console",
        "-c",
        "from flrts.people.models import User; "
        "print(User.objects.get(username='Administrator').role)",
        check=True,
    )
    assert out.stdout.strip() == "Admin"


def test_new_site_refuses_an_existing_name(bench: Path) -> None:
    result = run(bench, "new-site", "one.test")
    assert result.returncode == 2
    expected = f"flrts: error: site 'one.test' already exists at {bench}/one.test"
    assert result.stderr.strip() == expected


def test_new_site_refuses_a_bad_name(bench: Path) -> None:
    result = run(bench, "new-site", "../evil")
    assert result.returncode == 2 and "site name '../evil' is not valid" in result.stderr


def test_failed_new_site_leaves_nothing_behind(bench: Path) -> None:
    result = run(bench, "new-site", "broken.test", "--db-type", "postgres", "--db-port", "1")
    assert result.returncode == 2
    assert "cannot create postgres database" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (bench / "broken.test").exists()


def test_show_config_masks_secrets(bench: Path) -> None:
    run(bench, "set-config", "telegram_bot_token", "123456:ABCDEFsecretTOKEN", check=True)
    out = run(bench, "show-config", check=True).stdout
    assert "ABCDEFsecretTOKEN" not in out
    shown = json.loads(out)["site_config"]
    assert shown["telegram_bot_token"] == "12" + "*" * 20 + "EN"
    assert shown["secret_key"].count("*") > 20


def test_set_config_parses_json_values_and_refuses_bad_ones(bench: Path) -> None:
    assert "= 5" in run(bench, "set-config", "openai_max_retries", "5", check=True).stdout
    before = (bench / "one.test" / "site_config.json").read_text()
    result = run(bench, "set-config", "time_zone", "Mars/Olympus")
    assert result.returncode != 0
    assert "key 'time_zone' is not an IANA time zone" in result.stderr
    assert (bench / "one.test" / "site_config.json").read_text() == before


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda c: c.update(db_type="oracle"), "key 'db_type' must be one of sqlite, mariadb"),
        (lambda c: c.pop("secret_key"), "key 'secret_key' is missing"),
        (lambda c: c.update(db_type="mariadb"), "key 'db_name' is required for mariadb"),
        (lambda c: c.update(log_level="LOUD"), "key 'log_level' must be DEBUG"),
        (lambda c: c.update(developer_mode="maybe"), "key 'developer_mode' must be true or false"),
    ],
)
def test_a_bad_config_value_stops_with_one_line_naming_the_key(tmp_path, mutate, message) -> None:
    sites = tmp_path / "sites"
    (sites / "bad.test").mkdir(parents=True)
    config = {"db_type": "sqlite", "secret_key": "k" * 40}
    mutate(config)
    (sites / "bad.test" / "site_config.json").write_text(json.dumps(config))
    result = run(sites, "--site", "bad.test", "show-config")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_unreadable_json_and_missing_site_are_one_line(tmp_path) -> None:
    sites = tmp_path / "sites"
    result = run(sites, "show-config")
    assert result.returncode == 2 and "no site selected" in result.stderr
    (sites / "x.test").mkdir(parents=True)
    (sites / "x.test" / "site_config.json").write_text("{not json")
    result = run(sites, "--site", "x.test", "migrate")
    assert result.returncode == 2
    assert "site_config.json: not valid JSON (line 1" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_add_user_and_set_telegram(bench: Path) -> None:
    out = run(
        bench,
        "add-user",
        "Taylor@Example.com",
        "--name",
        "Taylor Reed",
        "--role",
        "Worker",
        "--timezone",
        "America/Chicago",
        "--telegram-id",
        "777",
        check=True,
    )
    assert "Created Taylor Reed <taylor@example.com> (Worker, America/Chicago)" in out.stdout
    dup = run(bench, "add-user", "other@example.com", "--name", "O", "--telegram-id", "777")
    assert dup.returncode != 0 and "already linked to another user" in dup.stderr
    bad_tz = run(bench, "add-user", "z@example.com", "--name", "Z", "--timezone", "Nowhere/X")
    assert bad_tz.returncode != 0 and "not an IANA time zone" in bad_tz.stderr
    run(bench, "add-user", "colin@example.com", "--name", "Colin", check=True)
    clash = run(bench, "set-telegram", "colin@example.com", "777")
    assert clash.returncode != 0 and "taylor@example.com" in clash.stderr
    linked = run(bench, "set-telegram", "colin@example.com", "778", check=True)
    assert "Linked Colin <colin@example.com> to Telegram id 778" in linked.stdout


def test_migrate_is_safe_to_run_twice(bench: Path) -> None:
    run(bench, "migrate", check=True)
    again = run(bench, "migrate", check=True)
    assert "No migrations to apply" in again.stdout


def _can_log_in(bench: Path, username: str, password: str) -> bool:
    out = run(
        bench,
        "console",
        "-c",
        "from django.contrib.auth import authenticate; "
        f"print(authenticate(username={username!r}, password={password!r}) is not None)",
        check=True,
    )
    return out.stdout.strip() == "True"


def test_set_password_for_the_administrator_and_anyone(bench: Path) -> None:
    done = run(bench, "set-password", "Administrator", "--password", "fresh-pass-42", check=True)
    assert "Password set for Administrator (Administrator)" in done.stdout
    assert "fresh-pass-42" not in done.stdout + done.stderr
    assert _can_log_in(bench, "Administrator", "fresh-pass-42")
    assert not _can_log_in(bench, "Administrator", "s3cret-pass")
    run(bench, "add-user", "pw@example.com", "--name", "P W", "--password", "first-pass-1")
    piped = subprocess.run(
        [*FLRTS, "--sites-dir", str(bench), "set-password", "PW@example.com"],
        input="piped-pass-77\n",
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith(("FLRTS_", "DJANGO_"))},
        timeout=120,
    )
    assert piped.returncode == 0, piped.stderr
    assert _can_log_in(bench, "pw@example.com", "piped-pass-77")


def test_set_password_refuses_unknown_people_and_short_passwords(bench: Path) -> None:
    unknown = run(bench, "set-password", "nobody@example.com", "--password", "long-enough-1")
    assert unknown.returncode != 0
    assert "no person with email or username 'nobody@example.com'" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    short = run(bench, "set-password", "Administrator", "--password", "short")
    assert short.returncode != 0 and "at least 8 characters" in short.stderr
    assert "Traceback" not in short.stderr
