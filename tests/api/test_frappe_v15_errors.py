"""Error bodies carry `exc` exactly where Frappe v15 sends it (the recorded transcripts).

Each recorded error case of `shared/reference/frappe-v15-transcripts.jsonl` is replayed here as
the same request against FLRTS (Task for the recording's `FLRTS Task`); the status, `exc_type`
and the presence of `exc` must match the recording (`tests/data/frappe_v15_error_exc.json`).
FLRTS's `exc` is a JSON list with one string, the exception line, and never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

RECORDED = {
    case["case"]: case
    for case in json.loads(
        (Path(__file__).parent.parent / "data" / "frappe_v15_error_exc.json").read_text()
    )["cases"]
}


def _desk_post_without_csrf(people: Any) -> Any:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["worker"])
    client.get("/desk/")
    return client.post("/api/resource/Task", '{"subject": "x"}', content_type="application/json")


REPLAYS: dict[int, Callable[[Any, Any, Any], Any]] = {
    3: lambda apis, people, data: apis["guest"].post(
        "/api/method/login", {"usr": "admin@example.com", "pwd": "wrong-password"}
    ),
    34: lambda apis, people, data: apis["admin"].get(
        "/api/resource/Task", {"fields": ["name", "nosuchfield"]}
    ),
    36: lambda apis, people, data: apis["admin"].get("/api/resource/No Such DocType"),
    69: lambda apis, people, data: apis["admin"].get(
        "/api/resource/Task", {"filters": [["nosuchfield", "=", "x"]]}
    ),
    80: lambda apis, people, data: apis["admin"].post("/api/resource/Task", {"status": "Open"}),
    81: lambda apis, people, data: apis["admin"].post(
        "/api/resource/Task", {"subject": "x", "status": "Done"}
    ),
    82: lambda apis, people, data: apis["admin"].post(
        "/api/resource/Task", {"subject": "x", "assigned_to": "ghost@example.com"}
    ),
    88: lambda apis, people, data: apis["admin"].put(
        f"/api/resource/Task/{data['tasks'][0].name}", {"status": "Done"}
    ),
    90: lambda apis, people, data: apis["admin"].put(
        "/api/resource/Task/TASK-99999", {"status": "Open"}
    ),
    92: lambda apis, people, data: (
        apis["admin"].delete(f"/api/resource/Task/{data['tasks'][1].name}"),
        apis["admin"].delete(f"/api/resource/Task/{data['tasks'][1].name}"),
    )[1],
    101: lambda apis, people, data: apis["guest"].get("/api/method/frappe.auth.get_logged_user"),
    117: lambda apis, people, data: apis["admin"].get(
        "/api/method/frappe.client.set_value",
        {"doctype": "Task", "name": data["tasks"][0].name, "fieldname": "status", "value": "Open"},
    ),
    119: lambda apis, people, data: apis["admin"].post(
        "/api/method/frappe.client.insert", {"doc": {"doctype": "Task", "status": "Open"}}
    ),
    122: lambda apis, people, data: apis["guest"].get("/api/resource/Task"),
    124: lambda apis, people, data: apis["guest"].get(
        "/api/resource/Task", headers={"Authorization": "token nosuchkey:nosuchsecret"}
    ),
    131: lambda apis, people, data: _desk_post_without_csrf(people),
    155: lambda apis, people, data: apis["admin"].get("/api/nosuchthing"),
}


def test_every_recorded_error_case_is_replayed() -> None:
    assert set(REPLAYS) == set(RECORDED)


@pytest.mark.parametrize("case", sorted(REPLAYS))
def test_error_body_matches_frappe_v15(case: int, apis: Any, people: Any, data: Any) -> None:
    recorded = RECORDED[case]
    response = REPLAYS[case](apis, people, data)
    body = response.json()
    assert response.status_code == recorded["status"], (recorded["name"], body)
    assert body["exc_type"] == recorded["exc_type"], (recorded["name"], body)
    assert ("exc" in body) == recorded["has_exc"], (recorded["name"], body)
    if recorded["has_exc"]:
        lines = json.loads(body["exc"])
        assert isinstance(lines, list) and len(lines) == 1
        assert lines[0].startswith(f"frappe.exceptions.{recorded['exc_type']}")
        assert "Traceback" not in lines[0] and ".py" not in lines[0]


def test_internal_error_has_exc_without_traceback(apis: Any, monkeypatch: Any) -> None:
    from flrts.api import query

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals /srv/app/x.py")

    monkeypatch.setattr(query, "get_list", broken)
    response = apis["admin"].get("/api/resource/Task")
    assert response.status_code == 500
    (line,) = json.loads(response.json()["exc"])
    assert line.startswith("frappe.exceptions.InternalServerError: Internal server error")
    assert "/srv" not in response.content.decode() and "Traceback" not in line


def test_duplicate_name_is_409_with_exc(apis: Any, data: Any) -> None:
    response = apis["admin"].post("/api/resource/Site", {"site_name": "North Yard"})
    assert response.status_code == 409
    assert json.loads(response.json()["exc"])[0].startswith("frappe.exceptions.DuplicateEntryError")


def test_too_large_body_is_413_with_exc(apis: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    response = apis["admin"].post("/api/resource/Task", {"subject": "x" * 4096})
    assert response.status_code == 413
    assert json.loads(response.json()["exc"])[0].startswith("frappe.exceptions.ValidationError")
