"""Operations: what a managed platform did for this system, done on our own host.

- `backup`, `manifest`, `dumpers`, `archives`, `names`: `flrts backup` (Frappe-named files + a
  manifest with sizes, SHA-256, schema version and row counts).
- `verify`, `restore`, `portable`: `flrts backup verify`, `flrts restore`, `flrts export/import`.
- `retention`, `offsite`, `schedule`: GFS / keep-last-N rotation, the second copy, the daily job.
- `health`, `metrics`, `middleware`, `views`: `/health`, `/metrics`, request ids and latencies.
- `logs`: JSON lines per process with secrets masked; unhandled errors into the Error Log.
- `doctor`: `flrts doctor`. `deploy`: nginx/systemd/restart. `sshca`: short-lived SSH certificates.

This package's `__init__` imports nothing: settings import `flrts.ops.logs` before Django is set up.
"""
