"""A one-line progress bar for long runs, drawn only when stderr is a terminal (never in logs)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, label: str, total: int | None = None, stream: TextIO | None = None) -> None:
        self.label, self.total, self.done = label, total, 0
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.started = time.monotonic()
        self._drawn = 0.0

    def advance(self, amount: int) -> None:
        self.done += amount
        now = time.monotonic()
        if self.enabled and now - self._drawn >= 0.2:
            self._drawn = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        mb = self.done / 1e6
        rate = mb / max(now - self.started, 1e-6)
        if self.total:
            share = min(1.0, self.done / self.total)
            bar = "#" * int(share * 30)
            text = f"{self.label} [{bar:<30}] {share:4.0%} {mb:8.1f} MB {rate:6.1f} MB/s"
        else:
            text = f"{self.label} {mb:8.1f} MB {rate:6.1f} MB/s"
        self.stream.write("\r" + text)
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
