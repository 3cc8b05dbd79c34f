"""Integrations: outbound webhooks (Frappe's Webhook DocType) and the ERPNext connector.

- `events`: Django signals on every Document → Frappe's document events.
- `aftercommit`: one entry per key per transaction, handed over only when it commits.
- `webhooks`: matching, delivery on the queue, signing, the request log, re-send.
- `netguard`: refuse private/loopback/link-local targets; pin the checked address.
- `templating`: the sandboxed Jinja environment for conditions, URLs and bodies.
- `erpnext`: the typed Frappe REST client, push/pull/import, the exchange log.
"""
