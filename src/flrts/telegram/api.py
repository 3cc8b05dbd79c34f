"""The HTTP layer under `BotClient`: URLs, encoding, retries, and keeping the token secret.

One place decides what is retried: 429 waits Telegram's `retry_after` (within a budget per call),
5xx and network failures back off exponentially (a bounded number of attempts), anything else
fails at once with a permanent error.
"""

from __future__ import annotations

import functools
import json
import logging
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from flrts.telegram.errors import (
    InvalidResponse,
    NetworkError,
    PermanentTelegramError,
    RateLimited,
    ResponseTooLarge,
    TimedOut,
    TransientTelegramError,
    error_from_response,
    mask_token,
    redact,
)

log = logging.getLogger("flrts.telegram")

T = TypeVar("T")

DEFAULT_API_URL = "https://api.telegram.org"
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # the cloud Bot API serves files up to 20 MB


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4  # tries per call for 5xx and network failures, the first included
    backoff_base: float = 0.5  # seconds before the second try; doubles each time
    backoff_max: float = 8.0
    max_rate_limit_wait: float = 60.0  # total seconds one call may spend waiting out 429s
    max_rate_limit_retries: int = 5

    def backoff(self, failures: int) -> float:
        return min(self.backoff_base * 2 ** (failures - 1), self.backoff_max)


class InvalidApiUrl(PermanentTelegramError):
    kind = "bad_config"


class _RedactTokens(logging.Filter):
    """Masks known bot tokens in httpx's request log ("HTTP Request: POST .../bot<token>/...")."""

    def __init__(self) -> None:
        super().__init__()
        self._tokens: set[str] = set()
        self._lock = threading.Lock()

    def add(self, token: str) -> None:
        with self._lock:
            self._tokens.add(token)

    def filter(self, record: logging.LogRecord) -> bool:
        tokens = self._tokens
        if tokens:
            message = record.getMessage()
            clean = message
            for token in tokens:
                clean = redact(clean, token)
            if clean != message:
                record.msg, record.args = clean, None
        return True


_httpx_log_filter = _RedactTokens()
logging.getLogger("httpx").addFilter(_httpx_log_filter)


class BotApi:
    """Calls `{api_url}/bot{token}/{method}` and downloads `{api_url}/file/bot{token}/{path}`."""

    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not token:
            raise ValueError("a bot token is required")
        self._token = token
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport,
            verify=_ssl_context(),
            headers={"User-Agent": "flrts-telegram"},
        )
        _httpx_log_filter.add(token)

    def __repr__(self) -> str:
        return f"BotApi(api_url={self.api_url!r}, token={mask_token(self._token)!r})"

    def close(self) -> None:
        self._http.close()

    def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        extra_read_timeout: float = 0.0,
    ) -> Any:
        """POST a method and return its `result`; raise a `TelegramError` on failure."""
        body = {key: value for key, value in (params or {}).items() if value is not None}
        url = f"{self.api_url}/bot{self._token}/{method}"
        masked = self._masked(url)
        timeout = httpx.Timeout(self.timeout + extra_read_timeout, connect=min(self.timeout, 5.0))

        def attempt() -> Any:
            if files:
                form = {key: _form_value(value) for key, value in body.items()}
                response = self._http.post(url, data=form, files=files, timeout=timeout)
            else:
                response = self._http.post(url, json=body, timeout=timeout)
            return _result(method, response, masked)

        return self._with_retries(method, masked, attempt)

    def download(self, file_path: str, *, max_bytes: int = DOWNLOAD_LIMIT) -> bytes:
        quoted = urllib.parse.quote(file_path.lstrip("/"), safe="/")
        url = f"{self.api_url}/file/bot{self._token}/{quoted}"
        masked = self._masked(url)

        def attempt() -> bytes:
            with self._http.stream("GET", url) as response:
                if response.status_code != 200:
                    response.read()
                    raise error_from_response(
                        "download", response.status_code, _json_or_none(response), url=masked
                    )
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise ResponseTooLarge("download", f"file exceeds {max_bytes} bytes")
                    chunks.append(chunk)
                return b"".join(chunks)

        return self._with_retries("download", masked, attempt)

    def _masked(self, text: str) -> str:
        return redact(text, self._token)

    def _with_retries(self, method: str, masked_url: str, attempt: Callable[[], T]) -> T:
        policy = self.retry
        failures = 0
        rate_limit_retries = 0
        waited = 0.0
        while True:
            try:
                return self._network_errors_typed(method, masked_url, attempt)
            except RateLimited as exc:
                wait = exc.retry_after or 1.0
                rate_limit_retries += 1
                if (
                    waited + wait > policy.max_rate_limit_wait
                    or rate_limit_retries > policy.max_rate_limit_retries
                ):
                    raise
                log.warning("Telegram %s: 429, waiting %.1fs as asked", method, wait)
                self._sleep(wait)
                waited += wait
            except TransientTelegramError as exc:
                failures += 1
                if failures >= policy.max_attempts:
                    raise
                delay = policy.backoff(failures)
                log.warning(
                    "Telegram %s: %s (try %d of %d), retrying in %.1fs",
                    method,
                    exc.description,
                    failures,
                    policy.max_attempts,
                    delay,
                )
                self._sleep(delay)

    def _network_errors_typed(self, method: str, masked_url: str, attempt: Callable[[], T]) -> T:
        # httpx errors carry the request (and so the token) in `.request`; they are replaced,
        # not chained, so no traceback can print them.
        error: Exception
        try:
            return attempt()
        except httpx.TimeoutException as exc:
            error = TimedOut(method, self._describe(exc), url=masked_url)
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            error = InvalidApiUrl(method, self._describe(exc), url=masked_url)
        except httpx.TransportError as exc:
            error = NetworkError(method, self._describe(exc), url=masked_url)
        raise error

    def _describe(self, exc: Exception) -> str:
        detail = self._masked(str(exc))
        return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle takes tens of milliseconds; one context serves every client.
    return httpx.create_ssl_context()


def _result(method: str, response: httpx.Response, masked_url: str) -> Any:
    payload = _json_or_none(response)
    if response.status_code == 200 and isinstance(payload, dict) and payload.get("ok") is True:
        return payload.get("result")
    if response.status_code == 200:
        # A 200 that is not the Bot API's envelope: a proxy or captive portal answered.
        raise InvalidResponse(method, "not a Bot API response", status=200, url=masked_url)
    body = payload if isinstance(payload, dict) else None
    raise error_from_response(method, response.status_code, body, url=masked_url)


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _form_value(value: Any) -> str:
    # Multipart fields are strings; the Bot API reads nested objects as JSON-encoded strings.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
