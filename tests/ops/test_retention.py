"""Retention keeps exactly the right backups over three simulated years of daily backups."""

from __future__ import annotations

import datetime as dt

from flrts.ops.backup.retention import Policy, select_keep

START = dt.datetime(2023, 1, 1, 2, 30, tzinfo=dt.UTC)
DAYS = [START + dt.timedelta(days=i) for i in range(365 + 366 + 365)]  # 2023-01-01 .. 2025-12-31


def expected_gfs(stamps: list[dt.datetime]) -> set[dt.datetime]:
    """Frappe Cloud's rule, written independently: 7 newest, Sundays of the last 4 weeks,
    1sts of the last 12 months, 1 Januaries of the last 10 years."""
    newest = stamps[-1]
    sundays = [s for s in stamps if s.weekday() == 6]
    firsts = [s for s in stamps if s.day == 1]
    januaries = [s for s in stamps if s.day == 1 and s.month == 1]

    # The current (incomplete) week/month/year counts as one of the periods, as in GFS tools;
    # when it has no Sunday/1st yet, its first backup stands for it.
    def periods(first_of_period: list[dt.datetime], n: int, same_period) -> set[dt.datetime]:
        chosen = list(first_of_period)
        if not same_period(chosen[-1], newest):
            chosen.append(min(s for s in stamps if same_period(s, newest)))
        return set(chosen[-n:])

    def week(a: dt.datetime, b: dt.datetime) -> bool:
        shift = dt.timedelta(days=1)  # weeks start on Sunday
        return (a + shift).isocalendar()[:2] == (b + shift).isocalendar()[:2]

    return (
        set(stamps[-7:])
        | periods(sundays, 4, week)
        | periods(firsts, 12, lambda a, b: (a.year, a.month) == (b.year, b.month))
        | periods(januaries, 10, lambda a, b: a.year == b.year)
    )


def test_gfs_over_three_years_pruned_once() -> None:
    kept = select_keep(DAYS)
    assert kept == expected_gfs(DAYS)
    # Three years: every 1 January is still within the 10 yearly backups.
    assert len([k for k in kept if k.day == 1 and k.month == 1]) == 3
    assert len([k for k in kept if k.day == 1]) == 12 + 2  # 12 months + the 2 older Januaries
    assert sorted(kept)[-7:] == DAYS[-7:]


def test_gfs_pruned_every_day_keeps_the_same_files_as_pruning_once() -> None:
    on_disk: list[dt.datetime] = []
    for day in DAYS:
        on_disk.append(day)
        on_disk = sorted(select_keep(on_disk))
        # At no point are more than 7 + 4 + 12 + 10 backups kept.
        assert len(on_disk) <= 33
    assert set(on_disk) == expected_gfs(DAYS)
    assert set(on_disk) == select_keep(DAYS)


def test_gfs_after_a_missed_week_keeps_the_first_backup_of_each_period() -> None:
    stamps = [d for d in DAYS[:120] if not (dt.date(2023, 3, 1) <= d.date() <= dt.date(2023, 3, 8))]
    kept = select_keep(stamps)
    assert dt.datetime(2023, 3, 9, 2, 30, tzinfo=dt.UTC) in kept  # stands for March


def test_keep_last_n() -> None:
    assert select_keep(DAYS, Policy(keep_last=30)) == set(DAYS[-30:])
    assert select_keep(DAYS[:3], Policy(keep_last=30)) == set(DAYS[:3])


def test_apply_retention_deletes_exactly_the_unkept_sets(tmp_path) -> None:
    import json

    from flrts.ops.backup.retention import apply_retention

    stamps = DAYS[-60:]
    for stamp in stamps:
        prefix = f"{stamp:%Y%m%d_%H%M%S}-s_test"
        (tmp_path / f"{prefix}-database.sql.gz").write_bytes(b"x")
        (tmp_path / f"{prefix}-manifest.json").write_text(
            json.dumps(
                {
                    "site": "s.test",
                    "taken_at": stamp.isoformat(),
                    "db_type": "sqlite",
                    "kind": "scheduled",
                    "migrations": [],
                    "row_counts": {},
                    "parts": {
                        "database": {"name": f"{prefix}-database.sql.gz", "size": 1, "sha256": ""}
                    },
                }
            )
        )
    removed = apply_retention(tmp_path, Policy(), now=stamps[-1])
    left = sorted(p.name[:15] for p in tmp_path.glob("*-database.sql.gz"))
    assert left == sorted(f"{s:%Y%m%d_%H%M%S}" for s in select_keep(stamps))
    assert len(removed) == 60 - len(left)
    assert len(list(tmp_path.glob("*-manifest.json"))) == len(left)
