"""Uploads are capped by `max_file_size` (issue 12, item 11): one helper every upload path uses."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from flrts.core.files import DEFAULT_MAX_FILE_SIZE, check_file_size, max_file_size
from flrts.fieldreports.models import Attachment, FieldReport

pytestmark = pytest.mark.django_db


def test_default_is_ten_mib_and_the_key_changes_it(settings: Any) -> None:
    assert max_file_size() == DEFAULT_MAX_FILE_SIZE == 10 * 1024 * 1024
    check_file_size(DEFAULT_MAX_FILE_SIZE)
    with pytest.raises(ValidationError, match=r"10\.0 MiB \(max_file_size\)"):
        check_file_size(DEFAULT_MAX_FILE_SIZE + 1)
    config = settings.SITE.config
    config["max_file_size"] = 2048
    try:
        with pytest.raises(ValidationError):
            check_file_size(2049)
    finally:
        del config["max_file_size"]


def _form_fields(html: str) -> dict[str, str]:
    """The values a browser would send back from the change form's inputs and selects."""
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name or (kind and kind.group(1) in ("file", "submit", "checkbox")):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields[name.group(1)] = value.group(1) if value else ""
    for name, attrs, body in re.findall(
        r'<select name="([^"]+)"([^>]*)>(.*?)</select>', html, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        if chosen or "multiple" not in attrs:  # a browser sends nothing for an empty multiple
            fields[name] = chosen.group(1) if chosen else ""
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        fields[name] = body.strip()
    return fields


def test_desk_attachment_over_the_limit_is_refused(people: Any, site: Any) -> None:
    report = FieldReport(summary="Pump", site=site, reported_by=people.worker)
    report.save()
    client = Client()
    client.force_login(people.admin)
    url = f"/desk/fieldreports/fieldreport/{report.pk}/change/"
    fields = _form_fields(client.get(url).content.decode())
    prefix = next(k for k in fields if k.endswith("-TOTAL_FORMS") and "attachment" in k)
    prefix = prefix.removesuffix("-TOTAL_FORMS")
    fields[f"{prefix}-TOTAL_FORMS"] = "1"
    big = SimpleUploadedFile("big.bin", b"\0" * (11 * 1024 * 1024))
    answer = client.post(url, {**fields, f"{prefix}-0-file": big, f"{prefix}-0-file_name": "big"})
    assert answer.status_code == 200  # the form again, with the error
    assert "max_file_size" in answer.content.decode()
    assert not Attachment.objects.exists()
    small = SimpleUploadedFile("s.txt", b"ok")
    saved = client.post(url, {**fields, f"{prefix}-0-file": small, f"{prefix}-0-file_name": "s"})
    errors = re.findall(r"errorlist[^>]*>(.*?)</ul>", saved.content.decode(), re.S)
    assert saved.status_code == 302, errors
    assert Attachment.objects.get().file_name == "s"
