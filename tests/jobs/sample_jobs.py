"""Jobs used by the tests (they run in workers, so they live in an importable module)."""

from __future__ import annotations

import time
from pathlib import Path

from flrts.jobs.errors import JobFailed, TransientError
from flrts.jobs.registry import job

CALLS: list[str] = []


@job
def record(label: str) -> str:
    CALLS.append(label)
    return f"recorded {label}"


@job
def expected_failure() -> None:
    raise JobFailed("the site has no address")


@job
def crash() -> None:
    raise ZeroDivisionError("boom")


@job
def flaky(marker: str) -> str:
    """Fails the first time it runs for `marker` (a file path), then succeeds."""
    path = Path(marker)
    if not path.exists():
        path.write_text("failed once")
        raise TransientError("network blip")
    return "ok"


@job
def slow(marker: str, seconds: float = 3.0) -> str:
    """Writes 'start', sleeps, writes 'done': a worker killed in between leaves only 'start'."""
    path = Path(marker)
    with path.open("a") as fh:
        fh.write("start\n")
    time.sleep(seconds)
    with path.open("a") as fh:
        fh.write("done\n")
    return "slept"
