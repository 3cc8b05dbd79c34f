"""Intent, people, sites, priority, lists, reports, safety and corrections in the offline parser."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flrts.nlp.offline.items import parse_item
from flrts.nlp.offline.readings import find_readings
from flrts.nlp.types import Intent, ParseContext, ParseResult, Priority
from tests.nlp.conftest import COLIN, JOEL, TAYLOR

Parse = Callable[..., ParseResult]


def test_the_issue_example_task(parse: Parse) -> None:
    result = parse("Colin, check the compressor at Big Sky tomorrow afternoon, urgent")
    assert result.intent == Intent.CREATE_TASK
    assert result.assignee == COLIN
    assert result.site == "Big Sky"
    assert result.priority == Priority.HIGH
    assert result.subject is not None and "compressor" in result.subject
    assert result.clarify is None
    assert result.confidence >= 0.8


def test_priority_words(parse: Parse) -> None:
    expected = {
        "Colin fix the leak ASAP": Priority.URGENT,
        "Emergency: Bryan shut down the containers": Priority.URGENT,
        "Taylor rewire the PDU, critical": Priority.URGENT,
        "Bryan re-torque the busbar immediately": Priority.URGENT,
        "URGENT: fix the door lock": Priority.HIGH,
        "Important: restock the first aid kit": Priority.HIGH,
        "Colin high priority - replace the belt": Priority.HIGH,
        "Mike clean the filters, low priority": Priority.LOW,
        "Dave label the breakers whenever": Priority.LOW,
        "Tay, order 2 fans, no rush": Priority.LOW,
        "Taylor check the camera, not urgent": Priority.LOW,
        "Colin order spare hashboards": Priority.MEDIUM,
    }
    for text, priority in expected.items():
        assert parse(text).priority == priority, text


def test_names_match_case_insensitively_by_alias_and_username(parse: Parse) -> None:
    assert parse("mike pls check the genset tomorrow").assignee == "mike@10nz.tools"
    assert parse("Tay, order 2 replacement fans").assignee == TAYLOR
    assert parse("@schen check the radiator fans Friday").assignee == "sarah@10nz.tools"
    assert parse("have big dave check the transformer").assignee == "dave@10nz.tools"


def test_site_typos_codes_and_aliases(parse: Parse) -> None:
    assert parse("Colin check the miners at Thunder Rdge").site == "Thunder Ridge"
    assert parse("Sarah grease the bearings at Crystl Peak").site == "Crystal Peak"
    assert parse("cw pls look at the VPR hashboards").site == "Viper"
    assert parse("have Dave check the snake pit transformer").site == "Viper"


def test_a_person_typo_is_matched_but_noted(parse: Parse) -> None:
    result = parse("Coiln swap the router at Crystal Peak tomorrow")
    assert result.assignee == COLIN
    assert "Coiln" in result.rationale
    assert result.confidence < 0.85


def test_unknown_person_is_never_replaced_by_someone_else(parse: Parse) -> None:
    for text in (
        "John do something at Big Sky",
        "Assign to Bob the builder tomorrow",
        "Pete needs to refuel the Big Sky generator tomorrow",
        "Assign the Viper fan swap to Rodrigo",
    ):
        result = parse(text)
        assert result.assignee is None, text
        assert result.clarify, text
        assert result.confidence <= 0.5, text


def test_a_named_person_who_is_not_the_assignee_is_left_alone(parse: Parse) -> None:
    result = parse("remind me to call John at 3pm tomorrow")
    assert result.assignee == JOEL
    assert result.clarify is None


def test_vague_subject_asks_what_to_do(parse: Parse) -> None:
    result = parse("thing tomorrow")
    assert result.subject is None
    assert result.clarify
    assert result.confidence < 0.5


def test_me_and_i_are_the_sender(parse: Parse) -> None:
    assert parse("I need to check the oil on gen 2", TAYLOR).assignee == TAYLOR
    assert parse("Reminder: safety meeting Thursday 7:30am").assignee == JOEL
    assert parse("remind the crew every Friday at 3pm to clean up").assignee is None


def test_list_items_keep_quantities_and_units(parse: Parse) -> None:
    result = parse("add filters, zip ties and 2 boxes of gloves to the Viper shopping list")
    assert result.intent == Intent.ADD_LIST_ITEMS
    assert result.list_name == "Viper Shopping"
    assert [(i.name, i.quantity, i.unit) for i in result.items] == [
        ("filters", None, None),
        ("zip ties", None, None),
        ("gloves", 2.0, "boxes"),
    ]


def test_item_parsing_strips_articles_and_reads_number_words() -> None:
    item = parse_item("a dozen rolls of duct tape")
    assert item is not None
    assert (item.name, item.quantity, item.unit) == ("duct tape", 12, "rolls")


def test_list_named_by_a_site_resolves_to_that_sites_only_list(parse: Parse) -> None:
    result = parse("add heat tape and pipe insulation to the Thunder Ridge list")
    assert result.list_name == "Thunder Ridge Winterization"


def test_create_and_complete_list_items(parse: Parse) -> None:
    created = parse("make a list for the Viper rebuild with bearings, belts and seals")
    assert created.intent == Intent.CREATE_LIST
    assert created.list_name == "Viper rebuild"
    assert [i.name for i in created.items] == ["bearings", "belts", "seals"]
    done = parse("got the DEF and the coolant, cross them off the Big Sky parts list")
    assert done.intent == Intent.COMPLETE_LIST_ITEMS
    assert [i.name for i in done.items] == ["DEF", "coolant"]


def test_field_report_readings_equipment_and_issues(parse: Parse) -> None:
    result = parse("Viper gen 2: oil pressure 45 psi, coolant temp 190F, small leak at the fitting")
    assert result.intent == Intent.CREATE_FIELD_REPORT
    assert result.site == "Viper"
    readings = {(r.metric, r.value, r.unit) for r in result.readings}
    assert ("oil pressure", 45.0, "psi") in readings
    assert ("coolant temp", 190.0, "F") in readings  # units as written
    assert "gen 2" in result.equipment
    assert result.issues is not None and "leak" in result.issues


def test_readings_read_value_first_units() -> None:
    readings, _ = find_readings("Voltage at the transformer 480V, load 72%, 110 TH/s")
    assert {(r.metric, r.value) for r in readings} >= {
        ("voltage", 480.0),
        ("load", 72.0),
        ("hashrate", 110.0),
    }


def test_complete_update_and_query_intents(parse: Parse) -> None:
    done = parse("done with the compressor at Big Sky")
    assert (done.intent, done.site) == (Intent.COMPLETE_TASK, "Big Sky")
    assert done.task_ref is not None and "compressor" in done.task_ref
    moved = parse("move TASK-2026-00042 to Friday 3pm")
    assert (moved.intent, moved.task_ref) == (Intent.UPDATE_TASK, "TASK-2026-00042")
    assert moved.priority is None  # an update leaves unmentioned fields alone
    query = parse("what's overdue at Crystal Peak?")
    assert query.intent == Intent.QUERY_TASKS
    assert query.query is not None
    assert (query.query.status, query.query.site) == ("overdue", "Crystal Peak")


def test_help_and_gibberish(parse: Parse) -> None:
    assert parse("help").intent == Intent.HELP
    assert parse("how do I create a list?").intent == Intent.HELP
    junk = parse("asdfkjasldkfj")
    assert junk.intent == Intent.UNKNOWN
    assert junk.clarify
    assert junk.confidence <= 0.1


def test_correction_changes_only_what_it_mentions(parse: Parse, nlp_context: ParseContext) -> None:
    pending = ParseResult(
        intent=Intent.CREATE_TASK,
        subject="Swap fan 4 at Crystal Peak",
        assignee="mike@10nz.tools",
        site="Crystal Peak",
        priority=Priority.MEDIUM,
        due=dt.date(2026, 3, 5),
        confidence=0.85,
    )
    ctx = nlp_context.model_copy(update={"pending": pending})
    fixed = parse("no, it's for Taylor and it's urgent", context=ctx)
    assert fixed.intent == Intent.CREATE_TASK
    assert fixed.changed_fields(pending) == {"assignee", "priority"}
    assert (fixed.assignee, fixed.priority) == (TAYLOR, Priority.HIGH)
    moved = parse("change the due date to Friday 3pm", context=ctx)
    assert moved.changed_fields(pending) == {"due"}


def test_correction_of_only_a_time_keeps_the_proposed_day(
    parse: Parse, nlp_context: ParseContext
) -> None:
    pending = ParseResult(
        intent=Intent.CREATE_REMINDER,
        subject="Call the vendor",
        assignee=JOEL,
        remind_at=dt.datetime.fromisoformat("2026-03-06T08:00:00-05:00"),
    )
    ctx = nlp_context.model_copy(update={"pending": pending})
    fixed = parse("make that 9am", context=ctx)
    assert fixed.remind_at == dt.datetime.fromisoformat("2026-03-06T09:00:00-05:00")


def test_parser_has_the_protocol_name(parse: Parse) -> None:
    assert parse("Colin check pump at Big Sky").parser == "offline"
