"""Progress bars of the long command-line jobs (backup, restore, export, import, demo load, the
daily report, nlp eval), drawn by tqdm on stderr when it is a terminal and not at all on a pipe or
in a log (tqdm's `disable=None`)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable, Iterator, Sized
from typing import TextIO, TypeVar

from tqdm import tqdm

T = TypeVar("T")


class Bar(tqdm):  # type: ignore[type-arg]
    def add(self, amount: int) -> None:
        """`update` for callbacks typed `Callable[[int], None]`."""
        self.update(amount)


def bar(desc: str, total: int | None = None, unit: str = "it", stream: TextIO | None = None) -> Bar:
    """A bar to `add(n)` to and `close()` (or use as a context manager). unit="B" shows bytes
    with k/M/G prefixes and a rate."""
    size = shutil.get_terminal_size()
    return Bar(
        desc=desc,
        total=total,
        unit=unit,
        unit_scale=unit == "B",
        unit_divisor=1024 if unit == "B" else 1000,
        file=stream or sys.stderr,  # looked up now: tests and the CLI may swap sys.stderr
        disable=None,  # no terminal, no bar
        mininterval=0.2,
        # COLUMNS and LINES, else the terminal's size; a terminal that says 0x0 (a bare pty)
        # gets 80x24, or tqdm draws nothing at all
        ncols=size.columns or 80,
        nrows=size.lines or 24,
    )


def each(items: Iterable[T], desc: str, total: int | None = None) -> Iterator[T]:
    """`items`, with a bar of how many have been taken."""
    if total is None and isinstance(items, Sized):
        total = len(items)
    with bar(desc, total) as shown:
        for item in items:
            yield item
            shown.update(1)
