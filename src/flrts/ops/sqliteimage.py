"""SQLite backups as a gzipped database image (`…-database.sqlite3.gz`).

A SQL dump of a large SQLite database is slow both ways: `.dump` writes a million INSERTs and the
restore executes them again (about 150 s for 1,000,000 tasks). The image is what `sqlite3
.backup` writes, compressed:

- dump: the online backup API copies the pages in one step (one read transaction, so one
  snapshot while the web and workers keep writing through WAL) into a scratch file without a
  journal or fsync; rows are counted on that copy; the copy is gzipped in blocks on every core
  (each block its own gzip member: a plain `gunzip` reads the whole file back).
- check: the gzip stream intact to its end (CRC and length of every member), the SQLite header,
  and a size equal to the header's page count times its page size, so a cut-short image is caught
  even when it happens to end on a member boundary.
- load: decompress into the staging file and run `PRAGMA quick_check`.

Restoring by hand needs nothing of ours: `gunzip -c …-database.sqlite3.gz > site.sqlite3`.
"""

from __future__ import annotations

import gzip
import os
import sqlite3
import tempfile
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from flrts.ops.dbparams import DbParams
from flrts.ops.dumpers import DumpError, DumpResult, database_counts, iter_gunzip

SUFFIX = ".sqlite3.gz"
BLOCK = 8 << 20  # compressed independently; zlib releases the GIL, so blocks run in parallel
_HEADER = b"SQLite format 3\x00"


def is_image(path: Path) -> bool:
    return Path(path).name.endswith(SUFFIX)


def _gzip_block(block: bytes, level: int) -> bytes:
    return gzip.compress(block, compresslevel=level, mtime=0)


def compress_file(
    source: Path, out: Path, level: int, progress: Callable[[int], None] | None = None
) -> None:
    """`source` gzipped into `out` as a series of members, compressed on all cores."""
    workers = max(1, min(4, os.cpu_count() or 1))
    pending: deque[Future[bytes]] = deque()
    with (
        open(source, "rb") as reader,
        open(out, "wb") as writer,
        ThreadPoolExecutor(workers, thread_name_prefix="gzip") as pool,
    ):
        while block := reader.read(BLOCK):
            pending.append(pool.submit(_gzip_block, block, level))
            if progress:
                progress(len(block))
            while len(pending) > workers * 2:  # bounded memory: a few blocks in flight
                writer.write(pending.popleft().result())
        while pending:
            writer.write(pending.popleft().result())


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
        counts, migrations = database_counts(DbParams("sqlite", str(snapshot)))
        compress_file(snapshot, out, min(level, 9), progress)
    return DumpResult(counts, migrations, "sqlite3 backup API image")


def check(path: Path, progress: Callable[[int], None] | None = None) -> int:
    """Read the whole image: gzip intact, SQLite header, complete. Returns the image size."""
    size, head = 0, b""
    for data in iter_gunzip(path, progress):
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
            for data in iter_gunzip(path, progress):
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
