"""Each client method against the fake Bot API over real HTTP."""

from __future__ import annotations

import pytest

from flrts.telegram.client import BotClient
from flrts.telegram.errors import BadRequest, MessageNotModified, TelegramError, Unauthorized
from flrts.telegram.types import BotCommand, InlineKeyboardMarkup
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram_client.conftest import MakeClient

CONFIRM = InlineKeyboardMarkup.from_rows([[("✅ Confirm", "confirm:1"), ("❌ Cancel", "cancel:1")]])


def test_get_me_returns_the_bot(client: BotClient, fake_telegram: FakeTelegram) -> None:
    me = client.get_me()

    assert me.is_bot and me.username == "flrts_test_bot"
    assert me.id == int(fake_telegram.token.split(":")[0])


def test_send_message_posts_json_and_returns_the_message(
    client: BotClient, fake_telegram: FakeTelegram
) -> None:
    [sent] = client.send_message(
        42, "Pump check at Viper", reply_markup=CONFIRM, disable_notification=True
    )

    assert sent.chat.id == 42 and sent.text == "Pump check at Viper"
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "confirm:1"
    [call] = fake_telegram.calls("sendMessage")
    assert call.params["chat_id"] == 42
    assert call.params["disable_notification"] is True
    assert "parse_mode" not in call.params  # None values are not sent
    assert fake_telegram.sent_texts(42) == ["Pump check at Viper"]


def test_message_ids_grow_per_chat(client: BotClient) -> None:
    first = client.send_message(1, "a")[0].message_id
    second = client.send_message(1, "b")[0].message_id
    other = client.send_message(2, "c")[0].message_id

    assert second == first + 1
    assert other == 1


def test_reply_to_and_parse_mode_are_sent(client: BotClient, fake_telegram: FakeTelegram) -> None:
    original = client.send_message(42, "card")[0]

    [reply] = client.send_message(
        42, "<b>Saved</b> TASK-1", parse_mode="HTML", reply_to_message_id=original.message_id
    )

    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == original.message_id
    assert fake_telegram.calls("sendMessage")[-1].params["parse_mode"] == "HTML"


def test_markup_mistakes_come_back_as_bad_request(client: BotClient) -> None:
    with pytest.raises(BadRequest, match="reserved") as caught:
        client.send_message(42, "Task TASK-2026-00001 saved.", parse_mode="MarkdownV2")

    assert caught.value.permanent and caught.value.kind == "bad_request"


def test_edit_message_text_and_reply_markup(client: BotClient, fake_telegram: FakeTelegram) -> None:
    card = client.send_message(42, "CREATE TASK (v1)", reply_markup=CONFIRM)[0]

    edited = client.edit_message_text(42, card.message_id, "CREATE TASK (v2)", reply_markup=CONFIRM)
    assert edited.text == "CREATE TASK (v2)" and edited.edit_date is not None

    cleared = client.edit_message_reply_markup(42, card.message_id, None)
    assert cleared.reply_markup is None
    current = fake_telegram.message(42, card.message_id)
    assert current is not None and current["text"] == "CREATE TASK (v2)"
    assert "reply_markup" not in current


def test_an_identical_edit_is_message_not_modified(client: BotClient) -> None:
    card = client.send_message(42, "same")[0]

    with pytest.raises(MessageNotModified) as caught:
        client.edit_message_text(42, card.message_id, "same")

    assert caught.value.kind == "not_modified" and caught.value.permanent


def test_editing_an_unknown_message_is_a_bad_request(client: BotClient) -> None:
    with pytest.raises(BadRequest, match="message to edit not found"):
        client.edit_message_text(42, 999, "x")


def test_delete_message(client: BotClient, fake_telegram: FakeTelegram) -> None:
    sent = client.send_message(42, "oops")[0]

    assert client.delete_message(42, sent.message_id) is True
    assert fake_telegram.message(42, sent.message_id) is None


def test_answer_callback_query_cuts_long_text(
    client: BotClient, fake_telegram: FakeTelegram
) -> None:
    assert client.answer_callback_query("cb-1", "x" * 300, show_alert=True) is True

    [answer] = fake_telegram.callback_answers()
    assert answer["callback_query_id"] == "cb-1"
    assert len(answer["text"]) == 200 and answer["show_alert"] is True


def test_send_chat_action(client: BotClient, fake_telegram: FakeTelegram) -> None:
    assert client.send_chat_action(42) is True
    assert fake_telegram.calls("sendChatAction")[0].params["action"] == "typing"


def test_send_document_uploads_multipart(client: BotClient, fake_telegram: FakeTelegram) -> None:
    message = client.send_document(
        42,
        b"%PDF-1.7 report",
        "daily-report.pdf",
        caption="Daily report",
        mime_type="application/pdf",
    )

    assert message.document is not None and message.document.file_name == "daily-report.pdf"
    assert message.caption == "Daily report"
    [document] = fake_telegram.documents(42)
    assert document.content == b"%PDF-1.7 report" and document.mime_type == "application/pdf"
    [call] = fake_telegram.calls("sendDocument")
    assert call.params["chat_id"] == 42  # a multipart string field, read back as the API does
    assert call.files["document"].filename == "daily-report.pdf"


def test_get_file_and_download(client: BotClient, fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_file("voice-1", b"OggS\x00voice", "voice/file_7.oga")

    file = client.get_file("voice-1")

    assert file.file_path == "voice/file_7.oga" and file.file_size == 10
    assert client.download_file(file) == b"OggS\x00voice"
    assert fake_telegram.calls("file")[0].params["file_path"] == "voice/file_7.oga"


def test_a_sent_document_can_be_fetched_back(client: BotClient) -> None:
    message = client.send_document(42, b"abc", "a.txt")
    assert message.document is not None

    assert client.download_file(client.get_file(message.document.file_id)) == b"abc"


def test_unknown_file_id_is_a_bad_request(client: BotClient) -> None:
    with pytest.raises(BadRequest, match="invalid file_id"):
        client.get_file("nope")


def test_download_refuses_files_over_the_limit(
    client: BotClient, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.add_file("big", b"x" * 1000, "documents/big.bin")

    with pytest.raises(TelegramError, match="exceeds") as caught:
        client.download_file("documents/big.bin", max_bytes=100)

    assert caught.value.kind == "too_large" and caught.value.permanent


def test_webhook_set_info_delete(client: BotClient, fake_telegram: FakeTelegram) -> None:
    assert client.set_webhook(
        "https://flrts.example/telegram/webhook",
        secret_token="s3cret_-token",
        allowed_updates=["message", "callback_query"],
        max_connections=40,
        drop_pending_updates=True,
    )

    info = client.get_webhook_info()
    assert info.url == "https://flrts.example/telegram/webhook"
    assert info.allowed_updates == ["message", "callback_query"]
    assert info.max_connections == 40 and info.pending_update_count == 0
    assert fake_telegram.webhook_secret == "s3cret_-token"

    assert client.delete_webhook() is True
    assert client.get_webhook_info().url == ""


def test_a_secret_with_unallowed_characters_is_refused(client: BotClient) -> None:
    with pytest.raises(BadRequest, match="secret token"):
        client.set_webhook("https://flrts.example/hook", secret_token="no spaces!")


def test_set_and_get_my_commands(client: BotClient, fake_telegram: FakeTelegram) -> None:
    assert client.set_my_commands(
        [("start", "Link your account"), BotCommand(command="help", description="Help")]
    )

    assert [c.command for c in client.get_my_commands()] == ["start", "help"]
    assert fake_telegram.commands[0] == {"command": "start", "description": "Link your account"}


def test_an_unknown_token_is_unauthorized(make_client: MakeClient) -> None:
    client = make_client("999:wrong-token-value")

    with pytest.raises(Unauthorized) as caught:
        client.get_me()

    assert caught.value.permanent and caught.value.kind == "unauthorized"
    assert caught.value.status == 401
