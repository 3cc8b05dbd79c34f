"""Tar archives of a site's public and private files, laid out as Frappe's
(`<site>/public/files/...`, `<site>/private/files/...`), and their safe extraction."""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path


class ArchiveError(Exception):
    pass


def make_tar(
    source: Path,
    arc_root: str,
    out: Path,
    compress: bool = False,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Archive `source` as `arc_root/...`; returns how many files went in."""
    count = 0
    mode = "w:gz" if compress else "w"
    with tarfile.open(out, mode) as tar:  # type: ignore[call-overload]
        tar.add(str(source), arcname=arc_root, recursive=False)
        if source.is_dir():
            for dirpath, dirnames, filenames in os.walk(source):
                dirnames.sort()
                for dirname in dirnames:
                    full = Path(dirpath) / dirname
                    tar.add(
                        str(full), arcname=f"{arc_root}/{full.relative_to(source)}", recursive=False
                    )
                for filename in sorted(filenames):
                    full = Path(dirpath) / filename
                    try:
                        tar.add(str(full), arcname=f"{arc_root}/{full.relative_to(source)}")
                    except FileNotFoundError:
                        continue  # deleted while we walked; the database dump decides
                    count += 1
                    if progress:
                        progress(full.stat().st_size if full.exists() else 0)
    return count


def check_tar(path: Path) -> int:
    """Read every member to the end: a truncated or corrupt archive raises ArchiveError."""
    try:
        with tarfile.open(path) as tar:
            count = 0
            for member in tar:
                if member.isfile():
                    handle = tar.extractfile(member)
                    if handle is not None:
                        while handle.read(1 << 20):
                            pass
                    count += 1
            return count
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise ArchiveError(f"{path.name} is damaged or truncated ({exc})") from None


def _files_root(tar: tarfile.TarFile, kind: str) -> str:
    """The member prefix holding the files (`<site>/public/files`), whatever the site name."""
    wanted = f"{kind}/files" if kind == "private" else "public/files"
    for member in tar.getmembers():
        parts = member.name.split("/")
        for i in range(len(parts)):
            if "/".join(parts[i : i + len(wanted.split("/"))]) == wanted:
                return "/".join(parts[: i + len(wanted.split("/"))])
    raise ArchiveError(f"{Path(str(tar.name)).name} holds no {wanted} folder")


def extract_files(archive: Path, kind: str, target: Path) -> int:
    """Replace `target` (a site's public/files or private/files) with the archive's files.

    Extracts beside the target first; the old folder is swapped out only when that succeeded.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=target.parent))
    try:
        with tarfile.open(archive) as tar:
            root = _files_root(tar, kind)
            members = []
            for member in tar.getmembers():
                if member.name == root or not member.name.startswith(root + "/"):
                    continue
                member.name = member.name[len(root) + 1 :]
                members.append(member)
            tar.extractall(staging, members=members, filter="data")
        old = target.with_name(target.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        return sum(1 for m in members if m.isfile())
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveError(f"could not extract {archive.name}: {exc}") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
