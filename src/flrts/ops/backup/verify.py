"""`flrts backup verify`: every checksum, every archive read to its end, and the dump loaded into a
scratch database whose row counts must equal the manifest's."""

from __future__ import annotations

import json
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flrts.core.progress import bar
from flrts.ops import databases, dbparams
from flrts.ops.backup import archives, dumpers
from flrts.ops.backup.manifest import Manifest, sha256_file


@dataclass
class VerifyReport:
    manifest: Manifest
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    loaded_counts: dict[str, int] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def check_parts(manifest: Manifest, report: VerifyReport) -> None:
    for key, part in sorted(manifest.parts.items()):
        path = manifest.folder / part.name
        if not path.exists():
            report.problems.append(f"missing part: {part.name} ({key}) is not there")
            continue
        size = path.stat().st_size
        if size != part.size:
            report.problems.append(
                f"{part.name}: size {size} bytes, the manifest says {part.size} (truncated?)"
            )
            continue
        with bar(f"checksum {key}", total=size, unit="B") as shown:
            digest = sha256_file(path, shown.add)
        if digest != part.sha256:
            report.problems.append(f"{part.name}: checksum mismatch (SHA-256 differs)")


def check_contents(manifest: Manifest, report: VerifyReport) -> None:
    """Formats, read to the end; only for parts whose checksum already passed."""
    bad = " ".join(report.problems)
    for key, part in sorted(manifest.parts.items()):
        if part.name in bad:
            continue
        path = manifest.folder / part.name
        try:
            if key == "database":
                dumpers.check_dump(path, manifest.db_type)
            elif key in ("public_files", "private_files"):
                archives.check_tar(path)
            elif key == "site_config":
                json.loads(path.read_text())
        except (dumpers.DumpError, archives.ArchiveError, ValueError) as exc:
            report.problems.append(str(exc))


def scratch_params(db_type: str, workdir: Path) -> dbparams.DbParams | None:
    """A scratch database of the backup's type, on this site's server; None when this site runs
    another database (then there is no server to load into)."""
    current = dbparams.current()
    if current.engine != db_type:
        return None
    if db_type == "sqlite":
        return current.with_name(str(workdir / "verify.sqlite3"))
    return current.with_name(f"flrts_verify_{secrets.token_hex(4)}")


def load_test(manifest: Manifest, report: VerifyReport) -> None:
    with tempfile.TemporaryDirectory(prefix=".verify-", dir=manifest.folder) as tmp:
        params = scratch_params(manifest.db_type, Path(tmp))
        if params is None:
            report.notes.append(
                f"not load-tested: the backup is {manifest.db_type}, this site runs "
                f"{dbparams.current().engine}"
            )
            return
        scratch = databases.create_database(params, replace=True)
        try:
            with bar("load test", total=manifest.parts["database"].size, unit="B") as shown:
                dumpers.load(scratch, manifest.part_path("database"), shown.add)
            counts, _migrations = dumpers.database_counts(scratch)
        except dumpers.DumpError as exc:
            report.problems.append(f"the dump does not load: {exc}")
            return
        finally:
            databases.drop_database(scratch)
    report.loaded_counts = counts
    differ = compare_counts(manifest.row_counts, counts)
    if differ:
        report.problems.append("row counts differ from the manifest: " + "; ".join(differ))


def compare_counts(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    differ = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if want != got:
            differ.append(f"{table}: manifest {want}, loaded {got}")
    return differ


def verify(manifest: Manifest, *, load: bool = True) -> VerifyReport:
    report = VerifyReport(manifest)
    if "database" not in manifest.parts:
        report.problems.append("the manifest lists no database part")
        return report
    check_parts(manifest, report)
    if not report.ok:
        return report
    check_contents(manifest, report)
    if report.ok and load:
        load_test(manifest, report)
    return report
