"""Headless Chromium for the browser tests (Debian's package, driven by Playwright)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test then
# look "async-unsafe" to Django although they are not concurrent.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# A module's pytestmark for a browser test against the live server.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


def launch(playwright: Any) -> Any:
    """A headless Chromium browser; close it when done."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=_ARGS)
