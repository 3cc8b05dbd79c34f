"""CSRF on cookie sessions (issue 12, item 4): API sessions keep working for programs, and a
page of another origin cannot write with the victim's cookie.

Programs are driven as frappe-client 0.1.0.dev0 and frappe-js-sdk 1.14.1 (on Node) send their
requests: a requests/httpx-style session that logs in, then posts form or JSON bodies, with no
Origin, Referer or Sec-Fetch-* headers (those are a browser's)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from playwright.sync_api import sync_playwright

from flrts.tasks.models import Task
from tests.browser import CHROMIUM, launch
from tests.fakes.attacker_site import AttackerSite

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = {"usr": "worker@example.com", "pwd": "pw-worker@example.com"}


def test_frappe_client_session_login_then_writes(live_server: Any, people: Any) -> None:
    with httpx.Client(base_url=live_server.url, headers={"Accept": "application/json"}) as s:
        # frappe-client: login is a form POST to the site root with cmd=login
        login = s.post("/", data={"cmd": "login", **WORKER})
        assert login.json()["message"] == "Logged In"
        # insert(): POST /api/resource/<DocType> with the form field data=<json>
        made = s.post("/api/resource/Task", data={"data": json.dumps({"subject": "From client"})})
        assert made.status_code == 200, made.text
        # post_request(): cmd=frappe.client.set_value as a form POST to the root
        name = made.json()["data"]["name"]
        changed = s.post(
            "/",
            data={
                "cmd": "frappe.client.set_value",
                "doctype": "Task",
                "name": name,
                "fieldname": "priority",
                "value": "High",
            },
        )
        assert changed.status_code == 200, changed.text
        assert s.get("/", params={"cmd": "logout"}).status_code == 200
    assert Task.objects.get(name=name).priority == "High"


def test_frappe_js_sdk_node_session_login_then_writes(live_server: Any, people: Any) -> None:
    # frappe-js-sdk on Node: axios, JSON bodies, withCredentials (cookie jar), no window
    headers = {"Accept": "application/json", "Content-Type": "application/json; charset=utf-8"}
    with httpx.Client(base_url=live_server.url, headers=headers) as s:
        assert s.post("/api/method/login", json=WORKER).json()["message"] == "Logged In"
        made = s.post("/api/resource/Task", json={"subject": "From the SDK"})
        assert made.status_code == 200, made.text
        name = made.json()["data"]["name"]
        assert s.put(f"/api/resource/Task/{name}", json={"status": "Working"}).status_code == 200
        assert s.delete(f"/api/resource/Task/{name}").status_code == 202


@pytest.mark.parametrize(
    "browser_headers",
    [
        {"Origin": "http://localhost:9999", "Sec-Fetch-Site": "same-site"},
        {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "null"},
        {"Referer": "http://localhost:9999/attack.html"},
    ],
)
def test_browser_shaped_cross_origin_posts_are_refused(
    live_server: Any, people: Any, browser_headers: dict[str, str]
) -> None:
    with httpx.Client(base_url=live_server.url) as s:
        s.post("/api/method/login", data=WORKER)
        forged = s.post(
            "/api/resource/Task",
            data={"data": json.dumps({"subject": "Forged"})},
            headers=browser_headers,
        )
        assert forged.status_code == 400, forged.text
        assert forged.json()["exc_type"] == "CSRFTokenError"
        # the same session, as a program, still writes
        assert s.post("/api/resource/Task", json={"subject": "Mine"}).status_code == 200
    assert not Task.objects.filter(subject="Forged").exists()


def test_desk_session_needs_the_token(live_server: Any, people: Any) -> None:
    with httpx.Client(base_url=live_server.url) as s:
        form = s.get("/desk/login/")
        token = s.cookies["csrftoken"]
        s.post(
            "/desk/login/",
            data={
                "username": WORKER["usr"],
                "password": WORKER["pwd"],
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": str(form.url)},
        )
        assert "sid" in s.cookies
        refused = s.post("/api/resource/Task", json={"subject": "No token"})
        assert refused.status_code == 400 and refused.json()["exc_type"] == "CSRFTokenError"
        ok = s.post(
            "/api/resource/Task",
            json={"subject": "With token"},
            headers={"X-Frappe-CSRF-Token": s.cookies["csrftoken"]},
        )
        assert ok.status_code == 200, ok.text


def test_token_and_basic_auth_are_never_csrf_checked(live_server: Any, apis: Any) -> None:
    auth = apis["worker"].auth
    headers = {
        "Authorization": auth,
        "Origin": "http://evil.example",
        "Sec-Fetch-Site": "cross-site",
    }
    made = httpx.post(
        f"{live_server.url}/api/resource/Task", json={"subject": "t"}, headers=headers
    )
    assert made.status_code == 200, made.text


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_a_page_of_another_origin_cannot_post_with_the_cookie(
    live_server: Any, people: Any
) -> None:
    """The reported attack, in Chromium: same site (localhost), another port, auto-submitted."""
    target = f"{live_server.url}/api/resource/Task"
    with AttackerSite(target, {"data": json.dumps({"subject": "CSRF"})}) as attacker:
        attack_url = attacker.origin.replace("127.0.0.1", "localhost") + "/"
        with sync_playwright() as p:
            browser = launch(p)
            try:
                page = browser.new_page()
                page.goto(f"{live_server.url}/api/method/ping")
                # the victim's own page logs in and writes, same origin, no token: allowed
                status = page.evaluate(
                    """async (creds) => {
                        const post = (url, body) => fetch(url, {method: 'POST',
                            headers: {'Content-Type': 'application/json'},
                            body: JSON.stringify(body)});
                        await post('/api/method/login', creds);
                        return (await post('/api/resource/Task', {subject: 'Own page'})).status;
                    }""",
                    WORKER,
                )
                assert status == 200
                with page.expect_response(target) as answer:
                    page.goto(attack_url)
                assert answer.value.status == 400
                assert "CSRFTokenError" in answer.value.text()
            finally:
                browser.close()
    assert Task.objects.filter(subject="Own page").exists()
    assert not Task.objects.filter(subject="CSRF").exists()
