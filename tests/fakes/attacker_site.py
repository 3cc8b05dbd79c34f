"""A page on another origin that posts a form to FLRTS as soon as it loads (a CSRF attack)."""

from __future__ import annotations

import html
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.local import LocalServer


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        site: AttackerSite = self.server.fake  # type: ignore[attr-defined]
        fields = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in site.fields.items()
        )
        body = (
            f'<html><body><form method="post" action="{html.escape(site.target)}">{fields}'
            "</form><script>document.forms[0].submit()</script></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class AttackerSite(LocalServer):
    def __init__(self, target: str, fields: dict[str, str]) -> None:
        super().__init__(_Handler)
        self.target = target
        self.fields = fields
