"""gunicorn settings of the web tier, loaded with `--config python:flrts.ops.gunicorn_conf` by
`flrts start` and the systemd unit of `flrts setup systemd`. Options on the command line win.

The gunicorn master never sets Django up (only its workers do), and it keeps no FLRTS module it
did not need to load this file: a HUP reload (`flrts restart`) forks new workers from the master,
and they must import the code as it is now, not as it was when the master started.
"""

from __future__ import annotations

import os
import sys
from typing import Any

# gunicorn 24+ opens a control socket, by default one path per user ($HOME/.gunicorn/gunicorn.ctl)
# that two sites (or a test beside a running site) would fight over. FLRTS controls the master
# with signals through its pid file (`flrts restart`), so it needs none.
control_socket_disable = True

# The access log masks secrets in query strings and referers (a password sent in a URL).
logger_class = "flrts.ops.accesslog.MaskingLogger"

ENV = "PROMETHEUS_MULTIPROC_DIR"


def on_starting(server: Any) -> None:
    """Once per start of the master (not on a HUP reload): give the workers the site's
    prometheus_client folder (`PROMETHEUS_MULTIPROC_DIR`, inherited when they fork) and empty
    it, so the counters of `/metrics` start again from zero with the new service."""
    before = set(sys.modules)
    try:
        # Imported here and dropped again below: workers must import the code as it is now.
        from flrts.ops.metrics_folder import clear_folder, site_metrics_dir
        from flrts.sites import load_site  # the same: dropped below

        folder = site_metrics_dir(load_site())
        folder.mkdir(parents=True, exist_ok=True)
        removed = clear_folder(folder)
        os.environ[ENV] = str(folder)
    except Exception as exc:  # never keep the web tier from starting over metrics
        server.log.warning("metrics: could not prepare the metrics folder (%s)", exc)
        return
    finally:
        _forget_modules(set(sys.modules) - before)
    server.log.info("metrics: emptied %s (%d files)", folder, removed)


def child_exit(server: Any, worker: Any) -> None:
    """A worker exited: its live gauges are dropped (its counters stay counted)."""
    folder = os.environ.get(ENV)
    if not folder:
        return
    try:
        from prometheus_client import multiprocess  # third-party: nothing to reload

        multiprocess.mark_process_dead(worker.pid, folder)
    except Exception as exc:
        server.log.warning("metrics: mark_process_dead(%s) failed (%s)", worker.pid, exc)


def _forget_modules(names: set[str]) -> None:
    """Drop the FLRTS modules just imported, so that forked workers import their own copy."""
    for name in sorted(names, reverse=True):  # children before their package
        if not name.startswith("flrts."):
            continue
        module = sys.modules.pop(name)
        package, _, child = name.rpartition(".")
        if getattr(sys.modules.get(package), child, None) is module:
            delattr(sys.modules[package], child)
