"""Parsing updates: strict about what we rely on, tolerant of fields Telegram adds."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from flrts.telegram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    UpdateParseError,
    parse_update,
    update_kind,
)
from tests.fakes import telegram_updates as build

FIXTURE = Path(__file__).parents[1] / "data" / "telegram" / "message_update.json"


def test_the_recorded_update_fixture_parses() -> None:
    update = parse_update(FIXTURE.read_bytes())

    assert update.update_id == 123456789
    assert update.kind == "message"
    assert update.message is not None
    assert update.message.text == "Fix the login bug by Friday"
    assert update.message.date == dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert update.message.chat.is_private
    assert update.effective_user is not None
    assert update.effective_user.username == "johndoe"
    assert update.effective_chat is not None and update.effective_chat.id == 987654321


def test_unknown_fields_are_ignored() -> None:
    data = json.loads(FIXTURE.read_text())
    data["brand_new_field"] = {"x": 1}
    data["message"]["sender_boost_count"] = 3
    data["message"]["from"]["is_premium"] = True

    assert parse_update(data).message is not None


def test_a_message_without_chat_is_rejected() -> None:
    data = json.loads(FIXTURE.read_text())
    del data["message"]["chat"]

    with pytest.raises(UpdateParseError, match=r"message\.chat"):
        parse_update(data)


def test_undecodable_bodies_are_rejected() -> None:
    with pytest.raises(UpdateParseError, match="not JSON"):
        parse_update(b"{not json")
    with pytest.raises(UpdateParseError, match="JSON object"):
        parse_update(b"[1, 2]")
    with pytest.raises(UpdateParseError, match="update_id"):
        parse_update(b"{}")


def test_update_kind_names_even_kinds_we_do_not_model() -> None:
    poll = {"update_id": 5, "poll": {"id": "1"}}
    future = {"update_id": 6, "something_new": {}}

    assert update_kind(poll) == "poll"
    assert parse_update(poll).kind == "poll"
    assert update_kind(parse_update(future)) == "something_new"
    assert update_kind({"update_id": 7}) == "unknown"
    assert update_kind(build.callback(42, "task:done:T-1", message_id=9)) == "callback_query"
    assert update_kind(build.my_chat_member(42)) == "my_chat_member"


def test_kind_survives_revalidation_and_copies() -> None:
    update = parse_update(build.text_message(42, "hi"))

    assert Update.model_validate(update).kind == "message"
    assert update.model_copy().kind == "message"
    assert Update.model_validate_json(json.dumps(build.voice_message(42))).kind == "message"


def test_text_message_builder_makes_a_private_message() -> None:
    update = parse_update(build.text_message(42, "zítra v 9", username="ann", update_id=77))

    assert update.update_id == 77
    assert update.message is not None
    assert update.message.from_ is not None and update.message.from_.id == 42
    assert update.message.chat.id == 42 and update.message.chat.type == "private"


def test_group_messages_carry_the_group_chat() -> None:
    update = parse_update(build.text_message(42, "hello", chat_id=-1001234))

    assert update.effective_chat is not None
    assert update.effective_chat.type == "supergroup"
    assert update.effective_user is not None and update.effective_user.id == 42


def test_command_entity_yields_command_and_arguments() -> None:
    update = parse_update(build.command(42, "done", "TASK-2026-00001"))
    grouped = parse_update(build.command(42, "Start", "CODE1", bot_username="flrts_bot"))

    assert update.message is not None and update.message.command == ("/done", "TASK-2026-00001")
    assert grouped.message is not None and grouped.message.command == ("/start", "CODE1")
    plain = parse_update(build.text_message(42, "/done but no entity"))
    assert plain.message is not None and plain.message.command is None


def test_entity_offsets_count_utf16_units() -> None:
    message = Message.model_validate(
        {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 1, "type": "private"},
            "text": "😀 /done now",
            "entities": [{"type": "bot_command", "offset": 3, "length": 5}],
        }
    )

    assert message.entity_text(message.entities[0]) == "/done"


def test_voice_message_parses_the_voice() -> None:
    update = parse_update(build.voice_message(42, file_id="v-1", duration=4))

    assert update.message is not None and update.message.voice is not None
    assert update.message.voice.file_id == "v-1"
    assert update.message.voice.mime_type == "audio/ogg"
    assert update.message.text_or_caption == ""


def test_callback_query_parses_with_its_message() -> None:
    update = parse_update(build.callback(42, "confirm:7", message_id=9, callback_id="cb-1"))

    query = update.callback_query
    assert query is not None
    assert query.id == "cb-1" and query.data == "confirm:7"
    assert query.from_.id == 42
    assert update.effective_message is not None and update.effective_message.message_id == 9
    assert update.effective_user is not None and update.effective_user.id == 42


def test_edited_message_has_its_edit_date() -> None:
    update = parse_update(build.edited_text_message(42, "fixed", message_id=3))

    assert update.kind == "edited_message"
    assert update.edited_message is not None and update.edited_message.edit_date is not None


def test_callback_data_longer_than_64_bytes_is_refused_when_building_buttons() -> None:
    with pytest.raises(ValidationError):
        InlineKeyboardButton(text="x", callback_data="é" * 33)

    keyboard = InlineKeyboardMarkup.from_rows([[("✅ Confirm", "c:1"), ("❌ Cancel", "x:1")]])
    assert keyboard.inline_keyboard[0][1].callback_data == "x:1"


def test_models_are_frozen() -> None:
    update = parse_update(build.text_message(42, "hi"))

    with pytest.raises(ValidationError):
        update.update_id = 1  # type: ignore[misc]
