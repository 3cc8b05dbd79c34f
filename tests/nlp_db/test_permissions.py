"""Who reads and who changes Parser Logs: the role matrix and the desk page."""

from __future__ import annotations

import pytest
from django.test import Client

from flrts.core.models import ErrorLog
from flrts.core.permissions import Action, can, readable
from flrts.nlp.models import ParserLog
from flrts.nlp.types import Intent, ParseResult

from .conftest import Team, llm_outcome, outcome

pytestmark = pytest.mark.django_db

URL = "/desk/nlp/parserlog/"


@pytest.fixture
def logs(team: Team) -> dict[str, ParserLog]:
    return {
        "joel": ParserLog.record(outcome(), user=team.joel),
        "bryan": ParserLog.record(
            llm_outcome(
                masked_text="what's overdue at Viper?",
                result=ParseResult(intent=Intent.QUERY_TASKS, confidence=0.9, parser="llm:x"),
            ),
            user=team.bryan,
        ),
        "vera": ParserLog.record(outcome(), user=team.viewer),
    }


def test_a_worker_reads_only_their_own_logs(team: Team, logs: dict[str, ParserLog]) -> None:
    assert can(team.joel, Action.READ, ParserLog)
    assert can(team.joel, Action.READ, logs["joel"])
    assert not can(team.joel, Action.READ, logs["bryan"])
    assert list(readable(team.joel, ParserLog.objects.all())) == [logs["joel"]]
    assert list(readable(team.viewer, ParserLog.objects.all())) == [logs["vera"]]


@pytest.mark.parametrize("who", ["supervisor", "admin"])
def test_supervisors_and_admins_read_every_log(
    team: Team, logs: dict[str, ParserLog], who: str
) -> None:
    user = getattr(team, who)
    assert readable(user, ParserLog.objects.all()).count() == 3
    assert can(user, Action.READ, logs["bryan"])


def test_nobody_but_admin_changes_logs(team: Team, logs: dict[str, ParserLog]) -> None:
    for user in (team.joel, team.viewer, team.supervisor):
        for action in (Action.CREATE, Action.WRITE, Action.ARCHIVE, Action.PURGE):
            assert not can(user, action, logs["joel"]), (user, action)
            assert not can(user, action, ParserLog), (user, action)
    assert can(team.admin, Action.WRITE, logs["joel"])
    assert can(team.admin, Action.PURGE, logs["joel"])


def test_workers_still_cannot_read_the_error_log(team: Team) -> None:
    # The SYSTEM rule for scoped DocTypes must not open DocTypes without a scope.
    error = ErrorLog.objects.create(method="x", error="boom")
    assert not can(team.joel, Action.READ, ErrorLog)
    assert not can(team.joel, Action.READ, error)
    assert readable(team.joel, ErrorLog.objects.all()).count() == 0
    assert can(team.supervisor, Action.READ, error)


def test_anonymous_reads_nothing(logs: dict[str, ParserLog]) -> None:
    assert readable(None, ParserLog.objects.all()).count() == 0


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_desk_list_is_scoped_for_a_worker(team: Team, logs: dict[str, ParserLog]) -> None:
    page = _client(team.joel).get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert logs["joel"].name in body
    assert logs["bryan"].name not in body
    own = _client(team.joel).get(f"{URL}{logs['joel'].pk}/change/")
    assert own.status_code == 200
    assert b'name="intent"' not in own.content  # read-only: no form inputs
    other = _client(team.joel).get(f"{URL}{logs['bryan'].pk}/change/")
    assert other.status_code == 302  # "doesn't exist" for this reader


def test_desk_is_read_only_even_for_admin(team: Team, logs: dict[str, ParserLog]) -> None:
    admin = _client(team.admin)
    assert admin.get(f"{URL}add/").status_code == 403
    page = admin.get(f"{URL}{logs['bryan'].pk}/change/")
    assert page.status_code == 200
    assert b"Parsed output" in page.content
    before = logs["bryan"].intent
    admin.post(f"{URL}{logs['bryan'].pk}/change/", {"intent": "help"})
    logs["bryan"].refresh_from_db()
    assert logs["bryan"].intent == before


@pytest.mark.parametrize(
    ("query", "expected", "not_expected"),
    [
        ("parser=llm", "bryan", "joel"),
        ("parser=offline", "joel", "bryan"),
        ("intent__exact=query_tasks", "bryan", "joel"),
        ("user_accepted__exact=Pending", "bryan", None),
        ("q=overdue", "bryan", "joel"),
        ("request_timestamp__gte=2000-01-01+00%3A00%3A00%2B00%3A00", "joel", None),
        ("channel__exact=telegram&error_occurred__exact=0", "joel", None),
    ],
)
def test_desk_filters_and_search(
    team: Team, logs: dict[str, ParserLog], query: str, expected: str, not_expected: str | None
) -> None:
    page = _client(team.supervisor).get(f"{URL}?{query}")
    assert page.status_code == 200
    body = page.content.decode()
    assert logs[expected].name in body
    if not_expected:
        assert logs[not_expected].name not in body


def test_api_lists_only_what_the_caller_may_read(team: Team, logs: dict[str, ParserLog]) -> None:
    url = "/api/resource/Parser Log"
    worker = _client(team.joel).get(url, {"fields": '["name","intent","parser"]'})
    assert worker.status_code == 200, worker.content
    assert [row["name"] for row in worker.json()["data"]] == [logs["joel"].name]
    everyone = _client(team.supervisor).get(url, {"limit_page_length": 0})
    assert {row["name"] for row in everyone.json()["data"]} == {log.name for log in logs.values()}
    other = _client(team.joel).get(f"{url}/{logs['bryan'].name}")
    assert other.status_code in (403, 404)
