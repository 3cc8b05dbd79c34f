"""Waking an idle worker the moment there is work for it.

On this host, an idle worker waits on a UDP socket bound to 127.0.0.1 (an ephemeral port)
instead of polling the database several times a second; the port is announced by a file
`<pid>.<port>` in the site's `private/wake/<channel>/` folder. `ping(channel)` sends one datagram
to every announced port of that channel: `jobs` when a job's queue message commits (the database
queue), `telegram` when the webhook or the poller stores an update (the bot's update loop in
`flrts worker`). A worker woken for a queue it does not serve polls once and waits again.

On PostgreSQL the wake-up also crosses hosts: `ping` sends `NOTIFY flrts_wake_<channel>` through
Django's connection (ping runs on commit, so the job is visible to whoever wakes), and each
`Alarm` holds its own autocommit connection that LISTENs on that channel and waits on its socket
beside the UDP one. If that connection cannot be opened or drops, the alarm logs one warning and
carries on with UDP and polling, trying to LISTEN again every `RELISTEN_EVERY` seconds.

Elsewhere (SQLite, MariaDB) a worker on another host is not woken: it finds the job at its next
poll (every `idle_max` seconds at most, see workers.py). A file left by a killed worker is
removed by the next worker that starts, and a datagram to it is simply lost.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import select
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger("flrts.jobs")

_sender: socket.socket | None = None

IDLE_MAX = 2.0  # seconds: the longest an idle worker sleeps between polls of its table
RELISTEN_EVERY = 60.0  # seconds between attempts to LISTEN again after a failure


def idle_wait(interval: float, idle_polls: int, idle_max: float = IDLE_MAX) -> float:
    """How long to sleep after `idle_polls` empty polls in a row: `interval`, doubling, capped at
    `idle_max` (never below `interval`). A ping from this host ends any wait at once."""
    return max(interval, min(idle_max, interval * 2 ** max(0, idle_polls - 1)))


def wake_dir(channel: str = "jobs") -> Path | None:
    site = getattr(settings, "SITE", None)
    return site.path / "private" / "wake" / channel if site is not None else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _announced(folder: Path) -> list[tuple[Path, int, int]]:
    out = []
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            pid, _, port = path.name.partition(".")
            if pid.isdigit() and port.isdigit():
                out.append((path, int(pid), int(port)))
    return out


def notify_channel(channel: str) -> str:
    """The PostgreSQL channel for `channel`: a plain lower-case identifier, so LISTEN needs no
    quoting rules beyond psycopg's and never meets a name longer than PostgreSQL's 63 bytes."""
    return "flrts_wake_" + re.sub(r"[^a-z0-9_]", "_", channel.lower())[:40]


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _notify(channel: str) -> bool:
    """NOTIFY the channel's listeners on every host; False when not PostgreSQL or it failed."""
    if not _on_postgresql():
        return False
    try:
        # Inside a transaction, a savepoint keeps a failed NOTIFY from breaking the caller's
        # work (and the notification then goes out at the commit, as it should).
        guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
        with guard, connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [notify_channel(channel)])
    except DatabaseError as exc:
        logger.warning("could not NOTIFY the %s workers: %s", channel, exc)
        return False
    return True


def ping(channel: str = "jobs") -> int:
    """Wake the idle workers of `channel` of this site: on this host by UDP (returns how many
    were sent a datagram) and, on PostgreSQL, on every host by NOTIFY."""
    global _sender
    _notify(channel)
    folder = wake_dir(channel)
    if folder is None:
        return 0
    told = 0
    for _path, _pid, port in _announced(folder):
        try:
            if _sender is None:
                _sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                _sender.setblocking(False)
                atexit.register(_sender.close)
            _sender.sendto(b"1", ("127.0.0.1", port))
            told += 1
        except OSError:  # a full buffer already holds a wake-up; a closed port has no reader
            continue
    return told


def _listen_params() -> dict[str, Any]:
    """psycopg.connect() keywords for the default database, as Django would connect."""
    params = dict(connection.get_connection_params())
    params.pop("cursor_factory", None)  # Django's cursor and adapters: not needed to LISTEN
    params.pop("context", None)
    params.setdefault("connect_timeout", 5)
    return params


class Alarm:
    """The worker's side: `wait(timeout)` returns early (True) when pinged."""

    def __init__(self, channel: str = "jobs") -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.path: Path | None = None
        self.channel = channel
        self.listener: psycopg.Connection[Any] | None = None
        self._relisten_at: float | None = None  # None: no LISTEN wanted (not PostgreSQL)
        self._warned = False
        if _on_postgresql():
            self._relisten_at = 0.0
            self._listen()
        folder = wake_dir(channel)
        if folder is None:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for path, pid, _port in _announced(folder):
                if not _alive(pid):
                    path.unlink(missing_ok=True)
            port = self.sock.getsockname()[1]
            self.path = folder / f"{os.getpid()}.{port}"
            self.path.touch()
        except OSError as exc:  # a read-only site folder: the worker still polls
            logger.warning("worker wake-up not announced (%s); polling only", exc)
            self.path = None

    def _listen(self) -> None:
        """Open the LISTEN connection; on failure warn (once) and try again later."""
        import psycopg
        from psycopg import sql

        try:
            conn = psycopg.connect(**_listen_params(), autocommit=True)
        except Exception as exc:  # any failure here must leave the worker running on UDP
            self._lost(exc)
            return
        try:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(notify_channel(self.channel))))
        except psycopg.Error as exc:
            conn.close()
            self._lost(exc)
            return
        if self._warned:
            logger.info("PostgreSQL wake-ups for %s restored", self.channel)
            self._warned = False
        self.listener = conn

    def _lost(self, exc: BaseException) -> None:
        if not self._warned:
            logger.warning(
                "PostgreSQL wake-ups for %s unavailable (%s): only this host's pings wake "
                "this worker; others find it at its next poll",
                self.channel,
                exc,
            )
            self._warned = True
        if self.listener is not None:
            with contextlib.suppress(Exception):
                self.listener.close()
            self.listener = None
        self._relisten_at = time.monotonic() + RELISTEN_EVERY

    def _sockets(self) -> list[Any]:
        if (
            self.listener is None
            and self._relisten_at is not None
            and time.monotonic() >= self._relisten_at
        ):
            self._listen()
        if self.listener is None:
            return [self.sock]
        try:
            return [self.sock, self.listener.fileno()]
        except Exception as exc:  # closed under us
            self._lost(exc)
            return [self.sock]

    def wait(self, timeout: float) -> bool:
        """Sleep up to `timeout` seconds; True when a ping ended the wait early."""
        try:
            ready, _, _ = select.select(self._sockets(), [], [], max(0.0, timeout))
        except (OSError, ValueError):  # closed by close() from another thread
            return False
        if not ready:
            return False
        self.drain()
        return True

    def drain(self) -> None:
        """Forget pings already received (the poll that follows sees their jobs)."""
        while True:
            try:
                self.sock.recv(64)
            except (BlockingIOError, OSError):
                break
        if self.listener is not None:
            # libpq's own calls: they never block, and a closed socket raises here rather than
            # staying readable (which would turn wait() into a busy loop).
            pgconn = self.listener.pgconn
            try:
                pgconn.consume_input()
                while pgconn.notifies() is not None:
                    pass
            except Exception as exc:  # the server went away: UDP and polling carry on
                self._lost(exc)

    def close(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None
        self._relisten_at = None
        if self.listener is not None:
            with contextlib.suppress(Exception):
                self.listener.close()
            self.listener = None
        self.sock.close()
