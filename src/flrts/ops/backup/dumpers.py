"""Consistent SQL dumps and loads for SQLite, MariaDB and PostgreSQL, with the native tools.

Each dump also returns the row count of every table *as of the dumped snapshot*, so the manifest
matches the dump even while the site keeps being written to:

- SQLite: a gzipped image of the database (`flrts.ops.backup.sqliteimage`); SQL dumps of SQLite
  taken by earlier versions (`…-database.sql.gz`) still verify and restore here.
- MariaDB: `mysqldump --single-transaction`; its snapshot cannot be shared, so rows are counted
  in the dump stream itself (the tuples of each extended INSERT).
- PostgreSQL: a REPEATABLE READ transaction exports its snapshot; counts run in it and
  `pg_dump --snapshot` dumps exactly that state.
"""

from __future__ import annotations

import gzip
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flrts.ops.dbparams import DbParams, client_env, connect

CHUNK = 1 << 20
# Dump trailers: a dump without its last line was cut short.
TRAILERS = {
    "sqlite": b"COMMIT;",
    "mariadb": b"-- Dump completed",
    "postgres": b"-- PostgreSQL database dump complete",
}


class DumpError(Exception):
    """A dump or load failed; the message says which tool and why, without secrets."""


@dataclass
class DumpResult:
    row_counts: dict[str, int]
    migrations: list[str]
    tool: str
    extra: dict[str, Any] = field(default_factory=dict)


def tool(*names: str) -> str:
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    raise DumpError(f"{' or '.join(names)} not found on PATH (install the database client)")


# -- compression ------------------------------------------------------------------------------


class Compressor:
    """gzip through the `gzip` program when there is one (a second core), else zlib in-process."""

    def __init__(self, out: Path, level: int = 6) -> None:
        self.out = out
        self._file = open(out, "wb")  # noqa: SIM115 - closed in close()
        self._proc: subprocess.Popen[bytes] | None = None
        self._gz: gzip.GzipFile | None = None
        gzip_bin = shutil.which("gzip")
        if gzip_bin:
            self._proc = subprocess.Popen(
                [gzip_bin, "-c", f"-{level}"], stdin=subprocess.PIPE, stdout=self._file
            )
            self.stdin: IO[bytes] = self._proc.stdin  # type: ignore[assignment]
        else:
            self._gz = gzip.GzipFile(fileobj=self._file, mode="wb", compresslevel=level)
            self.stdin = self._gz  # type: ignore[assignment]

    def close(self) -> None:
        if self._proc is not None:
            self.stdin.close()
            if self._proc.wait() != 0:
                raise DumpError(f"gzip failed with exit code {self._proc.returncode}")
        elif self._gz is not None:
            self._gz.close()
        self._file.close()


def iter_gunzip(path: Path, progress: Callable[[int], None] | None = None) -> Any:
    """Yield the decompressed bytes of a .gz file; raises DumpError when it is cut short or
    corrupt (the gzip trailer's CRC and length are checked)."""
    decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(CHUNK)
            if not chunk:
                break
            if progress:
                progress(len(chunk))
            try:
                data = decomp.decompress(chunk)
                while decomp.unused_data:  # a second gzip member (concatenated streams)
                    rest = decomp.unused_data
                    data += decomp.flush()
                    decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    data += decomp.decompress(rest)
            except zlib.error as exc:
                raise DumpError(f"{path.name} is not a valid gzip file ({exc})") from None
            if data:
                yield data
    tail = decomp.flush()
    if not decomp.eof:
        raise DumpError(f"{path.name} is truncated (the gzip stream ends early)")
    if tail:
        yield tail


def check_dump(path: Path, engine: str) -> int:
    """Read the whole dump: gzip intact and the tool's closing line present (for a SQLite image:
    its header and length). Returns the size."""
    from flrts.ops.backup import sqliteimage

    if sqliteimage.is_image(path):
        return sqliteimage.check(path)
    size, last = 0, b""
    for data in iter_gunzip(path):
        size += len(data)
        last = (last + data)[-4096:]
    if TRAILERS[engine] not in last:
        raise DumpError(f"{path.name} is incomplete: the dump's closing line is missing")
    return size


# -- counting ---------------------------------------------------------------------------------


def table_names(params: DbParams, conn: Any) -> list[str]:
    cur = conn.cursor()
    if params.engine == "sqlite":
        cur.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    elif params.engine == "mariadb":
        cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema=DATABASE() "
            "AND table_type='BASE TABLE' ORDER BY table_name"
        )
    else:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname='public' ORDER BY tablename")
    return [str(row[0]) for row in cur.fetchall()]


def quote(engine: str, name: str) -> str:
    return f"`{name}`" if engine == "mariadb" else f'"{name}"'


def count_rows(params: DbParams, conn: Any) -> dict[str, int]:
    cur = conn.cursor()
    counts = {}
    for name in table_names(params, conn):
        cur.execute(f"SELECT COUNT(*) FROM {quote(params.engine, name)}")
        counts[name] = int(cur.fetchone()[0])
    return counts


def applied_migrations(conn: Any) -> list[str]:
    cur = conn.cursor()
    try:
        cur.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    except Exception:
        return []
    return [f"{app}.{name}" for app, name in cur.fetchall()]


def database_counts(params: DbParams) -> tuple[dict[str, int], list[str]]:
    conn = connect(params)
    try:
        return count_rows(params, conn), applied_migrations(conn)
    finally:
        conn.close()


# -- dumps ------------------------------------------------------------------------------------


def dump(
    params: DbParams, out: Path, level: int = 6, progress: Callable[[int], None] | None = None
) -> DumpResult:
    if params.engine == "sqlite":
        from flrts.ops.backup import sqliteimage

        return sqliteimage.dump(params, out, level, progress)
    dumper = {"mariadb": _dump_mariadb, "postgres": _dump_postgres}
    return dumper[params.engine](params, out, level, progress)


def _pump(
    source: IO[bytes],
    sink: IO[bytes],
    progress: Callable[[int], None] | None,
    per_line: Callable[[bytes], None] | None = None,
) -> None:
    if per_line is None:
        while chunk := source.read(CHUNK):
            sink.write(chunk)
            if progress:
                progress(len(chunk))
        return
    for line in source:
        per_line(line)
        sink.write(line)
        if progress:
            progress(len(line))


def _run_to_gzip(
    cmd: list[str],
    env: dict[str, str],
    out: Path,
    level: int,
    progress: Callable[[int], None] | None,
    per_line: Callable[[bytes], None] | None = None,
) -> None:
    comp = Compressor(out, level)
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors, env=env or None)
        assert proc.stdout is not None
        try:
            _pump(proc.stdout, comp.stdin, progress, per_line)
        finally:
            proc.stdout.close()
            code = proc.wait()
            comp.close()
        if code != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip().splitlines()
            raise DumpError(
                f"{Path(cmd[0]).name} failed (exit {code}): {message[-1] if message else ''}"
            )


# mysqldump writes each extended INSERT on one line; mariadb-dump (10.x) writes `VALUES` and then
# one tuple per line. Newlines inside values are escaped, so a physical line never splits a tuple.
_INSERT_RE = re.compile(rb"^INSERT INTO `([^`]+)` VALUES ?")
_STRING_RE = re.compile(rb"'(?:[^'\\]|\\.)*'", re.DOTALL)


class InsertCounter:
    """Counts the rows of each table in a MariaDB/MySQL dump stream, line by line."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.table: str | None = None  # inside a multi-line INSERT of this table

    def feed(self, line: bytes) -> None:
        if self.table is not None:
            self.counts[self.table] = self.counts.get(self.table, 0) + 1
            if line.rstrip().endswith(b";"):
                self.table = None
            return
        match = _INSERT_RE.match(line)
        if not match:
            return
        table, body = match.group(1).decode(), line[match.end() :].strip()
        if not body:
            self.table = table
            return
        if b"'" in body:
            body = _STRING_RE.sub(b"", body)
        self.counts[table] = self.counts.get(table, 0) + body.count(b"),(") + 1


def _dump_mariadb(
    params: DbParams, out: Path, level: int, progress: Callable[[int], None] | None
) -> DumpResult:
    binary = tool("mariadb-dump", "mysqldump")
    conn = connect(params)
    try:
        counts = dict.fromkeys(table_names(params, conn), 0)
        migrations = applied_migrations(conn)
    finally:
        conn.close()

    counter = InsertCounter(counts)
    with client_env(params) as (args, env):
        cmd = [
            binary,
            *args,
            "--single-transaction",
            "--quick",
            "--skip-lock-tables",
            "--no-tablespaces",
            "--routines",
            "--triggers",
            "--hex-blob",
            "--default-character-set=utf8mb4",
            params.name,
        ]
        _run_to_gzip(cmd, env, out, level, progress, counter.feed)
    return DumpResult(counts, migrations, Path(binary).name + " --single-transaction")


def pg_dump_version(binary: str) -> int:
    text = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", text)
    return int(match.group(1)) if match else 0


def pg_server_version(conn: Any) -> int:
    return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


def check_pg_dump_matches(params: DbParams) -> tuple[int, int]:
    """pg_dump refuses a server newer than itself; say which client package to install."""
    binary = tool("pg_dump")
    client = pg_dump_version(binary)
    conn = connect(params)
    try:
        server = pg_server_version(conn)
    finally:
        conn.close()
    if client < server:
        raise DumpError(
            f"pg_dump {client} cannot dump PostgreSQL {server}: "
            f"install postgresql-client-{server} (pg_dump must be at least the server's version)"
        )
    return client, server


def _dump_postgres(
    params: DbParams, out: Path, level: int, progress: Callable[[int], None] | None
) -> DumpResult:
    import psycopg

    client, server = check_pg_dump_matches(params)
    conn = connect(params)
    try:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts = count_rows(params, conn)
        migrations = applied_migrations(conn)
        with client_env(params) as (args, env):
            cmd = [
                tool("pg_dump"),
                *args,
                "--snapshot",
                snapshot,
                "--no-owner",
                "--no-privileges",
                "--format=plain",
                "--dbname",
                params.name,
            ]
            _run_to_gzip(cmd, env, out, level, progress)
        conn.rollback()
    finally:
        conn.close()
    return DumpResult(counts, migrations, f"pg_dump {client}", {"server_version": server})


# -- loads ------------------------------------------------------------------------------------


def load(params: DbParams, dump_file: Path, progress: Callable[[int], None] | None = None) -> None:
    """Load a dump into an empty database (a new file for SQLite)."""
    from flrts.ops.backup import sqliteimage

    if sqliteimage.is_image(dump_file):
        sqliteimage.load(params, dump_file, progress)
        return
    prefix = suffix = b""
    with client_env(params) as (args, env):
        if params.engine == "sqlite":
            cli = shutil.which("sqlite3")
            if not cli:
                _python_sqlite_load(params, dump_file, progress)
                return
            cmd = [cli, "-bail", params.name]
            # The staging file is thrown away on any failure, so it needs no journal or fsync.
            prefix = b"PRAGMA journal_mode=OFF;PRAGMA synchronous=OFF;PRAGMA cache_size=-262144;\n"
        elif params.engine == "mariadb":
            cmd = [
                tool("mariadb", "mysql"),
                *args,
                "--default-character-set=utf8mb4",
                # One transaction per table instead of one per INSERT statement (each commit
                # flushes the redo log): LOCK/UNLOCK TABLES around each table's rows commit it.
                "--init-command=SET SESSION foreign_key_checks=0, unique_checks=0, autocommit=0",
                params.name,
            ]
            suffix = b"\nCOMMIT;\n"
        else:
            cmd = [
                tool("psql"),
                *args,
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "--single-transaction",
                "-o",
                "/dev/null",
                "-d",
                params.name,
            ]
        _feed(cmd, env, dump_file, progress, prefix, suffix)


def _feed(
    cmd: list[str],
    env: dict[str, str],
    dump_file: Path,
    progress: Callable[[int], None] | None,
    prefix: bytes = b"",
    suffix: bytes = b"",
) -> None:
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, env=env
        )
        assert proc.stdin is not None
        failure: list[BaseException] = []

        def writer() -> None:
            try:
                if prefix:
                    proc.stdin.write(prefix)  # type: ignore[union-attr]
                for data in iter_gunzip(dump_file, progress):
                    proc.stdin.write(data)  # type: ignore[union-attr]
                if suffix:
                    proc.stdin.write(suffix)  # type: ignore[union-attr]
            except BrokenPipeError:
                pass  # the client stopped on an error; its message is reported below
            except BaseException as exc:
                failure.append(exc)
            finally:
                try:
                    proc.stdin.close()  # type: ignore[union-attr]
                except BrokenPipeError:
                    pass

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        thread.join()
        code = proc.wait()
        if failure:
            raise failure[0]
        errors.seek(0)
        message = errors.read().decode(errors="replace").strip()
        if code != 0 or (message and Path(cmd[0]).name == "sqlite3"):
            last = message.splitlines()[-1] if message else ""
            raise DumpError(f"{Path(cmd[0]).name} could not load the dump (exit {code}): {last}")


def _python_sqlite_load(
    params: DbParams, dump_file: Path, progress: Callable[[int], None] | None
) -> None:
    conn = sqlite3.connect(params.name, isolation_level=None)
    try:
        pending, text = "", ""
        for data in iter_gunzip(dump_file, progress):
            text += data.decode()
            lines = text.split("\n")
            text = lines.pop()
            for line in lines:
                pending += line + "\n"
                if sqlite3.complete_statement(pending):
                    conn.execute(pending)
                    pending = ""
        if (pending + text).strip():
            conn.executescript(pending + text)
    except sqlite3.Error as exc:
        raise DumpError(f"could not load the dump into SQLite: {exc}") from None
    finally:
        conn.close()
