"""The scheduled backup: take one, copy it offsite (a folder or an S3 bucket), rotate both."""

from __future__ import annotations

import logging

from django.conf import settings

from flrts.jobs.registry import job
from flrts.ops.backup.offsite import target_from_config
from flrts.ops.backup.retention import apply_retention, policy_from_config
from flrts.ops.backup.take import BackupOptions, backup_dir, take_backup

logger = logging.getLogger("flrts.ops.backup")


@job
def scheduled_backup() -> str:
    site = settings.SITE
    manifest = take_backup(
        BackupOptions(with_files=site.get_bool("backup_with_files", True), kind="scheduled")
    )
    policy = policy_from_config()
    removed = apply_retention(backup_dir(), policy)
    summary = f"backup {manifest.parts['database'].name}; retention removed {len(removed)}"
    target = target_from_config()
    if target is not None:
        target.copy(manifest)
        offsite_removed = target.apply_retention(policy)
        summary += (
            f"; offsite copy verified ({target.describe()}), "
            f"offsite retention removed {len(offsite_removed)}"
        )
    return summary
