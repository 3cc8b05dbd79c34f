"""Outbound webhooks: which fire, what they send, how delivery is tried and logged.

Flow: a document event (flrts.integrations.events) → `trigger(doc_instance, events)` checks the
enabled webhooks of that DocType and their conditions, snapshots the document and adds one entry
per (webhook, document) to the transaction's after-commit batch (the last state wins) → after
commit each entry becomes a Job on the `short` queue → `deliver` renders the URL and body,
signs, checks the target, sends with no redirects, logs the attempt, and raises TransientError
on a network error or 5xx so the job runner retries with backoff (5 s, 20 s, 80 s, ...).

Signature, exactly as Frappe computes it (`frappe/integrations/doctype/webhook/webhook.py`):
`X-Frappe-Webhook-Signature: base64(HMAC-SHA256(key=secret.encode(), msg=body))`, over the
exact bytes sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from django.db import transaction

from flrts.integrations import aftercommit, netguard, templating
from flrts.integrations.crypto import SecretUnreadable
from flrts.integrations.models import (
    DeliveryStatus,
    RequestStructure,
    Webhook,
    WebhookRequestLog,
)
from flrts.jobs.errors import JobFailed, TransientError
from flrts.jobs.queue import enqueue, enqueue_after_commit
from flrts.jobs.registry import job
from flrts.sites import mask

logger = logging.getLogger("flrts.integrations")

SIGNATURE_HEADER = "X-Frappe-Webhook-Signature"
USER_AGENT = "FLRTS-Webhook/1.0"
EXCERPT = 2000
QUEUE = "short"
_SECRET_HEADER_WORDS = ("auth", "token", "key", "secret", "signature", "cookie", "password")


def sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


# -- which webhooks exist (cached briefly per process; local saves invalidate at once) --------
_CACHE_TTL = 5.0
_cache_lock = threading.Lock()
_cache: dict[str, Any] = {"at": 0.0, "doctypes": frozenset()}


def invalidate_cache() -> None:
    with _cache_lock:
        _cache["at"] = 0.0


def doctypes_with_webhooks() -> frozenset[str]:
    now = time.monotonic()
    with _cache_lock:
        if now - _cache["at"] < _CACHE_TTL:
            return frozenset(_cache["doctypes"])
    names = frozenset(
        Webhook.objects.filter(enabled=True).values_list("webhook_doctype", flat=True).distinct()
    )
    with _cache_lock:
        _cache.update(at=now, doctypes=names)
    return names


# -- at event time --------------------------------------------------------------------------
@dataclass(frozen=True)
class Pending:
    webhook_id: int
    event: str
    doctype: str
    docname: str
    doc: dict[str, Any]
    max_attempts: int


def trigger(instance: Any, events: list[str], doc: dict[str, Any] | None = None) -> None:
    """Queue (after commit) every enabled webhook of this DocType listening to one of `events`."""
    doctype = instance.doctype
    if doctype not in doctypes_with_webhooks():
        return
    hooks = list(
        Webhook.objects.filter(
            enabled=True, webhook_doctype=doctype, webhook_docevent__in=events
        ).order_by("id")
    )
    if not hooks:
        return
    if doc is None:
        from flrts.integrations.docjson import as_dict

        doc = as_dict(instance)
    for hook in hooks:
        try:
            matches = templating.evaluate(hook.condition, doc)
        except templating.TemplateProblem as exc:
            _log_problem(hook, hook.webhook_docevent, doc, str(exc))
            continue
        if not matches:
            continue
        pending = Pending(
            hook.pk, hook.webhook_docevent, doctype, doc["name"], doc, hook.max_attempts
        )
        aftercommit.add(("webhook", hook.pk, doctype, doc["name"]), pending, _enqueue)


def _enqueue(pending: Pending) -> None:
    enqueue(
        deliver,
        queue=QUEUE,
        job_name=f"webhook {pending.webhook_id} {pending.event} {pending.docname}",
        max_attempts=pending.max_attempts,
        kwargs={
            "webhook_id": pending.webhook_id,
            "delivery_id": str(uuid.uuid4()),
            "event": pending.event,
            "doctype": pending.doctype,
            "docname": pending.docname,
            "doc": pending.doc,
        },
    )


def _log_problem(hook: Webhook, event: str, doc: dict[str, Any], error: str) -> None:
    """A condition or template that cannot run is shown in the request log, not raised."""
    WebhookRequestLog.objects.create(
        webhook=hook,
        delivery_id=str(uuid.uuid4()),
        reference_doctype=str(doc.get("doctype", "")),
        reference_document=str(doc.get("name", "")),
        event=event,
        url=hook.request_url,
        method=hook.request_method,
        status=DeliveryStatus.FAILED,
        error=error[:2000],
    )


# -- building the request ----------------------------------------------------------------------
def _is_template(text: str) -> bool:
    return "{{" in text or "{%" in text


def build_url(hook: Webhook, doc: dict[str, Any]) -> str:
    if _is_template(hook.request_url):
        return templating.render(hook.request_url, doc).strip()
    return hook.request_url


def build_body(hook: Webhook, doc: dict[str, Any]) -> tuple[bytes, str | None]:
    """The body bytes and the content type they are (None: leave it to the configured headers)."""
    if hook.request_structure == RequestStructure.TEMPLATE:
        text = templating.render(hook.webhook_json, doc)
        try:
            json.loads(text)
            return text.encode(), "application/json"
        except ValueError:
            return text.encode(), None
    # Frappe: json.dumps(data, default=str) with the default separators.
    return json.dumps(doc, default=str).encode(), "application/json"


def build_headers(hook: Webhook, body: bytes, content_type: str | None) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT}
    if content_type:
        headers["Content-Type"] = content_type
    for header in hook.headers.all():
        headers[header.key.strip()] = header.value
    if hook.has_secret:
        headers[SIGNATURE_HEADER] = sign(hook.get_secret(), body)
    return headers


def masked_headers(headers: dict[str, str]) -> dict[str, str]:
    return {
        k: (mask(v) if any(w in k.lower() for w in _SECRET_HEADER_WORDS) else v)
        for k, v in headers.items()
    }


# -- sending -------------------------------------------------------------------------------
_clients_lock = threading.Lock()
_clients: dict[tuple[str, str], httpx.Client] = {}


def _client(scheme: str, host: str) -> httpx.Client:
    # One pool per target host: connections go to a pinned address, so pooling by address alone
    # could hand a TLS session made for one name to a request for another.
    key = (scheme, host.lower())
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = httpx.Client(
                follow_redirects=False,
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
                trust_env=False,
            )
            _clients[key] = client
        return client


def close_clients() -> None:
    """Close every pooled connection (tests, and a worker shutting down)."""
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()


@dataclass
class Outcome:
    status: str
    status_code: int | None = None
    response: str = ""
    error: str = ""
    duration: float | None = None
    transient: bool = False


def send(
    url: str, method: str, headers: dict[str, str], body: bytes, timeout: float, allow: bool
) -> Outcome:
    try:
        target = netguard.check(url, allow_private=allow)
    except netguard.TargetRefused as exc:
        return Outcome(DeliveryStatus.REFUSED, error=str(exc))
    request_headers = {**headers, "Host": _host_header(httpx.URL(url))}
    extensions = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
    started = time.monotonic()
    try:
        response = _client(target.url.scheme, target.host).request(
            method,
            target.url,
            content=body,
            headers=request_headers,
            timeout=timeout,
            extensions=extensions,
        )
    except httpx.TimeoutException as exc:
        return Outcome(
            DeliveryStatus.FAILED,
            error=f"timed out after {timeout:g} s ({type(exc).__name__})",
            duration=round(time.monotonic() - started, 4),
            transient=True,
        )
    except httpx.HTTPError as exc:
        return Outcome(
            DeliveryStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            duration=round(time.monotonic() - started, 4),
            transient=True,
        )
    duration = round(time.monotonic() - started, 4)
    code = response.status_code
    text = response.text[:EXCERPT]
    if 200 <= code < 300:
        return Outcome(DeliveryStatus.SUCCESS, code, text, duration=duration)
    if 300 <= code < 400:
        location = response.headers.get("location", "")
        return Outcome(
            DeliveryStatus.FAILED,
            code,
            text,
            error=f"redirect to {location!r} not followed",
            duration=duration,
        )
    return Outcome(
        DeliveryStatus.FAILED,
        code,
        text,
        error=f"HTTP {code}",
        duration=duration,
        transient=code >= 500,
    )


def _host_header(url: httpx.URL) -> str:
    host = url.host
    if ":" in host:
        host = f"[{host}]"
    default = 443 if url.scheme == "https" else 80
    return host if url.port in (None, default) else f"{host}:{url.port}"


# -- the jobs --------------------------------------------------------------------------------
@job
def deliver(
    webhook_id: int,
    delivery_id: str,
    event: str,
    doctype: str,
    docname: str,
    doc: dict[str, Any],
) -> str:
    hook = Webhook.objects.filter(pk=webhook_id).first()
    if hook is None or not hook.enabled:
        return "skipped: webhook deleted or disabled"
    log = WebhookRequestLog(
        webhook=hook,
        delivery_id=delivery_id,
        reference_doctype=doctype,
        reference_document=docname,
        event=event,
        url=hook.request_url,
        method=hook.request_method,
    )
    try:
        log.url = build_url(hook, doc)
        body, content_type = build_body(hook, doc)
        headers = build_headers(hook, body, content_type)
    except (templating.TemplateProblem, SecretUnreadable) as exc:
        log.status, log.error, log.attempt = DeliveryStatus.FAILED, str(exc)[:2000], 1
        log.save()
        raise JobFailed(str(exc)) from None
    return _attempt(hook, log, headers, body)


@job
def resend(log_id: int, delivery_id: str) -> str:
    """Send a logged request again: same URL, method and body; headers and signature from the
    webhook as it is now."""
    original = WebhookRequestLog.objects.select_related("webhook").filter(pk=log_id).first()
    if original is None or original.webhook is None:
        raise JobFailed("the request log or its webhook no longer exists")
    hook = original.webhook
    body = original.data.encode()
    content_type = None
    try:
        json.loads(original.data)
        content_type = "application/json"
    except ValueError:
        pass
    try:
        headers = build_headers(hook, body, content_type)
    except SecretUnreadable as exc:
        raise JobFailed(str(exc)) from None
    log = WebhookRequestLog(
        webhook=hook,
        delivery_id=delivery_id,
        reference_doctype=original.reference_doctype,
        reference_document=original.reference_document,
        event=original.event,
        url=original.url,
        method=original.method,
        resent_from=original,
    )
    return _attempt(hook, log, headers, body)


def _attempt(hook: Webhook, log: WebhookRequestLog, headers: dict[str, str], body: bytes) -> str:
    log.attempt = WebhookRequestLog.objects.filter(delivery_id=log.delivery_id).count() + 1
    log.headers = masked_headers(headers)
    log.data = body.decode("utf-8", errors="replace")
    outcome = send(
        log.url, log.method, headers, body, float(hook.timeout), hook.allow_private_targets
    )
    retry = outcome.transient and log.attempt < hook.max_attempts
    log.status = DeliveryStatus.RETRYING if retry else outcome.status
    log.status_code = outcome.status_code
    log.response = outcome.response
    log.error = outcome.error
    log.duration = outcome.duration
    log.save()
    if outcome.status == DeliveryStatus.SUCCESS:
        return f"delivered: HTTP {outcome.status_code}"
    if retry:
        raise TransientError(outcome.error)
    raise JobFailed(f"{outcome.status}: {outcome.error}")


def queue_resend(log: WebhookRequestLog) -> None:
    with transaction.atomic():
        enqueue_after_commit(
            resend,
            queue=QUEUE,
            job_name=f"webhook resend {log.pk}",
            max_attempts=log.webhook.max_attempts if log.webhook else 1,
            kwargs={"log_id": log.pk, "delivery_id": str(uuid.uuid4())},
        )
