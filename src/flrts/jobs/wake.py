"""Waking an idle worker on this host the moment there is work for it.

An idle worker waits on a UDP socket bound to 127.0.0.1 (an ephemeral port) instead of polling
the database several times a second; the port is announced by a file `<pid>.<port>` in the
site's `private/wake/<channel>/` folder. `ping(channel)` sends one datagram to every announced
port of that channel: `jobs` when a job's queue message commits (the database queue), `telegram`
when the webhook or the poller stores an update (the bot's update loop in `flrts worker`). A
worker woken for a queue it does not serve polls once and waits again.
A worker on another host is not woken: it finds the job at its next poll (every `idle_max`
seconds at most, see workers.py). A file left by a killed worker is removed by the next worker
that starts, and a datagram to it is simply lost.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import select
import socket
from pathlib import Path

from django.conf import settings

logger = logging.getLogger("flrts.jobs")

_sender: socket.socket | None = None

IDLE_MAX = 2.0  # seconds: the longest an idle worker sleeps between polls of its table


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


def ping(channel: str = "jobs") -> int:
    """Wake the idle workers of `channel` of this site on this host; returns how many."""
    global _sender
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


class Alarm:
    """The worker's side: `wait(timeout)` returns early (True) when pinged."""

    def __init__(self, channel: str = "jobs") -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.path: Path | None = None
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

    def wait(self, timeout: float) -> bool:
        """Sleep up to `timeout` seconds; True when a ping ended the wait early."""
        try:
            ready, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
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
                return

    def close(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None
        self.sock.close()
