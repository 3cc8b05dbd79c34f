"""The offsite copy of a backup set, to one target configured in site_config.json:

- a folder, `backup_offsite_dir` (another disk, a mounted remote): sets go to `<dir>/<slug>/`;
- an S3-compatible bucket (AWS S3, MinIO, Backblaze B2, Wasabi, ...): `backup_s3_endpoint`,
  `backup_s3_bucket`, `backup_s3_access_key`, `backup_s3_secret_key`, optionally
  `backup_s3_region` (default us-east-1) and `backup_s3_prefix` (default the site slug; `/` for
  the bucket's root). Objects are `<prefix>/<file name>`, sent by the client in
  `flrts.ops.backup.s3`.

Configuring both is an error (choose one): a second copy of a copy is better made by the storage
(bucket replication, a synced disk) than by running the upload twice.

Either way every part is copied, read back and its size and SHA-256 compared with the manifest's
before the next one goes: the folder copy is re-read from disk, each S3 object is downloaded
again (S3 also checks the signed `x-amz-content-sha256` of each upload as it arrives). A part
that does not match is removed and the copy fails. The manifest goes last, so an interrupted
copy is an unfinished set (no manifest) there too.

Retention on the target uses the backup folder's policy (`retention.select_keep` over the sets'
timestamps). On S3 the sets are found by listing `<prefix>/` and grouping the objects by the
`<stamp>-<slug>` of their names (other sites' and foreign objects are left alone); safety sets
(by their manifest's kind) go after 7 days, as locally; and a set without a manifest none of
whose objects was written in the last day is an upload that died, and is removed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from flrts.ops.backup.manifest import Manifest, read_manifest, sha256_file

if TYPE_CHECKING:
    from flrts.ops.backup.names import BackupName
    from flrts.ops.backup.retention import Policy
    from flrts.ops.backup.s3 import ObjectInfo, S3Client

logger = logging.getLogger("flrts.ops.backup.offsite")

S3_REQUIRED = ("backup_s3_endpoint", "backup_s3_bucket", "backup_s3_access_key")
S3_SECRET = "backup_s3_secret_key"
UNFINISHED_AFTER = dt.timedelta(days=1)
SAFETY_DAYS = 7


class OffsiteError(Exception):
    pass


class OffsiteTarget(Protocol):
    def describe(self) -> str:
        """Where the copies go, for messages (never a secret)."""
        ...

    def copy(self, manifest: Manifest) -> str:
        """Copy and verify one set; returns where its manifest landed."""
        ...

    def apply_retention(self, policy: Policy, now: dt.datetime | None = None) -> list[str]:
        """Remove the sets the policy does not keep; returns their `<stamp>-<slug>` prefixes."""
        ...

    def check(self) -> str:
        """Raise OffsiteError when the target cannot be reached; else a short description."""
        ...


# --- a folder -----------------------------------------------------------------------------------


def copy_offsite(manifest: Manifest, target: Path) -> Path:
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OffsiteError(f"cannot create the offsite folder {target}: {exc.strerror}") from None
    for key, part in sorted(manifest.parts.items()):
        source = manifest.folder / part.name
        dest = target / part.name
        tmp = dest.with_name(dest.name + ".copying")
        try:
            shutil.copyfile(source, tmp)
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OffsiteError(f"copying {part.name} offsite failed: {exc.strerror}") from None
        if tmp.stat().st_size != part.size or sha256_file(tmp) != part.sha256:
            tmp.unlink(missing_ok=True)
            raise OffsiteError(f"offsite copy of {part.name} ({key}) does not match its checksum")
        os.replace(tmp, dest)
    assert manifest.path is not None
    dest_manifest = target / manifest.path.name
    shutil.copyfile(manifest.path, dest_manifest)
    read_manifest(dest_manifest)  # it must parse where it landed
    return dest_manifest


@dataclass(frozen=True)
class FolderTarget:
    folder: Path  # <backup_offsite_dir>/<slug>

    def describe(self) -> str:
        return str(self.folder)

    def copy(self, manifest: Manifest) -> str:
        return str(copy_offsite(manifest, self.folder))

    def apply_retention(self, policy: Policy, now: dt.datetime | None = None) -> list[str]:
        from flrts.ops.backup.retention import apply_retention

        return apply_retention(self.folder, policy, now=now, safety_days=SAFETY_DAYS)

    def check(self) -> str:
        base = self.folder.parent
        if not base.is_dir():
            raise OffsiteError(
                f"the offsite folder {base} (backup_offsite_dir) does not exist: is it mounted?"
            )
        if not os.access(base, os.W_OK):
            raise OffsiteError(f"the offsite folder {base} (backup_offsite_dir) is not writable")
        return f"folder {self.folder}"


# --- an S3-compatible bucket --------------------------------------------------------------------


class S3Target:
    def __init__(self, client: S3Client, prefix: str, slug: str) -> None:
        self.client = client
        self.prefix = prefix.strip("/")
        self.slug = slug

    def __repr__(self) -> str:
        return f"S3Target({self.describe()!r})"

    def key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def describe(self) -> str:
        where = self.client.url_of(f"{self.prefix}/" if self.prefix else "")
        return f"{where} at {self.client.endpoint}"

    def check(self) -> str:
        try:
            self.client.head_bucket()
        finally:
            self.client.close()
        return f"bucket reachable: {self.describe()}"

    def copy(self, manifest: Manifest) -> str:
        assert manifest.path is not None
        try:
            for key, part in sorted(manifest.parts.items()):
                self._upload_verified(
                    manifest.folder / part.name, part.size, part.sha256, f"{part.name} ({key})"
                )
            path = manifest.path
            self._upload_verified(path, path.stat().st_size, sha256_file(path), path.name)
        finally:
            self.client.close()
        return self.client.url_of(self.key(manifest.path.name))

    def _upload_verified(self, path: Path, size: int, sha256: str, label: str) -> None:
        try:
            actual = path.stat().st_size
        except FileNotFoundError:
            raise OffsiteError(f"{path} is missing: the backup set is incomplete") from None
        if actual != size:
            raise OffsiteError(
                f"{path.name} is {actual} bytes but its manifest says {size}: "
                "the backup set changed after it was taken"
            )
        key = self.key(path.name)
        self.client.put_object(key, path, sha256=sha256)
        got_size, got_sha256 = self.client.get_object_digest(key)
        if got_size != size or got_sha256 != sha256:
            with contextlib.suppress(OffsiteError):
                self.client.delete_object(key)  # a bad copy must not look like a good one
            raise OffsiteError(
                f"offsite copy of {label} at {self.client.url_of(key)} does not match its "
                f"checksum (read back {got_size} bytes, sha256 {got_sha256[:16]}…; "
                f"expected {size} bytes, {sha256[:16]}…)"
            )

    def apply_retention(self, policy: Policy, now: dt.datetime | None = None) -> list[str]:
        from flrts.ops.backup.names import parse_name
        from flrts.ops.backup.retention import select_keep

        now = now or dt.datetime.now(dt.UTC)
        listing = f"{self.prefix}/" if self.prefix else ""
        try:
            sets: dict[BackupName, list[ObjectInfo]] = defaultdict(list)
            manifests: dict[BackupName, ObjectInfo] = {}
            for obj in self.client.list_objects(listing):
                name = obj.key[len(listing) :]
                parsed = parse_name(name) if "/" not in name else None
                if parsed is None or parsed[0].slug != self.slug:
                    continue  # not a backup file of this site
                backup, part = parsed
                sets[backup].append(obj)
                if part == "manifest":
                    manifests[backup] = obj

            regular: dict[dt.datetime, BackupName] = {}
            doomed: list[BackupName] = []
            for backup, objects in sorted(sets.items(), key=lambda item: item[0].prefix):
                if backup not in manifests:
                    written = [o.last_modified for o in objects if o.last_modified is not None]
                    if now - max(written, default=backup.taken_at) > UNFINISHED_AFTER:
                        logger.info("removing the unfinished upload %s", backup.prefix)
                        doomed.append(backup)
                    continue
                kind = self._kind(manifests[backup])
                if kind is None:
                    continue  # unreadable: kept, as `list_backups` skips it locally
                if kind == "safety":
                    if now - backup.taken_at > dt.timedelta(days=SAFETY_DAYS):
                        doomed.append(backup)
                else:
                    regular[backup.taken_at] = backup
            keep = select_keep(regular, policy)
            doomed += [backup for stamp, backup in regular.items() if stamp not in keep]

            removed = []
            for backup in sorted(doomed, key=lambda b: b.prefix):
                self._remove_set(sets[backup], manifests.get(backup))
                removed.append(backup.prefix)
        finally:
            self.client.close()
        if removed:
            logger.info(
                "retention (%s) removed %d set(s) in %s",
                policy.describe(),
                len(removed),
                self.describe(),
            )
        return removed

    def _kind(self, manifest: ObjectInfo) -> str | None:
        data: Any
        try:
            data = json.loads(self.client.get_bytes(manifest.key))
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            logger.warning("skipping the unreadable manifest %s", self.client.url_of(manifest.key))
            return None
        return str(data.get("kind", "manual"))

    def _remove_set(self, objects: list[ObjectInfo], manifest: ObjectInfo | None) -> None:
        """Parts first, the manifest last: an interrupted removal is an unfinished set."""
        for obj in objects:
            if manifest is None or obj.key != manifest.key:
                self.client.delete_object(obj.key)
        if manifest is not None:
            self.client.delete_object(manifest.key)


# --- the configured target ----------------------------------------------------------------------


def target_from_config(site: Any = None) -> OffsiteTarget | None:
    """The configured target, None when there is none; OffsiteError when it is half-configured
    or both a folder and a bucket are."""
    from django.conf import settings

    from flrts.ops.backup.names import site_slug

    site = site or settings.SITE
    slug = site_slug(site.name)
    folder = site.get("backup_offsite_dir")
    wants_s3 = any(site.get(key) for key in (*S3_REQUIRED, S3_SECRET))
    if folder and wants_s3:
        raise OffsiteError(
            "both backup_offsite_dir and backup_s3_* are set in site_config.json: "
            "choose one offsite target"
        )
    if folder:
        return FolderTarget(Path(folder) / slug)
    if not wants_s3:
        return None

    from flrts.ops.backup.s3 import S3Client, S3Config

    missing = [key for key in (*S3_REQUIRED, S3_SECRET) if not site.get(key)]
    if missing:
        raise OffsiteError(f"the S3 offsite target needs {', '.join(missing)} in site_config.json")
    config = S3Config(
        endpoint=str(site.get("backup_s3_endpoint")),
        bucket=str(site.get("backup_s3_bucket")),
        access_key=str(site.get("backup_s3_access_key")),
        secret_key=str(site.get(S3_SECRET)),
        region=str(site.get("backup_s3_region", "us-east-1")),
    )
    prefix = str(site.get("backup_s3_prefix", slug))
    return S3Target(S3Client(config), prefix, slug)
