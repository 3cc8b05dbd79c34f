"""The manifest written beside every backup set: what is in it and how to check it.

It is written last, so a set without a manifest is an unfinished backup and is never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FORMAT = 1


def sha256_file(path: Path, progress: Any = None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            if progress:
                progress(len(chunk))
    return digest.hexdigest()


@dataclass
class Part:
    name: str  # file name, relative to the manifest's folder
    size: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> Part:
        return cls(path.name, path.stat().st_size, sha256_file(path))


@dataclass
class Manifest:
    site: str
    taken_at: str  # ISO 8601, UTC
    db_type: str
    kind: str  # manual | scheduled | safety
    tool: str
    migrations: list[str]
    row_counts: dict[str, int]
    parts: dict[str, Part]  # database, public_files, private_files, site_config
    secrets_included: bool = False
    duration_seconds: float = 0.0
    format: int = FORMAT
    extra: dict[str, Any] = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False)

    @property
    def schema_version(self) -> str:
        """A short fingerprint of the applied migrations: equal schemas, equal versions."""
        joined = "\n".join(sorted(self.migrations)).encode()
        return hashlib.sha256(joined).hexdigest()[:12]

    @property
    def folder(self) -> Path:
        assert self.path is not None
        return self.path.parent

    def part_path(self, key: str) -> Path:
        return self.folder / self.parts[key].name

    @property
    def total_size(self) -> int:
        return sum(p.size for p in self.parts.values())

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("path")
        data["schema_version"] = self.schema_version
        data["total_rows"] = sum(self.row_counts.values())
        return data

    def write(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1, sort_keys=True) + "\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        self.path = path


class ManifestError(Exception):
    pass


def read_manifest(path: Path) -> Manifest:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ManifestError(f"manifest {path.name} not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"manifest {path.name} is not valid JSON ({exc})") from None
    try:
        parts = {key: Part(**value) for key, value in data["parts"].items()}
        manifest = Manifest(
            site=data["site"],
            taken_at=data["taken_at"],
            db_type=data["db_type"],
            kind=data.get("kind", "manual"),
            tool=data.get("tool", ""),
            migrations=list(data["migrations"]),
            row_counts={k: int(v) for k, v in data["row_counts"].items()},
            parts=parts,
            secrets_included=bool(data.get("secrets_included")),
            duration_seconds=float(data.get("duration_seconds", 0)),
            format=int(data.get("format", FORMAT)),
            extra=dict(data.get("extra", {})),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ManifestError(f"manifest {path.name} is missing or has a bad field ({exc})") from None
    manifest.path = path
    return manifest
