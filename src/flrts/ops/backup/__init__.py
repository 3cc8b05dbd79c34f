"""Backups of a site, and everything that reads them back.

- `take` (`flrts backup`): one consistent set, Frappe-named (`names`), with a `manifest` (sizes,
  SHA-256, schema version, row counts); `dumpers` / `sqliteimage` write the database part,
  `archives` the files, `configbackup` the site config (secrets masked or encrypted).
- `verify`, `restore`: `flrts backup verify`, `flrts restore`; `portable`: `flrts export/import`.
- `retention`, `offsite` (+ `s3`), `scheduled`: rotation, the second copy, the scheduled job.

Database connection parameters and create/drop are `flrts.ops.dbparams` / `flrts.ops.databases`
(new-site uses them too).
"""
