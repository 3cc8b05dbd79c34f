"""Shared fixtures. Imports of Django models stay inside fixtures so pure tests (the parsers,
the Telegram client) can run without Django (`pytest -p no:django tests/nlp`)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def people(db: Any) -> Any:
    """Test personas: one person per role, plus a second worker, as in healthchecks' tests."""
    from types import SimpleNamespace

    from flrts.people.models import User

    def make(key: str, role: str, tz: str, tg: int) -> User:
        user = User(
            username=f"{key}@example.com",
            email=f"{key}@example.com",
            full_name=key.title(),
            role=role,
            time_zone=tz,
            telegram_user_id=tg,
        )
        user.set_password("password")
        user.save()
        return user

    return SimpleNamespace(
        admin=make("alice", "Admin", "America/New_York", 501),
        supervisor=make("sam", "Supervisor", "America/Chicago", 502),
        worker=make("wendy", "Worker", "America/Los_Angeles", 503),
        other=make("oscar", "Worker", "America/Chicago", 504),
        viewer=make("victor", "Viewer", "America/Denver", 505),
    )


@pytest.fixture
def site(db: Any) -> Any:
    from flrts.org.models import Site

    site = Site(site_name="Big Sky", site_code="MT-01", aliases=["bigsky"])
    site.save()
    return site
