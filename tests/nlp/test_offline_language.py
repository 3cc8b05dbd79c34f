"""Rules of language, checked on a team, sites and contractors that appear in no corpus.

Each test states one rule from issue 16 (contractors by a distinctive word, past-tense reports,
list-first phrasing, completion by reference, questions about oneself, letters that are not
quantities, vague fragments, spoken times) with names the rules were not written against.
"""

from __future__ import annotations

import datetime as dt

import pytest

from flrts.nlp.offline import OfflineParser
from flrts.nlp.offline.items import parse_item
from flrts.nlp.types import Intent, ParseContext, ParseResult

NADIA = "nadia@example.test"  # Denver
OWEN = "owen@example.test"  # Denver
# Tuesday 2026-05-12 10:00 in Denver (MDT)
TUE = dt.datetime.fromisoformat("2026-05-12T10:00:00-06:00")
CONTEXT = ParseContext.model_validate(
    {
        "people": [
            {"id": NADIA, "name": "Nadia Brooks", "timezone": "America/Denver"},
            {"id": OWEN, "name": "Owen Tate", "aliases": ["O"], "timezone": "America/Denver"},
        ],
        "sites": [
            {"name": "Cobalt Ridge Substation", "code": "CRS"},
            {"name": "Juniper Basin", "code": "JBN"},
        ],
        "contractors": [
            {"name": "Ostrander Mechanical Services"},
            {"name": "Pelletier Fire Protection"},
            {"name": "Bell Electric"},
            {"name": "Bell Crane"},
            {"name": "Tate Welding"},
        ],
        "lists": [{"name": "Shop Consumables"}, {"name": "Van 7 Kit"}],
    }
)


def parse(text: str, sender: str = NADIA) -> ParseResult:
    return OfflineParser().parse(text, sender, TUE, CONTEXT)


# -- contractors and sites by a distinctive word ---------------------------------------------


OSTRANDER, PELLETIER = "Ostrander Mechanical Services", "Pelletier Fire Protection"
JUNIPER, COBALT = "Juniper Basin", "Cobalt Ridge Substation"


@pytest.mark.parametrize(
    ("text", "contractor", "site"),
    [
        ("have Ostrander look at the chiller at Juniper Basin", OSTRANDER, JUNIPER),
        ("Pelletier needs to retest the alarms at Cobalt Ridge", PELLETIER, COBALT),
        ("ostrander has to swap the seals at juniper basin", OSTRANDER, JUNIPER),
        ("call Ostrander's office about the quote", OSTRANDER, None),
        ("pelletier's invoice for Juniper Basin needs approval", PELLETIER, JUNIPER),
    ],
)
def test_a_distinctive_word_names_the_contractor_or_site(
    text: str, contractor: str, site: str | None
) -> None:
    result = parse(text)
    assert (result.contractor, result.site) == (contractor, site)


@pytest.mark.parametrize(
    "text",
    [
        "check the mechanical seal on the booster pump",  # a kind of business
        "order fire protection signs for the shop",  # two generic words
        "the services entrance gate is stuck",
        "call Bell about the panel",  # shared by Bell Electric and Bell Crane: ambiguous
        "the ostrander quote is in the binder, Nadia read it",  # lower case in a cased message
    ],
)
def test_generic_shared_or_lowercase_words_name_no_contractor(text: str) -> None:
    assert parse(text).contractor is None


def test_a_persons_name_is_not_read_as_a_contractor() -> None:
    # "Tate" is Owen's surname and also in "Tate Welding": the person wins
    result = parse("Tate needs to fix the gate at Juniper Basin")
    assert result.contractor is None
    assert result.assignee == OWEN


def test_a_generic_site_word_is_not_the_site() -> None:
    assert parse("the substation fence at Juniper Basin needs paint").site == "Juniper Basin"


# -- accounts of work already done ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Ostrander was on site at Juniper Basin, rebuilt the unloader valve",
        "Pelletier came out and tagged every extinguisher at Cobalt Ridge",
        "we replaced the cracked sight glass at Juniper Basin",
        "crew poured the pad at Cobalt Ridge, 6 yards",
        "rebuilt the Juniper Basin intake louver, it was rusted through",
        "Juniper Basin rounds done, all pumps running",
        "Cobalt Ridge quarterly walk: fence ok, gate hinge loose",
        "Juniper Basin: lost power at 2am, generator picked up the load",
        "Juniper Basin snow removal done, lot plowed, walkways salted",  # two past clauses
        "Cobalt Ridge battery room: 2 cells low, rest ok",  # a site, then conditions
    ],
)
def test_a_past_tense_account_is_a_field_report(text: str) -> None:
    assert parse(text).intent == Intent.CREATE_FIELD_REPORT, text


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Owen replace the cracked sight glass at Juniper Basin", Intent.CREATE_TASK),
        ("Ostrander needs to come back and finish the chiller", Intent.CREATE_TASK),
        ("need Owen to get the truck inspected by Friday", Intent.CREATE_TASK),
        ("I finished the gate repair at Cobalt Ridge", Intent.COMPLETE_TASK),
        ("the gate repair at Cobalt Ridge is done", Intent.COMPLETE_TASK),
        ("what have I got this week", Intent.QUERY_TASKS),  # "got" in a question
    ],
)
def test_requests_and_completions_are_not_reports(text: str, intent: Intent) -> None:
    assert parse(text).intent == intent


# -- lists named first ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("Shop consumables add: shop rags, 2 cans of brake clean", ["shop rags", "brake clean"]),
        ("van 7 kit - add 2 flares and a tow strap", ["flares", "tow strap"]),
        ("shop consumables + zip ties + hose clamps", ["zip ties", "hose clamps"]),
        ("Van 7 kit: jumper cables, first aid kit", ["jumper cables", "first aid kit"]),
    ],
)
def test_a_list_named_first_then_items_adds_them(text: str, items: list[str]) -> None:
    result = parse(text)
    assert result.intent == Intent.ADD_LIST_ITEMS
    assert result.list_name in ("Shop Consumables", "Van 7 Kit")
    assert [i.name for i in result.items] == items


def test_an_item_said_to_be_returned_loses_the_verb() -> None:
    result = parse("van 7 kit: tow strap returned, check it off")
    assert result.intent == Intent.COMPLETE_LIST_ITEMS
    assert [i.name for i in result.items] == ["tow strap"]


def test_a_list_named_first_then_items_received_checks_them_off() -> None:
    result = parse("Shop consumables: hose clamps received, check them off")
    assert result.intent == Intent.COMPLETE_LIST_ITEMS
    assert (result.list_name, [i.name for i in result.items]) == (
        "Shop Consumables",
        ["hose clamps"],
    )


@pytest.mark.parametrize(
    ("text", "name", "items"),
    [
        ("new list Juniper Basin Spares", "Juniper Basin Spares", []),
        ("New checklist Cobalt Ridge Outage", "Cobalt Ridge Outage", []),
        ("start a list Van 9 Kit - flares, chocks", "Van 9 Kit", ["flares", "chocks"]),
    ],
)
def test_new_list_then_its_name(text: str, name: str, items: list[str]) -> None:
    result = parse(text)
    assert (result.intent, result.list_name) == (Intent.CREATE_LIST, name)
    assert [i.name for i in result.items] == items


# -- completing a task by reference -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("TASK-2026-00777 complete", "TASK-2026-00777"),
        ("TASK-2026-00778: done", "TASK-2026-00778"),
        ("TASK-2026-00779 finished, photos uploaded", "TASK-2026-00779"),
        ("the relay settings report is filed, you can close that task", "relay settings report"),
        ("Juniper Basin pump swap is wrapped up, go ahead and close it", "pump swap"),
    ],
)
def test_completion_by_reference(text: str, ref: str) -> None:
    result = parse(text)
    assert result.intent == Intent.COMPLETE_TASK
    assert result.task_ref is not None and ref.lower() in result.task_ref.lower()


def test_a_task_name_with_a_new_date_is_still_an_update() -> None:
    result = parse("TASK-2026-00777 to Friday")
    assert result.intent == Intent.UPDATE_TASK
    assert result.due == dt.date(2026, 5, 15)


# -- questions about one's own work -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("what have I got due today", "due_today"),
        ("have I got anything overdue", "overdue"),
        ("what am I working on", "open"),
        ("what do I still need to finish this week", "open"),
    ],
)
def test_a_first_person_question_is_about_the_sender(text: str, status: str) -> None:
    result = parse(text, sender=OWEN)
    assert result.intent == Intent.QUERY_TASKS
    assert result.query is not None
    assert (result.query.assignee, result.query.status) == (OWEN, status)


# -- letters and model numbers are names, not quantities ------------------------------------


@pytest.mark.parametrize(
    ("raw", "name", "quantity"),
    [
        ("AA batteries", "AA batteries", None),
        ("AAA batteries", "AAA batteries", None),
        ("4 D cell batteries", "D cell batteries", 4),
        ("a 9V battery", "9V battery", None),
        ("2 C-clamps", "C-clamps", 2),
        ("a 3M respirator", "3M respirator", None),
        ("2 boxes of gloves", "gloves", 2),
        ("sandbags x50", "sandbags", 50),
    ],
)
def test_letters_are_not_quantities(raw: str, name: str, quantity: float | None) -> None:
    item = parse_item(raw)
    assert item is not None
    assert (item.name, item.quantity) == (name, quantity)


# -- vague fragments --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["that thing tmrw", "the stuff from yesterday", "do it friday", "the usual tomorrow"]
)
def test_a_vague_fragment_gets_a_question_not_a_task(text: str) -> None:
    result = parse(text)
    assert result.intent == Intent.UNKNOWN
    assert result.clarify and result.subject is None
    assert result.confidence <= 0.2


@pytest.mark.parametrize("text", ["Owen do that thing tomorrow", "Owen handle it"])
def test_a_vague_request_to_a_named_person_is_a_task_with_a_question(text: str) -> None:
    result = parse(text)
    assert (result.intent, result.assignee) == (Intent.CREATE_TASK, OWEN)
    assert result.clarify and result.subject is None


# -- spoken and mixed-language words ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("Owen reset the router tomorrow at nine", "2026-05-13T09:00:00-06:00"),
        ("Owen call Ostrander at four thirty", "2026-05-12T16:30:00-06:00"),
        ("Owen mañana check the chiller", "2026-05-13"),
        ("Owen hoy please sweep the shop", "2026-05-12"),
        ("uh Owen um needs to uh check the gate by Friday", "2026-05-15"),
        ("Owen at eight tomorrow walk the fence", "2026-05-13T08:00:00-06:00"),
    ],
)
def test_spoken_times_spanish_days_and_fillers(text: str, due: str) -> None:
    result = parse(text)
    assert result.assignee == OWEN
    assert result.due is not None and result.due.isoformat() == due


def test_la_manana_is_the_morning_not_tomorrow() -> None:
    assert parse("Owen check the chiller in la mañana").due != dt.date(2026, 5, 13)


# -- third round: kinds found missing on the held-out set, written afresh ---------------------


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("Owen brief the night shift by the 20th", "2026-05-20"),  # a team, not a time
        ("Owen, Thursday at 10 inspect the fire doors", "2026-05-14T10:00:00-06:00"),
        ("Owen, Friday at eight fifteen open the gate", "2026-05-15T08:15:00-06:00"),
        ("Owen send the log by 2pm Hawaii time", "2026-05-12T14:00:00-10:00"),
        ("Owen send the log by 9am Alaska time", "2026-05-12T09:00:00-08:00"),  # 8:00 there
        ("Owen send the log by 3pm Arizona time", "2026-05-12T15:00:00-07:00"),
        ("Owen call Pelletier by eleven o'clock", "2026-05-12T11:00:00-06:00"),
        ("Owen the gate has been sticking since Monday, fix it", None),
    ],
)
def test_more_times(text: str, due: str | None) -> None:
    result = parse(text)
    assert (result.due.isoformat() if result.due else None) == due


@pytest.mark.parametrize(
    ("text", "priority"),
    [
        ("Owen test the emergency lighting at Juniper Basin", "Medium"),
        ("Owen the emergency stop is stuck, fix it ASAP", "Urgent"),
        ("URGENTE: Owen fix the door", "High"),
        ("set the priority of the Juniper Basin fan job to low", "Low"),
    ],
)
def test_more_priorities(text: str, priority: str) -> None:
    result = parse(text)
    assert result.priority is not None and result.priority.value == priority
    if "emergency" in text:
        assert result.subject is not None and "emergency" in result.subject


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("list Owen's tasks", Intent.QUERY_TASKS),
        ("Morning. What do I have due today?", Intent.QUERY_TASKS),
        ("what sort of stuff can I ask you?", Intent.HELP),
        ("how do reminders work here", Intent.HELP),
        ("same again", Intent.UNKNOWN),
        ("Juniper Basin camera back online after Pelletier reset it", Intent.CREATE_FIELD_REPORT),
        ("the Juniper Basin pump swap can wait until Monday", Intent.UPDATE_TASK),
        ("give the Cobalt Ridge heater check to Owen instead", Intent.UPDATE_TASK),
        ("hand the Juniper Basin gate repair over to Owen", Intent.UPDATE_TASK),
    ],
)
def test_more_intents(text: str, intent: Intent) -> None:
    assert parse(text).intent == intent


ADD, TICK = Intent.ADD_LIST_ITEMS, Intent.COMPLETE_LIST_ITEMS


@pytest.mark.parametrize(
    ("text", "intent", "items"),
    [
        ("Add to Shop Consumables: socket set, 2 pry bars", ADD, ["socket set", "pry bars"]),
        (
            "we're out of rags and degreaser, add them to shop consumables",
            ADD,
            ["rags", "degreaser"],
        ),
        ("flares and chocks bought for the van 7 kit", TICK, ["flares", "chocks"]),
        ("flares ✅ chocks ✅ van 7 kit", TICK, ["flares", "chocks"]),
    ],
)
def test_more_list_phrasings(text: str, intent: Intent, items: list[str]) -> None:
    result = parse(text)
    assert result.intent == intent
    assert [i.name for i in result.items] == items


def test_a_monthly_reminder_subject_has_no_leftover_words() -> None:
    result = parse("remind me on the 15th of every month to pay the rent")
    assert result.subject == "Pay the rent"


def test_a_known_name_before_needs_to_is_the_assignee_anywhere() -> None:
    result = parse("okay so tomorrow first thing Owen needs to open the gate")
    assert result.assignee == OWEN


def test_a_micrometre_size_is_not_a_hesitation() -> None:
    result = parse("Owen order 10 um filter cartridges for Juniper Basin")
    assert result.subject is not None and "10 um filter" in result.subject


def test_a_capitalised_noun_opening_the_message_is_not_an_unknown_person() -> None:
    # "Winter prep at …": "prep at" is not a verb with its object, so "Winter" is no name
    result = parse("Winter prep at Juniper Basin for Owen by Friday")
    assert (result.assignee, result.clarify) == (OWEN, None)
    assert result.subject is not None and result.subject.startswith("Winter prep")
