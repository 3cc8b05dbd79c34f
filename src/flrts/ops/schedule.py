"""The scheduled backup, every `backup_interval_hours` (default 24: daily, on the long queue), or
on `backup_cron` when set; `backup_enabled: 0` turns it off. The cadence comes from the site's
configuration, so it is registered here rather than with a decorator on the function."""

from __future__ import annotations

from django.conf import settings

from flrts.jobs import registry
from flrts.ops.backup.scheduled import scheduled_backup
from flrts.sites import SiteConfigError


def backup_event() -> tuple[str, str]:
    site = settings.SITE
    cron = str(site.get("backup_cron", "") or "")
    if cron:
        return "cron", cron
    hours = site.get_int("backup_interval_hours", 24, minimum=1)
    if hours == 24:
        return "daily_long", ""
    if hours == 1:
        return "hourly_long", ""
    if 24 % hours:
        raise SiteConfigError("site_config.json: key 'backup_interval_hours' must divide 24")
    return "cron", f"15 */{hours} * * *"


if settings.SITE.get_bool("backup_enabled", True):
    event, cron = backup_event()
    registry.register(event, scheduled_backup, cron=cron)
