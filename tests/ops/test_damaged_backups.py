"""A damaged backup is refused with a clear message before anything is touched."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.ops.support import DB, drop_site_db, flrts, new_site, read_tables, require_db


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    require_db(DB)
    sites = tmp_path_factory.mktemp("damaged") / "sites"
    import os

    site = new_site(sites, f"dmg{os.getpid()}.test", demo=True)
    flrts(sites, "--site", site.name, "backup", "--with-files")
    yield sites, site
    drop_site_db(site)


def copy_set(site: Path, dest: Path) -> dict[str, Path]:
    dest.mkdir()
    src = site / "private" / "backups"
    manifest = sorted(src.glob("*-manifest.json"))[0]
    data = json.loads(manifest.read_text())
    out = {"manifest": dest / manifest.name}
    shutil.copy(manifest, out["manifest"])
    for key, part in data["parts"].items():
        shutil.copy(src / part["name"], dest / part["name"])
        out[key] = dest / part["name"]
    return out


def unpack(path: Path) -> bytes:
    """The database part's content (a SQLite image is zstd, SQL dumps gzip)."""
    import zstandard

    raw = path.read_bytes()
    if path.suffix == ".zst":
        return zstandard.ZstdDecompressor().decompressobj().decompress(raw)
    return gzip.decompress(raw)


def pack(path: Path, data: bytes) -> None:
    import zstandard

    path.write_bytes(zstandard.compress(data) if path.suffix == ".zst" else gzip.compress(data))


def rewrite_manifest(parts: dict[str, Path], key: str) -> None:
    """As if the backup had been written damaged: the manifest matches the damaged file."""
    from flrts.ops.backup.manifest import sha256_file

    data = json.loads(parts["manifest"].read_text())
    data["parts"][key]["size"] = parts[key].stat().st_size
    data["parts"][key]["sha256"] = sha256_file(parts[key])
    parts["manifest"].write_text(json.dumps(data))


def truncate(parts: dict[str, Path]) -> None:
    data = parts["database"].read_bytes()
    parts["database"].write_bytes(data[: len(data) // 2])


def truncate_with_matching_manifest(parts: dict[str, Path]) -> None:
    truncate(parts)
    rewrite_manifest(parts, "database")


def flip_byte(parts: dict[str, Path]) -> None:
    data = bytearray(parts["database"].read_bytes())
    data[len(data) // 2] ^= 0xFF
    parts["database"].write_bytes(bytes(data))


def missing_private_files(parts: dict[str, Path]) -> None:
    parts["private_files"].unlink()


def dump_without_trailer(parts: dict[str, Path]) -> None:
    text = unpack(parts["database"])
    pack(parts["database"], text[: len(text) * 2 // 3])
    rewrite_manifest(parts, "database")


def broken_sqlite_page(parts: dict[str, Path]) -> None:
    """A well-formed gzip of the right length whose second page is not a b-tree page: only
    loading the image (quick_check) finds it. (Other databases: the SQL does not run.)"""
    data = bytearray(unpack(parts["database"]))
    if DB == "sqlite":
        page_size = int.from_bytes(data[16:18], "big")
        data[page_size] = 0x00  # b-tree page types are 2, 5, 10, 13
    else:
        data = data.replace(b"CREATE TABLE", b"CREATE TABLX", 1)
    pack(parts["database"], bytes(data))
    rewrite_manifest(parts, "database")


def truncated_tar(parts: dict[str, Path]) -> None:
    data = parts["private_files"].read_bytes()
    parts["private_files"].write_bytes(data[:700])
    rewrite_manifest(parts, "private_files")


CASES: list[tuple[Callable[[dict[str, Path]], None], str]] = [
    (truncate, "(truncated?)"),
    (
        truncate_with_matching_manifest,
        "(the zstd frame ends early)" if DB == "sqlite" else "(the gzip stream ends early)",
    ),
    (flip_byte, "checksum mismatch"),
    (missing_private_files, "missing part"),
    (
        dump_without_trailer,
        "is incomplete" if DB == "sqlite" else "the dump's closing line is missing",
    ),
    (truncated_tar, "is damaged or truncated"),
    (broken_sqlite_page, "the dump does not load"),
]


@pytest.mark.parametrize(("damage", "message"), CASES, ids=[c[0].__name__ for c in CASES])
def test_damaged_backup_is_refused_and_the_site_is_untouched(
    bench: tuple[Path, Path],
    tmp_path: Path,
    damage: Callable[[dict[str, Path]], None],
    message: str,
) -> None:
    sites, site = bench
    parts = copy_set(site, tmp_path / "set")
    damage(parts)
    before = read_tables(site)
    backups_before = sorted((site / "private" / "backups").iterdir())

    verify = flrts(
        sites, "--site", site.name, "backup", "verify", str(parts["database"]), check=False
    )
    assert verify.returncode != 0 and message in verify.stderr and "NOT usable" in verify.stderr

    restore = flrts(
        sites,
        "--site",
        site.name,
        "restore",
        str(parts["database"]),
        "--force",
        "--with-private-files",
        str(parts["private_files"]),
        check=False,
    )
    assert restore.returncode != 0
    assert "refusing to restore" in restore.stderr and message in restore.stderr
    assert "Traceback" not in restore.stderr
    assert read_tables(site) == before
    assert sorted((site / "private" / "backups").iterdir()) == backups_before  # no safety backup


def test_restore_without_manifest_or_confirmation_is_refused(
    bench: tuple[Path, Path], tmp_path: Path
) -> None:
    sites, site = bench
    parts = copy_set(site, tmp_path / "set")
    parts["manifest"].unlink()
    result = flrts(
        sites, "--site", site.name, "restore", str(parts["database"]), "--force", check=False
    )
    assert result.returncode != 0 and "cannot verify this backup" in result.stderr

    good = sorted((site / "private" / "backups").glob("*-database.*"))[0]
    result = flrts(sites, "--site", site.name, "restore", str(good), check=False)
    assert result.returncode != 0 and "pass --force" in result.stderr
    assert "REPLACES ALL DATA" in result.stdout


def test_verify_accepts_a_good_backup_and_lists_it(bench: tuple[Path, Path]) -> None:
    sites, site = bench
    good = sorted((site / "private" / "backups").glob("*-database.*"))[0]
    out = flrts(sites, "--site", site.name, "backup", "verify", str(good)).stdout
    assert "OK:" in out and "loaded into a scratch database" in out
    listing = json.loads(flrts(sites, "--site", site.name, "backup", "list", "--json").stdout)
    assert listing[0]["parts"]["database"]["name"] == good.name
    assert listing[0]["row_counts"]["tasks_task"] == 10
    assert listing[0]["schema_version"] and listing[0]["migrations"]


def test_sqlite_sql_dump_from_earlier_versions_still_restores(
    bench: tuple[Path, Path], tmp_path: Path
) -> None:
    """Before the image format, SQLite backups were `.dump` SQL (`…-database.sql.gz`)."""
    if DB != "sqlite":
        pytest.skip("the SQLite backup format")
    import sqlite3

    sites, site = bench
    parts = copy_set(site, tmp_path / "set")
    image = tmp_path / "image.sqlite3"
    image.write_bytes(unpack(parts["database"]))
    conn = sqlite3.connect(image)
    sql = "\n".join(conn.iterdump()).encode()
    conn.close()
    old = parts["database"].with_name(parts["database"].name.replace(".sqlite3.zst", ".sql.gz"))
    old.write_bytes(gzip.compress(sql + b"\n"))
    parts["database"].unlink()
    data = json.loads(parts["manifest"].read_text())
    data["parts"]["database"]["name"] = old.name
    parts["manifest"].write_text(json.dumps(data))
    parts["database"] = old
    rewrite_manifest(parts, "database")

    before = read_tables(site)
    verified = flrts(sites, "--site", site.name, "backup", "verify", str(old))
    assert "OK:" in verified.stdout
    flrts(sites, "--site", site.name, "restore", str(old), "--force")
    assert read_tables(site) == before
