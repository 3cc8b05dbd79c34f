"""Config values that would break every request are refused (issue 12, item 7): by
`flrts set-config`, at load by every command, and all at once by `flrts doctor`; each with one
line naming the key and its range, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flrts.configcheck import NUMBERS, problems
from tests.ops.support import flrts
from tests.ops.test_health_metrics import make_site

BAD = [
    ("api_rate_limit_window", "0", "from 1 to 86400"),
    ("api_rate_limit_per_ip", "-1", "from 0 to"),
    ("telegram_max_update_bytes", "0", "from 1024 to"),
    ("max_file_size", "12", "from 1024 to"),
    ("allowed_hosts", "5", "JSON list of host names"),
    ("redis_queue", "notaurl", "Redis URL"),
    ("backup_cron", "'every day'", "cron expression"),
    ("backup_interval_hours", "5", "must divide 24"),
    ("telegram_worker_nice", "40", "from 0 to 19"),
    ("debug", "maybe", "true or false"),
]


def _one_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


def test_every_numeric_key_has_a_range_that_holds_its_default() -> None:
    defaults = {"api_rate_limit_window": 60, "telegram_max_update_bytes": 1024 * 1024}
    for key, number in NUMBERS.items():
        assert number.low <= number.high, key
    assert problems(defaults) == []


@pytest.mark.slow
def test_bad_values_are_refused_everywhere_with_one_line(tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    site = make_site(sites, "c.localhost")
    config_path = site / "site_config.json"
    for key, value, words in BAD:
        refused = flrts(sites, "--site", "c.localhost", "set-config", key, value, check=False)
        line = _one_line(refused.stderr)
        assert refused.returncode != 0 and f"'{key}'" in line and words in line, line
    assert "api_rate_limit_window" not in json.loads(config_path.read_text())
    ok = flrts(sites, "--site", "c.localhost", "set-config", "api_rate_limit_window", "30")
    assert "30" in ok.stdout
    # written by hand: every command refuses to start, doctor names every bad key
    config = json.loads(config_path.read_text())
    config.update(api_rate_limit_window=0, allowed_hosts=5, redis_queue="notaurl")
    config_path.write_text(json.dumps(config))
    for command in (["show-config"], ["migrate"], ["start"]):
        result = flrts(sites, "--site", "c.localhost", *command, check=False)
        line = _one_line(result.stderr)
        assert result.returncode == 2 and "site_config.json: key '" in line, line
    doctor = flrts(sites, "--site", "c.localhost", "doctor", check=False)
    assert doctor.returncode == 1 and "Traceback" not in doctor.stdout + doctor.stderr
    for key in ("api_rate_limit_window", "allowed_hosts", "redis_queue"):
        assert f"'{key}'" in doctor.stdout, doctor.stdout
    # and set-config still repairs it
    for key, value in (("api_rate_limit_window", "60"), ("allowed_hosts", '["*"]')):
        flrts(sites, "--site", "c.localhost", "set-config", key, value, check=False)
    fixed = flrts(sites, "--site", "c.localhost", "set-config", "redis_queue", '""')
    assert fixed.returncode == 0
    assert flrts(sites, "--site", "c.localhost", "show-config").returncode == 0
