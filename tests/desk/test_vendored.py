"""Vendored front-end files are served from the package (no CDN) with their license and origin."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

VENDOR = Path(__file__).resolve().parents[2] / "src/flrts/desk/static/desk/vendor"
HTMX_2_0_11_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


def test_htmx_is_the_published_2_0_11_with_its_license() -> None:
    digest = hashlib.sha256((VENDOR / "htmx/htmx.min.js").read_bytes()).hexdigest()
    assert digest == HTMX_2_0_11_SHA256
    assert "Zero-Clause BSD" in (VENDOR / "htmx/LICENSE").read_text()
    readme = (VENDOR / "htmx/README.md").read_text()
    assert "`htmx.org`, version 2.0.11" in readme


@pytest.mark.django_db
def test_desk_pages_load_htmx_from_the_site_not_a_cdn(client, people) -> None:
    client.force_login(people.worker)
    body = client.get("/desk/tasks/task/").content.decode()
    assert 'src="/assets/desk/vendor/htmx/htmx.min.js"' in body
    assert "unpkg" not in body and "cdn" not in body.lower()
    served = client.get("/assets/desk/vendor/htmx/htmx.min.js")
    try:
        assert served.status_code == 200
        assert hashlib.sha256(b"".join(served.streaming_content)).hexdigest() == HTMX_2_0_11_SHA256
    finally:
        served.close()
