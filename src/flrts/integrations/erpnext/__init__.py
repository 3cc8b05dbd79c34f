"""The ERPNext connector: push tasks and field reports, pull remote edits, import reference data.

- `client`: the typed Frappe REST client (token auth, Frappe's error shapes as exceptions).
- `config`: credentials (site config or ERPNext Settings) and the client built from them.
- `mapping`: FLRTS records ↔ ERPNext documents.
- `sync`: the jobs (push, pull with conflicts, import).
- `triggers`: which local saves queue a push.
"""
