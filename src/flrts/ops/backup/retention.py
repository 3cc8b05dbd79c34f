"""Which backups to keep: GFS (grandfather-father-son) or keep-last-N.

`select_keep` is a pure function over timestamps, so it is tested over years of simulated
backups without touching a disk. GFS keeps, as Frappe Cloud does (7/4/12/10 by default):

- daily:   the newest backup of each of the last `daily` days that have one;
- weekly:  the first backup of each of the last `weekly` weeks (weeks start on Sunday, so with
           daily backups that is the Sunday one);
- monthly: the first backup of each of the last `monthly` months (the 1st);
- yearly:  the first backup of each of the last `yearly` years (1 January).

"First in its period" means a backup chosen to stand for a period keeps standing for it as
newer backups arrive, so pruning every day gives the same result as pruning once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path

from flrts.sites import SiteConfigError

logger = logging.getLogger("flrts.ops.backup.retention")


@dataclass(frozen=True)
class Policy:
    daily: int = 7
    weekly: int = 4
    monthly: int = 12
    yearly: int = 10
    keep_last: int | None = None  # set: keep only the newest N, ignore GFS

    def describe(self) -> str:
        if self.keep_last is not None:
            return f"keep last {self.keep_last}"
        return (
            f"GFS {self.daily} daily / {self.weekly} weekly / "
            f"{self.monthly} monthly / {self.yearly} yearly"
        )


GFS_DEFAULT = Policy()


def _week(day: dt.date) -> tuple[int, int]:
    # ISO weeks start on Monday; shifting by a day makes Sunday the first day of the week.
    year, week, _ = (day + dt.timedelta(days=1)).isocalendar()
    return (year, week)


def _pick(
    stamps: list[dt.datetime],
    bucket: Callable[[dt.datetime], Hashable],
    count: int,
    first: bool,
) -> set[dt.datetime]:
    """For the newest `count` buckets, the first (or newest) stamp in each."""
    chosen: dict[Hashable, dt.datetime] = {}
    for stamp in sorted(stamps):  # oldest first
        key = bucket(stamp)
        if first:
            chosen.setdefault(key, stamp)
        else:
            chosen[key] = stamp
    newest_buckets = sorted(chosen, key=lambda k: chosen[k], reverse=True)[:count]
    return {chosen[k] for k in newest_buckets}


def select_keep(stamps: Iterable[dt.datetime], policy: Policy = GFS_DEFAULT) -> set[dt.datetime]:
    items = sorted(set(stamps))
    if policy.keep_last is not None:
        return set(items[-policy.keep_last :]) if policy.keep_last > 0 else set()
    keep: set[dt.datetime] = set()
    keep |= _pick(items, lambda s: s.date(), policy.daily, first=False)
    keep |= _pick(items, lambda s: _week(s.date()), policy.weekly, first=True)
    keep |= _pick(items, lambda s: (s.year, s.month), policy.monthly, first=True)
    keep |= _pick(items, lambda s: s.year, policy.yearly, first=True)
    return keep


def policy_from_config(site: object | None = None) -> Policy:
    from django.conf import settings

    site = site or settings.SITE
    scheme = str(site.get("backup_retention", "gfs")).lower()  # type: ignore[attr-defined]
    if scheme == "last":
        return Policy(keep_last=site.get_int("backup_keep_last", 30, minimum=1))  # type: ignore[attr-defined]
    if scheme != "gfs":
        raise SiteConfigError("site_config.json: key 'backup_retention' must be gfs or last")
    get = site.get_int  # type: ignore[attr-defined]
    return Policy(
        daily=get("backup_keep_daily", 7, minimum=0),
        weekly=get("backup_keep_weekly", 4, minimum=0),
        monthly=get("backup_keep_monthly", 12, minimum=0),
        yearly=get("backup_keep_yearly", 10, minimum=0),
    )


def apply_retention(
    folder: Path, policy: Policy, now: dt.datetime | None = None, safety_days: int = 7
) -> list[str]:
    """Delete the backup sets in `folder` that the policy does not keep; returns their prefixes.

    Safety backups (taken before a restore) are outside the rotation and go after `safety_days`.
    """
    from flrts.ops.backup.take import list_backups, remove_set

    now = now or dt.datetime.now(dt.UTC)
    sets = list_backups(folder)
    regular = {dt.datetime.fromisoformat(m.taken_at): m for m in sets if m.kind != "safety"}
    keep = select_keep(regular, policy)
    removed = []
    for stamp, manifest in regular.items():
        if stamp not in keep:
            remove_set(manifest)
            removed.append(
                manifest.path.name.removesuffix("-manifest.json") if manifest.path else ""
            )
    for manifest in sets:
        if manifest.kind == "safety":
            taken = dt.datetime.fromisoformat(manifest.taken_at)
            if now - taken > dt.timedelta(days=safety_days):
                remove_set(manifest)
                removed.append(manifest.path.name if manifest.path else "")
    if removed:
        logger.info(
            "retention (%s) removed %d set(s) in %s", policy.describe(), len(removed), folder
        )
    return removed
