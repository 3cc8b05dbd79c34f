from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from flrts.core.timezones import in_window, local_to_utc, validate_timezone, window_end_after


def test_unknown_zone_is_refused_with_an_example() -> None:
    with pytest.raises(ValidationError, match="America/Chicago"):
        validate_timezone("Mars/Olympus")
    validate_timezone("America/Los_Angeles")


def test_time_in_the_spring_forward_gap_moves_forward() -> None:
    # 2025-03-09 02:30 does not exist in New York; it becomes 03:30 EDT = 07:30 UTC.
    assert local_to_utc(dt.date(2025, 3, 9), dt.time(2, 30), "America/New_York") == dt.datetime(
        2025, 3, 9, 7, 30, tzinfo=dt.UTC
    )


def test_time_that_occurs_twice_takes_the_first_occurrence() -> None:
    # 2025-11-02 01:30 happens twice in New York; the first is EDT (05:30 UTC).
    assert local_to_utc(dt.date(2025, 11, 2), dt.time(1, 30), "America/New_York") == dt.datetime(
        2025, 11, 2, 5, 30, tzinfo=dt.UTC
    )


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        ("21:59", False),
        ("22:00", True),
        ("23:59", True),
        ("00:00", True),
        ("06:59", True),
        ("07:00", False),
        ("12:00", False),
    ],
)
def test_quiet_window_wraps_midnight(moment: str, inside: bool) -> None:
    assert in_window(dt.time.fromisoformat(moment), dt.time(22), dt.time(7)) is inside


def test_quiet_window_within_one_day() -> None:
    assert in_window(dt.time(13), dt.time(12), dt.time(14))
    assert not in_window(dt.time(14), dt.time(12), dt.time(14))


def test_window_end_after_a_late_evening_moment_is_next_morning() -> None:
    at = dt.datetime(2026, 1, 10, 23, 30, tzinfo=dt.UTC)  # 17:30 in Chicago: not quiet
    assert window_end_after(at, dt.time(22), dt.time(7), "America/Chicago") == at
    late = dt.datetime(2026, 1, 11, 5, 0, tzinfo=dt.UTC)  # 23:00 Chicago, quiet until 07:00
    assert window_end_after(late, dt.time(22), dt.time(7), "America/Chicago") == dt.datetime(
        2026, 1, 11, 13, 0, tzinfo=dt.UTC
    )
    early = dt.datetime(2026, 1, 11, 9, 0, tzinfo=dt.UTC)  # 03:00 Chicago, same-day 07:00
    assert window_end_after(early, dt.time(22), dt.time(7), "America/Chicago") == dt.datetime(
        2026, 1, 11, 13, 0, tzinfo=dt.UTC
    )
