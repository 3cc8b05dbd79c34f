"""The process tree, read from /proc: which processes a test (or bench/idle.py) started.

One reader for what three places had each written: a supervisor's children, everything below a
worker, the CPU of a site's processes.
"""

from __future__ import annotations

from pathlib import Path


def _stat_fields(pid: int | str) -> list[str]:
    """The fields of /proc/<pid>/stat after the command (state is field 0, ppid field 1)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def parents() -> dict[int, list[int]]:
    """{parent pid: [child pids]} of every process now running."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int(_stat_fields(entry.name)[1])
        except (OSError, IndexError, ValueError):  # it exited while we read
            continue
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def children(pid: int) -> list[int]:
    """The direct children of `pid`."""
    return parents().get(pid, [])


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (a child may have left the parent's process group)."""
    tree = parents()
    out, todo = [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def cmdline(pid: int) -> str:
    """The command line of `pid`, arguments separated by spaces ('' once it has exited)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


def cpu_ticks(pid: int) -> int:
    """utime + stime of `pid`, in clock ticks."""
    fields = _stat_fields(pid)
    return int(fields[11]) + int(fields[12])
