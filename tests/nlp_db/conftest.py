"""People, sites, contractors and lists for the Parser Log, context and CLI tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache

from flrts.lists.models import FlrtsList, ListShare
from flrts.nlp.service import ParseOutcome
from flrts.nlp.types import Intent, ParseResult, Priority
from flrts.org.models import Contractor, Site
from flrts.people.models import User

NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # The context cache outlives a test's rolled-back rows: every test starts empty.
    cache.clear()
    yield
    cache.clear()


@dataclass
class Team:
    admin: User
    supervisor: User
    joel: User
    bryan: User
    viewer: User
    gone: User


def _person(username: str, role: str, **extra: Any) -> User:
    email = extra.pop("email", f"{username.lower()}@10nz.tools")
    return User.objects.create(username=username, email=email, role=role, **extra)


@pytest.fixture
def team(db: None) -> Team:
    return Team(
        admin=_person(
            "Administrator", "Admin", email="admin@example.com", full_name="Administrator"
        ),
        supervisor=_person("colin", "Supervisor", full_name="Colin Walsh", aliases=["CW"]),
        joel=_person(
            "joel",
            "Worker",
            full_name="Joel Martin",
            aliases=["JM"],
            telegram_user_id=1001,
            telegram_username="@joel_10nz",
            time_zone="America/New_York",
        ),
        bryan=_person(
            "bryan",
            "Worker",
            full_name="S Bryan Aulds",
            aliases=["Bryan", "Aulds"],
            telegram_user_id=1002,
            time_zone="America/Chicago",
        ),
        viewer=_person("vera", "Viewer", full_name="Vera Viewer"),
        gone=_person("old", "Worker", full_name="Old Hand", is_active=False),
    )


@pytest.fixture
def places(team: Team) -> dict[str, Any]:
    viper = Site.objects.create(site_name="Viper", site_code="VPR", aliases=["Viper Site"])
    big_sky = Site.objects.create(site_name="Big Sky", site_code="BS")
    Site.objects.create(site_name="Closed Mine", is_active=False)
    mark = Contractor.objects.create(contractor_name="Mark's Electric")
    Contractor.objects.create(contractor_name="Defunct Co", is_active=False)
    shopping = FlrtsList.objects.create(list_name="Viper shopping", owner=team.joel)
    bryans = FlrtsList.objects.create(list_name="Bryan tools", owner=team.bryan)
    ListShare.objects.create(list=bryans, user=team.joel)
    FlrtsList.objects.create(list_name="Colin private", owner=team.supervisor)
    return {"viper": viper, "big_sky": big_sky, "mark": mark, "shopping": shopping}


def outcome(**changes: Any) -> ParseOutcome:
    """A ParseOutcome as the service returns it; keyword arguments override its fields."""
    result = changes.pop(
        "result",
        ParseResult(
            intent=Intent.CREATE_TASK,
            subject="Check the compressor",
            assignee="joel@10nz.tools",
            site="Big Sky",
            priority=Priority.HIGH,
            due=dt.date(2026, 3, 6),
            confidence=0.85,
            rationale="named a person, a site and a day",
            parser=changes.get("parser", "offline"),
        ),
    )
    values: dict[str, Any] = {
        "result": result,
        "masked_text": "joel check the compressor at big sky by friday, urgent",
        "parser": "offline",
        "duration_ms": 3.4,
    }
    values.update(changes)
    return ParseOutcome(**values)


def llm_outcome(**changes: Any) -> ParseOutcome:
    values: dict[str, Any] = {
        "parser": "llm:gpt-4.1-mini",
        "model": "gpt-4.1-mini",
        "prompt_version": "2026-03-01",
        "prompt_tokens": 245,
        "completion_tokens": 89,
        "total_tokens": 334,
        "cost_usd": 0.0002404,
        "finish_reason": "stop",
        "request_id": "req_abc123",
        "system_prompt": "You turn field messages into one structured intent.",
        "user_message": "joel check the compressor at big sky by friday, urgent",
        "request_time": NOW,
        "response_time": NOW + dt.timedelta(milliseconds=1243),
        "llm_duration_ms": 1240.2,
        "duration_ms": 1243.0,
        "extra": {"response_model": "gpt-4.1-mini-2025-04-14", "cached_tokens": 0},
    }
    values.update(changes)
    return outcome(**values)


@pytest.fixture
def make_outcome() -> Callable[..., ParseOutcome]:
    return outcome
