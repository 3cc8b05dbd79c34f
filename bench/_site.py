"""Benchmarks run against a throw-away site made with the real `flrts new-site`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path


def temp_site(db_type: str = "sqlite", name: str = "bench.localhost") -> Path:
    """Create a site in a temp sites folder and point this process's Django at it."""
    sites = Path(tempfile.mkdtemp(prefix="flrts-bench-")) / "sites"
    args = [
        sys.executable,
        "-m",
        "flrts.cli",
        "--sites-dir",
        str(sites),
        "new-site",
        name,
        "--db-type",
        db_type,
        "--admin-password",
        "bench-pass",
        "--force",
    ]
    if db_type == "mariadb":
        args += ["--db-name", f"flrts_bench_{os.getpid()}"]
    if db_type == "postgres":
        args += ["--db-name", f"flrts_bench_{os.getpid()}"]
    subprocess.run(args, check=True, capture_output=True, text=True)
    os.environ["FLRTS_SITES_DIR"] = str(sites)
    os.environ["FLRTS_SITE"] = name
    os.environ["DJANGO_SETTINGS_MODULE"] = "flrts.settings"
    import django

    django.setup()
    return sites


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return round(ordered[index], 2)
