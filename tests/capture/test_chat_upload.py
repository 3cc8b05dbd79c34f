"""The chat page's upload (multipart POST /telegram/chat/upload): the same media rules as
Telegram, and bad input refused with a clear error and nothing written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from flrts.capture.attached import HOLD
from flrts.capture.models import Proposal
from flrts.core.activity import AttachedFile
from flrts.core.docstatus import DocStatus
from flrts.fieldreports.models import FieldReport
from flrts.org.models import Site

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/telegram/chat/upload"
CAPTION = "Iron Creek pump 2 seal leaking, pressure 41 psi"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.fixture
def desk(team: Any) -> Client:
    Site(site_name="Iron Creek", site_code="IC").save()
    client = Client()
    client.force_login(team.colin)
    return client


def upload(client: Client, *files: tuple[str, bytes], caption: str = "") -> Any:
    payload: dict[str, Any] = {
        "file": [SimpleUploadedFile(name, data) for name, data in files],
        "caption": caption,
    }
    return client.post(URL, payload)


def act(client: Client, data: str) -> Any:
    body = json.dumps({"data": data})
    return client.post("/telegram/chat/action", body, content_type="application/json").json()


def test_photos_with_a_caption_make_one_card_and_a_submitted_report(desk: Client) -> None:
    response = upload(desk, ("a.png", PNG), ("b.png", PNG), caption=CAPTION)
    assert response.status_code == 200
    [card] = response.json()["replies"]
    assert card["kind"] == "card" and "📎 2 photos" in card["text"]
    assert card["buttons"][1][0]["text"] == "💾 Save as draft"
    result = act(desk, card["buttons"][0][0]["data"])
    report = FieldReport.objects.get()
    assert report.docstatus == DocStatus.SUBMITTED
    assert "📎 2 photos attached" in result["replies"][0]["text"]
    names = AttachedFile.objects.filter(attached_to_name=report.name).values_list(
        "file_name", flat=True
    )
    assert sorted(names) == ["a.png", "b.png"]


def test_a_photo_without_caption_and_nothing_recent_asks(desk: Client) -> None:
    [question] = upload(desk, ("gauge.png", PNG)).json()["replies"]
    assert question["text"].startswith("📎 Attach to which? I kept 1 photo.")
    assert question["buttons"][-1][0]["data"] == "att:x"
    assert AttachedFile.objects.get().attached_to_doctype == HOLD


def test_an_oversize_file_refuses_the_whole_upload(desk: Client, settings: Any) -> None:
    settings.SITE.config["max_file_size"] = 2048
    response = upload(desk, ("ok.png", PNG), ("big.png", PNG + b"x" * 4096), caption=CAPTION)
    assert response.status_code == 413
    assert "big.png is 4 KB; the limit is 2 KB. Nothing was saved." in response.json()["error"]
    assert not AttachedFile.objects.exists() and not Proposal.objects.exists()


def test_an_empty_file_is_refused(desk: Client) -> None:
    response = upload(desk, ("empty.png", b""), caption=CAPTION)
    assert response.status_code == 400
    assert response.json()["error"] == "empty.png is empty. Nothing was saved."
    assert not AttachedFile.objects.exists() and not Proposal.objects.exists()


def test_bad_requests_get_clear_errors(desk: Client) -> None:
    response = desk.post(URL, {"caption": "no file"})
    assert response.status_code == 400 and "Choose a photo" in response.json()["error"]
    many = [(f"{i}.png", PNG) for i in range(11)]
    response = upload(desk, *many)
    assert response.status_code == 400 and "at most 10" in response.json()["error"]
    response = upload(desk, ("a.png", PNG), caption="x" * 5000)
    assert response.status_code == 400 and "caption" in response.json()["error"]
    assert desk.get(URL).status_code == 405
    assert Client().post(URL, {"caption": "x"}).status_code == 403
    assert not AttachedFile.objects.exists()


def test_held_files_are_private_until_attached(desk: Client, team: Any) -> None:
    upload(desk, ("gauge.png", PNG))
    held = AttachedFile.objects.get()
    other = Client()
    other.force_login(team.joel)
    url = f"/private/files/{held.file.name}"
    assert other.get(url).status_code in (403, 404)


def test_an_upload_is_a_line_of_the_stored_conversation_and_yes_confirms_its_card(
    desk: Client,
) -> None:
    [card] = upload(desk, ("a.png", PNG), caption=CAPTION).json()["replies"]
    history = desk.get("/telegram/chat/history").json()
    said = [m["text"] for m in history["messages"] if m.get("me")]
    assert said[-1] == f"📎 1 file: {CAPTION}"
    # The card the upload answered is the last thing the bot said: a typed "yes" applies to it.
    reply = desk.post(
        "/telegram/chat/send", json.dumps({"text": "yes"}), content_type="application/json"
    ).json()
    assert FieldReport.objects.get().docstatus == DocStatus.SUBMITTED
    assert card["line_id"] is not None and reply["replies"]
