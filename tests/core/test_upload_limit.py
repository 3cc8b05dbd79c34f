"""Uploads are capped by `max_file_size` (issue 12, item 11): one helper every upload path uses."""

from __future__ import annotations

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


def test_desk_attachment_over_the_limit_is_refused(people: Any, site: Any) -> None:
    report = FieldReport(summary="Pump", site=site, reported_by=people.worker)
    report.save()
    big = SimpleUploadedFile("big.bin", b"\0" * (11 * 1024 * 1024))
    attachment = Attachment(report=report, file=big, file_name="big.bin")
    with pytest.raises(ValidationError) as refused:
        attachment.full_clean()
    assert "max_file_size" in str(refused.value)
    small = Attachment(report=report, file=SimpleUploadedFile("s.txt", b"ok"), file_name="s.txt")
    small.full_clean()
    # the desk's change form of the report uses this model validation for its attachments
    client = Client()
    client.force_login(people.admin)
    assert client.get(f"/desk/fieldreports/fieldreport/{report.pk}/change/").status_code == 200
