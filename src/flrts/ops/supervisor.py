"""`flrts start`'s supervisor: keep the web server, the worker and the scheduler running.

A child that exits while FLRTS is running is started again after a pause that doubles with each
quick death (1 s, 2 s, 4 s ... at most 30 s) and starts over once the child has run for a minute,
so a crash loop does not spin the CPU and a rare crash costs a second. Each restart is logged
and counted in `<site>/logs/supervisor.json`, which `/metrics` reports as
`flrts_process_restarts_total{process=...}`. Only Ctrl+C or SIGTERM stops everything.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

FIRST_DELAY = 1.0
MAX_DELAY = 30.0
STEADY_AFTER = 60.0  # a child that ran this long starts again with the first delay
STOP_GRACE = 35.0


def restarts_file(site_path: Path) -> Path:
    return site_path / "logs" / "supervisor.json"


def read_restarts(site_path: Path) -> dict[str, int]:
    """Restarts per process since `flrts start` began; {} when it has not written any."""
    try:
        data = json.loads(restarts_file(site_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    counts = data.get("restarts") if isinstance(data, dict) else None
    if not isinstance(counts, dict):
        return {}
    return {str(k): int(v) for k, v in counts.items() if isinstance(v, int) and v >= 0}


def next_delay(previous: float, ran_for: float) -> float:
    if ran_for >= STEADY_AFTER or previous <= 0:
        return FIRST_DELAY
    return min(previous * 2, MAX_DELAY)


@dataclass
class Child:
    name: str
    command: list[str]
    proc: subprocess.Popen[str] | None = None
    started: float = 0.0
    delay: float = 0.0
    restart_at: float | None = None
    restarts: int = 0
    pump: threading.Thread | None = field(default=None, repr=False)


class Supervisor:
    def __init__(
        self,
        commands: dict[str, list[str]],
        env: dict[str, str],
        site_path: Path,
        write: Callable[[str], None],
        output: Callable[[str, str], None],
    ) -> None:
        self.children = [Child(name, cmd) for name, cmd in commands.items()]
        self.env = env
        self.site_path = site_path
        self.write = write  # a line for the person at the terminal
        self.output = output  # (child name, one line of its output)
        self.stopping = False

    def _start(self, child: Child) -> None:
        proc = subprocess.Popen(
            child.command,
            env={**self.env, "FLRTS_PROCESS": child.name},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        child.proc, child.started, child.restart_at = proc, time.monotonic(), None
        child.pump = threading.Thread(
            target=self._pump, args=(child.name, proc.stdout), daemon=True
        )
        child.pump.start()

    def _pump(self, name: str, stream: IO[str] | None) -> None:
        if stream is None:
            return
        for line in stream:
            self.output(name, line)

    def _save_counts(self) -> None:
        path = restarts_file(self.site_path)
        data = {"pid": os.getpid(), "restarts": {c.name: c.restarts for c in self.children}}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            self.write(f"supervisor: could not write {path} ({exc})")

    def request_stop(self, *_: Any) -> None:
        self.stopping = True

    def check(self) -> None:
        """One round: notice children that died, start those whose pause is over."""
        now = time.monotonic()
        for child in self.children:
            if (
                child.proc is not None
                and child.proc.poll() is not None
                and child.restart_at is None
            ):
                ran_for = now - child.started
                child.delay = next_delay(child.delay, ran_for)
                child.restart_at = now + child.delay
                self.write(
                    f"{child.name} exited with {child.proc.returncode} after {ran_for:.0f} s; "
                    f"restarting in {child.delay:g} s"
                )
            if child.restart_at is not None and now >= child.restart_at and not self.stopping:
                child.restarts += 1
                self._start(child)
                self._save_counts()
                self.write(f"{child.name} restarted (restart {child.restarts})")

    def run(self, poll: float = 0.3) -> None:
        self._save_counts()
        for child in self.children:
            self._start(child)
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        try:
            while not self.stopping:
                self.check()
                time.sleep(poll)
        finally:
            self.stop_all()

    def stop_all(self) -> None:
        running = [c.proc for c in self.children if c.proc is not None and c.proc.poll() is None]
        for proc in running:
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for proc in running:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
