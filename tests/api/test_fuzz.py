"""Fuzz every operation of /api/openapi.json with schemathesis: no input may cause a 5xx.

Requests go straight into the WSGI app (no HTTP server) with token auth as an Admin (every code
path past the permission check), a Worker and a Viewer (the refusals and scoped reads); the
conftest data gives reads, updates and deletes real documents to find. The operations cover
every DocType the registry serves. Examples are generated deterministically (derandomize) and
bounded per operation, so the run is repeatable and fits in CI (well under a minute).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from flrts.wsgi import application
from tests.api.conftest import token_for

EXAMPLES_PER_OPERATION = 3
ROLES = ["admin", "worker", "viewer"]


@pytest.fixture
def keep_connection() -> Iterator[None]:
    # As Django's test client does: a request must not close the connection that holds the
    # test's transaction (calling the WSGI app sends request_started / request_finished).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Loaded through the app itself; the document is built from the registries, not the database.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(params=ROLES)
def role_auth(
    request: Any, keep_connection: None, people: dict[str, Any], data: dict[str, Any]
) -> str:
    return token_for(people[request.param])


def test_the_schema_covers_every_doctype() -> None:
    from flrts.api import registry

    paths = set(schema.raw_schema["paths"])
    for name in registry.registry():
        assert any(name in path for path in paths), f"{name} has no operation in the OpenAPI"


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case: Any, role_auth: str) -> None:
    response = case.call(headers={"Authorization": role_auth})
    case.validate_response(response, checks=[not_a_server_error])
