"""`flrts restore`: replace this site's database (and files) with a verified backup.

Order matters, so a bad backup never touches the site: verify (checksums, gzip, archives), load
into a staging database (SQLite: a new file) — a dump that does not load is refused here — then
take a safety backup of the live site, and only then swap the staging database in.
After the swap: the files, then migrations (a backup from an older version is brought up to this
code), then the row counts compared with the manifest.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connections

from flrts.core.progress import bar
from flrts.ops import databases, dbparams
from flrts.ops.backup import archives, dumpers
from flrts.ops.backup.manifest import Manifest, sha256_file
from flrts.ops.backup.names import parse_name
from flrts.ops.backup.take import BackupError, BackupOptions, manifest_for, take_backup
from flrts.ops.backup.verify import check_contents, check_parts, compare_counts

logger = logging.getLogger("flrts.ops.backup.restore")


class RestoreError(Exception):
    pass


@dataclass
class RestoreReport:
    manifest: Manifest
    safety_backup: Manifest | None
    loaded_counts: dict[str, int] = field(default_factory=dict)
    count_differences: list[str] = field(default_factory=list)
    files_restored: dict[str, int] = field(default_factory=dict)


def _check_tar_arg(path: Path, manifest: Manifest) -> None:
    """A files archive is checked against its own set's manifest when it has one."""
    if not path.exists():
        raise RestoreError(f"{path} does not exist")
    parsed = parse_name(path)
    if parsed:
        try:
            own = manifest if path.parent == manifest.folder else manifest_for(path)
        except BackupError:
            own = None
        if own is not None:
            listed = {p.name: p for p in own.parts.values()}
            part = listed.get(path.name)
            if part is not None and (
                path.stat().st_size != part.size or sha256_file(path) != part.sha256
            ):
                raise RestoreError(f"refusing to restore: {path.name}: checksum mismatch")
    try:
        archives.check_tar(path)
    except archives.ArchiveError as exc:
        raise RestoreError(f"refusing to restore: {exc}") from None


def preflight(db_file: Path, public_tar: Path | None, private_tar: Path | None) -> Manifest:
    try:
        manifest = manifest_for(db_file)
    except BackupError as exc:
        raise RestoreError(f"refusing to restore: {exc}") from None
    parsed = parse_name(db_file)
    if not parsed or parsed[1] != "database":
        raise RestoreError(f"refusing to restore: {db_file.name} is not a database backup")
    from flrts.ops.backup.verify import VerifyReport

    report = VerifyReport(manifest)
    check_parts(manifest, report)
    if report.ok:
        check_contents(manifest, report)
    if not report.ok:
        raise RestoreError("refusing to restore a damaged backup: " + "; ".join(report.problems))
    current = dbparams.current()
    if manifest.db_type != current.engine:
        raise RestoreError(
            f"the backup is a {manifest.db_type} dump and this site runs {current.engine}: "
            "move data between databases with `flrts export` / `flrts import`"
        )
    for tar in (public_tar, private_tar):
        if tar is not None:
            _check_tar_arg(tar, manifest)
    return manifest


def staging_name(params: dbparams.DbParams) -> str:
    if params.engine == "sqlite":
        return params.name + ".restoring"
    return (params.name[:50] + "__restore")[:63]


def swap_in(target: dbparams.DbParams, staged: dbparams.DbParams) -> None:
    """Make the staged database the site's database."""
    connections.close_all()
    if target.engine == "sqlite":
        for suffix in ("-wal", "-shm", "-journal"):
            Path(target.name + suffix).unlink(missing_ok=True)
        os.replace(staged.name, target.name)
        return
    # Dropping and creating whole databases is flrts.ops.databases' job; the swap itself is here.
    if target.engine == "postgres":
        databases.drop_database(target)
        conn = dbparams.connect(target, database="")
        try:
            conn.autocommit = True
            conn.execute(f'ALTER DATABASE "{staged.name}" RENAME TO "{target.name}"')
        finally:
            conn.close()
        return
    # MariaDB has no RENAME DATABASE: move every table in one RENAME TABLE (atomic; InnoDB
    # carries the foreign keys along), then drop the empty staging database.
    conn = dbparams.connect(staged)
    try:
        tables = dumpers.table_names(staged, conn)
        databases.create_database(target, replace=True)
        if tables:
            cur = conn.cursor()
            moves = ", ".join(f"`{staged.name}`.`{t}` TO `{target.name}`.`{t}`" for t in tables)
            cur.execute("SET SESSION foreign_key_checks=0")
            cur.execute(f"RENAME TABLE {moves}")
    finally:
        conn.close()
    databases.drop_database(staged)


def restore(
    db_file: Path,
    public_tar: Path | None = None,
    private_tar: Path | None = None,
    *,
    safety_backup: bool = True,
    migrate: bool = True,
) -> RestoreReport:
    db_file = Path(db_file).resolve()
    manifest = preflight(db_file, public_tar, private_tar)
    site = settings.SITE
    target = dbparams.current()
    staged = databases.create_database(target.with_name(staging_name(target)), replace=True)
    try:
        with bar("restore", total=manifest.parts["database"].size, unit="B") as shown:
            dumpers.load(staged, db_file, shown.add)
        loaded, _ = dumpers.database_counts(staged)
    except BaseException as exc:
        databases.drop_database(staged)
        if isinstance(exc, dumpers.DumpError):
            raise RestoreError(
                f"refusing to restore: the dump does not load ({exc}); the site is unchanged"
            ) from None
        raise
    safety = None
    if safety_backup:
        try:
            safety = take_backup(
                BackupOptions(with_files=bool(public_tar or private_tar), kind="safety")
            )
        except BaseException as exc:
            databases.drop_database(staged)
            if isinstance(exc, BackupError):
                raise RestoreError(
                    f"could not take the safety backup, nothing restored: {exc}"
                ) from None
            raise
    swap_in(target, staged)
    report = RestoreReport(manifest, safety, loaded, compare_counts(manifest.row_counts, loaded))
    for tar, kind, folder in (
        (public_tar, "public", site.public_files),
        (private_tar, "private", site.private_files),
    ):
        if tar is not None:
            report.files_restored[kind] = archives.extract_files(Path(tar), kind, folder)
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)
    logger.info("restored %s into %s", db_file.name, site.name)
    return report
