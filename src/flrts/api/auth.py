"""Who is calling: `Authorization: token key:secret`, `Basic base64(key:secret)`, or the `sid`
session cookie; plus CSRF for session writes from the desk.

As in Frappe, any Authorization header that does not name a valid key is a 401 (never a silent
fall back to Guest), and a request with no credentials is Guest. CSRF is checked only for
session-authenticated writes of sessions made by the desk login; sessions made by
`/api/method/login` are API sessions and, as in Frappe, carry no CSRF token.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone

from flrts.api import ratelimit
from flrts.api.errors import AuthenticationError, CSRFTokenError, InvalidAuthorizationToken
from flrts.api.models import ApiKey, digest

API_SESSION_FLAG = "flrts_api_session"
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_LAST_USED_EVERY = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Caller:
    user: Any  # None for Guest
    via: str  # "token", "basic", "session" or "guest"


def _key_and_secret(header: str) -> tuple[str, str, str]:
    parts = header.split()
    if len(parts) != 2:
        raise AuthenticationError("Invalid Authorization header")
    scheme, credential = parts[0].lower(), parts[1]
    if scheme == "token":
        via = "token"
    elif scheme == "basic":
        via = "basic"
        try:
            credential = base64.b64decode(credential, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidAuthorizationToken("Invalid Basic authorization token") from None
    else:
        raise AuthenticationError(f"Unsupported authorization scheme {parts[0]!r}")
    key, sep, secret = credential.partition(":")
    if not sep or not key or not secret:
        raise AuthenticationError("Authorization must be api_key:api_secret")
    return via, key, secret


# A verified key is remembered in this process for a few seconds (settings.API_AUTH_CACHE_SECONDS,
# default 5), which saves a query with a wide join on every call; a revoked key or a disabled
# user stops working within that time.
_verified: dict[str, tuple[float, Any]] = {}
_VERIFIED_MAX = 1024


def _by_key(key: str, secret: str) -> Any:
    ttl = float(getattr(settings, "API_AUTH_CACHE_SECONDS", 5))
    cache_key = f"{key}:{digest(secret)}"
    hit = _verified.get(cache_key)
    now_s = time.monotonic()
    if hit is not None and hit[0] > now_s:
        return hit[1]
    record = ApiKey.objects.select_related("user").filter(api_key=key).first()
    if record is None or not record.check_secret(secret) or not record.user.is_active:
        _verified.pop(cache_key, None)
        raise AuthenticationError("Invalid API key or secret")
    now = timezone.now()
    if record.last_used is None or now - record.last_used > _LAST_USED_EVERY:
        ApiKey.objects.filter(pk=record.pk).update(last_used=now)
    if ttl > 0:
        if len(_verified) >= _VERIFIED_MAX:
            _verified.clear()
        _verified[cache_key] = (now_s + ttl, record.user)
    return record.user


def authenticate(request: HttpRequest) -> Caller:
    header = request.META.get("HTTP_AUTHORIZATION")
    if header:
        via, key, secret = _key_and_secret(header)
        ratelimit.check("per_key", key)
        return Caller(_by_key(key, secret), via)
    if request.COOKIES.get("sid"):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return Caller(user, "session")
    return Caller(None, "guest")


def _ok(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    return HttpResponse()


_csrf = CsrfViewMiddleware(_ok)


def check_csrf(request: HttpRequest, caller: Caller) -> None:
    """Desk sessions must send X-Frappe-CSRF-Token (the desk's csrftoken) on writes."""
    if caller.via != "session" or request.method not in _WRITE_METHODS:
        return
    if request.session.get(API_SESSION_FLAG):
        return
    if _csrf.process_view(request, _ok, (), {}) is not None:
        raise CSRFTokenError("Invalid Request: CSRF token missing or incorrect")
