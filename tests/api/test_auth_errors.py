"""Auth (token, Basic, session), CSRF, API keys, rate limits, and error bodies."""

from __future__ import annotations

import base64
import io
import json
import multiprocessing
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from flrts.api import ratelimit
from flrts.api.models import ApiKey
from flrts.core.models import ErrorLog
from flrts.tasks.models import Task

from .conftest import basic_for

pytestmark = pytest.mark.django_db


def test_token_and_basic(apis: Any, people: Any) -> None:
    basic = basic_for(people["worker"])
    response = Client().get("/api/method/frappe.auth.get_logged_user", HTTP_AUTHORIZATION=basic)
    assert response.json() == {"message": "worker@example.com"}


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("token nokey:nosecret", 401),
        ("token justonepart", 401),
        ("Bearer abc", 401),
        ("garbage", 401),
        ("Basic !!!notbase64", 400),
    ],
)
def test_bad_credentials(people: Any, header: str, status: int) -> None:
    response = Client().get("/api/resource/Task", HTTP_AUTHORIZATION=header)
    assert response.status_code == status
    assert response.json()["exc_type"] in ("AuthenticationError", "InvalidAuthorizationToken")


def test_wrong_secret_and_disabled_user(apis: Any, people: Any) -> None:
    key = ApiKey.objects.get(user=people["worker"]).api_key
    wrong = Client().get("/api/resource/Task", HTTP_AUTHORIZATION=f"token {key}:{'0' * 32}")
    assert wrong.status_code == 401
    people["worker"].is_active = False
    people["worker"].save()
    assert apis["worker"].get("/api/resource/Task").status_code == 401


def test_secret_is_stored_hashed_and_shown_once(people: Any) -> None:
    out = io.StringIO()
    call_command("api_key", "worker@example.com", stdout=out)
    shown = json.loads(out.getvalue())
    assert set(shown) == {"api_key", "api_secret"}
    record = ApiKey.objects.get(user=people["worker"])
    assert record.api_key == shown["api_key"] and shown["api_secret"] not in record.secret_hash
    header = f"token {shown['api_key']}:{shown['api_secret']}"
    assert (
        Client()
        .get("/api/method/frappe.auth.get_logged_user", HTTP_AUTHORIZATION=header)
        .status_code
        == 200
    )


def test_generate_keys_method(apis: Any) -> None:
    mine = apis["worker"].post("/api/method/frappe.core.doctype.user.user.generate_keys", {})
    fresh = mine.json()["message"]
    assert set(fresh) == {"api_key", "api_secret"}
    old = apis["worker"].get("/api/method/frappe.auth.get_logged_user")
    assert old.status_code == 401  # a new key replaces the old one
    apis["worker"].auth = f"token {fresh['api_key']}:{fresh['api_secret']}"
    other = apis["worker"].post(
        "/api/method/frappe.core.doctype.user.user.generate_keys", {"user": "other@example.com"}
    )
    assert other.status_code == 403
    admin = apis["admin"].post(
        "/api/method/frappe.core.doctype.user.user.generate_keys", {"user": "other@example.com"}
    )
    assert admin.status_code == 200


def test_login_session_logout(people: Any, data: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    bad = client.post("/api/method/login", {"usr": "worker@example.com", "pwd": "nope"})
    assert bad.status_code == 401 and bad.json()["message"] == "Invalid login credentials"
    ok = client.post(
        "/api/method/login",
        json.dumps({"usr": "worker@example.com", "pwd": "pw-worker@example.com"}),
        content_type="application/json",
    )
    assert ok.json() == {"message": "Logged In", "home_page": "/desk/", "full_name": "Worker"}
    assert "sid" in ok.cookies and ok.cookies["system_user"].value == "yes"
    who = client.get("/api/method/frappe.auth.get_logged_user")
    assert who.json() == {"message": "worker@example.com"}
    # an API-login session writes without a CSRF token, as in Frappe
    created = client.post(
        "/api/resource/Task", json.dumps({"subject": "s"}), content_type="application/json"
    )
    assert created.status_code == 200
    client.post("/api/method/logout")
    assert client.get("/api/method/frappe.auth.get_logged_user").status_code == 403


def test_desk_session_writes_need_csrf(people: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["worker"])  # a desk login: no API-session flag
    client.get("/desk/")  # the desk sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    body = json.dumps({"subject": "csrf"})
    refused = client.post("/api/resource/Task", body, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["exc_type"] == "CSRFTokenError"
    accepted = client.post(
        "/api/resource/Task", body, content_type="application/json", HTTP_X_FRAPPE_CSRF_TOKEN=token
    )
    assert accepted.status_code == 200
    assert client.get("/api/resource/Task").status_code == 200  # reads need no token


def test_login_needs_post_and_details(people: Any) -> None:
    assert Client().get("/api/method/login", {"usr": "a"}).status_code == 403
    # a password in the URL is refused before anything else looks at it
    assert Client().get("/api/method/login", {"usr": "a", "pwd": "b"}).status_code == 417
    assert Client().post("/api/method/login", {}).status_code == 401
    legacy = Client().post(
        "/", {"cmd": "login", "usr": "worker@example.com", "pwd": "pw-worker@example.com"}
    )
    assert legacy.json()["message"] == "Logged In"


def test_rate_limit_per_key_and_ip(
    apis: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.API_RATE_LIMITS = {"per_key": 3, "per_ip": 5, "login": 2, "window": 60}
    # One fixed moment for the limiter only: calls straddling a window boundary would reset it.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_000_010.0))
    ratelimit._counter = ratelimit.FileCounter(Path(settings.SITE.path) / "private" / "rl-test.bin")
    try:
        codes = [apis["worker"].get("/api/method/ping").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = apis["worker"].get("/api/method/ping")
        assert (
            int(limited["Retry-After"]) >= 1
            and limited.json()["exc_type"] == "TooManyRequestsError"
            and "TooManyRequestsError" in json.loads(limited.json()["exc"])[0]
        )
        # the per-IP limit catches calls without a key too
        codes = [apis["guest"].get("/api/method/ping").status_code for _ in range(2)]
        assert 429 in codes
    finally:
        ratelimit._counter = None


def _hammer(path: str, n: int) -> None:
    counter = ratelimit.FileCounter(Path(path))
    for _ in range(n):
        counter.hit("shared", 3600, now=1000.0)


def test_file_counter_is_shared_across_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "rl.bin")
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_hammer, args=(path, 200)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    count, retry = ratelimit.FileCounter(Path(path)).hit("shared", 3600, now=1000.0)
    assert count == 601 and retry == 3600 - 1000
    assert ratelimit.FileCounter(Path(path)).hit("shared", 3600, now=3601.0)[0] == 1  # new window


def test_error_body_is_frappe_shaped(apis: Any) -> None:
    response = apis["admin"].get("/api/resource/Task/TASK-99999")
    body = response.json()
    assert response.status_code == 404 and body["exc_type"] == "DoesNotExistError"
    messages = json.loads(body["_server_messages"])
    inner = json.loads(messages[0])
    assert inner["message"] == "Task TASK-99999 not found" and inner["indicator"] == "red"
    unknown = apis["admin"].get("/api/nosuchthing")
    assert unknown.status_code == 404 and unknown.json()["exc_type"] == "DoesNotExistError"


def test_bad_bodies(apis: Any) -> None:
    api = apis["admin"]
    bad_json = api.client.post(
        "/api/resource/Task",
        "{bad json",
        content_type="application/json",
        HTTP_AUTHORIZATION=api.auth,
    )
    assert bad_json.status_code == 417 and "not valid JSON" in bad_json.content.decode()
    bad_date = api.post("/api/resource/Task", {"subject": "x", "exp_end_date": "not-a-date"})
    assert bad_date.status_code == 417 and "exp_end_date" in bad_date.content.decode()
    bad_select = api.post("/api/resource/Task", {"subject": "x", "status": "Done"})
    assert bad_select.status_code == 417
    assert 'Status cannot be "Done"' in bad_select.json()["exception"]
    bad_link = api.post("/api/resource/Task", {"subject": "x", "assigned_to": "ghost@example.com"})
    assert bad_link.status_code == 417 and bad_link.json()["exc_type"] == "LinkValidationError"
    ignored = api.post(
        "/api/resource/Task", {"subject": "x", "name": "MINE", "doctype": "Other", "nosuchfield": 1}
    )
    assert ignored.status_code == 200 and ignored.json()["data"]["name"].startswith("TASK-")
    data_form = api.client.post(
        "/api/resource/Task", {"data": "{oops"}, HTTP_AUTHORIZATION=api.auth
    )
    assert data_form.status_code == 417 and "'data'" in data_form.content.decode()


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('{"subject": "pump\\u0000"}', "'subject' contains a NUL character"),
        ('{"subject": "x", "description": "\\udaeb"}', "'description' contains an unpaired"),
        ('{"subject": "x", "\\u0000": 1}', "a key in the request contains a NUL"),
        ('{"subject": "x", "meta": [{"a": ["\\u0000"]}]}', "'meta' contains a NUL"),
        ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
    ],
)
def test_text_no_database_can_store_is_a_clean_417(apis: Any, body: str, says: str) -> None:
    """PostgreSQL refuses NUL; no database stores a lone surrogate: a 417 naming the field."""
    api = apis["admin"]
    before = Task.objects.count()
    response = api.client.post(
        "/api/resource/Task", body, content_type="application/json", HTTP_AUTHORIZATION=api.auth
    )
    assert response.status_code == 417 and says in response.content.decode()
    in_query = api.client.get(
        "/api/resource/Task?filters=%5B%5B%22subject%22%2C%22%3D%22%2C%22%00%22%5D%5D",
        HTTP_AUTHORIZATION=api.auth,
    )
    assert in_query.status_code == 417 and "NUL" in in_query.content.decode()
    assert Task.objects.count() == before


def test_stale_modified_is_a_timestamp_mismatch(apis: Any, data: Any) -> None:
    name = data["tasks"][0].name
    response = apis["worker"].put(
        f"/api/resource/Task/{name}", {"status": "Working", "modified": "2020-01-01 00:00:00"}
    )
    assert response.status_code == 417 and response.json()["exc_type"] == "TimestampMismatchError"
    current = apis["worker"].get(f"/api/resource/Task/{name}").json()["data"]
    roundtrip = apis["worker"].put(f"/api/resource/Task/{name}", {**current, "status": "Working"})
    assert roundtrip.status_code == 200  # a GET body sent back as is works


def test_true_bug_is_logged_and_clean(apis: Any, monkeypatch: Any) -> None:
    from flrts.api import query

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(query, "get_list", boom)
    response = apis["admin"].get("/api/resource/Task")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Traceback" not in text and "secret internals" not in text
    entry = ErrorLog.objects.get()
    assert entry.name in text and "secret internals" in entry.error


def test_purge_protected_task_is_a_clean_417(apis: Any, data: Any) -> None:
    parent = data["tasks"][0]  # has a sub-task
    response = apis["admin"].delete(f"/api/resource/Task/{parent.name}?purge=1")
    assert response.status_code == 417 and response.json()["exc_type"] == "LinkExistsError"


def test_openapi_document_and_page(apis: Any) -> None:
    doc = Client().get("/api/openapi.json").json()
    assert doc["openapi"] == "3.1.0"
    assert "/api/resource/Task" in doc["paths"] and "/api/resource/Task/{name}" in doc["paths"]
    assert "/api/method/frappe.client.get_list" in doc["paths"]
    assert doc["components"]["schemas"]["Task"]["properties"]["status"]["enum"][0] == "Open"
    page = Client().get("/api/docs")
    assert page.status_code == 200 and b"Field Report Reading" in page.content
    assert b"<script" not in page.content


def test_basic_header_helper_roundtrip(people: Any) -> None:
    header = basic_for(people["viewer"])
    key, _, secret = base64.b64decode(header.split()[1]).decode().partition(":")
    assert ApiKey.objects.get(api_key=key).check_secret(secret)
