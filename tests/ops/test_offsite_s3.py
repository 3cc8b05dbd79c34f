"""The S3-compatible offsite target: SigV4 requests to a fake S3 that checks every signature and
payload hash, each object read back and checked against the manifest, the manifest last,
retention over the bucket, and the backup command and the scheduled job configured for S3."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from flrts.ops.backup import s3
from flrts.ops.backup.names import BackupName
from flrts.ops.backup.offsite import OffsiteError, S3Target, target_from_config
from flrts.ops.backup.retention import Policy
from tests.fakes.s3_server import ACCESS_KEY, BUCKET, REGION, SECRET_KEY, FakeS3

WRONG_SECRET = "wrong/Secret+Key9999doNotLeakMe"


@pytest.fixture
def fake_s3() -> Iterator[FakeS3]:
    with FakeS3() as server:
        yield server


def s3_settings(endpoint: str, **overrides: str) -> dict[str, str]:
    return {
        "backup_s3_endpoint": endpoint,
        "backup_s3_bucket": BUCKET,
        "backup_s3_region": REGION,
        "backup_s3_access_key": ACCESS_KEY,
        "backup_s3_secret_key": SECRET_KEY,
        **overrides,
    }


@pytest.fixture
def s3_site(settings: Any, isolated_backups: Path, fake_s3: FakeS3) -> FakeS3:
    """The test site's backups go to its own folder and offsite to the fake's bucket."""
    settings.SITE.config.update(s3_settings(fake_s3.endpoint))
    return fake_s3


def client_for(fake: FakeS3, secret: str = SECRET_KEY) -> s3.S3Client:
    return s3.S3Client(s3.S3Config(fake.endpoint, BUCKET, ACCESS_KEY, secret, REGION))


def s3_target() -> S3Target:
    target = target_from_config()
    assert isinstance(target, S3Target)
    return target


def slug_of(settings: Any) -> str:
    return str(settings.SITE.name).replace(".", "_")


# --- the signing and the client -----------------------------------------------------------------


def test_client_round_trip_with_awkward_keys_and_paged_listing(
    fake_s3: FakeS3, tmp_path: Path
) -> None:
    source = tmp_path / "blob.bin"
    source.write_bytes(bytes(range(256)) * 5000)  # > one 1 MiB read chunk
    key = "odd names/report 1 ü+x=y&z.bin"
    with client_for(fake_s3) as client:
        etag = client.put_object(key, source)
        info = client.head_object(key)
        assert (info.size, info.etag) == (source.stat().st_size, etag)
        assert client.get_object_digest(key) == (
            source.stat().st_size,
            hashlib.sha256(source.read_bytes()).hexdigest(),
        )
        assert fake_s3.objects()[key] == source.read_bytes()

        for n in range(7):
            fake_s3.seed(f"pages/{n:02d}+=/x", b"%d" % n)
        fake_s3.seed("other/zz", b"not listed")
        fake_s3.page_size = 3
        listed = list(client.list_objects("pages/"))
        assert [o.key for o in listed] == [f"pages/{n:02d}+=/x" for n in range(7)]
        assert fake_s3.count("GET", f"/{BUCKET}") >= 3  # three pages, tokens round-tripped
        assert all(o.size == 1 and o.last_modified is not None for o in listed)

        client.delete_object(key)
        with pytest.raises(s3.S3Error) as caught:
            client.head_object(key)
        assert caught.value.status == 404
        with pytest.raises(s3.S3Error, match="NoSuchKey: The specified key does not exist"):
            client.get_object_digest(key)
    assert SECRET_KEY not in repr(client)


def test_a_large_file_goes_up_in_parts_every_one_signed(
    fake_s3: FakeS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(s3, "MULTIPART_THRESHOLD", 6 * 1024**2)
    monkeypatch.setattr(s3, "MULTIPART_CHUNK", 5 * 1024**2)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(1024) * (12 * 1024))  # 12 MiB: parts of 5, 5 and 2 MiB
    digest = hashlib.sha256(big.read_bytes()).hexdigest()
    with client_for(fake_s3) as client:
        client.put_object("sets/big.bin", big, sha256=digest)
        assert client.get_object_digest("sets/big.bin") == (big.stat().st_size, digest)
    assert fake_s3.objects()["sets/big.bin"] == big.read_bytes()
    parts = [r for r in fake_s3.requests if r.method == "PUT" and "partNumber" in r.query]
    assert sorted(int(r.query["partNumber"]) for r in parts) == [1, 2, 3]
    assert all(r.status == 200 for r in fake_s3.requests)  # every signature checked, all good
    assert fake_s3.count("POST") == 2  # start and complete


def test_without_boto3_the_error_says_how_to_add_it(
    fake_s3: FakeS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "boto3", None)  # as if the extra were not installed
    source = tmp_path / "x.bin"
    source.write_bytes(b"x")
    with client_for(fake_s3) as client, pytest.raises(s3.S3Error, match=r"flrts\[s3\]"):
        client.put_object("x.bin", source)
    assert not s3.boto3_available()


def test_a_body_that_does_not_match_its_signed_hash_is_refused(
    fake_s3: FakeS3, tmp_path: Path
) -> None:
    source = tmp_path / "part.bin"
    source.write_bytes(b"the real bytes")
    with client_for(fake_s3) as client, pytest.raises(s3.S3Error, match="BadDigest"):
        client.put_object("part.bin", source, sha256="ab" * 32)
    assert fake_s3.objects() == {}


# --- copying a backup set -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_backup_set_lands_in_the_bucket_verified_manifest_last(
    s3_site: FakeS3, settings: Any
) -> None:
    from flrts.ops.backup.take import BackupOptions, take_backup

    (settings.SITE.public_files / "a.txt").write_text("public")
    manifest = take_backup(BackupOptions(with_files=True))
    assert manifest.path is not None
    where = s3_target().copy(manifest)

    slug = slug_of(settings)
    assert where == f"s3://{BUCKET}/{slug}/{manifest.path.name}"
    local = {f"{slug}/{p.name}": p.read_bytes() for p in manifest.folder.iterdir()}
    assert len(local) == 5 and s3_site.objects() == local
    # The site config part went offsite with its secrets masked, the S3 secret among them.
    assert SECRET_KEY not in local[f"{slug}/{manifest.parts['site_config'].name}"].decode()

    puts = [r.path for r in s3_site.requests if r.method == "PUT"]
    assert puts[-1].endswith("-manifest.json") and len(puts) == 5
    for part in manifest.parts.values():  # each part read back after its upload
        key = f"/{BUCKET}/{slug}/{part.name}"
        sequence = [(r.method, r.path) for r in s3_site.requests]
        assert sequence.index(("GET", key)) == sequence.index(("PUT", key)) + 1


@pytest.mark.django_db
def test_a_corrupted_upload_is_detected_and_no_manifest_lands(s3_site: FakeS3) -> None:
    from flrts.ops.backup.take import take_backup

    manifest = take_backup()
    s3_site.corrupt_next_put(key_contains="-database.")
    with pytest.raises(OffsiteError, match=r"database.* does not match its checksum"):
        s3_target().copy(manifest)
    stored = s3_site.objects()
    assert not any(key.endswith("-manifest.json") for key in stored)
    assert not any("-database." in key for key in stored)  # the bad copy was removed

    s3_target().copy(manifest)  # the next attempt goes through
    assert sum(key.endswith("-manifest.json") for key in s3_site.objects()) == 1


@pytest.mark.django_db
def test_a_wrong_secret_is_a_clear_error_that_never_shows_the_secret(
    s3_site: FakeS3, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from flrts.ops.backup.take import take_backup
    from flrts.sites import masked_config

    manifest = take_backup()
    settings.SITE.config["backup_s3_secret_key"] = WRONG_SECRET
    target = s3_target()
    caplog.set_level(logging.DEBUG)
    with pytest.raises(OffsiteError) as caught:
        target.copy(manifest)
    message = str(caught.value)
    assert "SignatureDoesNotMatch" in message and "check backup_s3_secret_key" in message
    assert s3_site.objects() == {}
    shown = [message, repr(caught.value), repr(target), target.describe(), caplog.text]
    shown.append(json.dumps(masked_config(settings.SITE.config)))
    assert all(WRONG_SECRET not in text for text in shown)

    settings.SITE.config["backup_s3_access_key"] = "NOSUCHKEY"
    with pytest.raises(OffsiteError, match=r"InvalidAccessKeyId.*check backup_s3_access_key"):
        s3_target().copy(manifest)


@pytest.mark.django_db
def test_a_missing_bucket_is_a_clear_error_and_a_doctor_failure(s3_site: FakeS3) -> None:
    from flrts.ops.backup.take import take_backup
    from flrts.ops.doctor import check_offsite

    manifest = take_backup()
    check = check_offsite()
    assert check.status == "ok" and f"s3://{BUCKET}/" in check.detail

    s3_site.remove_bucket()
    with pytest.raises(OffsiteError, match=r"NoSuchBucket.*backup_s3_bucket"):
        s3_target().copy(manifest)
    check = check_offsite()
    assert check.status == "fail" and "NoSuchBucket" in check.detail
    assert "backup_s3" in check.fix


@pytest.mark.django_db
def test_doctor_says_how_to_add_boto3_when_it_is_missing(
    s3_site: FakeS3, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from flrts.ops.doctor import check_offsite

    monkeypatch.setitem(sys.modules, "boto3", None)
    check = check_offsite()
    assert check.status == "fail" and "needs boto3" in check.detail
    assert "pip install 'flrts[s3]'" in check.fix


@pytest.mark.django_db
def test_server_errors_are_retried_then_reported(s3_site: FakeS3) -> None:
    from flrts.ops.backup.take import take_backup

    manifest = take_backup()
    s3_site.fail_next("PUT", 500, "InternalError", times=1)
    s3_target().copy(manifest)
    assert s3_site.count("PUT") == len(manifest.parts) + 2  # one retried
    assert sum(key.endswith("-manifest.json") for key in s3_site.objects()) == 1

    s3_site.fail_next("PUT", 503, "SlowDown", times=3)
    other = s3_target()
    other.prefix = "elsewhere"
    with pytest.raises(OffsiteError, match="SlowDown"):
        other.copy(manifest)
    assert not any(key.startswith("elsewhere/") for key in s3_site.objects())


@pytest.mark.django_db
def test_an_unreachable_endpoint_names_the_endpoint(s3_site: FakeS3, settings: Any) -> None:
    from flrts.ops.backup.take import take_backup

    manifest = take_backup()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    settings.SITE.config["backup_s3_endpoint"] = f"http://127.0.0.1:{port}"
    with pytest.raises(OffsiteError, match=f"cannot reach the S3 endpoint http://127.0.0.1:{port}"):
        s3_target().copy(manifest)


# --- retention ----------------------------------------------------------------------------------


def seed_set(
    fake: FakeS3,
    stamp: str,
    *,
    slug: str = "site_a",
    kind: str | None = "scheduled",
    written: dt.datetime | None = None,
) -> None:
    name = BackupName(stamp, slug)
    for part in ("database", "site_config"):
        fake.seed(f"site_a/{name.file(part)}", b"data", last_modified=written)
    if kind is not None:
        body = json.dumps({"kind": kind}).encode() if kind != "garbage" else b"{not json"
        fake.seed(f"site_a/{name.file('manifest')}", body, last_modified=written)


def test_retention_on_the_bucket_removes_exactly_the_sets_not_kept(fake_s3: FakeS3) -> None:
    now = dt.datetime(2026, 1, 6, 13, 0, tzinfo=dt.UTC)
    for day in range(1, 7):
        seed_set(fake_s3, f"202601{day:02d}_000000")
    seed_set(fake_s3, "20260106_120000")
    seed_set(fake_s3, "20251220_000000", kind="safety")  # older than 7 days: goes
    seed_set(fake_s3, "20260105_060000", kind="safety")  # recent; takes no daily slot
    seed_set(fake_s3, "20251215_000000", kind="garbage")  # unreadable manifest: kept
    seed_set(fake_s3, "20260103_120000", kind=None, written=now - dt.timedelta(days=2))
    seed_set(fake_s3, "20251201_000000", kind=None, written=now - dt.timedelta(hours=1))
    seed_set(fake_s3, "20260101_000000", slug="other_site")  # another site's set
    fake_s3.seed("site_a/README.txt")
    fake_s3.seed("site_a/nested/20260101_000000-site_a-database.sql.gz")
    fake_s3.page_size = 4
    before = set(fake_s3.objects())

    target = S3Target(client_for(fake_s3), "site_a/", "site_a")
    removed = target.apply_retention(Policy(daily=3, weekly=0, monthly=0, yearly=0), now=now)

    gone = [
        "20251220_000000-site_a",
        "20260101_000000-site_a",
        "20260102_000000-site_a",
        "20260103_000000-site_a",
        "20260103_120000-site_a",
        "20260106_000000-site_a",
    ]
    assert removed == gone
    expected = {key for key in before if not any(f"site_a/{p}-" in key for p in gone)}
    assert set(fake_s3.objects()) == expected
    assert len(before) - len(expected) == 5 * 3 + 2  # finished sets: 3 objects, unfinished: 2
    deletes = [r.path for r in fake_s3.requests if r.method == "DELETE"]
    for prefix in gone[:4] + gone[5:]:
        of_set = [i for i, path in enumerate(deletes) if f"/{prefix}-" in path]
        assert deletes[of_set[-1]].endswith("-manifest.json")  # the manifest last

    assert target.apply_retention(Policy(daily=3, weekly=0, monthly=0, yearly=0), now=now) == []


# --- the configuration, the command, the scheduled job ------------------------------------------


def test_target_from_config(settings: Any, isolated_backups: Path, tmp_path: Path) -> None:
    from flrts.ops.backup.offsite import FolderTarget

    config = settings.SITE.config
    assert target_from_config() is None
    config["backup_offsite_dir"] = str(tmp_path / "off")
    assert target_from_config() == FolderTarget(tmp_path / "off" / slug_of(settings))

    config.update(s3_settings("http://127.0.0.1:9"))
    with pytest.raises(OffsiteError, match="choose one offsite target"):
        target_from_config()
    del config["backup_offsite_dir"]
    target = s3_target()
    assert target.prefix == slug_of(settings) and target.client.config.region == REGION
    config["backup_s3_prefix"] = "/backups/flrts/"
    assert s3_target().key("x.json") == "backups/flrts/x.json"

    del config["backup_s3_secret_key"], config["backup_s3_access_key"]
    with pytest.raises(OffsiteError, match="needs backup_s3_access_key, backup_s3_secret_key"):
        target_from_config()
    config.update(s3_settings("s3.example.com"))
    with pytest.raises(OffsiteError, match="http:// or https://"):
        target_from_config()


@pytest.mark.django_db
def test_the_backup_offsite_command_uploads_to_s3(s3_site: FakeS3, settings: Any) -> None:
    from flrts.ops.backup.take import take_backup

    manifest = take_backup()
    out = io.StringIO()
    call_command("backup", "offsite", str(manifest.part_path("database")), stdout=out)
    assert manifest.path is not None
    slug = slug_of(settings)
    assert f"copied and verified: s3://{BUCKET}/{slug}/{manifest.path.name}" in out.getvalue()
    assert s3_site.objects() == {
        f"{slug}/{p.name}": p.read_bytes() for p in manifest.folder.iterdir()
    }

    settings.SITE.config["backup_s3_secret_key"] = WRONG_SECRET
    with pytest.raises(CommandError, match="SignatureDoesNotMatch") as caught:
        call_command("backup", "offsite", str(manifest.path), stdout=io.StringIO())
    assert WRONG_SECRET not in str(caught.value)


@pytest.mark.django_db
def test_the_scheduled_backup_copies_to_s3_and_rotates_there(
    s3_site: FakeS3, settings: Any, isolated_backups: Path
) -> None:
    from flrts.ops.backup.scheduled import scheduled_backup

    settings.SITE.config.update({"backup_retention": "last", "backup_keep_last": 1})
    scheduled_backup()
    summary = scheduled_backup()
    assert f"offsite copy verified (s3://{BUCKET}/" in summary
    assert "offsite retention removed 1" in summary
    slug = slug_of(settings)
    local = {f"{slug}/{p.name}": p.read_bytes() for p in isolated_backups.iterdir()}
    assert sum(key.endswith("-manifest.json") for key in local) == 1
    assert s3_site.objects() == local
