"""SQLite backups as a zstd-compressed database image (`…-database.sqlite3.zst`).

A SQL dump of a large SQLite database is slow both ways: `.dump` writes a million INSERTs and the
restore executes them again. The image is what `sqlite3 .backup` writes, compressed:

- dump: the online backup API copies the pages in one step (one read transaction, so one
  snapshot while the web and workers keep writing through WAL) into a scratch file without a
  journal or fsync; rows are counted on that copy while zstd compresses it on every core (one
  frame with its content checksum; gzip, even on both cores, took twice as long).
- check: the zstd frame intact to its end (its XXH64 checksum), the SQLite header, and a size
  equal to the header's page count times its page size.
- load: decompress into the staging file and run `PRAGMA quick_check`.

Restoring by hand needs nothing of ours: `zstd -d …-database.sqlite3.zst -o site.sqlite3`.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, cast

import zstandard

from flrts.ops.backup.dumpers import CHUNK, DumpError, DumpResult, database_counts
from flrts.ops.dbparams import DbParams

SUFFIX = ".sqlite3.zst"
LEVEL = 1  # the image is page slack and repeated text: level 1 is fast and nearly as small
_HEADER = b"SQLite format 3\x00"


def is_image(path: Path) -> bool:
    return Path(path).name.endswith(SUFFIX)


class _Counting:
    """A file reader that reports the bytes read (for the progress bar)."""

    def __init__(self, handle: object, progress: Callable[[int], None] | None) -> None:
        self._handle = handle
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._handle.read(size)  # type: ignore[attr-defined]
        if self._progress and data:
            self._progress(len(data))
        return data


def compress_file(
    source: Path, out: Path, level: int = LEVEL, progress: Callable[[int], None] | None = None
) -> None:
    """`source` zstd-compressed into `out`, one frame with its checksum, on every core."""
    compressor = zstandard.ZstdCompressor(level=level, threads=-1, write_checksum=True)
    with open(source, "rb") as reader, open(out, "wb") as writer:
        compressor.copy_stream(
            cast(IO[bytes], _Counting(reader, progress)), writer, read_size=CHUNK, write_size=CHUNK
        )


def iter_unzstd(path: Path, progress: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """The decompressed bytes of a .zst file; DumpError when it is corrupt or cut short."""
    decomp = zstandard.ZstdDecompressor().decompressobj()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            if progress:
                progress(len(chunk))
            try:
                data = decomp.decompress(chunk)
            except zstandard.ZstdError as exc:
                raise DumpError(f"{path.name} is not a valid zstd file ({exc})") from None
            if data:
                yield data
            if decomp.eof:
                break
    if not decomp.eof:
        raise DumpError(f"{path.name} is truncated (the zstd frame ends early)")


def dump(
    params: DbParams, out: Path, level: int, progress: Callable[[int], None] | None = None
) -> DumpResult:
    if not Path(params.name).exists():
        raise DumpError(f"database file {params.name} does not exist")
    with tempfile.TemporaryDirectory(prefix=".snapshot-", dir=out.parent) as tmp:
        snapshot = Path(tmp) / "snapshot.sqlite3"
        source = sqlite3.connect(params.name, timeout=30)
        target = sqlite3.connect(snapshot)
        try:
            # The copy is thrown away on failure: no journal, no fsync.
            target.execute("PRAGMA journal_mode=OFF")
            target.execute("PRAGMA synchronous=OFF")
            source.backup(target)  # pages=-1: one step, one read transaction = one snapshot
        except sqlite3.Error as exc:
            raise DumpError(f"could not copy the SQLite database: {exc}") from None
        finally:
            target.close()
            source.close()
        # Count while compressing: both only read the copy, and both release the GIL.
        with ThreadPoolExecutor(1, thread_name_prefix="count") as pool:
            counting = pool.submit(database_counts, DbParams("sqlite", str(snapshot)))
            compress_file(snapshot, out, LEVEL, progress)
            counts, migrations = counting.result()
    return DumpResult(counts, migrations, "sqlite3 backup API image, zstd")


def check(path: Path, progress: Callable[[int], None] | None = None) -> int:
    """Read the whole image: zstd intact, SQLite header, complete. Returns the image size."""
    size, head = 0, b""
    for data in iter_unzstd(path, progress):
        if len(head) < 100:
            head += data[: 100 - len(head)]
        size += len(data)
    if not head.startswith(_HEADER):
        raise DumpError(f"{path.name} is not a SQLite database image")
    # The header's page count is valid when its "version-valid-for" equals the change counter.
    valid = head[92:96] == head[24:28]
    expected = _page_size(head) * int.from_bytes(head[28:32], "big") if valid else 0
    if expected and size != expected:
        raise DumpError(
            f"{path.name} is incomplete: {size} bytes, its header says {expected} (truncated?)"
        )
    return size


def _page_size(header: bytes) -> int:
    raw = int.from_bytes(header[16:18], "big")
    return 65536 if raw == 1 else raw


def load(params: DbParams, path: Path, progress: Callable[[int], None] | None = None) -> None:
    """Decompress the image into `params.name` (a new file) and check it."""
    target = Path(params.name)
    try:
        with open(target, "wb") as out:
            for data in iter_unzstd(path, progress):
                out.write(data)
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise DumpError(f"could not write {target.name}: {exc.strerror}") from None
    check_file(target)


def check_file(path: Path) -> None:
    """`PRAGMA quick_check` of a database file (btree structure and page use, no index scan)."""
    try:
        conn = sqlite3.connect(path)
        try:
            result = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise DumpError(f"the image is not a usable SQLite database: {exc}") from None
    if result != ["ok"]:
        raise DumpError(f"the image fails SQLite's quick_check: {'; '.join(result[:3])}")
