"""Who is calling: `Authorization: token key:secret`, `Basic base64(key:secret)`, or the `sid`
session cookie; plus the CSRF rule for every cookie session.

As in Frappe, any Authorization header that does not name a valid key is a 401 (never a silent
fall back to Guest), and a request with no credentials is Guest.

CSRF (docs/security.md has the reasoning): a write (POST, PUT, PATCH, DELETE) carried by the
session cookie passes when it sends the session's CSRF token (`X-Frappe-CSRF-Token`, Django's
token, as the desk's pages do). Without a token it passes only when the session was made by
`/api/method/login` (an API session: frappe-client, frappe-js-sdk, scripts) **and** the request
shows no sign of coming from a page of another origin: no `Sec-Fetch-Site` other than
`same-origin`, and no `Origin` or `Referer` naming another origin. Browsers add those headers to
every cross-origin form post and fetch, and a page cannot remove them; programs such as
requests, httpx and axios on Node send none. Token and Basic auth are never CSRF-checked: a
browser does not add an Authorization header on its own.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

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


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def _same_origin(request: HttpRequest, url: str) -> bool:
    """Is `url` (an Origin or Referer) this site? The host must match the request's Host
    (the scheme is left to the proxy in front), or the origin be in CSRF_TRUSTED_ORIGINS."""
    origin = _origin_of(url)
    if not origin:
        return False
    trusted = {o.rstrip("/").lower() for o in getattr(settings, "CSRF_TRUSTED_ORIGINS", [])}
    if origin in trusted:
        return True
    try:
        host = request.get_host().lower()
    except Exception:  # a Host Django refuses is not this site
        return False
    return urlsplit(origin).netloc == host


def cross_origin_browser(request: HttpRequest) -> str:
    """Why this request looks sent by a page of another origin ("" when it does not)."""
    fetch_site = request.headers.get("Sec-Fetch-Site", "").strip().lower()
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return f"Sec-Fetch-Site: {fetch_site}"
    origin = request.headers.get("Origin", "").strip()
    if origin and not _same_origin(request, origin):
        return "Origin is another site" if origin != "null" else "Origin: null"
    referer = request.headers.get("Referer", "").strip()
    if referer and not _same_origin(request, referer):
        return "Referer is another site"
    return ""


def check_csrf(request: HttpRequest, caller: Caller) -> None:
    """Cookie-session writes need the session's CSRF token, or (API sessions only) a request
    that no page of another origin could have sent. Refusal: 400 CSRFTokenError, as Frappe."""
    if caller.via != "session" or request.method not in _WRITE_METHODS:
        return
    if _csrf.process_view(request, _ok, (), {}) is None:
        return  # the desk's token (header X-Frappe-CSRF-Token or form field), checked by Django
    if request.session.get(API_SESSION_FLAG) and not cross_origin_browser(request):
        return
    raise CSRFTokenError("Invalid Request: CSRF token missing or incorrect")
