"""Bad input at the API's edge is a 4xx naming the field, never a 500 (issue 12, items 8 and 9).

Each test is one of the seven causes the fuzzer found, sent as a guest, a Worker or an Admin."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from flrts.core.models import ErrorLog
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def _refused(response: Any, status: int, *words: str) -> str:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    text = body.get("exception", "") + body.get("message", "")
    for word in words:
        assert word in text, (word, text[:300])
    assert not ErrorLog.objects.exists()
    return text


def test_lone_surrogate_in_a_filter_value(apis: dict[str, Api], data: Any) -> None:
    raw = '[["subject", "=", "\\ud800"]]'  # valid JSON, not valid Unicode
    answer = apis["worker"].client.get(
        "/api/resource/Task", {"filters": raw}, HTTP_AUTHORIZATION=apis["worker"].auth
    )
    _refused(answer, 417, "filters", "surrogate")


@pytest.mark.parametrize("op", [">", "<", ">=", "<="])
def test_comparison_with_null(apis: dict[str, Api], data: Any, op: str) -> None:
    answer = apis["worker"].get("/api/resource/Task", {"filters": [["priority", op, None]]})
    _refused(answer, 417, "priority", op)


@pytest.mark.parametrize("period", ["9999 years", "99999999 days", "40000 quarters"])
@pytest.mark.parametrize("op", ["next", "previous"])
def test_next_and_previous_past_the_calendar(
    apis: dict[str, Api], data: Any, op: str, period: str
) -> None:
    answer = apis["worker"].get("/api/resource/Task", {"filters": [["exp_end_date", op, period]]})
    _refused(answer, 417, op)


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "NaN", "1e400", str(2**70)])
def test_infinity_and_huge_numbers_in_int_fields(
    apis: dict[str, Api], data: Any, value: str
) -> None:
    listed = apis["worker"].get("/api/resource/Task", {"filters": [["idx", ">", value]]})
    _refused(listed, 417, "idx")
    written = apis["admin"].put(
        "/api/resource/User/worker@example.com", {"reminder_lead_minutes": value}
    )
    _refused(written, 417, "reminder_lead_minutes")


@pytest.mark.parametrize("length", [65, 300, 20_000])
def test_long_time_zone(apis: dict[str, Api], data: Any, length: int) -> None:
    zone_name = "America/" + "X" * length
    answer = apis["worker"].put("/api/resource/User/worker@example.com", {"time_zone": zone_name})
    text = _refused(answer, 417, "time_zone")
    assert len(text) < 2_000  # the value is not echoed back whole


def test_long_login_name_and_link_value(apis: dict[str, Api], data: Any) -> None:
    guest = Client()
    login = guest.post("/api/method/login", {"usr": "u" * 60_000, "pwd": "x"})
    _refused(login, 401, "Invalid login credentials")
    link = apis["worker"].post("/api/resource/Task", {"subject": "s", "assigned_to": "a" * 60_000})
    _refused(link, 417, "Assigned")
    like = apis["worker"].get(
        "/api/resource/Task", {"filters": [["subject", "like", "%" * 60_000]]}
    )
    _refused(like, 417, "subject")
    user_filter = apis["worker"].get(
        "/api/resource/Task", {"filters": [["assigned_to", "=", "b" * 60_000]]}
    )
    _refused(user_filter, 417, "assigned_to")


def test_nul_byte_in_a_file_path(people: Any) -> None:
    for client in (Client(), Client()):
        for url in ("/files/a%00b.txt", "/private/files/a%00b.txt"):
            assert client.get(url).status_code in (403, 404)
        client.force_login(people["worker"])
    assert not ErrorLog.objects.exists()


def test_long_method_and_doctype_names(apis: dict[str, Api]) -> None:
    method = Client().get("/api/method/" + "m" * 4_000)
    text = _refused(method, 404, "longer than")
    assert "mmmmmmmmmm" not in text
    doctype = apis["worker"].get("/api/resource/" + "D" * 4_000)
    _refused(doctype, 404, "longer than")


# -- 9. credentials in URLs ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/method/login", "usr=worker@example.com&pwd=pw-worker@example.com"),
        ("/", "cmd=login&usr=worker@example.com&pwd=pw-worker@example.com"),
        ("/api/resource/Task", "api_secret=x"),
    ],
)
def test_credentials_in_the_query_string_are_refused(people: Any, path: str, query: str) -> None:
    for body in ({}, {"usr": "worker@example.com", "pwd": "pw-worker@example.com"}):
        answer = Client().post(f"{path}?{query}", body)
        text = _refused(answer, 417, "not in the URL")
        assert "pw-worker" not in text and "pwd=" not in text


def test_error_log_masks_the_query_string(apis: dict[str, Api], data: Any) -> None:
    from flrts.api import methods

    @methods.whitelist("flrts.test.boom", methods=("GET",), allow_guest=True)
    def boom() -> None:
        raise RuntimeError("boom")

    try:
        answer = Client().get("/api/method/flrts.test.boom?token=sekret-value-123&x=1")
        assert answer.status_code == 500
    finally:
        methods.unregister("flrts.test.boom")
    entry = ErrorLog.objects.get()
    stored = json.dumps(entry.context) + entry.error + entry.method
    assert "sekret-value-123" not in stored and "x=1" in stored
