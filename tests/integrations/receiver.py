"""A local webhook receiver (127.0.0.1) that checks every request's signature the way a Frappe
webhook consumer does: base64(HMAC-SHA256(secret, raw body)) == X-Frappe-Webhook-Signature.

    with Receiver(secret="s3cret") as rx:
        rx.script(503, 503)            # the next two requests fail, then 200
        ... rx.wait_for(1) ... rx.received[0].json

It can answer with a status sequence, sleep before answering (timeouts), or redirect.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def frappe_signature(secret: str, body: bytes) -> str:
    """Frappe's `get_webhook_signature`, written independently of the code under test."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass
class Hit:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool | None  # None: no secret configured on the receiver

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    def __init__(self, secret: str | None = None) -> None:
        self.secret = secret
        self.received: list[Hit] = []
        self._script: deque[int] = deque()
        self.delay = 0.0
        self.redirect_to: str | None = None
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def script(self, *statuses: int) -> None:
        self._script.extend(statuses)

    def __enter__(self) -> Receiver:
        rx = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                sent = self.headers.get("X-Frappe-Webhook-Signature")
                ok = None
                if rx.secret is not None:
                    ok = sent is not None and hmac.compare_digest(
                        sent, frappe_signature(rx.secret, body)
                    )
                with rx._lock:
                    rx.received.append(
                        Hit(self.command, self.path, dict(self.headers.items()), body, ok)
                    )
                    status = rx._script.popleft() if rx._script else 200
                if rx.delay:
                    time.sleep(rx.delay)
                out = json.dumps({"ok": status < 400}).encode()
                try:
                    self.send_response(status)
                    if rx.redirect_to and status in (301, 302, 307, 308):
                        self.send_header("Location", rx.redirect_to)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            do_POST = do_PUT = do_DELETE = do_GET = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Hit]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} requests, got {len(self.received)}")
