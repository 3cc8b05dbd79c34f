"""`flrts backup`: one consistent backup set of the current site, Frappe-named, with a manifest.

The parts are written first and the manifest last: a set without a manifest is unfinished and
`list`, `verify` and `restore` ignore it. A failed backup removes what it wrote.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from flrts.core import storage
from flrts.core.progress import bar
from flrts.ops import dbparams
from flrts.ops.backup import archives, configbackup, dumpers
from flrts.ops.backup.manifest import Manifest, ManifestError, Part, read_manifest
from flrts.ops.backup.names import BackupName, parse_name, site_slug, stamp
from flrts.sites import Site

logger = logging.getLogger("flrts.ops.backup")


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class BackupOptions:
    with_files: bool = False
    compress: bool = False
    backup_path: Path | None = None
    include_secrets: bool = False
    passphrase: bytes | None = None
    kind: str = "manual"
    gzip_level: int | None = None


def backup_dir(site: Site | None = None, override: Path | None = None) -> Path:
    site = site or settings.SITE
    if override:
        return Path(override).resolve()
    configured = site.get("backup_path")
    return Path(configured).resolve() if configured else site.backups


def _free_name(folder: Path, slug: str, at: dt.datetime) -> BackupName:
    """Two backups in one second (a safety backup right after a manual one) get distinct names."""
    while True:
        name = BackupName(stamp(at), slug)
        if not any(folder.glob(name.prefix + "-*")):
            return name
        at += dt.timedelta(seconds=1)


def take_backup(options: BackupOptions | None = None, site: Site | None = None) -> Manifest:
    options = options or BackupOptions()
    site = site or settings.SITE
    if options.include_secrets and not options.passphrase:
        raise BackupError("--include-secrets needs --passphrase-file (the config is encrypted)")
    folder = backup_dir(site, options.backup_path)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    started = time.monotonic()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    name = _free_name(folder, site_slug(site.name), now)
    now = name.taken_at  # a bumped name keeps its manifest's time equal to the name's
    params = dbparams.current()
    level = options.gzip_level or site.get_int("backup_gzip_level", 6, minimum=1)  # SQL dumps
    written: list[Path] = []
    try:
        db_file = folder / name.file("database", engine=params.engine)
        written.append(db_file)
        with bar("database", unit="B") as shown:
            result = dumpers.dump(params, db_file, level=min(level, 9), progress=shown.add)
        parts = {"database": db_file}
        extra = dict(result.extra)
        if options.with_files and storage.uses_s3(site):
            # The files are in the bucket, not on this host: the bucket (with its versioning or
            # replication) is their copy. The manifest says where they are.
            extra["files_storage"] = storage.describe(site)
            logger.info("files not archived: they are in %s", extra["files_storage"])
        elif options.with_files:
            for key, source, arc in (
                ("public_files", site.public_files, f"{site.name}/public/files"),
                ("private_files", site.private_files, f"{site.name}/private/files"),
            ):
                out = folder / name.file(key, compress=options.compress)
                written.append(out)
                with bar(key.replace("_", " "), unit="B") as shown:
                    archives.make_tar(
                        source, arc, out, compress=options.compress, progress=shown.add
                    )
                parts[key] = out
        config_file = folder / name.file("site_config", encrypted=options.include_secrets)
        written.append(config_file)
        if options.include_secrets:
            assert options.passphrase is not None
            configbackup.write(config_file, configbackup.encrypt(site.config, options.passphrase))
        else:
            configbackup.write(config_file, configbackup.without_secrets(site.config))
        parts["site_config"] = config_file
        for path in parts.values():
            path.chmod(0o600)
        manifest = Manifest(
            site=site.name,
            taken_at=now.isoformat(),
            db_type=params.engine,
            kind=options.kind,
            tool=result.tool,
            migrations=result.migrations,
            row_counts=result.row_counts,
            parts={key: Part.of(path) for key, path in parts.items()},
            secrets_included=options.include_secrets,
            duration_seconds=round(time.monotonic() - started, 3),
            extra=extra,
        )
        manifest_path = folder / name.file("manifest")
        written.append(manifest_path)
        manifest.write(manifest_path)
    except BaseException as exc:
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(exc, dumpers.DumpError | archives.ArchiveError | OSError):
            raise BackupError(str(exc)) from None
        raise
    logger.info(
        "backup %s taken: %d bytes, %d rows, %.1fs",
        name.prefix,
        manifest.total_size,
        sum(manifest.row_counts.values()),
        manifest.duration_seconds,
    )
    return manifest


def list_backups(folder: Path) -> list[Manifest]:
    """Finished backup sets in `folder`, oldest first (unreadable manifests are skipped)."""
    found = []
    for path in folder.glob("*-manifest.json"):
        parsed = parse_name(path)
        if not parsed:
            continue
        try:
            found.append(read_manifest(path))
        except ManifestError:
            logger.warning("skipping unreadable manifest %s", path.name)
    return sorted(found, key=lambda m: (m.taken_at, m.path.name if m.path else ""))


def manifest_for(path: Path) -> Manifest:
    """The manifest of the set a part (or the manifest itself) belongs to."""
    path = Path(path).resolve()
    parsed = parse_name(path)
    if parsed is None:
        raise BackupError(
            f"{path.name} is not named like a backup "
            "(YYYYmmdd_HHMMSS-<site>-database.sql.gz, SQLite: -database.sqlite3.zst)"
        )
    name, _part = parsed
    manifest_path = path.parent / name.file("manifest")
    if not manifest_path.exists():
        raise BackupError(
            f"no manifest for {path.name} ({manifest_path.name} is missing): "
            "cannot verify this backup"
        )
    try:
        return read_manifest(manifest_path)
    except ManifestError as exc:
        raise BackupError(str(exc)) from None


def latest_backup(site: Site | None = None) -> Manifest | None:
    folder = backup_dir(site)
    if not folder.exists():
        return None
    backups = [m for m in list_backups(folder) if m.kind != "safety"]
    return backups[-1] if backups else None


def remove_set(manifest: Manifest) -> list[str]:
    """Delete every file of one backup set, the manifest last."""
    removed = []
    for part in manifest.parts.values():
        path = manifest.folder / part.name
        if path.exists():
            path.unlink()
            removed.append(part.name)
    if manifest.path and manifest.path.exists():
        manifest.path.unlink()
        removed.append(manifest.path.name)
    return removed
