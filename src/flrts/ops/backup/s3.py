"""The offsite copy's S3 client: a thin wrapper around boto3 (the optional extra `s3`:
`pip install 'flrts[s3]'`), path-style, for AWS S3 and the S3-compatible services (MinIO,
Backblaze B2, Wasabi, Ceph, ...).

boto3 signs every request (AWS Signature Version 4) with the SHA-256 of its payload in
`x-amz-content-sha256` (`payload_signing_enabled`: never UNSIGNED-PAYLOAD), so the service
rejects a body that changed on the way; a file whose SHA-256 is known (the manifest has it) is
sent with `x-amz-checksum-sha256` too, which S3 checks and keeps with the object. Files over
`MULTIPART_THRESHOLD` go up as multipart uploads (`MULTIPART_CHUNK` parts, several at a time,
no 5 GB limit). Transient failures (HTTP 500/503, SlowDown, connection errors) are retried by
botocore's "standard" mode, `MAX_ATTEMPTS` attempts in all, with jittered back-off.

What this module adds: the few operations the offsite copy needs, errors as `S3Error` (an
`OffsiteError`) naming the operation, S3's code and message and a hint at the config key to look
at, and a secret that is only ever given to botocore: it is in no message, log line or repr.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flrts.ops.backup.offsite import OffsiteError

MULTIPART_THRESHOLD = 64 * 1024**2  # bigger files go up in parts
MULTIPART_CHUNK = 16 * 1024**2  # S3's minimum part is 5 MiB
MAX_ATTEMPTS = 3  # the first try and two retries
CHUNK = 1 << 20
INSTALL_HINT = "pip install 'flrts[s3]' (boto3) in the FLRTS virtualenv"

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
_HEAD_CODES = {"403": "Forbidden", "404": "NotFound", "301": "PermanentRedirect"}


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


def boto3_available() -> bool:
    try:
        import boto3  # noqa: F401  # only asked: the extra is optional
    except ImportError:
        return False
    return True


class S3Client:
    """One bucket of one S3-compatible service. Makes its boto3 client on first use;
    `close()` (or `with`) closes its connections."""

    def __init__(self, config: S3Config, *, timeout: float = 60.0) -> None:
        url = urlsplit(config.endpoint)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise S3Error(
                f"backup_s3_endpoint must be an http:// or https:// URL, got {config.endpoint!r}"
            )
        if url.query or url.fragment:
            raise S3Error("backup_s3_endpoint must not have a query or fragment")
        if not config.bucket or "/" in config.bucket:
            raise S3Error(f"backup_s3_bucket must be a bucket name, got {config.bucket!r}")
        self.config = config
        self._timeout = timeout
        self._boto: Any = None

    def __repr__(self) -> str:
        return f"S3Client(endpoint={self.config.endpoint!r}, bucket={self.config.bucket!r})"

    def __enter__(self) -> S3Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._boto is not None:
            self._boto.close()
            self._boto = None

    @property
    def endpoint(self) -> str:
        return self.config.endpoint

    def url_of(self, key: str | None = None) -> str:
        """`s3://bucket/key`, for messages."""
        return f"s3://{self.config.bucket}/{key or ''}"

    # operations

    def put_object(self, key: str, path: Path, *, sha256: str | None = None) -> str:
        """Upload a file (multipart past MULTIPART_THRESHOLD); returns the ETag. `sha256`, when
        known (the manifest has it), is sent as the object's checksum, which S3 checks: a wrong
        one makes it refuse the body (single-request uploads)."""
        size = path.stat().st_size
        extra: dict[str, str] = {"ContentType": "application/octet-stream"}
        if size <= MULTIPART_THRESHOLD:
            if sha256:
                extra["ChecksumSHA256"] = base64.b64encode(bytes.fromhex(sha256)).decode()
            with open(path, "rb") as body:
                answer = self._call("PUT", key, "put_object", Key=key, Body=body, **extra)
            return str(answer.get("ETag", "")).strip('"')
        from boto3.s3.transfer import TransferConfig  # the extra: loaded with the client

        transfer = TransferConfig(
            multipart_threshold=MULTIPART_THRESHOLD,
            multipart_chunksize=MULTIPART_CHUNK,
            max_concurrency=4,
        )
        self._call(
            "PUT",
            key,
            "upload_file",
            Filename=str(path),
            Key=key,
            ExtraArgs=extra,
            Config=transfer,
        )
        return self.head_object(key).etag

    def head_object(self, key: str) -> ObjectInfo:
        answer = self._call("HEAD", key, "head_object", Key=key)
        return ObjectInfo(
            key=key,
            size=int(answer.get("ContentLength", 0)),
            etag=str(answer.get("ETag", "")).strip('"'),
            last_modified=answer.get("LastModified"),
        )

    def head_bucket(self) -> None:
        self._call("HEAD", None, "head_bucket")

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
        pages = (
            self._client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.config.bucket, Prefix=prefix)
        )
        for page in self._guard("GET", prefix, lambda: list(pages)):
            for item in page.get("Contents", []):
                yield ObjectInfo(
                    key=item["Key"],
                    size=int(item.get("Size", 0)),
                    etag=str(item.get("ETag", "")).strip('"'),
                    last_modified=item.get("LastModified"),
                )

    def delete_object(self, key: str) -> None:
        self._call("DELETE", key, "delete_object", Key=key)

    # transport

    def _client(self) -> Any:
        if self._boto is None:
            try:
                import boto3
                from botocore.config import Config
            except ImportError:
                raise S3Error(f"the S3 offsite target needs boto3: {INSTALL_HINT}") from None
            self._boto = boto3.session.Session().client(
                "s3",
                endpoint_url=self.config.endpoint,
                region_name=self.config.region,
                aws_access_key_id=self.config.access_key,
                aws_secret_access_key=self.config.secret_key,
                config=Config(
                    signature_version="s3v4",
                    s3={"addressing_style": "path", "payload_signing_enabled": True},
                    retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
                    # the checksums this module asks for, none of its own (no aws-chunked
                    # bodies, which S3-compatible services do not all take)
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                    connect_timeout=min(self._timeout, 10.0),
                    read_timeout=self._timeout,
                ),
            )
        return self._boto

    def _call(self, method: str, key: str | None, operation: str, **kwargs: Any) -> Any:
        client = self._client()
        kwargs["Bucket"] = self.config.bucket
        return self._guard(method, key, lambda: getattr(client, operation)(**kwargs))

    def _stream(self, key: str) -> Iterator[bytes]:
        answer = self._call("GET", key, "get_object", Key=key)
        body = answer["Body"]
        chunks = body.iter_chunks(CHUNK)
        try:
            while chunk := self._guard("GET", key, lambda: next(chunks, b"")):
                yield chunk
        finally:
            body.close()

    def _guard(self, method: str, key: str | None, run: Any) -> Any:
        """Run a boto3 call; its errors become S3Error with our wording."""
        from boto3.exceptions import S3UploadFailedError  # loaded by _client() already
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return run()
        except ClientError as exc:
            raise self._error(method, key, exc) from None
        except S3UploadFailedError as exc:
            cause = exc.__context__
            if isinstance(cause, ClientError):
                raise self._error(method, key, cause) from None
            raise S3Error(self._redact(f"S3 upload of {self.url_of(key)} failed: {exc}")) from None
        except BotoCoreError as exc:
            raise S3Error(
                f"cannot reach the S3 endpoint {self.endpoint} ({method} {self.url_of(key)}): "
                f"{type(exc).__name__}: {self._redact(str(exc))}",
                code="ConnectionError",
            ) from None

    def _error(self, method: str, key: str | None, exc: Any) -> S3Error:
        error = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        status = int(meta.get("HTTPStatusCode", 0))
        code = str(error.get("Code", "") or status)
        message = str(error.get("Message", "") or "")
        if code in _HEAD_CODES:  # HEAD answers carry no body: botocore gives the status
            code = "NoSuchBucket" if code == "404" and key is None else _HEAD_CODES[code]
            message = message or code
        what = f"{method} {self.url_of(key)}" if key is not None else f"bucket {self.url_of()}"
        hint = _HINTS.get(code, "")
        text = f"S3 {what} at {self.endpoint} failed: {code}: {message} (HTTP {status})"
        if hint:
            text += f"; {hint}"
        return S3Error(self._redact(text), code=code, status=status)

    def _redact(self, text: str) -> str:
        secret = self.config.secret_key
        return text.replace(secret, "********") if secret else text
