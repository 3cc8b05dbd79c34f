"""gunicorn settings of the web tier, loaded with `--config python:flrts.ops.gunicorn_conf` by
`flrts start` and the systemd unit of `flrts setup systemd`. Options on the command line win.

The gunicorn master never sets Django up (only its workers do), and it keeps no FLRTS module it
did not need to load this file: a HUP reload (`flrts restart`) forks new workers from the master,
and they must import the code as it is now, not as it was when the master started.
"""

from __future__ import annotations

import sys
from typing import Any

# gunicorn 24+ opens a control socket, by default one path per user ($HOME/.gunicorn/gunicorn.ctl)
# that two sites (or a test beside a running site) would fight over. FLRTS controls the master
# with signals through its pid file (`flrts restart`), so it needs none.
control_socket_disable = True

# The access log masks secrets in query strings and referers (a password sent in a URL).
logger_class = "flrts.ops.accesslog.MaskingLogger"


def on_starting(server: Any) -> None:
    """Once per start of the master (not on a HUP reload): empty the request-metrics snapshot
    folder, so the counters of `/metrics` start again from zero with the new service."""
    before = set(sys.modules)
    try:
        from flrts.ops.metrics import clear_snapshots, site_snapshot_dir

        # Imported here and dropped again below: workers must import the code as it is now.
        from flrts.sites import load_site

        folder = site_snapshot_dir(load_site())
        removed = clear_snapshots(folder)
    except Exception as exc:  # never keep the web tier from starting over metrics
        server.log.warning("metrics: could not empty the snapshot folder (%s)", exc)
        return
    finally:
        _forget_modules(set(sys.modules) - before)
    server.log.info("metrics: emptied %s (%d snapshot files)", folder, removed)


def _forget_modules(names: set[str]) -> None:
    """Drop the FLRTS modules just imported, so that forked workers import their own copy."""
    for name in sorted(names, reverse=True):  # children before their package
        if not name.startswith("flrts."):
            continue
        module = sys.modules.pop(name)
        package, _, child = name.rpartition(".")
        if getattr(sys.modules.get(package), child, None) is module:
            delattr(sys.modules[package], child)
