"""The real clients against a live server: pytest-django's live_server (a threaded HTTP server on
127.0.0.1 and an ephemeral port) serving the whole site, on the suite's database."""

from __future__ import annotations

import os
from typing import Any

import pytest

from flrts.api.models import ApiKey


def require(condition: bool, reason: str) -> None:
    """Skip when a client's runtime is missing; in CI (FLRTS_REQUIRE_SERVICES=1) fail instead."""
    if condition:
        return
    if os.environ.get("FLRTS_REQUIRE_SERVICES"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def keys(people: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {role: ApiKey.generate(user) for role, user in people.items()}
