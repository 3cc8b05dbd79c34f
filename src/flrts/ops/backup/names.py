"""Backup file names, as Frappe's: `YYYYmmdd_HHMMSS-<site_slug>-database.sql.gz` and friends."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

STAMP_FORMAT = "%Y%m%d_%H%M%S"
# The part names after the slug; the manifest is FLRTS's own addition.
PARTS = {
    "database": "database.sql.gz",
    "public_files": "files.tar",
    "private_files": "private-files.tar",
    "site_config": "site_config_backup.json",
    "manifest": "manifest.json",
}
_NAME_RE = re.compile(
    r"^(?P<stamp>\d{8}_\d{6})-(?P<slug>.+?)-"
    r"(?P<part>database|files|private-files|site_config_backup|manifest)(?P<enc>-enc)?"
    r"\.(?:sql\.gz|sqlite3\.zst|tar|tgz|json)$"
)
_PART_KEYS = {
    "database": "database",
    "files": "public_files",
    "private-files": "private_files",
    "site_config_backup": "site_config",
    "manifest": "manifest",
}


def site_slug(site_name: str) -> str:
    return site_name.replace(".", "_")


def stamp(at: dt.datetime) -> str:
    return at.strftime(STAMP_FORMAT)


def parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, STAMP_FORMAT).replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class BackupName:
    """One backup set: the shared `<stamp>-<slug>` prefix of its files."""

    stamp: str
    slug: str

    @property
    def prefix(self) -> str:
        return f"{self.stamp}-{self.slug}"

    @property
    def taken_at(self) -> dt.datetime:
        return parse_stamp(self.stamp)

    def file(
        self, part: str, *, compress: bool = False, encrypted: bool = False, engine: str = ""
    ) -> str:
        suffix = PARTS[part]
        if part == "database" and engine == "sqlite":
            suffix = "database.sqlite3.zst"  # the database image, not SQL (see sqliteimage)
        if compress and suffix.endswith(".tar"):
            suffix = suffix[: -len(".tar")] + ".tgz"
        if encrypted:
            base, dot, ext = suffix.rpartition(".")
            suffix = f"{base}-enc{dot}{ext}"
        return f"{self.prefix}-{suffix}"


def parse_name(path: Path | str) -> tuple[BackupName, str] | None:
    """The backup set a file belongs to and which part it is, or None when not a backup file."""
    match = _NAME_RE.match(Path(path).name)
    if not match:
        return None
    try:
        parse_stamp(match["stamp"])
    except ValueError:
        return None
    return BackupName(match["stamp"], match["slug"]), _PART_KEYS[match["part"]]
