"""Config is never served; private files only after login and a permission check."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from flrts.fieldreports.models import Attachment, FieldReport

pytestmark = pytest.mark.django_db


def fetch(client, path: str) -> tuple[int, bytes]:
    """GET and read the whole body; the test client closes a file once it is read to the end."""
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


@pytest.mark.parametrize(
    "path",
    [
        "/site_config.json",
        "/sites/test.localhost/site_config.json",
        "/files/../site_config.json",
        "/files/%2e%2e/site_config.json",
        "/private/files/../../site_config.json",
        "/assets/../test.localhost/site_config.json",
    ],
)
def test_site_config_is_never_served(client, people, path) -> None:
    client.force_login(people.admin)
    status, body = fetch(client, path)
    assert status in (302, 404)
    assert b"secret_key" not in body


def test_public_files_are_served_to_anyone(client) -> None:
    (settings.SITE.public_files / "logo.txt").write_text("hello")
    assert fetch(client, "/files/logo.txt") == (200, b"hello")


@pytest.fixture
def attachment(people):
    report = FieldReport(summary="Walk-through", owner=people.worker)
    report.save()
    att = Attachment(report=report, file_name="photo.jpg")
    att.file.save("photo.jpg", ContentFile(b"JPEGDATA"))
    return att


def test_private_file_needs_a_login(client, attachment) -> None:
    assert fetch(client, f"/private/files/{attachment.file.name}")[0] == 403


def test_private_file_served_to_people_who_may_read_its_report(client, people, attachment) -> None:
    client.force_login(people.viewer)
    assert fetch(client, f"/private/files/{attachment.file.name}") == (200, b"JPEGDATA")


def test_unclaimed_private_files_are_for_admins_only(client, people) -> None:
    (settings.SITE.private_files / "loose.txt").write_text("internal")
    client.force_login(people.supervisor)
    assert fetch(client, "/private/files/loose.txt")[0] == 403
    client.force_login(people.admin)
    assert fetch(client, "/private/files/loose.txt") == (200, b"internal")
