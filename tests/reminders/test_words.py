"""RRULEs in words, checked against what the scheduler's expansion actually fires."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from flrts.reminders.recurrence import occurrences
from flrts.reminders.words import describe, ordinal

MONDAY_8 = dt.datetime(2026, 6, 1, 8, 0)  # a Monday

CASES = [
    ("FREQ=WEEKLY;BYDAY=MO", "every Monday at 08:00"),
    ("RRULE:FREQ=WEEKLY;BYDAY=MO", "every Monday at 08:00"),
    ("FREQ=WEEKLY", "every Monday at 08:00"),  # the weekday comes from the first time
    ("FREQ=DAILY", "every day at 08:00"),
    ("FREQ=DAILY;INTERVAL=2", "every 2 days at 08:00"),
    ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "every weekday at 08:00"),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "every weekday at 08:00"),
    ("FREQ=DAILY;BYDAY=MO,WE", "every Monday and Wednesday at 08:00"),
    ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "every Monday, Wednesday and Friday at 08:00"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", "every 2 weeks on Tuesday and Thursday at 08:00"),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "every day at 08:00"),
    ("FREQ=MONTHLY", "every month on the 1st at 08:00"),
    ("FREQ=MONTHLY;BYMONTHDAY=15", "every month on the 15th at 08:00"),
    ("FREQ=MONTHLY;BYMONTHDAY=1,15", "every month on the 1st and the 15th at 08:00"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", "every month on the last day at 08:00"),
    ("FREQ=MONTHLY;BYMONTHDAY=-2", "every month on the second-to-last day at 08:00"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "every month on the last Friday at 08:00"),
    ("FREQ=MONTHLY;BYDAY=1MO", "every month on the first Monday at 08:00"),
    ("FREQ=MONTHLY;BYDAY=1MO,3MO", "every month on the first Monday and the third Monday at 08:00"),
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "every month on the last weekday at 08:00"),
    ("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1", "every 3 months on the 1st at 08:00"),
    ("FREQ=MONTHLY;BYDAY=MO", "every Monday at 08:00"),
    ("FREQ=YEARLY", "every year on 1 June at 08:00"),
    ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25", "every year on 25 December at 08:00"),
    ("FREQ=YEARLY;BYMONTH=11;BYDAY=4TH", "every year on the fourth Thursday of November at 08:00"),
    ("FREQ=HOURLY;INTERVAL=4", "every 4 hours at :00"),
    ("FREQ=HOURLY", "every hour at :00"),
    ("FREQ=MINUTELY;INTERVAL=30", "every 30 minutes"),
    ("FREQ=DAILY;BYHOUR=8,17;BYMINUTE=0", "every day at 08:00 and 17:00"),
    ("FREQ=DAILY;BYHOUR=9;BYMINUTE=30", "every day at 09:30"),
    ("FREQ=DAILY;COUNT=5", "every day at 08:00, 5 times"),
    ("FREQ=DAILY;COUNT=1", "every day at 08:00, once"),
    (
        "FREQ=WEEKLY;BYDAY=SA,SU;UNTIL=20260731T000000",
        "every Saturday and Sunday at 08:00, until Fri 2026-07-31",
    ),
    ("freq=weekly;byday=fr", "every Friday at 08:00"),
]


@pytest.mark.parametrize(("rule", "words"), CASES)
def test_rule_in_words(rule: str, words: str) -> None:
    assert describe(rule, MONDAY_8) == words


@pytest.mark.parametrize(
    "rule", ["FREQ=YEARLY;BYYEARDAY=100", "FREQ=YEARLY;BYWEEKNO=20", "not a rule", "FREQ=DAILY;X=1"]
)
def test_rules_without_words_are_shown_as_written(rule: str) -> None:
    assert describe(rule, MONDAY_8) == f"custom rule: {rule}"


def test_no_rule_is_once() -> None:
    assert describe("", MONDAY_8) == "once"


def test_the_time_is_the_first_times_wall_clock_in_its_own_zone() -> None:
    ny = dt.datetime(2026, 1, 5, 7, 30, tzinfo=dt.UTC).astimezone(ZoneInfo("America/New_York"))
    assert describe("FREQ=WEEKLY;BYDAY=MO", ny) == "every Monday at 02:30"


@pytest.mark.parametrize(
    ("rule", "weekday", "hour"),
    [
        ("FREQ=WEEKLY;BYDAY=MO", 0, 8),
        ("FREQ=WEEKLY;BYDAY=FR", 4, 8),
        ("FREQ=MONTHLY;BYDAY=-1FR", 4, 8),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", 3, 8),
    ],
)
def test_the_words_match_what_fires(rule: str, weekday: int, hour: int) -> None:
    """The weekday and time named are those of the occurrences the scheduler computes."""
    tz = "America/Chicago"
    first = MONDAY_8.replace(tzinfo=ZoneInfo(tz)).astimezone(dt.UTC)
    fired = occurrences(first, rule, tz, first, first + dt.timedelta(days=120))
    local = [f.astimezone(ZoneInfo(tz)) for f in fired]
    assert local and all(t.weekday() == weekday and t.hour == hour for t in local)
    words = describe(rule, MONDAY_8)
    assert ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"][weekday] in words
    assert f"{hour:02d}:00" in words


def test_ordinals() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th",
    ]  # fmt: skip
