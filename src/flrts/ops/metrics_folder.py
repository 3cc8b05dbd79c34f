"""The folder of prometheus_client's multiprocess mode for one site: known without Django or
prometheus_client, so that the gunicorn master can prepare it (flrts.ops.gunicorn_conf)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flrts.sites import Site

ENV = "PROMETHEUS_MULTIPROC_DIR"


def site_metrics_dir(site: Site) -> Path:
    """Where the processes of a site keep their request numbers: under logs/, which no URL
    serves."""
    return site.logs / "metrics"


def clear_folder(folder: Path) -> int:
    """Delete every file in `folder` (a new run starts from zero); return how many."""
    removed = 0
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return 0
    for entry in entries:
        if entry.is_file() or entry.is_symlink():
            entry.unlink(missing_ok=True)
            removed += 1
    return removed
