"""What an idle site costs: CPU of its worker and scheduler, and Job rows written.

Start a site (`make run PORT=8150`, i.e. `flrts start`), leave it alone for a minute so start-up
is over, then:

    .venv/bin/python bench/idle.py --pid <pid of `flrts start`> --db sites/<site>/db.sqlite3 \
        --seconds 60

It reads utime+stime of the `worker` and `scheduler` children from /proc/<pid>/stat at the start
and end of the window (so it costs nothing in between), and counts Job rows created in the
window from the site's SQLite database. Prints one line per process and the totals.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # tests.procs

from tests.procs import children, cmdline, cpu_ticks

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    return cpu_ticks(pid) / TICKS


def job_rows(db: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("select count(*) from jobs_job").fetchone()[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pid", type=int, required=True, help="pid of `flrts start`")
    ap.add_argument("--db", required=True, help="the site's db.sqlite3")
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()
    procs = {
        p: name
        for p in children(args.pid)
        for name in ("worker", "scheduler")
        if cmdline(p).rstrip().endswith(name)
    }
    if not procs:
        raise SystemExit(f"no worker or scheduler process under pid {args.pid}")
    before = {p: cpu_seconds(p) for p in procs}
    rows_before = job_rows(args.db)
    started = time.monotonic()
    time.sleep(args.seconds)
    wall = time.monotonic() - started
    after = {p: cpu_seconds(p) for p in procs}
    rows_after = job_rows(args.db)
    total = 0.0
    for p, name in sorted(procs.items(), key=lambda kv: kv[1]):
        used = after[p] - before[p]
        total += used
        print(f"{name:<10} pid {p}: {used:.2f} s CPU in {wall:.0f} s = {100 * used / wall:.2f}%")
    print(f"worker+scheduler: {100 * total / wall:.2f}% of a core")
    rows = rows_after - rows_before
    print(f"Job rows written: {rows} in {wall:.0f} s = {rows * 60 / wall:.1f} per minute")


if __name__ == "__main__":
    main()
