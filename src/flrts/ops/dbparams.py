"""Connection parameters of one database, outside Django: dumps, loads and scratch databases use
them with the native tools and drivers so they work on databases Django is not connected to."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ENGINES = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.mysql": "mariadb",
    "django.db.backends.postgresql": "postgres",
}


@dataclass(frozen=True)
class DbParams:
    engine: str  # sqlite | mariadb | postgres
    name: str  # a file path for SQLite
    host: str = "127.0.0.1"
    port: int = 0
    user: str = ""
    password: str = ""

    def with_name(self, name: str) -> DbParams:
        return replace(self, name=name)

    def describe(self) -> str:
        if self.engine == "sqlite":
            return f"sqlite {self.name}"
        return f"{self.engine} {self.name} on {self.host}:{self.port}"


def from_settings(settings_dict: dict[str, Any]) -> DbParams:
    engine = ENGINES.get(settings_dict["ENGINE"])
    if engine is None:
        raise ValueError(f"unsupported database engine {settings_dict['ENGINE']}")
    if engine == "sqlite":
        return DbParams("sqlite", str(settings_dict["NAME"]))
    return DbParams(
        engine,
        str(settings_dict["NAME"]),
        host=str(settings_dict.get("HOST") or "127.0.0.1"),
        port=int(settings_dict.get("PORT") or (3306 if engine == "mariadb" else 5432)),
        user=str(settings_dict.get("USER") or ""),
        password=str(settings_dict.get("PASSWORD") or ""),
    )


def current() -> DbParams:
    """The database Django is using now (the test database under pytest)."""
    from django.db import connection

    return from_settings(connection.settings_dict)


def connect(params: DbParams, database: str | None = None) -> Any:
    """A DB-API connection; `database=""` connects to the server without a database."""
    name = params.name if database is None else database
    if params.engine == "sqlite":
        import sqlite3

        return sqlite3.connect(name, timeout=30)
    if params.engine == "mariadb":
        import MySQLdb

        kwargs: dict[str, Any] = {
            "host": params.host,
            "port": params.port,
            "user": params.user,
            "passwd": params.password,
            "charset": "utf8mb4",
        }
        if name:
            kwargs["db"] = name
        return MySQLdb.connect(**kwargs)
    import psycopg

    return psycopg.connect(
        host=params.host,
        port=params.port,
        user=params.user,
        password=params.password or None,
        dbname=name or "postgres",
    )


@contextmanager
def client_env(params: DbParams) -> Iterator[tuple[list[str], dict[str, str]]]:
    """Arguments and environment for the native client tools; the password never goes on a
    command line (where `ps` shows it): a 0600 option file for MariaDB, PGPASSWORD for psql."""
    env = dict(os.environ)
    if params.engine == "mariadb":
        fd, path = tempfile.mkstemp(prefix="flrts-my-", suffix=".cnf")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write("[client]\n")
                handle.write(f"host={params.host}\nport={params.port}\nuser={params.user}\n")
                if params.password:
                    handle.write(f'password="{params.password}"\n')
            yield [f"--defaults-extra-file={path}", "--protocol=TCP"], env
        finally:
            Path(path).unlink(missing_ok=True)
        return
    if params.engine == "postgres":
        if params.password:
            env["PGPASSWORD"] = params.password
        yield ["-h", params.host, "-p", str(params.port), "-U", params.user], env
        return
    yield [], env
