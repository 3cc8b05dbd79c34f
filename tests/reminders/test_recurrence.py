"""Recurrence is expanded on the reminder's wall clock (dateutil.rrule in its zone)."""

from __future__ import annotations

import datetime as dt

from flrts.reminders.recurrence import next_occurrence, occurrences

NY = "America/New_York"


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def test_nine_am_new_york_stays_nine_am_across_the_march_transition() -> None:
    start = utc("2025-03-07T14:00")  # 09:00 EST
    got = occurrences(start, "FREQ=DAILY", NY, utc("2025-03-07T00:00"), utc("2025-03-11T00:00"))
    assert got == [
        utc("2025-03-07T14:00"),
        utc("2025-03-08T14:00"),
        utc("2025-03-09T13:00"),  # 09:00 EDT
        utc("2025-03-10T13:00"),
    ]


def test_nine_am_new_york_stays_nine_am_across_the_november_transition() -> None:
    start = utc("2025-10-31T13:00")  # 09:00 EDT
    got = occurrences(start, "RRULE:FREQ=DAILY", NY, start, utc("2025-11-04T00:00"))
    assert got == [
        utc("2025-10-31T13:00"),
        utc("2025-11-01T13:00"),
        utc("2025-11-02T14:00"),  # 09:00 EST
        utc("2025-11-03T14:00"),
    ]


def test_a_time_that_does_not_exist_moves_forward() -> None:
    start = utc("2025-03-08T07:30")  # 02:30 EST
    got = occurrences(start, "FREQ=DAILY", NY, start, utc("2025-03-11T00:00"))
    # 2025-03-09 02:30 does not exist in New York: sent at 03:30 EDT (07:30Z).
    assert got == [utc("2025-03-08T07:30"), utc("2025-03-09T07:30"), utc("2025-03-10T06:30")]


def test_a_time_that_occurs_twice_is_sent_once() -> None:
    start = utc("2025-11-01T05:30")  # 01:30 EDT
    got = occurrences(start, "FREQ=DAILY", NY, start, utc("2025-11-04T00:00"))
    # 2025-11-02 01:30 happens at 05:30Z and again at 06:30Z: only the first.
    assert got == [utc("2025-11-01T05:30"), utc("2025-11-02T05:30"), utc("2025-11-03T06:30")]


def test_weekly_on_monday_at_eight_and_a_rule_that_ends() -> None:
    start = utc("2025-01-06T14:00")  # Monday 08:00 Chicago
    rule = "FREQ=WEEKLY;BYDAY=MO;COUNT=3"
    got = occurrences(start, rule, "America/Chicago", start, utc("2025-12-31T00:00"))
    assert got == [utc("2025-01-06T14:00"), utc("2025-01-13T14:00"), utc("2025-01-20T14:00")]
    assert next_occurrence(start, rule, "America/Chicago", utc("2025-01-20T14:00")) is None


def test_a_one_off_reminder_has_no_next_occurrence() -> None:
    at = utc("2025-05-01T12:00")
    assert next_occurrence(at, "", NY, utc("2025-05-01T11:00")) == at
    assert next_occurrence(at, "", NY, at) is None
