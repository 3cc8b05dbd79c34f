"""A fake S3 (path-style REST API) for the offsite tests: real HTTP on 127.0.0.1 (stdlib
`ThreadingHTTPServer` in a background thread), objects in memory.

    with FakeS3() as s3:
        config = {"backup_s3_endpoint": s3.endpoint, "backup_s3_bucket": s3.bucket, ...}

As AWS does, it checks every request before anything else:

- the AWS Signature Version 4 in `Authorization`, recomputed here from the request as received,
  with its own canonicalisation (the path decoded and re-encoded, the query re-sorted): an unknown
  access key → 403 `InvalidAccessKeyId`, a wrong signature (wrong secret) → 403
  `SignatureDoesNotMatch`, a scope in another region → 400 `AuthorizationHeaderMalformed`, a
  date more than 15 minutes off → 403 `RequestTimeTooSkewed`, no signature → 403 `AccessDenied`;
- `x-amz-content-sha256` against the body → 400 `XAmzContentSHA256Mismatch`; UNSIGNED-PAYLOAD
  (real S3 accepts it; FLRTS must not use it) → 400 `InvalidRequest`; a PUT without
  Content-Length (chunked) → 411 `MissingContentLength`.

Operations: `HEAD /bucket`, `GET /bucket?list-type=2` (prefix, max-keys, continuation-token; the
namespaced `ListBucketResult` XML), `PUT|GET|HEAD|DELETE /bucket/key`, and multipart uploads
(`POST ?uploads`, `PUT ?partNumber&uploadId`, `POST ?uploadId` with the part list, `DELETE
?uploadId`; parts but the last at least 5 MiB, as S3 wants). A PUT with `x-amz-checksum-sha256`
is checked against the body → 400 `BadDigest`. Errors are AWS's
`<Error><Code/><Message/>...</Error>` bodies (none on HEAD); a missing bucket → 404
`NoSuchBucket`, a missing key → 404 `NoSuchKey`.

Test hooks: `corrupt_next_put(key_contains)` (the next matching PUT is stored with a byte
flipped, as storage that rots), `fail_next(method, status, code, times)`, `remove_bucket()`,
`seed(key, data, last_modified)`, `objects()`, `page_size` (keys per list page), `requests`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape

import pytest

from tests.fakes.local import LocalServer, QuietServer

ACCESS_KEY = "FAKEACCESSKEY0001"
SECRET_KEY = "fake/Secret+Key0001wJalrXUtnFEMI"
REGION = "us-east-1"
BUCKET = "flrts-backups"
NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"

_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<day>\d{8})/(?P<region>[^/]+)/s3/"
    r"aws4_request,\s*SignedHeaders=(?P<signed>[a-z0-9;-]+),\s*Signature=(?P<sig>[0-9a-f]{64})$"
)


@dataclass
class StoredObject:
    data: bytes
    last_modified: dt.datetime

    @property
    def etag(self) -> str:
        return hashlib.md5(self.data).hexdigest()


@dataclass
class Recorded:
    method: str
    path: str  # decoded: /bucket/key
    query: dict[str, str]
    status: int = 0


@dataclass
class _Fault:
    method: str
    status: int
    code: str
    times: int


class S3Failure(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


@dataclass
class _State:
    buckets: dict[str, dict[str, StoredObject]] = field(default_factory=dict)
    faults: list[_Fault] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)
    uploads: dict[str, dict[int, bytes]] = field(default_factory=dict)  # upload id -> parts
    completed: list[int] = field(default_factory=list)  # part counts of completed uploads


class FakeS3(LocalServer):
    def __init__(
        self,
        *,
        access_key: str = ACCESS_KEY,
        secret_key: str = SECRET_KEY,
        region: str = REGION,
        bucket: str = BUCKET,
    ) -> None:
        self.access_key, self.secret_key, self.region, self.bucket = (
            access_key,
            secret_key,
            region,
            bucket,
        )
        self.page_size = 1000
        self.requests: list[Recorded] = []
        self._state = _State(buckets={bucket: {}})
        self._lock = threading.Lock()
        self._headers: Any = None  # of the request being operated on (under the lock)
        super().__init__(_Handler)

    # test hooks

    def corrupt_next_put(self, key_contains: str = "") -> None:
        with self._lock:
            self._state.corrupt.append(key_contains)

    def fail_next(
        self, method: str = "PUT", status: int = 500, code: str = "InternalError", times: int = 1
    ) -> None:
        with self._lock:
            self._state.faults.append(_Fault(method, status, code, times))

    def remove_bucket(self, bucket: str | None = None) -> None:
        with self._lock:
            self._state.buckets.pop(bucket or self.bucket, None)

    def seed(
        self,
        key: str,
        data: bytes = b"x",
        last_modified: dt.datetime | None = None,
        bucket: str | None = None,
    ) -> None:
        with self._lock:
            self._state.buckets.setdefault(bucket or self.bucket, {})[key] = StoredObject(
                data, last_modified or dt.datetime.now(dt.UTC)
            )

    def objects(self, bucket: str | None = None) -> dict[str, bytes]:
        with self._lock:
            stored = self._state.buckets.get(bucket or self.bucket, {})
            return {key: obj.data for key, obj in sorted(stored.items())}

    def count(self, method: str, path_contains: str = "") -> int:
        return sum(1 for r in self.requests if r.method == method and path_contains in r.path)

    @property
    def endpoint(self) -> str:
        return self.origin

    # the protocol

    def handle(
        self, method: str, raw_path: str, raw_query: str, headers: Any, body: bytes | None
    ) -> tuple[int, dict[str, str], bytes]:
        path = unquote(raw_path)
        query = _parse_query(raw_query)
        record = Recorded(method, path, dict(query))
        with self._lock:
            self.requests.append(record)
        try:
            if body is None:
                raise S3Failure(
                    411, "MissingContentLength", "You must provide the Content-Length HTTP header."
                )
            self._authenticate(method, raw_path, query, headers, body)
            with self._lock:
                self._headers = headers
                status, out_headers, out = self._operate(method, path, dict(query), body)
        except S3Failure as failure:
            status, out_headers = failure.status, {"content-type": "application/xml"}
            out = _error_xml(failure, path)
        record.status = status
        return status, out_headers, out

    def _authenticate(
        self,
        method: str,
        raw_path: str,
        query: list[tuple[str, str]],
        headers: Any,
        body: bytes,
    ) -> None:
        match = _AUTH_RE.match(headers.get("authorization", ""))
        if not match:
            raise S3Failure(403, "AccessDenied", "Access Denied")
        if match["key"] != self.access_key:
            raise S3Failure(
                403,
                "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records.",
                AWSAccessKeyId=match["key"],
            )
        if match["region"] != self.region:
            raise S3Failure(
                400,
                "AuthorizationHeaderMalformed",
                f"The authorization header is malformed; the region '{match['region']}' is "
                f"wrong; expecting '{self.region}'",
                Region=self.region,
            )
        amz_date = headers.get("x-amz-date", "")
        try:
            sent = dt.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            raise S3Failure(403, "AccessDenied", "AWS authentication requires a valid Date.")
        if abs(dt.datetime.now(dt.UTC) - sent) > dt.timedelta(minutes=15) or (
            amz_date[:8] != match["day"]
        ):
            raise S3Failure(
                403,
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
            )
        signed = match["signed"].split(";")
        if not {"host", "x-amz-date", "x-amz-content-sha256"} <= set(signed):
            raise S3Failure(403, "AccessDenied", "host and x-amz-* headers must be signed")
        payload = headers.get("x-amz-content-sha256", "")
        canonical = "\n".join(
            [
                method,
                quote(unquote(raw_path), safe="/"),
                "&".join(
                    f"{k}={v}"
                    for k, v in sorted((quote(k, safe=""), quote(v, safe="")) for k, v in query)
                ),
                "".join(
                    f"{name}:{' '.join(','.join(headers.get_all(name, [])).split())}\n"
                    for name in signed
                ),
                match["signed"],
                payload,
            ]
        )
        scope = f"{match['day']}/{self.region}/s3/aws4_request"
        string_to_sign = (
            f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n"
            + hashlib.sha256(canonical.encode()).hexdigest()
        )
        key = ("AWS4" + self.secret_key).encode()
        for part in (match["day"], self.region, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, match["sig"]):
            raise S3Failure(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you "
                "provided. Check your key and signing method.",
                AWSAccessKeyId=match["key"],
                StringToSign=string_to_sign,
                CanonicalRequest=canonical,
            )
        if payload == "UNSIGNED-PAYLOAD" or payload.startswith("STREAMING-"):
            raise S3Failure(400, "InvalidRequest", "This fake S3 accepts signed payloads only.")
        if payload != hashlib.sha256(body).hexdigest():
            raise S3Failure(
                400,
                "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
            )

    def _operate(
        self, method: str, path: str, query: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        state = self._state
        for fault in state.faults:
            if fault.method == method:
                fault.times -= 1
                if fault.times <= 0:
                    state.faults.remove(fault)
                raise S3Failure(fault.status, fault.code, "We encountered an internal error.")
        bucket_name, _, key = path.lstrip("/").partition("/")
        bucket = state.buckets.get(bucket_name)
        if bucket is None:
            raise S3Failure(
                404, "NoSuchBucket", "The specified bucket does not exist", BucketName=bucket_name
            )
        if not key:
            if method == "HEAD":
                return 200, {}, b""
            if method == "GET" and query.get("list-type") == "2":
                return 200, {"content-type": "application/xml"}, self._list(bucket_name, query)
            raise S3Failure(501, "NotImplemented", "This fake does not implement that.")
        if "uploads" in query or "uploadId" in query:
            return self._multipart(method, key, bucket, query, body)
        if method == "PUT":
            self._check_sha256(body, query, key)
            for marker in state.corrupt:
                if marker in key:
                    state.corrupt.remove(marker)
                    body = bytes([body[0] ^ 0xFF]) + body[1:] if body else b"\0"
                    break
            bucket[key] = StoredObject(body, dt.datetime.now(dt.UTC))
            return 200, {"etag": f'"{bucket[key].etag}"'}, b""
        if method == "DELETE":
            bucket.pop(key, None)
            return 204, {}, b""
        obj = bucket.get(key)
        if obj is None:
            raise S3Failure(404, "NoSuchKey", "The specified key does not exist.", Key=key)
        headers = {
            "etag": f'"{obj.etag}"',
            "last-modified": obj.last_modified.strftime("%a, %d %b %Y %H:%M:%S GMT"),
            "content-type": "application/octet-stream",
        }
        if method == "HEAD":
            return 200, {**headers, "content-length": str(len(obj.data))}, b""
        if method == "GET":
            return 200, headers, obj.data
        raise S3Failure(405, "MethodNotAllowed", "The specified method is not allowed.")

    def _check_sha256(self, body: bytes, query: dict[str, str], key: str) -> None:
        given = self._headers.get("x-amz-checksum-sha256") if self._headers else None
        if given and given != base64.b64encode(hashlib.sha256(body).digest()).decode():
            raise S3Failure(
                400, "BadDigest", "The SHA256 you specified did not match the calculated checksum."
            )

    def _multipart(
        self,
        method: str,
        key: str,
        bucket: dict[str, StoredObject],
        query: dict[str, str],
        body: bytes,
    ) -> tuple[int, dict[str, str], bytes]:
        state = self._state
        if method == "POST" and "uploads" in query:
            upload_id = base64.urlsafe_b64encode(os.urandom(12)).decode()
            state.uploads[upload_id] = {}
            xml = (
                f'<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult '
                f'xmlns="{NAMESPACE}"><Bucket>{escape(self.bucket)}</Bucket><Key>{escape(key)}'
                f"</Key><UploadId>{upload_id}</UploadId></InitiateMultipartUploadResult>"
            )
            return 200, {"content-type": "application/xml"}, xml.encode()
        parts = state.uploads.get(query.get("uploadId", ""))
        if parts is None:
            raise S3Failure(404, "NoSuchUpload", "The specified upload does not exist.")
        if method == "PUT":
            self._check_sha256(body, query, key)
            number = int(query.get("partNumber", "0"))
            if not 1 <= number <= 10000:
                raise S3Failure(400, "InvalidArgument", "Part number must be 1 to 10000.")
            parts[number] = body
            return 200, {"etag": f'"{hashlib.md5(body).hexdigest()}"'}, b""
        if method == "DELETE":
            del state.uploads[query["uploadId"]]
            return 204, {}, b""
        if method == "POST":
            listed = []
            for part in re.findall(r"<Part>(.*?)</Part>", body.decode(), re.S):
                number = re.search(r"<PartNumber>(\d+)</PartNumber>", part)
                tag = re.search(r"<ETag>([^<]+)</ETag>", part.replace("&quot;", '"'))
                if not number or not tag:
                    raise S3Failure(400, "MalformedXML", "The XML you provided was not valid.")
                listed.append((int(number[1]), tag[1]))
            if not listed or [n for n, _ in listed] != sorted(n for n, _ in listed):
                raise S3Failure(400, "InvalidPartOrder", "The list of parts was not in order.")
            for n, tag in listed:
                if n not in parts or tag.strip('"') != hashlib.md5(parts[n]).hexdigest():
                    raise S3Failure(400, "InvalidPart", "One or more parts could not be found.")
            if any(len(parts[n]) < 5 * 1024 * 1024 for n, _ in listed[:-1]):
                raise S3Failure(400, "EntityTooSmall", "A part is smaller than 5 MiB.")
            data = b"".join(parts[n] for n, _ in listed)
            del state.uploads[query["uploadId"]]
            state.completed.append(len(listed))
            bucket[key] = StoredObject(data, dt.datetime.now(dt.UTC))
            xml = (
                f'<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult '
                f'xmlns="{NAMESPACE}"><Bucket>{escape(self.bucket)}</Bucket><Key>{escape(key)}'
                f"</Key><ETag>&quot;{bucket[key].etag}-{len(listed)}&quot;</ETag>"
                "</CompleteMultipartUploadResult>"
            )
            return 200, {"content-type": "application/xml"}, xml.encode()
        raise S3Failure(405, "MethodNotAllowed", "The specified method is not allowed.")

    def _list(self, bucket_name: str, query: dict[str, str]) -> bytes:
        prefix = query.get("prefix", "")
        after = ""
        token = query.get("continuation-token", "")
        if token:
            try:
                after = base64.b64decode(token, validate=True).decode().removeprefix("after:")
            except ValueError:
                raise S3Failure(
                    400, "InvalidArgument", "The continuation token provided is invalid"
                )
        page = min(int(query.get("max-keys") or 1000), self.page_size)
        keys = sorted(
            (k for k in self._state.buckets[bucket_name] if k.startswith(prefix) and k > after),
            key=lambda k: k.encode(),
        )
        shown, rest = keys[:page], keys[page:]
        items = []
        for key in shown:
            obj = self._state.buckets[bucket_name][key]
            stamp = obj.last_modified.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            items.append(
                f"<Contents><Key>{escape(key)}</Key><LastModified>{stamp}</LastModified>"
                f"<ETag>&quot;{obj.etag}&quot;</ETag><Size>{len(obj.data)}</Size>"
                "<StorageClass>STANDARD</StorageClass></Contents>"
            )
        parts = [
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="{NAMESPACE}">',
            f"<Name>{escape(bucket_name)}</Name><Prefix>{escape(prefix)}</Prefix>",
            f"<KeyCount>{len(shown)}</KeyCount><MaxKeys>{page}</MaxKeys>",
            f"<IsTruncated>{'true' if rest else 'false'}</IsTruncated>",
        ]
        if token:
            parts.append(f"<ContinuationToken>{escape(token)}</ContinuationToken>")
        if rest:
            # Opaque to the client, and full of characters a query string must encode.
            next_token = base64.b64encode(f"after:{shown[-1]}".encode()).decode()
            parts.append(f"<NextContinuationToken>{escape(next_token)}</NextContinuationToken>")
        parts += items
        parts.append("</ListBucketResult>")
        return "".join(parts).encode()


def _parse_query(raw: str) -> list[tuple[str, str]]:
    pairs = []
    for item in raw.split("&") if raw else []:
        name, _, value = item.partition("=")
        pairs.append((unquote(name), unquote(value)))
    return pairs


def _error_xml(failure: S3Failure, path: str) -> bytes:
    extra = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in failure.extra.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{failure.code}</Code><Message>{escape(failure.message)}</Message>"
        f"{extra}<Resource>{escape(path)}</Resource><RequestId>FAKE0001</RequestId></Error>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    server: QuietServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        raw_path, _, raw_query = self.path.partition("?")
        length = self.headers.get("content-length")
        body: bytes | None
        if length is not None:
            body = self.rfile.read(int(length))
        elif self.command in ("PUT", "POST"):
            body = None  # chunked or no length: refused, and the connection closed
            self.close_connection = True
        else:
            body = b""
        status, headers, data = self.server.fake.handle(
            self.command, raw_path, raw_query, self.headers, body
        )
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if self.command != "HEAD" or "content-length" not in headers:
                self.send_header("content-length", str(len(data)))
            if self.close_connection:
                self.send_header("connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except OSError:
            self.close_connection = True


@pytest.fixture
def fake_s3() -> Iterator[FakeS3]:
    """A started FakeS3 with an empty bucket, stopped after the test."""
    with FakeS3() as server:
        yield server
