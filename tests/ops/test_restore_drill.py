"""The restore drill: fill a site, back it up while it is written to, restore into a new site,
compare every table and every file. On the database named by FLRTS_TEST_DB."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest

from tests.ops.support import (
    DB,
    FILL,
    FLRTS,
    WRITER,
    clean_env,
    file_hashes,
    flrts,
    new_site,
    read_tables,
)

pytestmark = pytest.mark.slow


def backup_files(site: Path) -> dict[str, Path]:
    folder = site / "private" / "backups"
    manifests = sorted(folder.glob("*-manifest.json"))
    data = json.loads(manifests[-1].read_text())
    return {key: folder / part["name"] for key, part in data["parts"].items()} | {
        "manifest": manifests[-1]
    }


def restore_set(sites: Path, site: Path, parts: dict[str, Path]) -> None:
    """`flrts restore` of a whole set (database and both file archives) into `site`."""
    flrts(
        sites,
        "--site",
        site.name,
        "restore",
        str(parts["database"]),
        "--force",
        "--with-public-files",
        str(parts["public_files"]),
        "--with-private-files",
        str(parts["private_files"]),
    )


def test_restore_drill_backup_under_writes_restores_identically(sites: Path, tag: str) -> None:
    src = new_site(sites, f"src{tag}.test", demo=True)
    flrts(sites, "--site", src.name, "console", "-c", FILL)

    # Phase 1: back up while another process keeps inserting tasks.
    writer = subprocess.Popen(
        [
            *FLRTS,
            "--sites-dir",
            str(sites),
            "--site",
            src.name,
            "console",
            "-c",
            WRITER.format(seconds=6),
        ],
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out = flrts(sites, "--site", src.name, "backup", "--with-files")
    written = int(writer.communicate(timeout=120)[0].strip().splitlines()[-1])
    assert writer.returncode == 0 and written > 0
    parts = backup_files(src)
    manifest = json.loads(parts["manifest"].read_text())
    assert manifest["db_type"] == DB and "Backup taken" in out.stdout

    mid = new_site(sites, f"mid{tag}.test")
    restore_set(sites, mid, parts)
    restored, source = read_tables(mid), read_tables(src)
    # A consistent snapshot: the manifest's counts, and every restored row exists unchanged.
    assert {t: len(rows) for t, rows in restored.items()} == manifest["row_counts"]
    for table, rows in restored.items():
        if table != "core_namingseries":  # the one table the writer updates in place
            assert set(rows) <= set(source[table]), table
    assert 0 < manifest["row_counts"]["tasks_task"] <= len(source["tasks_task"])

    # Phase 2: writes stopped; a second backup restores to an identical site.
    flrts(sites, "--site", src.name, "backup", "--with-files")
    parts = backup_files(src)
    dst = new_site(sites, f"dst{tag}.test")
    restore_set(sites, dst, parts)
    assert read_tables(dst) == read_tables(src)
    for sub in ("public/files", "private/files"):
        assert file_hashes(dst / sub) == file_hashes(src / sub) != {}
    for doctype_table in (
        "tasks_task",
        "core_errorlog",
        "nlp_parserlog",
        "core_version",
        "fieldreports_attachment",
        "reminders_reminder",
        "lists_flrtslist",
        "fieldreports_fieldreport",
        "org_site",
        "org_contractor",
    ):
        assert read_tables(dst)[doctype_table], doctype_table

    # The restored site works: its own backup verifies, including the load into scratch.
    flrts(sites, "--site", dst.name, "backup")
    verified = flrts(
        sites, "--site", dst.name, "backup", "verify", str(backup_files(dst)["database"])
    )
    assert verified.stdout.startswith("OK:")


def test_export_import_moves_a_site_between_databases(sites: Path, tag: str) -> None:
    """Portable JSON: a SQLite site's data into a site on FLRTS_TEST_DB (and back to SQLite)."""
    src = new_site(sites, f"exp{tag}.test", db="sqlite", demo=True)
    export = sites / "export.json.gz"
    flrts(sites, "--site", src.name, "export", str(export))
    dst = new_site(sites, f"imp{tag}.test")
    out = flrts(sites, "--site", dst.name, "import", str(export), "--force")
    assert "imported" in out.stdout
    code = (
        "from flrts.tasks.models import Task; from flrts.people.models import User;"
        "print(sorted(Task.objects.values_list('name','subject','status')), "
        "sorted(User.objects.values_list('username','time_zone')))"
    )
    assert (
        flrts(sites, "--site", dst.name, "console", "-c", code).stdout
        == flrts(sites, "--site", src.name, "console", "-c", code).stdout
    )

    # A file that fails half-way (its last record is damaged) changes nothing.
    damaged = sites / "damaged.json"
    records = json.loads(gzip.decompress(export.read_bytes()))
    damaged.write_text(json.dumps([*records, {"model": "tasks.nosuch", "pk": 1, "fields": {}}]))
    before = read_tables(dst)
    failed = flrts(sites, "--site", dst.name, "import", str(damaged), "--force", check=False)
    assert failed.returncode != 0 and "import failed, nothing was changed" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert read_tables(dst) == before
