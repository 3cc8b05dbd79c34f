"""Request counters per API key and per client IP, shared by every gunicorn worker.

Fixed windows (default 60 s). Over the limit: 429 TooManyRequestsError with Retry-After.

Backends:
- With Redis configured (`redis_cache`), the Django cache (atomic `incr`).
- Embedded default (LocMemCache is per process, so useless across workers): a small
  memory-mapped file in the site folder (`<site>/private/api-ratelimit.bin`, 8192 slots of
  16 bytes, open addressing), updated under an exclusive `flock`. A hit costs two syscalls and no
  database write, so it neither slows the request nor contends with SQLite's write lock.

Limits come from settings.API_RATE_LIMITS if set (tests), else site_config keys
`api_rate_limit_per_key` (default 6000), `api_rate_limit_per_ip` (default 12000),
`api_rate_limit_login` (failed-or-not login attempts per IP, default 30) and
`api_rate_limit_window` (seconds, default 60). 0 disables a limit.
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import time
from pathlib import Path
from typing import Any

from django.conf import settings

from flrts.api.errors import TooManyRequestsError

_SLOTS = 8192
_SLOT = struct.Struct("<QII")  # key hash, window end (epoch s), count
_PROBE = 16


def limits() -> dict[str, int]:
    override = getattr(settings, "API_RATE_LIMITS", None)
    if override is not None:
        return dict(override)
    site = settings.SITE
    return {
        "per_key": site.get_int("api_rate_limit_per_key", 6000, minimum=0),
        "per_ip": site.get_int("api_rate_limit_per_ip", 12000, minimum=0),
        "login": site.get_int("api_rate_limit_login", 30, minimum=0),
        "window": site.get_int("api_rate_limit_window", 60, minimum=1),
    }


class FileCounter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._pid = -1
        self._fd = -1
        self._map: mmap.mmap | None = None

    def _open(self) -> mmap.mmap:
        if self._map is None or self._pid != os.getpid():  # re-open after a fork
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            if os.fstat(fd).st_size < _SLOTS * _SLOT.size:
                os.ftruncate(fd, _SLOTS * _SLOT.size)
            self._fd, self._pid = fd, os.getpid()
            self._map = mmap.mmap(fd, _SLOTS * _SLOT.size)
        return self._map

    def hit(self, key: str, window: int, now: float | None = None) -> tuple[int, int]:
        """Count one hit; returns (count in this window, seconds until the window ends)."""
        now_s = int(now if now is not None else time.time())
        window_end = (now_s // window + 1) * window
        h = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little") or 1
        buf = self._open()
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            start = h % _SLOTS
            chosen, chosen_end = -1, 1 << 33
            for i in range(_PROBE):
                slot = (start + i) % _SLOTS
                sh, send, count = _SLOT.unpack_from(buf, slot * _SLOT.size)
                if sh == h:
                    count = count + 1 if send == window_end else 1
                    _SLOT.pack_into(buf, slot * _SLOT.size, h, window_end, count)
                    return count, window_end - now_s
                if sh == 0 or send <= now_s:  # free, or an expired window of another key
                    chosen, chosen_end = slot, 0
                    break
                if send < chosen_end:
                    chosen, chosen_end = slot, send
            _SLOT.pack_into(buf, chosen * _SLOT.size, h, window_end, 1)
            return 1, window_end - now_s
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)


class CacheCounter:
    def hit(self, key: str, window: int, now: float | None = None) -> tuple[int, int]:
        from django.core.cache import cache

        now_s = int(now if now is not None else time.time())
        bucket = now_s // window
        cache_key = f"flrts:rl:{key}:{bucket}"
        cache.add(cache_key, 0, timeout=window + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # evicted between add and incr
            cache.set(cache_key, 1, timeout=window + 1)
            count = 1
        return int(count), (bucket + 1) * window - now_s


_counter: Any = None


def counter() -> Any:
    global _counter
    if _counter is None:
        backend = settings.CACHES["default"]["BACKEND"]
        if "locmem" in backend.lower() or "dummy" in backend.lower():
            _counter = FileCounter(settings.SITE.path / "private" / "api-ratelimit.bin")
        else:
            _counter = CacheCounter()
    return _counter


def check(kind: str, ident: str) -> None:
    """Count a hit for `kind` (per_key, per_ip, login) and raise 429 past the limit."""
    conf = limits()
    limit = conf.get(kind, 0)
    if not limit:
        return
    count, retry_after = counter().hit(f"{kind}:{ident}", conf.get("window", 60))
    if count > limit:
        raise TooManyRequestsError(
            f"Too many requests: limit of {limit} per {conf.get('window', 60)} s reached",
            retry_after,
        )


def client_ip(request: Any) -> str:
    if settings.SITE.get_bool("api_trust_x_forwarded_for", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", ""))
