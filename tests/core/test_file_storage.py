"""Files in an S3-compatible bucket (files_s3_bucket): stored, served, refused and checked through
django-storages against the fake S3 server, which verifies every request's signature."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from flrts.core import storage
from flrts.fieldreports.models import Attachment, FieldReport
from flrts.sites import Site, SiteConfigError
from tests.fakes.s3_server import FakeS3

pytestmark = pytest.mark.django_db


def s3_config(s3: FakeS3, **extra: Any) -> dict[str, Any]:
    return {
        "files_s3_endpoint": s3.endpoint,
        "files_s3_bucket": s3.bucket,
        "files_s3_access_key": s3.access_key,
        "files_s3_secret_key": s3.secret_key,
        **extra,
    }


@pytest.fixture
def bucket(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeS3]:
    """This site's files in the fake bucket (STORAGES rebuilt from the site config)."""
    with FakeS3(bucket="flrts-files") as s3:
        for key, value in s3_config(s3).items():
            monkeypatch.setitem(settings.SITE.config, key, value)
        settings.STORAGES = {
            **storage.storages_setting(settings.SITE),
            "staticfiles": settings.STORAGES["staticfiles"],
        }
        yield s3


def fetch(client: Any, path: str) -> tuple[int, bytes]:
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


def test_an_attachment_lands_in_the_bucket_and_is_served_from_it(client, people, bucket) -> None:
    report = FieldReport(summary="Walk-through", owner=people.worker)
    report.save()
    attachment = Attachment(report=report, file_name="photo.jpg")
    attachment.file.save("photo.jpg", ContentFile(b"JPEGDATA"))
    key = f"{settings.SITE.name}/private/{attachment.file.name}"
    assert bucket.objects() == {key: b"JPEGDATA"}
    assert not (settings.SITE.private_files / attachment.file.name).exists()  # not on this host

    client.force_login(people.viewer)
    assert fetch(client, f"/private/files/{attachment.file.name}") == (200, b"JPEGDATA")
    # every request the fake took carried a valid Signature V4 (it answers 403 otherwise)
    assert bucket.requests and all(r.status < 400 or r.method == "HEAD" for r in bucket.requests)
    assert bucket.count("PUT") == 1 and bucket.count("GET") == 1

    second = Attachment(report=report, file_name="photo.jpg")
    second.file.save("photo.jpg", ContentFile(b"OTHER"))  # same name: a name of its own
    assert second.file.name != attachment.file.name and len(bucket.objects()) == 2


def test_public_files_and_unclaimed_private_files(client, people, bucket) -> None:
    storages["public"].save("logo.txt", ContentFile(b"hello"))
    storages["default"].save("loose.txt", ContentFile(b"internal"))
    assert set(bucket.objects()) == {
        f"{settings.SITE.name}/public/logo.txt",
        f"{settings.SITE.name}/private/loose.txt",
    }
    assert fetch(client, "/files/logo.txt") == (200, b"hello")
    client.force_login(people.supervisor)
    assert fetch(client, "/private/files/loose.txt")[0] == 403
    client.force_login(people.admin)
    assert fetch(client, "/private/files/loose.txt") == (200, b"internal")


@pytest.mark.parametrize(
    "path",
    ["/files/missing.txt", "/files/a/../logo.txt", "/files/a//b", "/private/files/none.pdf"],
)
def test_a_missing_or_odd_name_is_not_found(client, people, bucket, path) -> None:
    storages["public"].save("logo.txt", ContentFile(b"hello"))
    client.force_login(people.admin)
    assert fetch(client, path)[0] == 404


def test_a_bucket_that_does_not_answer_is_a_503_with_no_secret(
    client, people, bucket, caplog
) -> None:
    storages["public"].save("logo.txt", ContentFile(b"hello"))
    bucket.fail_next("HEAD", status=503, code="SlowDown", times=10)
    with caplog.at_level(logging.WARNING):
        status, body = fetch(client, "/files/logo.txt")
    assert status == 503
    assert b"File storage unavailable" in body and b"Traceback" not in body
    assert bucket.secret_key not in caplog.text and bucket.secret_key.encode() not in body


def test_the_daily_report_pdf_is_stored_in_the_bucket(bucket) -> None:
    from flrts.reports.daily import build

    report = build(dt.date(2026, 6, 5))
    stored = bucket.objects()[f"{settings.SITE.name}/private/{report.file.name}"]
    assert stored.startswith(b"%PDF") and len(stored) == report.size
    assert storage.where(report.file) == (
        f"s3://flrts-files/{settings.SITE.name}/private/{report.file.name}"
    )


def test_a_backup_says_where_the_files_are_instead_of_archiving_nothing(
    bucket, tmp_path, settings
) -> None:
    from flrts.ops.backup.take import BackupOptions, take_backup

    manifest = take_backup(BackupOptions(with_files=True, backup_path=tmp_path))
    assert "public_files" not in manifest.parts and "private_files" not in manifest.parts
    assert manifest.extra["files_storage"] == (
        f"s3://flrts-files/{settings.SITE.name}/ at {bucket.endpoint}"
    )


def test_the_doctor_checks_the_bucket(bucket, monkeypatch, settings) -> None:
    from flrts.ops.doctor import check_files

    good = check_files()
    assert good.status == "ok" and "s3://flrts-files/" in good.detail
    monkeypatch.setitem(settings.SITE.config, "files_s3_secret_key", "wrong-secret-value")
    settings.STORAGES = {**settings.STORAGES}  # rebuilt with the wrong secret
    bad = check_files()
    assert bad.status == "fail" and "files_s3_" in bad.fix
    assert "wrong-secret-value" not in bad.detail + bad.fix


def test_a_bucket_without_its_keys_is_refused_in_one_line(settings) -> None:
    config = dict(settings.SITE.config, files_s3_bucket="b", files_s3_access_key="k")
    config.pop("files_s3_secret_key", None)
    site = Site(settings.SITE.name, settings.SITE.path, config)
    with pytest.raises(SiteConfigError, match="so files_s3_secret_key must be too"):
        storage.storages_setting(site)


def test_the_site_folder_is_the_default(settings) -> None:
    backends = storage.storages_setting(settings.SITE)
    assert backends["default"]["OPTIONS"]["location"] == str(settings.SITE.private_files)
    assert backends["public"]["OPTIONS"]["location"] == str(settings.SITE.public_files)
    assert storage.describe(settings.SITE) == str(settings.SITE.private_files)
