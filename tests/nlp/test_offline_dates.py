"""Date, time, zone and recurrence rules of the offline parser."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from flrts.nlp.types import ParseContext, ParseDefaults, ParseResult
from tests.nlp.conftest import COLIN, FRI, JOEL, TAYLOR

Parse = Callable[..., ParseResult]
NY = ZoneInfo("America/New_York")


def at(text: str, tz: str = "America/New_York") -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


def test_bare_weekday_is_the_next_such_day(parse: Parse) -> None:
    assert parse("Colin fix the gate by Friday").due == dt.date(2026, 3, 6)


def test_friday_said_on_a_friday_is_a_week_later(parse: Parse) -> None:
    assert parse("Joel check the generator by Friday", TAYLOR, FRI).due == dt.date(2026, 3, 13)


def test_next_weekday_is_that_day_of_next_calendar_week(parse: Parse) -> None:
    monday = dt.datetime.fromisoformat("2026-06-15T11:00:00-04:00")
    assert parse("Taylor fix the gate next Friday", JOEL, monday).due == dt.date(2026, 6, 26)
    assert parse("Taylor fix the gate this Friday", JOEL, monday).due == dt.date(2026, 6, 19)


def test_next_monday_is_the_first_monday_after_today(parse: Parse) -> None:
    assert parse("Bryan inspect solar panels next Monday").due == dt.date(2026, 3, 9)


def test_a_day_without_a_time_is_a_date_only_due(parse: Parse) -> None:
    due = parse("Colin needs to fix the router tomorrow").due
    assert due == dt.date(2026, 3, 5)
    assert not isinstance(due, dt.datetime)


def test_vague_times_use_the_configured_defaults(parse: Parse) -> None:
    assert parse("Colin check the pump tomorrow morning").due == at("2026-03-05T08:00")
    assert parse("Colin check the pump tomorrow afternoon").due == at("2026-03-05T14:00")
    assert parse("Colin check the pump tonight").due == at("2026-03-04T18:00")
    assert parse("Colin check the pump by EOD").due == at("2026-03-04T17:00")
    assert parse("Colin check the pump by COB").due == at("2026-03-04T18:00")


def test_site_defaults_change_what_morning_means(parse: Parse, nlp_context: ParseContext) -> None:
    early = nlp_context.model_copy(update={"defaults": ParseDefaults(morning=dt.time(6, 30))})
    assert parse("Colin check the pump tomorrow morning", context=early).due == at(
        "2026-03-05T06:30"
    )


def test_times_are_in_the_senders_zone(parse: Parse) -> None:
    due = parse("Taylor check pump #3 by 2pm", COLIN)
    assert due.due == at("2026-03-04T14:00", "America/Los_Angeles")


def test_his_time_means_the_named_persons_zone(parse: Parse) -> None:
    due = parse("Colin, call the vendor tomorrow at 10 his time").due
    assert due == at("2026-03-05T10:00", "America/Los_Angeles")


def test_her_time_refers_to_the_person_named_before_it(parse: Parse) -> None:
    due = parse("Hey Taylor, Colin needs the server logs by 1pm his time").due
    assert due == at("2026-03-04T13:00", "America/Los_Angeles")


def test_named_zone_words_after_a_time(parse: Parse) -> None:
    assert parse("Bryan swap the fan by 3pm Central").due == at(
        "2026-03-04T15:00", "America/Chicago"
    )
    assert parse("Bryan swap the fan Monday 9am PT").due == at(
        "2026-03-09T09:00", "America/Los_Angeles"
    )
    assert parse("Bryan swap the fan at 2pm UTC tomorrow").due == at("2026-03-05T14:00", "UTC")


def test_due_after_the_dst_change_uses_the_new_offset(parse: Parse) -> None:
    due = parse("Mike replace the air filters next Monday at 8am").due
    assert isinstance(due, dt.datetime)
    assert due.utcoffset() == dt.timedelta(hours=-4)  # EDT, though the message was sent in EST


def test_a_time_already_past_today_rolls_to_tomorrow(parse: Parse) -> None:
    assert parse("remind me at 4pm to call Ari", TAYLOR, FRI).remind_at == at(
        "2026-03-07T16:00", "America/Chicago"
    )


def test_bare_hours_are_read_as_working_hours(parse: Parse) -> None:
    assert parse("Colin fix the cooling loop at 4").due == at("2026-03-04T16:00")
    assert parse("Colin fix the cooling loop tomorrow at 8").due == at("2026-03-05T08:00")


def test_in_n_hours_is_an_exact_moment(parse: Parse) -> None:
    assert parse("remind me in 2 hours to restart the miner").remind_at == at("2026-03-04T11:15")


def test_calendar_dates_go_through_dateparser_and_prefer_the_future(parse: Parse) -> None:
    assert parse("Have Taylor clean the coolers on March 14").due == dt.date(2026, 3, 14)
    autumn = dt.datetime.fromisoformat("2026-10-30T07:30:00-07:00")
    assert parse("Ari: file the permit by 3/20", COLIN, autumn).due == dt.date(2027, 3, 20)


def test_weekly_reminder_gives_rrule_and_first_occurrence(parse: Parse) -> None:
    result = parse("remind me every Monday at 8 to read the meters")
    assert result.recurrence == "FREQ=WEEKLY;BYDAY=MO;BYHOUR=8;BYMINUTE=0"
    assert result.remind_at == at("2026-03-09T08:00")
    assert result.assignee == JOEL


def test_recurrence_phrasings(parse: Parse) -> None:
    cases = {
        "Drain the tanks daily": "FREQ=DAILY",
        "Walk the perimeter every weekday at 6:30am": (
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=6;BYMINUTE=30"
        ),
        "Inspect the suppression every other Tuesday": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
        "Service the generators on the first Monday of every month": "FREQ=MONTHLY;BYDAY=1MO",
        "Check the transformer oil monthly on the 15th": "FREQ=MONTHLY;BYMONTHDAY=15",
    }
    for text, rule in cases.items():
        assert parse(text).recurrence == rule, text


def test_a_single_weekday_is_not_a_recurrence(parse: Parse) -> None:
    assert parse("Colin check the pump on Monday").recurrence is None


def test_naive_now_is_treated_as_utc(parse: Parse) -> None:
    naive = dt.datetime(2026, 3, 4, 14, 15)
    assert parse("Colin check the pump tomorrow", now=naive).due == dt.date(2026, 3, 5)
