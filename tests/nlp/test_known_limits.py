"""What the offline parser does not understand, as docs/nlp.md lists it ("What the parser does
not understand"). Each test pins one documented limit: when a limit is lifted, its test fails
and the list in the docs must change with it."""

from __future__ import annotations

from collections.abc import Callable

from flrts.nlp.offline.readings import find_readings
from flrts.nlp.types import Intent, ParseResult
from tests.nlp.conftest import COLIN

Parse = Callable[..., ParseResult]


def test_one_intent_per_message(parse: Parse) -> None:
    result = parse("Colin fix the pump and Taylor order filters")
    assert (result.intent, result.assignee) == (Intent.CREATE_TASK, COLIN)


def test_spanish_beyond_a_few_words_is_not_understood(parse: Parse) -> None:
    assert parse("añade guantes a la lista de Viper").intent != Intent.ADD_LIST_ITEMS
    assert parse("ayuda").intent == Intent.UNKNOWN
    assert parse("qué tengo pendiente").intent == Intent.UNKNOWN


def test_a_spoken_self_correction_is_not_followed(parse: Parse) -> None:
    text = "remind uh no make a task for Taylor to check the Viper fence Friday"
    assert parse(text).intent == Intent.CREATE_REMINDER


def test_a_time_said_right_before_a_name_is_lost(parse: Parse) -> None:
    result = parse("okay so tomorrow at seven thirty Taylor needs to open the Viper gate")
    assert result.assignee == "taylor@10nz.tools"
    assert str(result.due) == "2026-03-05"  # the day is kept, the 07:30 is not


def test_a_statement_without_report_words_reads_as_a_task(parse: Parse) -> None:
    assert parse("Viper fence by gate 2 leans badly").intent == Intent.CREATE_TASK


def test_readings_need_a_unit_or_a_known_measurement_word() -> None:
    readings, _ = find_readings("Viper gas check: LEL 0, H2S 0")
    assert readings == []


def test_a_second_question_form_does_not_name_the_sender(parse: Parse) -> None:
    result = parse("got anything due today?")
    assert result.intent == Intent.QUERY_TASKS
    assert result.assignee is None and result.query is not None and result.query.assignee is None


def test_stacked_quantities_stay_in_the_item_name(parse: Parse) -> None:
    result = parse("add one 5 gal bucket of hydraulic oil to the tool inventory")
    assert [i.name for i in result.items] == ["5 gal bucket of hydraulic oil"]


def test_a_lower_case_contractor_word_inside_a_capitalised_message_is_not_read(
    parse: Parse,
) -> None:
    assert parse("the kessler quote is in, Colin check it").contractor is None
    assert parse("the Kessler quote is in, Colin check it").contractor == "Kessler Mechanical"
