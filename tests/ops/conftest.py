from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.ops.support import DB, drop_site_db, require_db


@pytest.fixture
def sites(tmp_path: Path):
    """A fresh sites folder; server databases of its sites are dropped afterwards."""
    require_db(DB)
    folder = tmp_path / "sites"
    folder.mkdir()
    yield folder
    for site in folder.iterdir():
        if (site / "site_config.json").exists():
            drop_site_db(site)


@pytest.fixture
def tag() -> str:
    """Unique per test run, for database names on shared servers."""
    return f"{os.getpid()}"


@pytest.fixture
def isolated_backups(settings, tmp_path: Path) -> Path:
    """Backups of the shared test site go to this test's own folder."""
    from flrts.sites import Site

    folder = tmp_path / "backups"
    site = settings.SITE
    settings.SITE = Site(site.name, site.path, {**site.config, "backup_path": str(folder)})
    return folder
