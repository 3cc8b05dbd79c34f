"""A small S3 client for the offsite copy: path-style requests (`endpoint/bucket/key`) signed with
AWS Signature Version 4, sent with httpx. It speaks to AWS S3 and the S3-compatible services
(MinIO, Backblaze B2, Wasabi, Ceph, ...).

Only what the offsite copy needs: PUT an object from a file (streamed, one request, so at most
5 GB), HEAD an object or the bucket, GET an object streamed through SHA-256, list with
ListObjectsV2 (following continuation tokens) and DELETE.

Every request signs the real SHA-256 of its payload in `x-amz-content-sha256` (never
UNSIGNED-PAYLOAD), so the service itself rejects a body that changed on the way. Errors become
`S3Error` (an `OffsiteError`) naming the operation, the S3 error code and message, and a hint at
the config key to look at. The secret key is only ever used as HMAC input: it is not in any
message, log line or repr.

Transient failures (HTTP 500/502/503/504, connection errors) are retried twice, after
`RETRY_DELAYS` seconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote

import httpx

from flrts.ops.backup.offsite import OffsiteError

logger = logging.getLogger("flrts.ops.backup.s3")

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "s3"
MAX_SINGLE_PUT = 5 * 1024**3  # the largest object one PUT may create
CHUNK = 1 << 20
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
RETRY_DELAYS: tuple[float, ...] = (1.0, 4.0)  # waits before the second and third attempt
RETRY_STATUSES = frozenset({500, 502, 503, 504})
RETRY_CODES = frozenset({"InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout"})

_HINTS = {
    "SignatureDoesNotMatch": "check backup_s3_secret_key",
    "InvalidAccessKeyId": "check backup_s3_access_key",
    "AccessDenied": "check the key's permissions on the bucket",
    "Forbidden": "check backup_s3_access_key, backup_s3_secret_key and the key's permissions",
    "NoSuchBucket": "create the bucket, or correct backup_s3_bucket",
    "AuthorizationHeaderMalformed": "check backup_s3_region",
    "PermanentRedirect": "check backup_s3_endpoint and backup_s3_region",
    "RequestTimeTooSkewed": "this server's clock is off; enable NTP",
}


class S3Error(OffsiteError):
    """An S3 request failed; `code` is S3's error code (or `HTTP <status>`, `ConnectionError`)."""

    def __init__(self, message: str, *, code: str = "", status: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class S3Config:
    endpoint: str  # https://s3.eu-central-1.amazonaws.com, http://127.0.0.1:9000
    bucket: str
    access_key: str
    secret_key: str = field(repr=False)
    region: str = "us-east-1"


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    etag: str = ""
    last_modified: dt.datetime | None = None


# --- Signature Version 4 ------------------------------------------------------------------------


def uri_encode(text: str, safe: str = "") -> str:
    """SigV4's URI encoding: everything but A-Z a-z 0-9 - _ . ~ (and `safe`) as %XX of UTF-8."""
    return quote(text, safe=safe)


def canonical_query(params: Iterable[tuple[str, str]]) -> str:
    pairs = sorted((uri_encode(k), uri_encode(v)) for k, v in params)
    return "&".join(f"{k}={v}" for k, v in pairs)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signing_key(secret_key: str, day: str, region: str) -> bytes:
    key = _hmac(("AWS4" + secret_key).encode(), day)
    for part in (region, SERVICE, "aws4_request"):
        key = _hmac(key, part)
    return key


def sign(
    config: S3Config,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    payload_sha256: str,
    now: dt.datetime,
) -> dict[str, str]:
    """The headers of a signed request: `headers` (with `host`) + x-amz-date,
    x-amz-content-sha256 and Authorization, all signed.

    `path` is URI-encoded already (once: S3 does not double-encode), `query` canonical.
    """
    amz_date = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    signed = {name.lower(): " ".join(str(value).split()) for name, value in headers.items()}
    signed["x-amz-date"] = amz_date
    signed["x-amz-content-sha256"] = payload_sha256
    names = sorted(signed)
    canonical_request = "\n".join(
        [
            method,
            path,
            query,
            "".join(f"{name}:{signed[name]}\n" for name in names),
            ";".join(names),
            payload_sha256,
        ]
    )
    scope = f"{day}/{config.region}/{SERVICE}/aws4_request"
    string_to_sign = "\n".join(
        [ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    signature = hmac.new(
        signing_key(config.secret_key, day, config.region),
        string_to_sign.encode(),
        hashlib.sha256,
    ).hexdigest()
    signed["authorization"] = (
        f"{ALGORITHM} Credential={config.access_key}/{scope}, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    return signed


# --- the client ---------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]  # S3's list results are namespaced, its errors are not


def _child(element: ET.Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return child.text or ""
    return ""


def _parse_xml(body: bytes) -> ET.Element | None:
    try:
        return ET.fromstring(body)
    except ET.ParseError:
        return None


class S3Client:
    """One bucket of one S3-compatible service. Opens its connection pool on first use;
    `close()` (or `with`) closes it."""

    def __init__(self, config: S3Config, *, timeout: float = 60.0) -> None:
        url = httpx.URL(config.endpoint)
        if url.scheme not in ("http", "https") or not url.host:
            raise S3Error(
                f"backup_s3_endpoint must be an http:// or https:// URL, got {config.endpoint!r}"
            )
        if url.query or url.fragment:
            raise S3Error("backup_s3_endpoint must not have a query or fragment")
        if not config.bucket or "/" in config.bucket:
            raise S3Error(f"backup_s3_bucket must be a bucket name, got {config.bucket!r}")
        self.config = config
        host = url.raw_host.decode("ascii")
        if ":" in host:
            host = f"[{host}]"  # IPv6
        self._host = f"{host}:{url.port}" if url.port else host
        self._origin = f"{url.scheme}://{self._host}"
        self._base_path = url.raw_path.decode("ascii").rstrip("/")
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0))
        self._http: httpx.Client | None = None

    def __repr__(self) -> str:
        return f"S3Client(endpoint={self.config.endpoint!r}, bucket={self.config.bucket!r})"

    def __enter__(self) -> S3Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    @property
    def endpoint(self) -> str:
        return self.config.endpoint

    def url_of(self, key: str | None = None) -> str:
        """`s3://bucket/key`, for messages."""
        return f"s3://{self.config.bucket}/{key or ''}"

    # operations

    def put_object(self, key: str, path: Path, *, sha256: str | None = None) -> str:
        """Upload a file in one streamed PUT; returns the ETag. `sha256`, when known (the
        manifest has it), saves hashing the file first; a wrong one makes S3 refuse the body."""
        size = path.stat().st_size
        if size > MAX_SINGLE_PUT:
            raise S3Error(
                f"{path.name} is {size / 1024**3:.1f} GB: a single S3 PUT takes at most 5 GB "
                "(multipart upload is not implemented); use a folder target "
                "(backup_offsite_dir) for sets this large"
            )
        digest = sha256 or _sha256_file(path)

        def body() -> Iterator[bytes]:
            with open(path, "rb") as handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        response = self._send(
            "PUT",
            key,
            payload_sha256=digest,
            body=body,
            extra_headers={
                "content-length": str(size),
                "content-type": "application/octet-stream",
            },
        )
        return response.headers.get("etag", "").strip('"')

    def head_object(self, key: str) -> ObjectInfo:
        response = self._send("HEAD", key)
        return ObjectInfo(
            key=key,
            size=int(response.headers.get("content-length", 0)),
            etag=response.headers.get("etag", "").strip('"'),
            last_modified=_http_date(response.headers.get("last-modified", "")),
        )

    def head_bucket(self) -> None:
        self._send("HEAD", None)

    def get_object_digest(self, key: str) -> tuple[int, str]:
        """Download an object through SHA-256 without keeping it: (size, hex digest)."""
        digest = hashlib.sha256()
        size = 0
        for chunk in self._stream(key):
            digest.update(chunk)
            size += len(chunk)
        return size, digest.hexdigest()

    def get_bytes(self, key: str, limit: int = 1 << 20) -> bytes:
        """A small object (a manifest) in memory; more than `limit` bytes is an error."""
        data = bytearray()
        for chunk in self._stream(key):
            data += chunk
            if len(data) > limit:
                raise S3Error(f"{self.url_of(key)} is larger than {limit} bytes")
        return bytes(data)

    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object whose key starts with `prefix` (ListObjectsV2, page by page)."""
        token = ""
        while True:
            query = [("list-type", "2"), ("prefix", prefix)]
            if token:
                query.append(("continuation-token", token))
            response = self._send("GET", None, query=query)
            root = _parse_xml(response.content)
            if root is None or _local(root.tag) != "ListBucketResult":
                raise S3Error(f"listing {self.url_of(prefix)} returned no ListBucketResult")
            for item in root:
                if _local(item.tag) != "Contents":
                    continue
                stamp = _child(item, "LastModified")
                yield ObjectInfo(
                    key=_child(item, "Key"),
                    size=int(_child(item, "Size") or 0),
                    etag=_child(item, "ETag").strip('"'),
                    last_modified=dt.datetime.fromisoformat(stamp) if stamp else None,
                )
            if _child(root, "IsTruncated").lower() != "true":
                return
            token = _child(root, "NextContinuationToken")
            if not token:
                raise S3Error(f"listing {self.url_of(prefix)} is truncated but has no token")

    def delete_object(self, key: str) -> None:
        self._send("DELETE", key)

    # transport

    def _client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(timeout=self._timeout, follow_redirects=False)
        return self._http

    def _path(self, key: str | None) -> str:
        path = f"{self._base_path}/{uri_encode(self.config.bucket)}"
        return f"{path}/{uri_encode(key, safe='/')}" if key is not None else path

    def _stream(self, key: str) -> Iterator[bytes]:
        response = self._send("GET", key, stream=True)
        try:
            yield from response.iter_bytes(CHUNK)
        except httpx.TransportError as exc:
            raise S3Error(
                f"downloading {self.url_of(key)} from {self.endpoint} failed: "
                f"{type(exc).__name__}: {self._redact(str(exc))}",
                code="ConnectionError",
            ) from None
        finally:
            response.close()

    def _send(
        self,
        method: str,
        key: str | None,
        *,
        query: list[tuple[str, str]] | None = None,
        payload_sha256: str = EMPTY_SHA256,
        body: Callable[[], Iterator[bytes]] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> httpx.Response:
        path = self._path(key)
        query_string = canonical_query(query or [])
        url = self._origin + path + (f"?{query_string}" if query_string else "")
        attempts = len(RETRY_DELAYS) + 1
        for attempt in range(attempts):
            headers = sign(
                self.config,
                method,
                path,
                query_string,
                {"host": self._host},
                payload_sha256,
                dt.datetime.now(dt.UTC),
            )
            headers["accept-encoding"] = "identity"  # the stored bytes, as they are
            headers.update(extra_headers or {})
            request = self._client().build_request(
                method, url, headers=headers, content=body() if body else None
            )
            try:
                response = self._client().send(request, stream=stream)
            except httpx.TransportError as exc:
                error = S3Error(
                    f"cannot reach the S3 endpoint {self.endpoint} ({method} "
                    f"{self.url_of(key)}): {type(exc).__name__}: {self._redact(str(exc))}",
                    code="ConnectionError",
                )
            else:
                if response.status_code < 300:
                    return response
                if stream:
                    response.read()
                response.close()
                error = self._error(method, key, response)
                if error.status not in RETRY_STATUSES and error.code not in RETRY_CODES:
                    raise error
            if attempt + 1 == attempts:
                raise error
            delay = RETRY_DELAYS[attempt]
            logger.warning("S3 %s %s: %s; retrying in %.0fs", method, key or "", error, delay)
            time.sleep(delay)
        raise AssertionError("unreachable")

    def _error(self, method: str, key: str | None, response: httpx.Response) -> S3Error:
        status = response.status_code
        code = message = ""
        root = _parse_xml(response.content) if response.content else None
        if root is not None and _local(root.tag) == "Error":
            code, message = _child(root, "Code"), _child(root, "Message")
        if not code:  # HEAD answers carry no body; name the status as S3 SDKs do
            code = {
                301: "PermanentRedirect",
                403: "Forbidden",
                404: "NoSuchBucket" if key is None else "NotFound",
            }.get(status, f"HTTP {status}")
            message = response.reason_phrase
        what = f"{method} {self.url_of(key)}" if key is not None else f"bucket {self.url_of()}"
        hint = _HINTS.get(code, "")
        text = f"S3 {what} at {self.endpoint} failed: {code}: {message} (HTTP {status})"
        if hint:
            text += f"; {hint}"
        return S3Error(self._redact(text), code=code, status=status)

    def _redact(self, text: str) -> str:
        secret = self.config.secret_key
        return text.replace(secret, "********") if secret else text


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _http_date(text: str) -> dt.datetime | None:
    try:
        return parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError):
        return None
