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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """pytest-django's test databases, plus a clean end on PostgreSQL.

    A connection left open by a background thread of a test (a live server, a worker thread)
    makes PostgreSQL refuse DROP DATABASE at teardown; end such sessions before it runs.
    """
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture
def db_queue(settings: Any) -> None:
    """Use the real database queue instead of the test settings' immediate backend."""
    from tests.jobs.support import DB_TASKS

    settings.TASKS = DB_TASKS


@pytest.fixture
def person(db: Any) -> Any:
    """A maker of people with a zone and, optionally, a Telegram chat."""
    from flrts.people.models import User

    def make(key: str, tz: str, chat: int | None = None, **extra: Any) -> User:
        user = User(
            username=key,
            email=f"{key}@example.com",
            full_name=key.title(),
            time_zone=tz,
            telegram_user_id=chat,
            telegram_chat_id=chat,
            **extra,
        )
        user.save()
        return user

    return make
