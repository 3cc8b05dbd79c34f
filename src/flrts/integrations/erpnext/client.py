"""A small typed client for the Frappe REST API v1 that ERPNext serves (ecosystem.md §A).

    client = FrappeClient("https://erp.example.com", "key", "secret")
    client.get_logged_user()                                  # "integration@example.com"
    client.get_list("Task", fields=["name", "modified"], filters=[["modified", ">", cursor]])
    client.insert("Task", {"subject": "Replace pump seal"})   # the saved document
    client.update("Task", "TASK-2026-00001", {"status": "Working"})

Auth is `Authorization: token key:secret`. Error answers become the typed exceptions of
`flrts.integrations.erpnext.errors` (transient ones are `TransientError`, so the job runner
retries them). Every exchange is written to the ERPNext Exchange log, without the credentials.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
from typing import Any

import httpx

from flrts.integrations.erpnext import errors

logger = logging.getLogger("flrts.integrations.erpnext")

EXCERPT = 2000
USER_AGENT = "FLRTS-ERPNext-Connector/1.0"


def _excerpt(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text[:EXCERPT]


def resource_path(doctype: str, name: str | None = None) -> str:
    path = "/api/resource/" + urllib.parse.quote(doctype, safe="")
    if name is not None:
        path += "/" + urllib.parse.quote(name, safe="")
    return path


class FrappeClient:
    def __init__(
        self,
        url: str,
        api_key: str,
        api_secret: str,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        log_exchanges: bool = True,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise errors.NotConfigured("the ERPNext site URL must start with http:// or https://")
        self.base_url = url.rstrip("/")
        self.log_exchanges = log_exchanges
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            trust_env=False,
            headers={
                "Authorization": f"token {api_key}:{api_secret}",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            },
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> FrappeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the one request path --------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Any:
        query = {
            k: (json.dumps(v) if isinstance(v, list | dict) else v)
            for k, v in (params or {}).items()
            if v is not None
        }
        shown_path = path + ("?" + urllib.parse.urlencode(query) if query else "")
        started = time.monotonic()
        error: errors.FrappeError
        try:
            response = self._http.request(
                method, path, params=query or None, json=body if body is not None else None
            )
        except httpx.HTTPError as exc:
            error = errors.NetworkError(f"{type(exc).__name__}: {exc}", path=path)
            self._log(method, shown_path, body, None, "", error, started)
            raise error from None
        text = response.text
        try:
            payload: Any = response.json() if text else None
        except ValueError:
            payload = None
        if response.status_code >= 300:
            if 300 <= response.status_code < 400:
                error = errors.UnexpectedResponse(
                    f"redirect to {response.headers.get('location', '?')} (check the site URL)",
                    response.status_code,
                    path=path,
                )
            else:
                error = errors.from_response(
                    response.status_code, payload, response.reason_phrase, path, response.headers
                )
            self._log(method, shown_path, body, response.status_code, text, error, started)
            raise error
        if payload is None:
            error = errors.UnexpectedResponse("the answer is not JSON", response.status_code)
            self._log(method, shown_path, body, response.status_code, text, error, started)
            raise error
        self._log(method, shown_path, body, response.status_code, text, None, started)
        return payload

    def _log(
        self,
        method: str,
        path: str,
        body: Any,
        status: int | None,
        text: str,
        error: errors.FrappeError | None,
        started: float,
    ) -> None:
        if not self.log_exchanges:
            return
        from flrts.integrations.models import ERPNextExchange

        try:
            ERPNextExchange.objects.create(
                method=method,
                path=path[:4000],
                status_code=status,
                exc_type=(error.exc_type if error else "")[:64],
                request=_excerpt(body),
                response=text[:EXCERPT],
                error=str(error)[:2000] if error else "",
                duration=round(time.monotonic() - started, 4),
            )
        except Exception:  # the log must never hide the exchange's own outcome
            logger.exception("could not write the ERPNext exchange log")

    # -- Frappe's endpoints ------------------------------------------------------------------
    def call(self, method: str, http: str = "GET", **kwargs: Any) -> Any:
        path = "/api/method/" + method
        if http == "GET":
            payload = self.request("GET", path, params=kwargs)
        else:
            payload = self.request(http, path, body=kwargs)
        return payload.get("message") if isinstance(payload, dict) else None

    def get_logged_user(self) -> str:
        return str(self.call("frappe.auth.get_logged_user"))

    def get_versions(self) -> dict[str, Any]:
        result = self.call("frappe.utils.change_log.get_versions")
        return result if isinstance(result, dict) else {}

    def get_single_value(self, doctype: str, field: str) -> Any:
        return self.call("frappe.client.get_single_value", doctype=doctype, field=field)

    def get_list(
        self,
        doctype: str,
        fields: list[str] | None = None,
        filters: Any = None,
        order_by: str | None = None,
        limit_start: int = 0,
        limit_page_length: int = 20,
    ) -> list[dict[str, Any]]:
        payload = self.request(
            "GET",
            resource_path(doctype),
            params={
                "fields": fields or ["name"],
                "filters": filters,
                "order_by": order_by,
                "limit_start": limit_start or None,
                "limit_page_length": limit_page_length,
            },
        )
        return _data(payload, list)

    def get_all(self, doctype: str, page: int = 200, **kwargs: Any) -> list[dict[str, Any]]:
        """Every row, page by page (`limit_page_length=0` can be huge on a real site)."""
        rows: list[dict[str, Any]] = []
        while True:
            batch = self.get_list(doctype, limit_start=len(rows), limit_page_length=page, **kwargs)
            rows += batch
            if len(batch) < page:
                return rows

    def get_doc(self, doctype: str, name: str) -> dict[str, Any]:
        return _data(self.request("GET", resource_path(doctype, name)), dict)

    def insert(self, doctype: str, doc: dict[str, Any]) -> dict[str, Any]:
        return _data(self.request("POST", resource_path(doctype), body=doc), dict)

    def update(self, doctype: str, name: str, doc: dict[str, Any]) -> dict[str, Any]:
        return _data(self.request("PUT", resource_path(doctype, name), body=doc), dict)

    def delete(self, doctype: str, name: str) -> None:
        self.request("DELETE", resource_path(doctype, name))


def _data(payload: Any, kind: type) -> Any:
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, kind):
        raise errors.UnexpectedResponse(f"expected {{'data': {kind.__name__}}} in the answer")
    return data
