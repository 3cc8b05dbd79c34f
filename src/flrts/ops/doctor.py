"""`flrts doctor`: every part of a running site, each ok / warn / fail with the fix."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from flrts.core import storage
from flrts.nlp.context import llm_config_from_site
from flrts.nlp.llm.client import LLMClient
from flrts.nlp.llm.errors import LLMError
from flrts.ops import health
from flrts.ops.health import FAIL, OK, WARN, Check
from flrts.telegram.config import bot_settings, get_client


def check_telegram() -> Check:
    def run() -> Check:
        config = bot_settings()
        if not config.configured:
            return Check("telegram", OK, "not configured (skipped)")
        info = get_client(config).get_webhook_info()
        if not info.url:
            if settings.SITE.get("telegram_webhook_url"):
                return Check(
                    "telegram",
                    FAIL,
                    "the webhook is not set at Telegram",
                    "flrts telegram set-webhook URL",
                )
            return Check(
                "telegram",
                WARN,
                "no webhook set (polling mode?)",
                "flrts telegram set-webhook URL, or run flrts telegram poll",
            )
        if info.last_error_message:
            return Check(
                "telegram",
                WARN,
                f"webhook set; Telegram's last error: {info.last_error_message}",
                "check the public URL and TLS certificate",
            )
        return Check("telegram", OK, f"webhook set ({info.pending_update_count} pending)")

    return health._safe("telegram", run)


def check_llm() -> Check:
    """Key and server through the one LLM client (the parser's own configuration and seam)."""

    def run() -> Check:
        config = llm_config_from_site()
        if not config.configured:
            return Check("llm", OK, "not configured (the offline parser answers)")
        base = config.base_url.rstrip("/")
        try:
            LLMClient(config).check()
        except LLMError as exc:
            if exc.kind == "auth":
                return Check(
                    "llm",
                    FAIL,
                    f"{base} refused the API key ({exc.status_code})",
                    "set a valid openai_api_key",
                )
            if exc.status_code is None:
                raise  # unreachable: health._safe reports it as a failed check
            return Check(
                "llm", WARN, f"{base}/models answered {exc.status_code}", "check openai_base_url"
            )
        return Check("llm", OK, f"{base} reachable")

    return health._safe("llm", run)


def check_offsite() -> Check:
    """The offsite target answers: the folder is there (mounted), the S3 bucket answers HEAD."""
    from flrts.ops.backup.offsite import OffsiteError, target_from_config

    def run() -> Check:
        try:
            target = target_from_config()
            if target is None:
                return Check("offsite", OK, "not configured (skipped)")
            return Check("offsite", OK, target.check())
        except OffsiteError as exc:
            from flrts.ops.backup.s3 import INSTALL_HINT, boto3_available  # only for S3 sites

            fix = "correct backup_offsite_dir or the backup_s3_* keys (docs/operations.md)"
            if settings.SITE.get("backup_s3_endpoint") and not boto3_available():
                fix = f"the S3 offsite target needs the optional extra s3: {INSTALL_HINT}"
            return Check("offsite", FAIL, str(exc), fix)

    return health._safe("offsite", run)


def check_files() -> Check:
    """The file storage answers: the site folder, or the bucket (HEAD) with files_s3_bucket."""

    def run() -> Check:
        site = settings.SITE
        where = storage.describe(site)
        if not storage.uses_s3(site):
            return Check("files", OK, f"site folder {where}")
        if not storage.boto3_available():
            return Check(
                "files",
                FAIL,
                "files_s3_bucket is set; the S3 storage is not installed",
                f"the optional extra s3: {storage.INSTALL_HINT}",
            )
        from django.core.files.storage import storages

        backend: Any = storages["default"]
        try:
            backend.connection.meta.client.head_bucket(Bucket=backend.bucket_name)
        except Exception as exc:  # botocore: refused, unreachable, no such bucket
            reason = getattr(exc, "response", {}).get("Error", {}).get("Code") or type(exc).__name__
            return Check(
                "files",
                FAIL,
                f"{where} does not answer ({reason})",
                "check the files_s3_* keys in site_config.json (docs/deploy.md)",
            )
        return Check("files", OK, where)

    return health._safe("files", run)


def run_checks(deep: bool = False) -> list[Check]:
    database = health.check_database()
    checks = [database]
    if database.status == FAIL:
        for name in ("migrations", "workers", "scheduler", "jobs"):
            checks.append(
                Check(name, FAIL, "not checked: the database is down", health._FIXES["database"])
            )
    else:
        checks += [health.check_migrations()]
    checks.append(health.check_queue())
    if database.status != FAIL:
        checks += [health.check_workers(), health.check_scheduler(), health.check_jobs()]
    checks += [
        check_telegram(),
        check_llm(),
        health.check_disk(),
        health.check_backups(verify_latest=True, deep=deep),
        check_offsite(),
        check_files(),
        health.check_config_mode(),
    ]
    return checks


def exit_code(checks: list[Check]) -> int:
    return 1 if any(c.status == FAIL for c in checks) else 0


MARKS = {OK: "ok  ", WARN: "warn", FAIL: "FAIL"}
