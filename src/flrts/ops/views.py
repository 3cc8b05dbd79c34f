"""`/health` (JSON; 503 when a part is down) and `/metrics` (Prometheus; allowed addresses or
the `metrics_token` only)."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from flrts.ops import health, metrics


@require_GET
def health_view(request: HttpRequest) -> JsonResponse:
    checks = health.health_checks()
    down = [c.name for c in checks if c.status == health.FAIL]
    body = {
        "status": "down" if down else "ok",
        "site": settings.SITE.name,
        "time": timezone.now().isoformat(),
        "down": down,
        "checks": {c.name: {"status": c.status, "detail": c.detail, **c.data} for c in checks},
    }
    response = JsonResponse(body, status=503 if down else 200)
    response["Cache-Control"] = "no-store"
    return response


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    raw = settings.SITE.get("metrics_allow", ["127.0.0.1", "::1"])
    items = [raw] if isinstance(raw, str) else list(raw)
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(str(item), strict=False))
        except ValueError:
            continue  # a bad entry allows nothing (doctor could report it)
    return networks


def metrics_allowed(request: HttpRequest) -> bool:
    token = str(settings.SITE.get("metrics_token", "") or "")
    auth = request.headers.get("Authorization", "")
    if token and auth.startswith("Bearer ") and hmac.compare_digest(auth[7:].strip(), token):
        return True
    try:
        addr = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(addr in net for net in _allowed_networks())


def client_address(request: HttpRequest) -> str:
    """The caller's address; behind our nginx (a trusted proxy) it is in X-Real-IP, which nginx
    always overwrites, so a client cannot claim to be 127.0.0.1."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.SITE.get("trusted_proxies", ["127.0.0.1", "::1"])
    real = request.headers.get("X-Real-IP", "").strip()
    if real and remote in (trusted if isinstance(trusted, list) else [trusted]):
        return real
    return remote


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    text = metrics.render(timezone.now())
    return HttpResponse(text, content_type="text/plain; version=0.0.4; charset=utf-8")
