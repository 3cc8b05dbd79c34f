"""Every long command-line job draws a tqdm bar on a terminal (stderr on a pty) and nothing at
all when stderr is a pipe: demo load, backup, restore, export, import, the daily report and
nlp eval, each run as an admin would, in a real site."""

from __future__ import annotations

import os
import pty
import select
import subprocess
from pathlib import Path

import pytest

from tests.ops.support import FLRTS, clean_env, drop_site_db, new_site

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "nlp" / "dev"

pytestmark = pytest.mark.slow


def run(sites: Path, args: list[str], tty: bool) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `flrts ARGS`, stderr on a pty or on a pipe."""
    cmd = [*FLRTS, "--sites-dir", str(sites), *args]
    if not tty:
        done = subprocess.run(
            cmd, env=clean_env(), capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
        return done.returncode, done.stdout, done.stderr
    master, slave = pty.openpty()
    with subprocess.Popen(
        cmd,
        env=clean_env(COLUMNS="100"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
    ) as proc:
        os.close(slave)
        seen = b""
        while True:
            ready, _, _ = select.select([master], [], [], 120)
            assert ready, "no output for 120 s"
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not chunk:
                break
            seen += chunk
        assert proc.stdout is not None
        out = proc.stdout.read().decode()
        status = proc.wait(timeout=120)
    os.close(master)
    return status, out, seen.decode(errors="replace")


def test_long_jobs_draw_a_bar_on_a_terminal_and_nothing_on_a_pipe(tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    # Its own database name (derived from the site's): two checkouts' suites can share a server.
    name = f"bars{os.getpid()}.localhost"
    site = new_site(sites, name)
    export = tmp_path / "export.json"
    backups = site / "private" / "backups"
    corpus = tmp_path / "corpus.jsonl"
    lines = (CORPUS / "corpus.jsonl").read_text(encoding="utf-8").splitlines()[:5]
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    eval_args = ["nlp", "eval", str(corpus), "--context", str(CORPUS / "context.json")]
    jobs: list[tuple[list[str], str]] = [
        (["--site", name, "demo"], "demo"),
        (["--site", name, "backup"], "database"),
        (["--site", name, "export", str(export)], "export"),
        (["--site", name, "import", str(export), "--force"], "import"),
        (["--site", name, "report", "daily", "--date", "2026-03-02"], "pdf"),
        (["--site", name, *eval_args, "--no-cold-start"], "eval"),
    ]
    try:
        for args, label in jobs:
            for tty in (True, False):
                status, out, err = run(sites, args, tty)
                assert status == 0, (args, out, err)
                if tty:
                    # tqdm's bar: the label, a percentage or a count, redrawn with \r
                    assert f"{label}:" in err and "\r" in err, (args, err)
                    assert "100%" in err or label == "database", (args, err)
                else:
                    assert "\r" not in err and f"{label}:" not in err, (args, err)
                    assert "it/s" not in err and "B/s" not in err, (args, err)
        dumps = sorted(backups.glob("*-database.*"))
        assert dumps, sorted(p.name for p in backups.iterdir())
        for tty in (True, False):
            restore = ["--site", name, "restore", str(dumps[-1]), "--force"]
            status, out, err = run(sites, restore, tty)
            assert status == 0, (out, err)
            assert ("restore:" in err and "100%" in err) == tty, err
    finally:
        drop_site_db(site)
