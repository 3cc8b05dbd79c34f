"""Parser Log rules, record() and mark_outcome(), the correction chain and the stored cost."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from flrts.core.context import acting_as
from flrts.core.models import Version
from flrts.nlp.models import ParserLog
from flrts.nlp.types import Intent, ParseResult
from flrts.tasks.models import Task

from .conftest import NOW, Team, llm_outcome, outcome

pytestmark = pytest.mark.django_db


def _log(**fields: object) -> ParserLog:
    values: dict[str, object] = {"original_message": "check the pump", "parser": "offline"}
    values.update(fields)
    return ParserLog(**values)


def _errors(log: ParserLog) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        log.save()
    return caught.value.message_dict


def test_name_follows_the_series() -> None:
    first, second = _log(), _log()
    first.save()
    second.save()
    assert re.fullmatch(r"FLRTS-LOG-\d{4}-00001", first.name)
    assert second.name.endswith("-00002")


@pytest.mark.parametrize("value", [1.5, -0.01, float("nan")])
def test_confidence_must_be_between_0_and_1(value: float) -> None:
    errors = _errors(_log(confidence_score=value))
    assert errors["confidence_score"] == ["Confidence score must be between 0.0 and 1.0"]


@pytest.mark.parametrize("value", [0.0, 1.0, None])
def test_confidence_edges_are_allowed(value: float | None) -> None:
    _log(confidence_score=value).save()


def test_a_correction_needs_its_original() -> None:
    errors = _errors(_log(is_correction=True))
    assert errors["original_log"] == ["Correction logs must reference an original log"]


def test_an_error_needs_a_message() -> None:
    errors = _errors(_log(error_occurred=True, error_type="timeout"))
    assert "error_message" in errors


@pytest.mark.parametrize("field", ["prompt_tokens", "completion_tokens", "total_tokens"])
def test_token_counts_cannot_be_negative(field: str) -> None:
    assert _errors(_log(**{field: -1}))[field] == ["Token counts must be zero or more"]


def test_other_rules() -> None:
    errors = _errors(
        _log(
            channel="fax",
            user_accepted="Maybe",
            correction_attempt_number=0,
            estimated_cost_usd=Decimal("-0.01"),
            created_name="TASK-2026-00001",
        )
    )
    assert set(errors) == {
        "channel",
        "user_accepted",
        "correction_attempt_number",
        "estimated_cost_usd",
        "created_doctype",
    }
    assert "not a DocType" in _errors(_log(created_doctype="Spaceship"))["created_doctype"][0]


def test_total_tokens_filled_and_secrets_masked_on_save() -> None:
    log = _log(
        original_message="reset the router, password: Hunter2Hunter2",
        prompt_tokens=10,
        completion_tokens=5,
        user_feedback="use api_key=supersecret456",
    )
    log.save()
    log.refresh_from_db()
    assert log.total_tokens == 15
    assert "Hunter2Hunter2" not in log.original_message
    assert "supersecret456" not in log.user_feedback


def test_record_offline_outcome(team: Team) -> None:
    log = ParserLog.record(
        outcome(), user=team.joel, telegram_message_id=77, telegram_chat_id=-100123
    )
    log.refresh_from_db()
    assert log.channel == "telegram"
    assert log.user == team.joel
    assert log.telegram_user_id == 1001
    assert (log.telegram_chat_id, log.telegram_message_id) == (-100123, 77)
    assert log.user_timezone == "America/New_York"
    assert log.parser == "offline"
    assert log.model_name == ""
    assert log.intent == Intent.CREATE_TASK
    assert log.confidence_score == pytest.approx(0.85)
    assert log.model_rationale == "named a person, a site and a day"
    assert log.parsed_output["assignee"] == "joel@10nz.tools"
    assert log.parsed_output["due"] == "2026-03-06"
    assert log.response_duration_ms == 3
    assert log.request_timestamp <= log.response_timestamp
    assert log.estimated_cost_usd == Decimal("0")
    assert (log.is_correction, log.correction_attempt_number, log.user_accepted) == (
        False,
        1,
        "Pending",
    )
    assert not log.error_occurred


def test_record_llm_outcome_stores_tokens_and_cost(team: Team) -> None:
    log = ParserLog.record(llm_outcome(), user=team.joel, channel="api")
    log.refresh_from_db()
    assert log.parser == "llm:gpt-4.1-mini"
    assert log.parsed_output["parser"] == "llm:gpt-4.1-mini"
    assert (log.model_name, log.prompt_version) == ("gpt-4.1-mini", "2026-03-01")
    assert (log.prompt_tokens, log.completion_tokens, log.total_tokens) == (245, 89, 334)
    assert log.estimated_cost_usd == Decimal("0.000240")
    assert (log.finish_reason, log.openai_request_id) == ("stop", "req_abc123")
    assert log.request_timestamp == NOW
    assert log.response_duration_ms == 1243
    assert log.llm_duration_ms == 1240
    assert log.system_prompt.startswith("You turn field messages")
    assert log.details["response_model"] == "gpt-4.1-mini-2025-04-14"


def test_cost_keeps_six_places_rounding_half_up(team: Team) -> None:
    log = ParserLog.record(llm_outcome(cost_usd=0.0000015), user=team.joel)
    log.refresh_from_db()
    assert log.estimated_cost_usd == Decimal("0.000002")
    big = ParserLog.record(llm_outcome(cost_usd=12.3456789), user=team.joel)
    big.refresh_from_db()
    assert big.estimated_cost_usd == Decimal("12.345679")


def test_record_a_failed_llm_call_answered_offline(team: Team) -> None:
    failed = llm_outcome(
        parser="offline",
        error_type="rate_limited",
        error_message="429 Too Many Requests",
        error_code="429",
        completion_tokens=0,
        total_tokens=245,
        cost_usd=0.000098,
    )
    log = ParserLog.record(failed, user=team.bryan)
    log.refresh_from_db()
    assert log.parser == "offline"
    assert log.model_name == "gpt-4.1-mini"  # the model that was tried
    assert (log.error_occurred, log.error_type, log.error_code) == (True, "rate_limited", "429")
    assert log.error_message == "429 Too Many Requests"
    assert log.estimated_cost_usd == Decimal("0.000098")


def test_error_without_a_message_uses_the_type(team: Team) -> None:
    log = ParserLog.record(outcome(error_type="not_configured"), user=team.joel)
    assert log.error_occurred and log.error_message == "not_configured"


def test_long_values_are_clipped_for_strict_databases(team: Team) -> None:
    log = ParserLog.record(
        llm_outcome(model="m" * 300, error_type="e" * 300, error_message="x", error_code="9" * 80),
        user=team.joel,
    )
    log.refresh_from_db()
    assert len(log.model_name) == 100
    assert len(log.error_type) == 100
    assert len(log.error_code) == 50


def test_record_without_a_user(db: None) -> None:
    log = ParserLog.record(outcome(), channel="cli")
    assert log.user is None and log.telegram_user_id is None and log.user_timezone == ""


def test_correction_chain(team: Team) -> None:
    first = ParserLog.record(outcome(), user=team.joel, telegram_message_id=1)
    corrected = ParseResult(intent=Intent.CREATE_TASK, subject="Check compressor", confidence=0.95)
    second = ParserLog.record(
        outcome(result=corrected),
        user=team.joel,
        telegram_message_id=2,
        original_log=first,
        feedback="No, I meant tomorrow MORNING, and it's URGENT",
    )
    first.refresh_from_db()
    assert second.is_correction and second.original_log == first
    assert second.correction_attempt_number == 2
    assert second.correction_user_feedback.startswith("No, I meant")
    # The user corrected the first parse, so it was not accepted.
    assert first.user_accepted == "Rejected"
    assert first.user_feedback.startswith("No, I meant")
    assert first.user_response_timestamp is not None

    third = ParserLog.record(outcome(), user=team.joel, original_log=second, feedback="and Viper")
    assert third.correction_attempt_number == 3 and third.original_log == second
    assert list(first.corrections.all()) == [second]

    task = Task.objects.create(subject="Check compressor")
    with acting_as(team.joel):
        third.mark_outcome("Accepted", record=task, feedback="Perfect!")
    third.refresh_from_db()
    assert third.user_accepted == "Accepted"
    assert (third.created_doctype, third.created_name) == ("Task", task.name)
    assert third.user_feedback == "Perfect!"
    assert third.user_response_timestamp is not None
    changed = Version.objects.get(ref_doctype="Parser Log", docname=third.name).data["changed"]
    assert ["user_accepted", "Pending", "Accepted"] in changed


def test_a_decided_original_keeps_its_outcome(team: Team) -> None:
    first = ParserLog.record(outcome(), user=team.joel)
    first.mark_outcome("accepted")
    ParserLog.record(outcome(), user=team.joel, original_log=first, feedback="actually no")
    first.refresh_from_db()
    assert first.user_accepted == "Accepted"


def test_feedback_secrets_are_masked(team: Team) -> None:
    first = ParserLog.record(outcome(), user=team.joel)
    second = ParserLog.record(
        outcome(), user=team.joel, original_log=first, feedback="the wifi password: Tr0ub4dor&3"
    )
    first.refresh_from_db()
    assert "Tr0ub4dor&3" not in second.correction_user_feedback
    assert "Tr0ub4dor&3" not in first.user_feedback


@pytest.mark.parametrize("value", ["Pending", "maybe", ""])
def test_mark_outcome_refuses_other_answers(team: Team, value: str) -> None:
    log = ParserLog.record(outcome(), user=team.joel)
    with pytest.raises(ValueError, match="Accepted or Rejected"):
        log.mark_outcome(value)


def test_mark_outcome_needs_a_saved_record(team: Team) -> None:
    log = ParserLog.record(outcome(), user=team.joel)
    with pytest.raises(ValueError, match="saved document"):
        log.mark_outcome("Accepted", record=Task(subject="unsaved"))


def test_a_correction_outlives_its_purged_original(team: Team) -> None:
    first = ParserLog.record(outcome(), user=team.joel)
    second = ParserLog.record(outcome(), user=team.joel, original_log=first, feedback="no")
    first.delete()
    second.refresh_from_db()
    assert second.original_log is None and second.is_correction
    second.mark_outcome("Rejected")  # still saves
    second.original_log = None
    second.is_correction = True
    second.save()


def test_clearing_the_original_of_a_correction_is_refused(team: Team) -> None:
    first = ParserLog.record(outcome(), user=team.joel)
    second = ParserLog.record(outcome(), user=team.joel, original_log=first, feedback="no")
    second.refresh_from_db()
    second.original_log = None
    with pytest.raises(ValidationError):
        second.save()
