"""Sub-tasks in the offline parser: the checklist forms crews type, and what never is one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from flrts.nlp.offline.subtasks import MAX_SUBTASKS
from flrts.nlp.types import Intent, ParseContext, ParseResult, Priority
from tests.nlp.conftest import COLIN, JOEL, TAYLOR

Parse = Callable[..., ParseResult]
SARAH = "sarah@10nz.tools"


def _subs(result: ParseResult) -> list[tuple[str, str | None]]:
    return [(s.subject, s.assignee) for s in result.subtasks]


def test_items_after_a_colon(parse: Parse) -> None:
    result = parse(
        "Colin service the compressor at Big Sky tomorrow: drain the tank, replace the filter "
        "and test the relief valve"
    )
    assert result.intent == Intent.CREATE_TASK
    assert result.subject == "Service the compressor at Big Sky"
    assert (result.assignee, result.site, result.due) == (COLIN, "Big Sky", dt.date(2026, 3, 5))
    assert result.priority == Priority.MEDIUM
    assert _subs(result) == [
        ("Drain the tank", None),
        ("Replace the filter", None),
        ("Test the relief valve", None),
    ]
    assert "3 sub-tasks" in result.rationale
    assert result.clarify is None


def test_bullet_and_numbered_lines(parse: Parse) -> None:
    result = parse(
        "Colin service the compressor at Big Sky tomorrow\n"
        "- drain the tank\n"
        "• replace filter\n"
        "1. test valve\n"
        "2) grease the bearings\n"
        "* log the hours"
    )
    assert result.subject == "Service the compressor at Big Sky"
    assert (result.assignee, result.due) == (COLIN, dt.date(2026, 3, 5))
    assert [s for s, _ in _subs(result)] == [
        "Drain the tank",
        "Replace filter",
        "Test valve",
        "Grease the bearings",
        "Log the hours",
    ]


def test_bullets_need_no_verbs_and_a_date_may_come_after_them(parse: Parse) -> None:
    result = parse("Swap the fans at Viper:\n- fan 3\n- fan 7\nby Friday, urgent")
    assert result.subject == "Swap the fans at Viper"
    assert result.due == dt.date(2026, 3, 6)
    assert result.priority == Priority.HIGH
    assert [s for s, _ in _subs(result)] == ["Fan 3", "Fan 7"]


def test_a_label_or_name_before_the_task_is_not_the_head(parse: Parse) -> None:
    result = parse("URGENT: fix the door lock: replace the handle, oil the hinges")
    assert (result.subject, result.priority) == ("Fix the door lock", Priority.HIGH)
    assert [s for s, _ in _subs(result)] == ["Replace the handle", "Oil the hinges"]
    result = parse("Colin: service the compressor: drain the tank, refill it")
    assert (result.subject, result.assignee) == ("Service the compressor", COLIN)
    assert [s for s, _ in _subs(result)] == ["Drain the tank", "Refill it"]


def test_a_marker_line_before_the_bullets(parse: Parse) -> None:
    result = parse("Service the compressor at Viper\nSteps:\n- drain it\n- refill it")
    assert result.subject == "Service the compressor at Viper"
    assert [s for s, _ in _subs(result)] == ["Drain it", "Refill it"]


def test_one_item_a_line_after_a_colon(parse: Parse) -> None:
    result = parse(
        "Taylor get the Crystal Peak trailer ready for Monday:\n"
        "load the spare fans\ncharge the drill batteries\npack the PPE"
    )
    assert result.subject == "Get the Crystal Peak trailer ready"
    assert (result.assignee, result.due) == (TAYLOR, dt.date(2026, 3, 9))
    assert [s for s, _ in _subs(result)] == [
        "Load the spare fans",
        "Charge the drill batteries",
        "Pack the PPE",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Taylor prep the generator with subtasks: check oil, coolant, belts",
        "Taylor prep the generator with sub-tasks: check oil, coolant, belts",
        "Taylor prep the generator, steps: check oil; coolant; belts",
        "Taylor prep the generator. Checklist: check oil, coolant, belts",
        "Taylor prep the generator, to-do: check oil, coolant, belts",
        "Taylor prep the generator with the following steps:\n- check oil\n- coolant\n- belts",
    ],
)
def test_marked_checklists(parse: Parse, text: str) -> None:
    result = parse(text)
    assert result.intent == Intent.CREATE_TASK, text
    assert result.subject == "Prep the generator", text
    assert result.assignee == TAYLOR, text
    assert _subs(result) == [("Check oil", None), ("Coolant", None), ("Belts", None)], text


def test_a_marker_allows_a_single_item(parse: Parse) -> None:
    result = parse("Colin fix the Viper gate, sub-tasks: order a new hinge")
    assert result.subject == "Fix the Viper gate"
    assert _subs(result) == [("Order a new hinge", None)]


def test_items_may_name_their_own_assignee(parse: Parse) -> None:
    result = parse(
        "Mike prep the generator at Thunder Ridge with subtasks: check the oil, "
        "Taylor: top off the fuel, test the transfer switch (Sarah), me: sign the permit"
    )
    assert result.assignee == "mike@10nz.tools"
    assert _subs(result) == [
        ("Check the oil", None),
        ("Top off the fuel", TAYLOR),
        ("Test the transfer switch", SARAH),
        ("Sign the permit", JOEL),
    ]


def test_item_assignees_in_bullets_do_not_become_the_parents(parse: Parse) -> None:
    result = parse(
        "Service the compressor at Big Sky\n"
        "- Taylor: drain the tank\n"
        "- Colin replace the filter\n"
        "- test the valve - Tay\n"
        "- swap the gauge @schen\n"
        "- call Colin about the parts"
    )
    assert result.assignee is None
    assert _subs(result) == [
        ("Drain the tank", TAYLOR),
        ("Replace the filter", COLIN),
        ("Test the valve", TAYLOR),
        ("Swap the gauge", SARAH),
        ("Call Colin about the parts", None),
    ]


def test_item_assignee_typo_is_matched_and_noted(parse: Parse) -> None:
    result = parse("Service the pump at Viper:\n- drain it (Tayler)\n- refill it")
    assert _subs(result) == [("Drain it", TAYLOR), ("Refill it", None)]
    assert "Tayler" in result.rationale


def test_an_unknown_item_name_is_kept_as_typed(parse: Parse) -> None:
    result = parse("Service the pump at Viper:\n- Bob: drain it\n- refill it")
    assert _subs(result) == [("Bob: drain it", None), ("Refill it", None)]


def test_and_splits_only_before_a_verb(parse: Parse) -> None:
    result = parse("Colin service the genset: check the oil and coolant, replace the filter")
    assert [s for s, _ in _subs(result)] == ["Check the oil and coolant", "Replace the filter"]


def test_empty_items_are_dropped(parse: Parse) -> None:
    result = parse("Colin prep the generator, steps: check oil, , etc.;  ;\n")
    assert _subs(result) == [("Check oil", None)]
    result = parse("Service the pump:\n-   drain it.  \n-\n- \n- refill it;")
    assert [s for s, _ in _subs(result)] == ["Drain it", "Refill it"]


def test_at_most_twenty_sub_tasks(parse: Parse) -> None:
    lines = "\n".join(f"- replace fan {n}" for n in range(1, 26))
    result = parse(f"Refan rack 4 at Viper\n{lines}")
    assert len(result.subtasks) == MAX_SUBTASKS == 20
    assert result.subtasks[-1].subject == "Replace fan 20"
    assert "first 20" in result.rationale


@pytest.mark.parametrize(
    "text",
    [
        "Colin meet the fuel truck at Viper at 2:30pm",
        "Colin meet the fuel truck at Viper at 2:30 pm, bring the hose",
        "check pump, urgent",
        "Colin, check the compressor at Big Sky tomorrow afternoon, urgent",
        "Colin check the compressor at Viper: it's leaking oil again",
        "Colin check the compressor: pressure is low, might be the filter",
        "Taylor order parts: 2 filters, 3 belts",
        "URGENT: fix the door lock, replace the handle and oil the hinges",
        "Colin: check the pump, replace the filter and test the valve",
        "Big Sky: check the pump, replace the filter",
        "FYI: check the pump, clean the filter",
        "Mike please do the following: check oil, replace filter",
        "Hey Colin:\n- drain the tank\n- fill it",
        "Colin fix the pump\nthanks",
        "Colin fix the pump at Viper\n- parts are in the shop",
    ],
)
def test_ordinary_tasks_get_no_sub_tasks(parse: Parse, text: str) -> None:
    result = parse(text)
    assert result.intent == Intent.CREATE_TASK, text
    assert result.subtasks == [], text


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("add milk, eggs to the Viper shopping list", Intent.ADD_LIST_ITEMS),
        ("Viper shopping list: rags, gloves, tape", Intent.ADD_LIST_ITEMS),
        ("new checklist: Big Sky winterization", Intent.CREATE_LIST),
        ("Field report Viper: fan 3 down, replaced the fuse, pump pressure 40 psi", None),
        ("Shift report Viper:\n- fan 3 down\n- pump pressure 45 psi", None),
        ("Big Sky update: replaced the fan, checked the pump", None),
        ("Remind me at 4pm: call Mark Diaz, order filters", Intent.CREATE_REMINDER),
        ("Remind me tomorrow:\n- call Mark\n- order filters", Intent.CREATE_REMINDER),
    ],
)
def test_lists_reports_and_reminders_get_no_sub_tasks(
    parse: Parse, text: str, intent: Intent | None
) -> None:
    result = parse(text)
    assert result.intent == (intent or Intent.CREATE_FIELD_REPORT), text
    assert result.subtasks == [], text


def test_a_correction_keeps_the_proposed_sub_tasks(parse: Parse, nlp_context: ParseContext) -> None:
    first = parse("Colin service the compressor: drain the tank, replace the filter")
    pending = nlp_context.model_copy(update={"pending": first})
    fixed = parse("no, it's for Taylor", context=pending)
    assert fixed.assignee == TAYLOR
    assert fixed.subtasks == first.subtasks
