"""Fixtures for the API tests: one person per role with an API key, and a little data."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from flrts.api.models import ApiKey
from flrts.core.context import acting_as
from flrts.core.roles import Role
from flrts.fieldreports.models import FieldReport, Reading
from flrts.lists.models import FlrtsList, ListItem, ListShare
from flrts.org.models import Contractor, Site
from flrts.people.models import User
from flrts.reminders.models import Reminder
from flrts.tasks.models import Task


@dataclass
class Api:
    """A test client that authenticates with `token key:secret` (or nothing, for a guest)."""

    client: Client
    auth: str | None = None
    user: Any = None

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"HTTP_ACCEPT": "application/json"}
        if self.auth:
            headers["HTTP_AUTHORIZATION"] = self.auth
        for key, value in (extra or {}).items():
            headers["HTTP_" + key.upper().replace("-", "_")] = value
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        params = {
            k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in (params or {}).items()
        }
        return self.client.get(path, params, **self._headers(kw.get("headers")))

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.client.post(
            path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            **self._headers(kw.get("headers")),
        )

    def put(self, path: str, body: Any, **kw: Any) -> Any:
        return self.client.put(
            path,
            json.dumps(body),
            content_type="application/json",
            **self._headers(kw.get("headers")),
        )

    def delete(self, path: str, **kw: Any) -> Any:
        return self.client.delete(path, **self._headers(kw.get("headers")))


def make_user(email: str, role: str, username: str | None = None) -> User:
    user = User.objects.create_user(
        username=username or email,
        email=email,
        password="pw-" + email,
        full_name=email.split("@")[0].title(),
        role=role,
    )
    return user


def token_for(user: User) -> str:
    key, secret = ApiKey.generate(user)
    return f"token {key}:{secret}"


def basic_for(user: User) -> str:
    key, secret = ApiKey.generate(user)
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Any) -> None:
    settings.API_RATE_LIMITS = {"per_key": 0, "per_ip": 0, "login": 0, "window": 60}
    settings.API_AUTH_CACHE_SECONDS = 0


@pytest.fixture
def people(db: Any) -> dict[str, User]:
    return {
        "admin": make_user("admin@example.com", Role.ADMIN, username="Administrator"),
        "supervisor": make_user("sup@example.com", Role.SUPERVISOR),
        "worker": make_user("worker@example.com", Role.WORKER),
        "other": make_user("other@example.com", Role.WORKER),
        "viewer": make_user("viewer@example.com", Role.VIEWER),
    }


@pytest.fixture
def apis(people: dict[str, User]) -> dict[str, Api]:
    out = {role: Api(Client(), token_for(user), user) for role, user in people.items()}
    out["guest"] = Api(Client())
    return out


@pytest.fixture
def data(people: dict[str, User]) -> dict[str, Any]:
    """Sites, a contractor, tasks (one with a sub-task), a report, a list, a reminder."""
    admin, worker, other = people["admin"], people["worker"], people["other"]
    with acting_as(admin):
        north = Site(site_name="North Yard", site_code="N")
        north.save()
        south = Site(site_name="South Yard", site_code="S")
        south.save()
        contractor = Contractor(contractor_name="Acme Pumps", contractor_type="Plumbing")
        contractor.save()
        contractor.sites.set([north])
    tasks = []
    for i in range(6):
        owner = worker if i % 2 == 0 else other
        with acting_as(owner):
            task = Task(
                subject=f"Task {i}",
                status=["Open", "Working", "Completed", "Open", "Cancelled", "Open"][i],
                priority=["Low", "Medium", "High", "Urgent", "Low", "High"][i],
                site=north if i < 4 else south,
                assigned_to=worker if i < 3 else None,
                exp_end_date=dt.date(2025, 1, 1) + dt.timedelta(days=i * 10),
                description="" if i == 5 else f"details {i}",
            )
            task.save()
            tasks.append(task)
    with acting_as(worker):
        child = Task(subject="Sub of 0", parent_task=tasks[0], site=north)
        child.save()
        report = FieldReport(summary="Pump check", site=north, reported_by=worker)
        report.save()
        Reading.objects.create(report=report, idx=1, metric="pressure", value=42.5, unit="psi")
        Reading.objects.create(report=report, idx=2, metric="flow", value=3, unit="gpm")
        shop = FlrtsList(list_name="Shopping", list_type="Shopping", site=north)
        shop.save()
        ListItem.objects.create(list=shop, idx=1, item_text="Seals", quantity=2)
        ListItem.objects.create(list=shop, idx=2, item_text="Grease")
        ListShare.objects.create(list=shop, user=people["viewer"], permission="view")
        reminder = Reminder(title="Call Acme", remind_at=dt.datetime(2030, 1, 1, 15, tzinfo=dt.UTC))
        reminder.save()
        reminder.recipients.set([worker])
    with acting_as(other):
        private = FlrtsList(list_name="Private", list_type="Custom")
        private.save()
    return {
        "north": north,
        "south": south,
        "contractor": contractor,
        "tasks": tasks,
        "child": child,
        "report": report,
        "list": shop,
        "private_list": private,
        "reminder": reminder,
    }
