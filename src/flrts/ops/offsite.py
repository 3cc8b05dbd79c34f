"""The offsite copy: every part of a backup set copied to a second folder (another disk or a
mounted remote), then read back and checked against the manifest's SHA-256 before it counts.

The manifest is copied last, so an interrupted copy is an unfinished set there too.
S3-compatible targets are not implemented yet (see docs/operations.md).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from flrts.ops.manifest import Manifest, read_manifest, sha256_file


class OffsiteError(Exception):
    pass


def target_from_config() -> Path | None:
    from django.conf import settings

    from flrts.ops.names import site_slug

    folder = settings.SITE.get("backup_offsite_dir")
    return Path(folder) / site_slug(settings.SITE.name) if folder else None


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
