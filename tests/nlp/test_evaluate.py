"""The evaluation harness: comparison rules, report shape, predictions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from flrts.nlp.evaluate import (
    context_from_dict,
    evaluate,
    field_matches,
    prediction,
    run_eval,
    same_moment,
    same_recurrence,
)
from flrts.nlp.types import (
    Intent,
    ListItemSpec,
    ParseContext,
    ParseResult,
    QueryFilters,
    ReadingSpec,
    SubTaskSpec,
)
from tests.nlp.conftest import DATA, JOEL

CASE = {"id": "x", "text": "t", "sender": JOEL, "now": "2026-03-04T09:15:00-05:00", "expect": {}}


def test_date_only_due_must_be_a_date() -> None:
    assert same_moment("2026-03-05", dt.date(2026, 3, 5))
    assert not same_moment("2026-03-05", dt.datetime(2026, 3, 5, tzinfo=dt.UTC))


def test_datetime_due_compares_as_an_instant_and_needs_a_zone() -> None:
    chicago = dt.datetime.fromisoformat("2026-03-04T14:00:00-06:00")
    assert same_moment("2026-03-04T15:00:00-05:00", chicago)
    assert not same_moment("2026-03-04T15:00:00-05:00", chicago.replace(tzinfo=None))
    assert same_moment(None, None)
    assert not same_moment(None, dt.date(2026, 3, 5))


def test_recurrences_are_equal_when_their_next_occurrences_are() -> None:
    start = dt.datetime(2026, 3, 4, 9, 15)
    assert same_recurrence(
        "FREQ=WEEKLY;BYDAY=MO;BYHOUR=8;BYMINUTE=0",
        "RRULE:BYDAY=MO;BYHOUR=8;BYMINUTE=0;INTERVAL=1;FREQ=WEEKLY",
        start,
    )
    assert not same_recurrence("FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=TU", start)
    assert not same_recurrence("FREQ=WEEKLY", "not a rule", start)


def test_items_are_order_free_and_case_insensitive(nlp_context: ParseContext) -> None:
    result = ParseResult(
        items=[ListItemSpec(name="Zip ties"), ListItemSpec(name="gloves", quantity=2)]
    )
    assert field_matches("items", ["gloves", "zip ties"], result, CASE, nlp_context)
    assert not field_matches("items", ["gloves"], result, CASE, nlp_context)


def test_me_is_the_sender_and_query_filters_count(nlp_context: ParseContext) -> None:
    assert field_matches("assignee", "me", ParseResult(assignee=JOEL), CASE, nlp_context)
    query = ParseResult(query=QueryFilters(assignee=JOEL, site="Viper"))
    assert field_matches("assignee", "me", query, CASE, nlp_context)
    assert field_matches("site", "viper", query, CASE, nlp_context)


def test_subject_and_task_ref_rules(nlp_context: ParseContext) -> None:
    result = ParseResult(
        subject="Check the compressor at Big Sky", task_ref="compressor at Big Sky"
    )
    assert field_matches("subject_contains", ["COMPRESSOR", "big sky"], result, CASE, nlp_context)
    assert not field_matches("subject_contains", ["pump"], result, CASE, nlp_context)
    assert field_matches("task_ref", "compressor", result, CASE, nlp_context)
    named = ParseResult(task_ref="TASK-2026-00042")
    assert field_matches("task_ref", "task-2026-00042", named, CASE, nlp_context)
    assert not field_matches("task_ref", "TASK-2026-00043", named, CASE, nlp_context)


def test_subtasks_compare_in_order_with_their_assignees(nlp_context: ParseContext) -> None:
    result = ParseResult(
        subtasks=[
            SubTaskSpec(subject="Drain the tank"),
            SubTaskSpec(subject="Replace  the filter.", assignee=JOEL),
        ]
    )
    mine = {"subject": "replace the filter", "assignee": "me"}
    assert field_matches("subtasks", ["drain the tank", mine], result, CASE, nlp_context)
    named = {"subject": "Replace the filter", "assignee": JOEL}
    assert field_matches("subtasks", ["Drain the tank", named], result, CASE, nlp_context)
    # a plain subject means the sub-task has no assignee of its own
    assert not field_matches(
        "subtasks", ["Drain the tank", "Replace the filter"], result, CASE, nlp_context
    )
    assert not field_matches("subtasks", [mine, "Drain the tank"], result, CASE, nlp_context)
    assert not field_matches("subtasks", ["Drain the tank"], result, CASE, nlp_context)
    assert not field_matches("subtasks", [], result, CASE, nlp_context)
    assert field_matches("subtasks", [], ParseResult(), CASE, nlp_context)


def test_subtasks_prediction_lists_subject_and_assignee() -> None:
    case = {**CASE, "expect": {"intent": "create_task", "subtasks": ["Drain the tank"]}}
    result = ParseResult(intent=Intent.CREATE_TASK, subtasks=[SubTaskSpec(subject="Drain it")])
    assert prediction(case, result)["result"]["subtasks"] == [
        {"subject": "Drain it", "assignee": None}
    ]


def test_flagged_compares_the_presence_of_a_review_flag(nlp_context: ParseContext) -> None:
    flagged = ParseResult(flags=["injection"])
    assert field_matches("flagged", True, flagged, CASE, nlp_context)
    assert not field_matches("flagged", False, flagged, CASE, nlp_context)
    assert field_matches("flagged", False, ParseResult(), CASE, nlp_context)
    assert not field_matches("flagged", True, ParseResult(), CASE, nlp_context)


def test_report_summary_and_issues_contain_words(nlp_context: ParseContext) -> None:
    report = ParseResult(summary="Pump 2 serviced", issues="One exit light out")
    assert field_matches("summary_contains", ["pump 2"], report, CASE, nlp_context)
    assert not field_matches("summary_contains", ["light"], report, CASE, nlp_context)
    assert field_matches("issues_contains", ["exit light"], report, CASE, nlp_context)
    # [] means the report must carry no issues at all
    assert not field_matches("issues_contains", [], report, CASE, nlp_context)
    assert field_matches("issues_contains", [], ParseResult(summary="ok"), CASE, nlp_context)


def test_readings_pair_up_by_metric_value_and_unit(nlp_context: ParseContext) -> None:
    result = ParseResult(
        readings=[
            ReadingSpec(metric="discharge pressure", value=41, unit="PSI"),
            ReadingSpec(metric="inlet temp", value=78, unit="°F"),
        ]
    )
    want = [
        {"metric": "temp", "value": 78, "unit": "F"},
        {"metric": "pressure", "value": 41.0, "unit": "psi"},
    ]
    assert field_matches("readings", want, result, CASE, nlp_context)
    assert not field_matches("readings", want[:1], result, CASE, nlp_context)  # one left over
    wrong_value = [want[0], {"metric": "pressure", "value": 14, "unit": "psi"}]
    assert not field_matches("readings", wrong_value, result, CASE, nlp_context)
    wrong_unit = [want[0], {"metric": "pressure", "value": 41, "unit": "bar"}]
    assert not field_matches("readings", wrong_unit, result, CASE, nlp_context)
    wrong_metric = [want[0], {"metric": "voltage", "value": 41, "unit": "psi"}]
    assert not field_matches("readings", wrong_metric, result, CASE, nlp_context)
    assert field_matches("readings", [], ParseResult(), CASE, nlp_context)


def test_report_fields_appear_in_the_prediction_line() -> None:
    case = {
        **CASE,
        "expect": {"intent": "create_field_report", "summary_contains": ["pump"], "flagged": False},
    }
    result = ParseResult(intent=Intent.CREATE_FIELD_REPORT, summary="Pump ok", flags=[])
    assert prediction(case, result)["result"] == {
        "intent": "create_field_report",
        "summary": "Pump ok",
        "flagged": False,
    }


def test_list_names_ignore_case_and_a_trailing_list(nlp_context: ParseContext) -> None:
    result = ParseResult(list_name="Viper Shopping")
    assert field_matches("list", "viper shopping list", result, CASE, nlp_context)


def test_refused_input_counts_as_unknown_with_a_question(nlp_context: ParseContext) -> None:
    cases = [
        {**CASE, "id": "empty", "text": "  ", "expect": {"intent": "unknown", "clarify": True}},
        {
            **CASE,
            "id": "long",
            "text": "A" * 1500,
            "expect": {"intent": "unknown", "clarify": True},
        },
    ]
    report, _ = evaluate(cases, nlp_context)
    assert report["intent_accuracy"] == 1.0
    assert report["exact_match"] == 1.0


def test_a_field_counts_only_where_the_case_specifies_it(nlp_context: ParseContext) -> None:
    cases = [
        {
            **CASE,
            "id": "a",
            "text": "Colin check pump at Big Sky",
            "expect": {"intent": "create_task", "site": "Big Sky"},
        },
        {**CASE, "id": "b", "text": "help", "expect": {"intent": "help"}},
    ]
    report, _ = evaluate(cases, nlp_context)
    assert set(report["field_accuracy"]) == {"site"}
    assert report["cases"] == 2


def test_failures_name_the_case_field_and_values(nlp_context: ParseContext) -> None:
    cases = [
        {
            **CASE,
            "id": "bad",
            "text": "Colin check pump at Big Sky",
            "expect": {"intent": "help", "site": "Viper"},
        }
    ]
    report, _ = evaluate(cases, nlp_context)
    assert report["exact_match"] == 0.0
    assert {"id": "bad", "field": "intent", "expected": "help", "got": "create_task"} in report[
        "failures"
    ]
    assert {"id": "bad", "field": "site", "expected": "Viper", "got": "Big Sky"} in report[
        "failures"
    ]


def test_prediction_line_carries_every_expect_key() -> None:
    case = {
        **CASE,
        "expect": {"intent": "create_task", "due": "2026-03-05", "subject_contains": ["pump"]},
    }
    result = ParseResult(intent=Intent.CREATE_TASK, subject="Check pump", due=dt.date(2026, 3, 5))
    assert prediction(case, result) == {
        "id": "x",
        "result": {"intent": "create_task", "due": "2026-03-05", "subject": "Check pump"},
    }


def test_run_eval_writes_predictions_and_returns_json_ready_report(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        json.dumps(
            {
                **CASE,
                "text": "Colin needs to fix the router tomorrow",
                "expect": {"intent": "create_task", "due": "2026-03-05"},
            }
        )
        + "\n"
    )
    out = tmp_path / "p.jsonl"
    report = run_eval(corpus, DATA / "context.json", predictions_path=out)
    json.dumps(report)  # must serialise
    assert report["cases"] == 1
    assert set(report["latency_ms"]) == {"p50", "p99", "max"}
    line = json.loads(out.read_text().splitlines()[0])
    assert line == {"id": "x", "result": {"intent": "create_task", "due": "2026-03-05"}}


def test_context_from_dict_reads_the_context_format() -> None:
    ctx = context_from_dict(json.loads((DATA / "context.json").read_text()))
    assert ctx.person(JOEL) is not None
    assert {s.name for s in ctx.sites} >= {"Big Sky", "Viper", "Crystal Peak", "Thunder Ridge"}


def test_pending_case_key_sets_the_pending_proposal(nlp_context: ParseContext) -> None:
    case = {
        **CASE,
        "text": "no, it's for Taylor",
        "pending": {
            "intent": "create_task",
            "subject": "Fix fan",
            "assignee": JOEL,
            "due": "2026-03-05",
        },
        "expect": {"intent": "create_task", "assignee": "taylor@10nz.tools", "due": "2026-03-05"},
    }
    report, _ = evaluate([case], nlp_context)
    assert report["exact_match"] == 1.0
