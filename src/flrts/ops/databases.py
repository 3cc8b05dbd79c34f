"""Creating and dropping whole databases: the one place that does it.

`flrts new-site` creates the site's database (before Django is configured); the restore drill and
the backup tests make scratch databases beside the live one. Both go through these functions,
with the connection parameters of `flrts.ops.dbparams` (no Django needed).
"""

from __future__ import annotations

from pathlib import Path

from flrts.ops.dbparams import DbParams, connect


def in_use(params: DbParams) -> bool:
    """MariaDB: the database has tables. PostgreSQL: the database exists. SQLite: the file has
    content. What `new-site` refuses to replace without --force."""
    if params.engine == "sqlite":
        path = Path(params.name)
        return path.exists() and path.stat().st_size > 0
    conn = connect(params, database="")
    try:
        if params.engine == "mariadb":
            cur = conn.cursor()
            cur.execute(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema=%s",
                [params.name],
            )
            row = cur.fetchone()
            return bool(row and row[0])
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [params.name])
        return found.fetchone() is not None
    finally:
        conn.close()


def create_database(params: DbParams, *, replace: bool) -> DbParams:
    """Create `params.name` (utf8mb4 on MariaDB). `replace` drops what is there first; otherwise
    an existing MariaDB database is reused (PostgreSQL: an existing one is an error of the
    server). SQLite: the file is created by the first connection; `replace` removes it."""
    if params.engine == "sqlite":
        if replace:
            Path(params.name).unlink(missing_ok=True)
        return params
    conn = connect(params, database="")
    try:
        if params.engine == "mariadb":
            cur = conn.cursor()
            if replace:
                cur.execute(f"DROP DATABASE IF EXISTS `{params.name}`")
            cur.execute(
                f"CREATE DATABASE IF NOT EXISTS `{params.name}` "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        else:
            conn.autocommit = True
            if replace:
                conn.execute(f'DROP DATABASE IF EXISTS "{params.name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{params.name}"')
    finally:
        conn.close()
    return params


def drop_database(params: DbParams) -> None:
    if params.engine == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(params.name + suffix).unlink(missing_ok=True)
        return
    conn = connect(params, database="")
    try:
        if params.engine == "mariadb":
            conn.cursor().execute(f"DROP DATABASE IF EXISTS `{params.name}`")
        else:
            conn.autocommit = True
            conn.execute(f'DROP DATABASE IF EXISTS "{params.name}" WITH (FORCE)')
    finally:
        conn.close()
