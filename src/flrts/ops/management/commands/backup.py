from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def human(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}" if unit != "B" else f"{int(size)} B"
        size /= 1024
    return f"{size:.1f} GB"


class Command(BaseCommand):
    help = (
        "Back up the site (Frappe-named files + manifest), or: list | verify FILE | "
        "prune (apply retention) | offsite FILE (copy a set to the offsite folder or S3 bucket "
        "and verify it there)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            nargs="?",
            default="take",
            choices=["take", "list", "verify", "prune", "offsite"],
        )
        parser.add_argument("file", nargs="?", help="a backup file (for verify / offsite)")
        parser.add_argument("--with-files", action="store_true", help="public and private files")
        parser.add_argument("--compress", action="store_true", help="tgz instead of tar")
        parser.add_argument("--backup-path", type=Path, help="folder (default: private/backups)")
        parser.add_argument("--include-secrets", action="store_true")
        parser.add_argument("--passphrase-file", type=Path)
        parser.add_argument("--no-load", action="store_true", help="verify: checksums only")
        parser.add_argument("--json", action="store_true", help="list: JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action in ("verify", "offsite") and not opts["file"]:
            raise CommandError(f"backup {action} needs a FILE (see `flrts backup list`)")
        if action == "take":
            self._take(opts)
        elif action == "list":
            self._list(opts)
        elif action == "verify":
            self._verify(Path(opts["file"]), load=not opts["no_load"])
        elif action == "prune":
            self._prune(opts)
        else:
            self._offsite(Path(opts["file"]))

    def _take(self, opts: dict[str, Any]) -> None:
        from flrts.ops.backup.configbackup import ConfigBackupError, read_passphrase
        from flrts.ops.backup.take import BackupError, BackupOptions, take_backup

        passphrase = None
        if opts["include_secrets"]:
            if not opts["passphrase_file"]:
                raise CommandError("--include-secrets needs --passphrase-file FILE")
            try:
                passphrase = read_passphrase(opts["passphrase_file"])
            except ConfigBackupError as exc:
                raise CommandError(str(exc))
        options = BackupOptions(
            with_files=opts["with_files"],
            compress=opts["compress"],
            backup_path=opts["backup_path"],
            include_secrets=opts["include_secrets"],
            passphrase=passphrase,
        )
        try:
            manifest = take_backup(options)
        except BackupError as exc:
            raise CommandError(f"backup failed: {exc}")
        self.stdout.write(f"Backup taken in {manifest.duration_seconds:.1f}s ({manifest.tool}):")
        for part in manifest.parts.values():
            self.stdout.write(f"  {manifest.folder / part.name}  {human(part.size)}")
        assert manifest.path is not None
        self.stdout.write(f"  {manifest.path}")
        if "files_storage" in manifest.extra:
            self.stdout.write(f"files not archived: they are in {manifest.extra['files_storage']}")
        self.stdout.write(
            f"schema {manifest.schema_version}, {sum(manifest.row_counts.values())} rows "
            f"in {len(manifest.row_counts)} tables"
        )

    def _list(self, opts: dict[str, Any]) -> None:
        import json

        from flrts.ops.backup.take import backup_dir, list_backups

        folder = backup_dir(override=opts["backup_path"])
        backups = list_backups(folder) if folder.exists() else []
        if opts["json"]:
            self.stdout.write(json.dumps([m.to_json() for m in backups], indent=1))
            return
        if not backups:
            self.stdout.write(f"No backups in {folder}")
            return
        self.stdout.write(f"{'taken (UTC)':20} {'kind':9} {'db':8} {'size':>10} {'rows':>9}  files")
        for m in backups:
            parts = ",".join(k for k in ("public_files", "private_files") if k in m.parts)
            self.stdout.write(
                f"{m.taken_at[:19]:20} {m.kind:9} {m.db_type:8} {human(m.total_size):>10} "
                f"{sum(m.row_counts.values()):>9}  {m.parts['database'].name}"
                + (f" (+{parts})" if parts else "")
            )

    def _verify(self, path: Path, load: bool) -> None:
        from flrts.ops.backup.take import BackupError, manifest_for
        from flrts.ops.backup.verify import verify

        try:
            manifest = manifest_for(path)
        except BackupError as exc:
            raise CommandError(str(exc))
        report = verify(manifest, load=load)
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        if not report.ok:
            raise CommandError("backup is NOT usable: " + "; ".join(report.problems))
        checked = ", ".join(sorted(manifest.parts))
        loaded = " and loaded into a scratch database" if report.loaded_counts is not None else ""
        self.stdout.write(f"OK: {checked} match their checksums{loaded}; row counts match")

    def _prune(self, opts: dict[str, Any]) -> None:
        from flrts.ops.backup.retention import apply_retention, policy_from_config
        from flrts.ops.backup.take import backup_dir

        removed = apply_retention(backup_dir(override=opts["backup_path"]), policy_from_config())
        self.stdout.write(f"removed {len(removed)} backup set(s)")
        for prefix in removed:
            self.stdout.write(f"  {prefix}")

    def _offsite(self, path: Path) -> None:
        from flrts.ops.backup.offsite import OffsiteError, target_from_config
        from flrts.ops.backup.take import BackupError, manifest_for

        try:
            manifest = manifest_for(path)
            target = target_from_config()
            if target is None:
                raise CommandError(
                    "no offsite target: set backup_offsite_dir, or backup_s3_endpoint, "
                    "backup_s3_bucket, backup_s3_access_key and backup_s3_secret_key "
                    "in site_config.json"
                )
            where = target.copy(manifest)
        except (BackupError, OffsiteError) as exc:
            raise CommandError(str(exc))
        self.stdout.write(f"copied and verified: {where}")
