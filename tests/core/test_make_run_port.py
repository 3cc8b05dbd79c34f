"""`make run PORT=8080`: the port reaches both the printed desk URL and gunicorn's bind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(("args", "port"), [([], "8000"), (["PORT=8123"], "8123")])
def test_make_run_passes_the_port_on(args: list[str], port: str) -> None:
    dry = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "run", *args], capture_output=True, text=True, check=True
    )
    assert f"flrts init --port {port}" in dry.stdout
    assert f"flrts start --bind 127.0.0.1:{port}" in dry.stdout


def test_init_prints_the_desk_url_on_the_chosen_port(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLRTS_", "DJANGO_"))}
    out = subprocess.run(
        [sys.executable, "-m", "flrts.cli", "--sites-dir", str(tmp_path / "sites"), "init",
         "--no-demo", "--port", "8123"],
        capture_output=True, text=True, env=env, timeout=180,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "Desk: http://127.0.0.1:8123/desk/  login: Administrator / " in out.stdout


def test_start_binds_gunicorn_where_it_is_told() -> None:
    from flrts.desk.management.commands.start import Command

    procs = Command().processes({"bind": "127.0.0.1:8123", "workers": 2, "no_worker": True,
                                 "no_scheduler": True})  # fmt: skip
    web = procs["web"]
    assert web[web.index("--bind") + 1] == "127.0.0.1:8123"
