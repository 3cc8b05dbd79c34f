"""Operations: what a managed platform did for this system, done on our own host.

- `backup/`: `flrts backup`, `backup verify`, `restore`, `export/import`, retention, the offsite
  copy and the scheduled backup (see its `__init__`); `dbparams`, `databases`: connection
  parameters and create/drop of whole databases (backups and `flrts new-site`).
- `health`, `metrics`, `middleware`, `views`: `/health`, `/metrics`, request ids and latencies.
- `logs`: JSON lines per process with secrets masked; unhandled errors into the Error Log.
- `doctor`: `flrts doctor`. `deploy`: nginx/systemd/restart. `sshca`: short-lived SSH certificates.

This package's `__init__` imports nothing: settings import `flrts.ops.logs` before Django is set up.
"""
