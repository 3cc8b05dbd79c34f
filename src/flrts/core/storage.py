"""Where a site's files live: the site folder (the default) or an S3-compatible bucket, so that
several app hosts share attachments, photos and daily PDFs.

Every file FLRTS keeps goes through Django's storage API (FileFields, `storages[...]`): code
never opens a path under `private/files` itself. Two storages:

- `default`: private files (attachments, field-report photos, daily PDFs), served at
  `/private/files/<name>` after a login and the owning document's permission check;
- `public`: public files, served at `/files/<name>`.

With `files_s3_bucket` in site_config.json both live in that bucket, under
`<files_s3_prefix>/private/` and `<files_s3_prefix>/public/` (the prefix defaults to the site
name), through django-storages' S3 backend (boto3; the optional extra `s3`). The other keys:
`files_s3_endpoint` (empty for AWS; `http://minio:9000` and the like), `files_s3_region`
(default us-east-1), `files_s3_access_key`, `files_s3_secret_key`. Requests are path-style,
signed with Signature Version 4 over their payload (as the offsite backup does), and retried on
transient failures. The app still serves every file itself (no public bucket, no presigned
URLs), so the permission check stays in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flrts.sites import Site, SiteConfigError

if TYPE_CHECKING:  # settings import this module: no Django at import time
    from django.core.files.storage import Storage

INSTALL_HINT = "pip install 'flrts[s3]' (boto3 and django-storages) in the FLRTS virtualenv"
S3_REQUIRED = ("files_s3_bucket", "files_s3_access_key", "files_s3_secret_key")
AREAS = {"default": ("private", "/private/files/"), "public": ("public", "/files/")}


def uses_s3(site: Site) -> bool:
    return bool(site.get("files_s3_bucket"))


def s3_location(site: Site, area: str) -> str:
    """The key prefix of an area (`private`/`public`) in the bucket: `<prefix>/<area>`."""
    prefix = str(site.get("files_s3_prefix") or site.name).strip("/")
    return f"{prefix}/{area}" if prefix else area


def storages_setting(site: Site) -> dict[str, dict[str, Any]]:
    """Django's STORAGES for this site (files only; static assets are whitenoise's)."""
    if uses_s3(site):
        missing = [key for key in S3_REQUIRED if not site.get(key)]
        if missing:
            raise SiteConfigError(
                f"site_config.json: files_s3_bucket is set, so {', '.join(missing)} must be too"
            )
        return {
            alias: {"BACKEND": "flrts.core.storage.site_s3_storage", "OPTIONS": {"area": area}}
            for alias, (area, _url) in AREAS.items()
        }
    folders = {"default": site.private_files, "public": site.public_files}
    return {
        alias: {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folders[alias]), "base_url": base_url},
        }
        for alias, (_area, base_url) in AREAS.items()
    }


def describe(site: Site) -> str:
    """Where the files are, for the doctor and the backup's log (no secret in it)."""
    if uses_s3(site):
        endpoint = site.get("files_s3_endpoint") or "AWS S3"
        return f"s3://{site.get('files_s3_bucket')}/{s3_location(site, '')} at {endpoint}"
    return str(site.private_files)


def boto3_available() -> bool:
    try:
        import boto3  # noqa: F401  # only asked: the extra is optional
        import storages  # noqa: F401
    except ImportError:
        return False
    return True


def site_s3_storage(area: str = "private") -> Storage:
    """The STORAGES backend for an S3 site: django-storages' S3Storage set from the site config.

    django-storages is imported here, at first use, so a site without S3 never needs it."""
    try:
        from botocore.config import Config
        from storages.backends.s3 import S3Storage
    except ImportError as exc:  # configured, not installed: one line saying what to do
        raise SiteConfigError(
            "site_config.json sets files_s3_bucket, but the S3 storage is not installed: "
            + INSTALL_HINT
        ) from exc
    from django.conf import settings

    site: Site = settings.SITE
    storage: Storage = S3Storage(
        bucket_name=site.get("files_s3_bucket"),
        endpoint_url=site.get("files_s3_endpoint") or None,
        region_name=site.get("files_s3_region") or "us-east-1",
        access_key=site.get("files_s3_access_key"),
        secret_key=site.get("files_s3_secret_key"),
        location=s3_location(site, area),
        file_overwrite=False,  # a second upload of "photo.jpg" gets a name of its own
        default_acl=None,  # the bucket's own policy: private
        client_config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path", "payload_signing_enabled": True},
            retries={"mode": "standard", "max_attempts": 3},
            connect_timeout=5,
            read_timeout=60,
        ),
    )
    return storage


def where(field_file: Any) -> str:
    """Where a stored file is, for a person at a terminal: its path in the site folder, or
    `s3://bucket/key` in a bucket."""
    storage, name = field_file.storage, field_file.name
    try:
        return str(storage.path(name))
    except NotImplementedError:  # not a folder: a bucket
        bucket = getattr(storage, "bucket_name", "?")
        location = str(getattr(storage, "location", "")).strip("/")
        return f"s3://{bucket}/{location}/{name}" if location else f"s3://{bucket}/{name}"
