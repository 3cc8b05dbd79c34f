"""Where the connector's credentials come from, and the client built from them.

Site config wins: `erpnext_url`, `erpnext_api_key`, `erpnext_api_secret` (a SECRET_KEY in
flrts.sites: masked by show-config, never logged). Otherwise the ERPNext Settings row, whose
secret is stored encrypted. Neither is ever shown in clear.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from django.conf import settings

from flrts.integrations.crypto import SecretUnreadable
from flrts.integrations.erpnext.client import FrappeClient
from flrts.integrations.erpnext.errors import NotConfigured
from flrts.integrations.models import ERPNextSettings
from flrts.sites import mask


@dataclass(frozen=True)
class Credentials:
    url: str
    api_key: str
    api_secret: str = field(repr=False)
    source: str

    @property
    def masked(self) -> str:
        return f"{self.url} key {mask(self.api_key)} secret {mask(self.api_secret)} ({self.source})"


def credentials(row: ERPNextSettings | None = None) -> Credentials:
    site = settings.SITE
    url = str(site.get("erpnext_url", "") or "").strip()
    key = str(site.get("erpnext_api_key", "") or "").strip()
    secret = str(site.get("erpnext_api_secret", "") or "").strip()
    if url or key or secret:
        missing = [
            k
            for k, v in (
                ("erpnext_url", url),
                ("erpnext_api_key", key),
                ("erpnext_api_secret", secret),
            )
            if not v
        ]
        if missing:
            raise NotConfigured(f"site_config.json: key '{missing[0]}' is not set")
        return Credentials(url.rstrip("/"), key, secret, "site config")
    row = row or ERPNextSettings.load()
    if not (row.site_url and row.api_key and row.api_secret):
        raise NotConfigured(
            "enter the ERPNext site URL, API key and API secret in ERPNext Settings "
            "(or erpnext_url/erpnext_api_key/erpnext_api_secret in site config)"
        )
    try:
        secret = row.get_secret()
    except SecretUnreadable as exc:
        raise NotConfigured(str(exc)) from None
    return Credentials(row.site_url.rstrip("/"), row.api_key.strip(), secret, "ERPNext Settings")


def get_client(row: ERPNextSettings | None = None) -> FrappeClient:
    row = row or ERPNextSettings.load()
    creds = credentials(row)
    return FrappeClient(creds.url, creds.api_key, creds.api_secret, timeout=float(row.timeout))


# Whether documents should be pushed: read on every Task save, so cached briefly per process.
_TTL = 5.0
_lock = threading.Lock()
_state: dict[str, object] = {"at": 0.0, "row": None}


def invalidate() -> None:
    with _lock:
        _state["at"] = 0.0


def active_settings() -> ERPNextSettings | None:
    """The settings row when the connector is enabled and configured, else None."""
    now = time.monotonic()
    with _lock:
        if now - float(_state["at"]) < _TTL:  # type: ignore[arg-type]
            return _state["row"]  # type: ignore[return-value]
    row = ERPNextSettings.objects.filter(pk=1, enabled=True).first()
    if row is not None:
        try:
            credentials(row)
        except NotConfigured:
            row = None
    with _lock:
        _state.update(at=now, row=row)
    return row
