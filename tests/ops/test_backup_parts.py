"""The parts of a backup set: names, the config without secrets (or encrypted), the offsite copy."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_backups")]


def test_backup_set_is_frappe_named_with_a_manifest(isolated_backups: Path, settings) -> None:
    from flrts.ops.backup.names import parse_name
    from flrts.ops.backup.take import BackupOptions, take_backup

    (settings.SITE.public_files / "a.txt").write_text("public")
    manifest = take_backup(BackupOptions(with_files=True, compress=True))
    names = sorted(p.name for p in isolated_backups.iterdir())
    slug = settings.SITE.name.replace(".", "_")
    suffixes = sorted(n.split(f"-{slug}-", 1)[1] for n in names)
    assert suffixes == [
        "database.sqlite3.zst" if connection.vendor == "sqlite" else "database.sql.gz",
        "files.tgz",
        "manifest.json",
        "private-files.tgz",
        "site_config_backup.json",
    ]
    assert all(parse_name(n) for n in names)
    assert manifest.row_counts["people_user"] >= 0 and manifest.migrations
    data = json.loads(manifest.path.read_text())  # type: ignore[union-attr]
    assert len(data["parts"]["database"]["sha256"]) == 64 and data["schema_version"]


def test_site_config_backup_masks_secrets_unless_encrypted(
    isolated_backups: Path, settings
) -> None:
    from flrts.ops.backup import configbackup
    from flrts.ops.backup.take import BackupError, BackupOptions, take_backup

    secret = settings.SITE.config["secret_key"]
    manifest = take_backup()
    text = manifest.part_path("site_config").read_text()
    assert secret not in text and json.loads(text)["secret_key"].startswith(secret[:2])
    assert manifest.secrets_included is False

    with pytest.raises(BackupError, match="passphrase"):
        take_backup(BackupOptions(include_secrets=True))
    manifest = take_backup(BackupOptions(include_secrets=True, passphrase=b"correct horse battery"))
    sealed_path = manifest.part_path("site_config")
    assert sealed_path.name.endswith("site_config_backup-enc.json")
    sealed = json.loads(sealed_path.read_text())
    assert secret not in sealed_path.read_text()
    assert configbackup.decrypt(sealed, b"correct horse battery")["secret_key"] == secret
    with pytest.raises(configbackup.ConfigBackupError, match="wrong passphrase"):
        configbackup.decrypt(sealed, b"wrong horse battery!")


def test_offsite_copy_is_verified_by_checksum(
    isolated_backups: Path, tmp_path: Path, monkeypatch
) -> None:
    from flrts.ops.backup import offsite
    from flrts.ops.backup.take import take_backup

    manifest = take_backup()
    target = tmp_path / "offsite"
    copied = offsite.copy_offsite(manifest, target)
    assert copied.exists() and {p.name for p in target.iterdir()} == {
        *(part.name for part in manifest.parts.values()),
        copied.name,
    }

    real_copy = shutil.copyfile

    def corrupting_copy(src: Path, dst: Path) -> None:
        real_copy(src, dst)
        with open(dst, "r+b") as handle:
            handle.write(b"X")

    monkeypatch.setattr(offsite.shutil, "copyfile", corrupting_copy)
    with pytest.raises(offsite.OffsiteError, match="does not match its checksum"):
        offsite.copy_offsite(manifest, tmp_path / "offsite2")
    assert not any((tmp_path / "offsite2").glob("*manifest*"))


def test_scheduled_backup_is_registered_daily_on_the_long_queue() -> None:
    from flrts.jobs.registry import entries

    entry = {e.method: e for e in entries()}["flrts.ops.backup.scheduled.scheduled_backup"]
    assert (entry.frequency, entry.queue) == ("daily", "long")


def test_scheduled_backup_takes_copies_and_rotates(
    isolated_backups: Path, tmp_path, settings
) -> None:
    from flrts.ops.backup.scheduled import scheduled_backup
    from flrts.sites import Site

    site = settings.SITE
    settings.SITE = Site(
        site.name,
        site.path,
        {
            **site.config,
            "backup_offsite_dir": str(tmp_path / "off"),
            "backup_retention": "last",
            "backup_keep_last": 1,
        },
    )
    scheduled_backup()
    summary = scheduled_backup()
    assert "offsite copy verified" in summary
    assert len(list(isolated_backups.glob("*-manifest.json"))) == 1
    assert len(list((tmp_path / "off").rglob("*-manifest.json"))) == 1
