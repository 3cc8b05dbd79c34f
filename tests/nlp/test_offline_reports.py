"""Field reports split into a summary, observations, issues and readings (issue 14's fields).

The parser fills `summary` (a title or the first clause), `observations` (the other clauses that
are not problems), `issues` (the clauses that report a problem) and `readings` (metric, value and
unit); nothing is copied into two of them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flrts.nlp.offline.readings import find_readings
from flrts.nlp.offline.report import is_issue, report_details
from flrts.nlp.types import Intent, ParseResult

Parse = Callable[..., ParseResult]


def test_a_title_becomes_the_summary_and_problems_the_issues(parse: Parse) -> None:
    result = parse(
        "Thunder Ridge quarterly safety walk: guards in place, housekeeping fair, "
        "one exit light out by the shop"
    )
    assert result.intent == Intent.CREATE_FIELD_REPORT
    assert result.summary == "Thunder Ridge quarterly safety walk"
    assert result.issues == "one exit light out by the shop"
    assert result.observations == "guards in place, housekeeping fair"


def test_without_a_title_the_first_clause_is_the_summary(parse: Parse) -> None:
    result = parse("Big Sky rounds done, all miners up, sump level 40%, one door sensor offline")
    assert result.summary == "Big Sky rounds done"
    assert result.issues == "one door sensor offline"
    assert result.observations == "all miners up, sump level 40%"
    assert [(r.metric, r.value, r.unit) for r in result.readings] == [("sump level", 40.0, "%")]


def test_a_title_that_only_names_the_place_takes_the_first_observation(parse: Parse) -> None:
    result = parse("Field report Viper: fans 3 and 4 replaced, hashrate back to 110 TH/s")
    assert result.summary == "Field report Viper: fans 3 and 4 replaced"
    assert result.observations == "hashrate back to 110 TH/s"
    assert result.issues is None


@pytest.mark.parametrize(
    "clause",
    [
        "one exit light out",
        "small weep at the drain valve",
        "belt 3 tripped twice on overload",
        "hydraulic hose blew on the boom",
        "loader 2 down",
        "gate hinge is loose",
        "truck 12 check engine light on",
        "compressor 2 offline waiting on parts",
        "bearing running hot",
        "pressure a bit high",
    ],
)
def test_problems_are_issues(clause: str) -> None:
    assert is_issue(clause)


@pytest.mark.parametrize(
    "clause",
    [
        "no leaks found",
        "no alarms",
        "no issues",
        "all normal",
        "fence ok",
        "came back up",
        "went out to Viper",
        "vibration 0.18 in/s",
        "Hartley hauled the scrap out of the yard",
    ],
)
def test_denials_and_plain_facts_are_not_issues(clause: str) -> None:
    assert not is_issue(clause)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("discharge pressure back up to 55 psi", [("discharge pressure", 55.0, "psi")]),
        ("diesel tank at 62%", [("diesel tank", 62.0, "%")]),
        ("tailings pond freeboard 3.2 ft", [("tailings pond freeboard", 3.2, "ft")]),
        ("O2 20.9%, CO 3 ppm", [("o2", 20.9, "%"), ("co", 3.0, "ppm")]),
        ("motor amps 212 A, temp 160F", [("motor amps", 212.0, "A"), ("temp", 160.0, "F")]),
        ("98% uptime", [("uptime", 98.0, "%")]),
        ("1.8 in of rain", [("rain", 1.8, "in")]),
        ("run test: 480 V", [("voltage", 480.0, "V")]),
        ("Voltage at the transformer 480V", [("voltage", 480.0, "V")]),
        ("oil pressure 45", [("oil pressure", 45.0, None)]),
    ],
)
def test_readings_name_what_was_measured(
    text: str, expected: list[tuple[str, float, str | None]]
) -> None:
    readings, _ = find_readings(text)
    assert [(r.metric, r.value, r.unit) for r in readings] == expected


@pytest.mark.parametrize(
    "text",
    ["remind me in 2 hours", "every 4 hrs", "lost power at 3am", "back on grid at 5:40", "pump #3"],
)
def test_times_and_numbers_are_not_readings(text: str) -> None:
    assert find_readings(text)[0] == []


def test_nothing_is_written_twice() -> None:
    details = report_details("Viper gen 2: oil 45 psi, small leak at the fitting, fans ok")
    parts = [details.summary, details.observations, details.issues]
    assert parts == ["Viper gen 2", "oil 45 psi, fans ok", "small leak at the fitting"]


def test_an_issue_does_not_repeat_the_site_in_front() -> None:
    details = report_details("Iron Creek pump 2 seal leaking, pressure 41 psi", "Iron Creek")
    assert details.summary == "Iron Creek pump 2 seal leaking"
    assert details.issues == "pump 2 seal leaking"
    assert details.observations == "pressure 41 psi"
    [reading] = details.readings
    assert (reading.metric, reading.value, reading.unit) == ("pressure", 41.0, "psi")
    # A clause that is only the place keeps it.
    assert report_details("Viper down", "Viper").issues == "Viper down"
