"""Attachments on the timeline: the size limit, private files served only to people who may read
the record, images shown inline and everything else downloaded, nothing half-written."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from flrts.core.activity import AttachedFile, Comment
from flrts.core.attachments import clean_name, sniff_image
from flrts.core.context import acting_as
from flrts.reminders.models import Reminder
from flrts.tasks.models import Task

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\xa6\x8a\xd4"
    b"\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def fetch(client: Any, path: str) -> tuple[Any, bytes]:
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def stored_files() -> list[str]:
    root = settings.SITE.private_files / "attachments"
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture(autouse=True)
def no_files_yet() -> None:
    """Rolled-back tests leave their bytes behind; each test starts with an empty folder."""
    import shutil

    shutil.rmtree(settings.SITE.private_files / "attachments", ignore_errors=True)


@pytest.fixture
def task(people: Any) -> Task:
    with acting_as(people.worker):
        task = Task(subject="Pump seal", assigned_to=people.worker)
        task.save()
    return task


def attach(client: Any, doc: Any, name: str, data: bytes, content_type: str = "") -> Any:
    upload = SimpleUploadedFile(name, data, content_type=content_type or "image/png")
    path = f"/desk/timeline/{type(doc).doctype}/{doc.name}/attach"
    return client.post(path, {"file": upload}, **HX)


def test_an_image_is_stored_privately_and_previewed(client, people, task) -> None:
    client.force_login(people.worker)
    response = attach(client, task, "../../seal photo.png", PNG)
    assert response.status_code == 200
    attached = AttachedFile.objects.get()
    assert attached.file_name == "seal photo.png" and attached.is_image
    assert attached.file.name.startswith("attachments/")
    assert (settings.SITE.private_files / attached.file.name).read_bytes() == PNG
    file_url = f"/desk/files/{attached.pk}/seal%20photo.png"
    body = response.content.decode()
    assert f'<img class="tl-thumb" src="{file_url}"' in body
    assert "<b>Wendy</b> attached seal photo.png" in body
    client.force_login(people.viewer)  # anyone who may read the task sees the file
    served, data = fetch(client, file_url)
    assert served.status_code == 200 and data == PNG
    assert served["Content-Type"] == "image/png"
    assert served["Content-Disposition"].startswith("inline")
    assert served["X-Content-Type-Options"] == "nosniff"
    # The site's private-file URL asks the same question of the record.
    assert fetch(client, f"/private/files/{attached.file.name}")[1] == PNG


def test_a_file_that_claims_to_be_an_image_but_is_not_is_only_downloaded(
    client, people, task
) -> None:
    client.force_login(people.worker)
    page = b"<html><script>alert(1)</script></html>"
    assert attach(client, task, "photo.png", page, "image/png").status_code == 200
    attached = AttachedFile.objects.get()
    assert not attached.is_image
    served, data = fetch(client, f"/desk/files/{attached.pk}/photo.png")
    assert data == page and served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment")
    assert "sandbox" in served["Content-Security-Policy"]


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(
    client, people, task, monkeypatch
) -> None:
    monkeypatch.setitem(settings.SITE.config, "max_file_size", 1024)
    client.force_login(people.worker)
    response = attach(client, task, "big.png", PNG + b"\0" * 2000)
    assert response.status_code == 413
    assert "big.png is 2 KB; the limit is 1 KB." in response.content.decode()
    assert not AttachedFile.objects.exists() and stored_files() == []
    assert attach(client, task, "ok.png", PNG).status_code == 200


def test_the_default_limit_is_ten_mib(client, people, task) -> None:
    client.force_login(people.worker)
    too_big = attach(client, task, "scan.png", PNG + b"\0" * (10 * 1024 * 1024))
    assert too_big.status_code == 413 and "the limit is 10.0 MB" in too_big.content.decode()


def test_empty_missing_and_refused_uploads(client, people, task) -> None:
    client.force_login(people.worker)
    assert attach(client, task, "empty.txt", b"").status_code == 400
    path = f"/desk/timeline/Task/{task.name}/attach"
    missing = client.post(path, {}, **HX)
    assert missing.status_code == 400 and "Choose a file first." in missing.content.decode()
    client.force_login(people.viewer)
    assert attach(client, task, "x.png", PNG).status_code == 403
    client.force_login(people.other)  # may read the task, may not change it
    assert attach(client, task, "x.png", PNG).status_code == 403
    assert not AttachedFile.objects.exists() and stored_files() == []


def test_a_private_records_file_is_served_only_to_its_readers(client, people) -> None:
    reminder = Reminder(title="Medical form", remind_at="2026-06-01T09:00Z", owner=people.worker)
    reminder.save()
    client.force_login(people.worker)
    assert attach(client, reminder, "form.png", PNG).status_code == 200
    attached = AttachedFile.objects.get()
    client.force_login(people.other)
    assert fetch(client, f"/desk/files/{attached.pk}/form.png")[0].status_code == 403
    assert fetch(client, f"/private/files/{attached.file.name}")[0].status_code == 403
    client.logout()
    assert fetch(client, f"/desk/files/{attached.pk}/form.png")[0].status_code == 302  # login
    client.force_login(people.supervisor)
    assert fetch(client, f"/desk/files/{attached.pk}/form.png")[1] == PNG


def test_removing_a_file_deletes_it_and_says_so(
    client, people, task, django_capture_on_commit_callbacks
) -> None:
    client.force_login(people.worker)
    attach(client, task, "seal.png", PNG)
    attached = AttachedFile.objects.get()
    assert len(stored_files()) == 1
    client.force_login(people.other)
    assert client.post(f"/desk/files/{attached.pk}/remove", **HX).status_code == 403
    client.force_login(people.worker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/desk/files/{attached.pk}/remove", **HX)
    assert response.status_code == 200
    assert "<b>Wendy</b> removed seal.png" in response.content.decode()
    assert not AttachedFile.objects.exists() and stored_files() == []
    assert Comment.objects.get().comment_type == "Attachment Removed"
    assert client.post(f"/desk/files/{attached.pk}/remove", **HX).status_code == 404


def test_names_are_cleaned_and_images_are_known_by_their_bytes() -> None:
    assert clean_name("C:\\Users\\me\\My photo.JPG") == "My photo.JPG"
    assert clean_name("a\x00b\nc.txt") == "abc.txt"
    assert clean_name("...") == "file"
    assert len(clean_name("x" * 300 + ".pdf")) == 120 and clean_name("x" * 300 + ".pdf").endswith(
        ".pdf"
    )
    assert sniff_image(PNG[:16]) == "image/png"
    assert sniff_image(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff_image(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    assert sniff_image(b"<svg xmlns=") is None
