"""Voice notes: getFile + download from the fake, transcription through the OpenAI fake."""

from __future__ import annotations

from typing import Any

import pytest

from flrts.nlp.llm import reset_breakers
from tests.fakes import telegram_updates as tu
from tests.fakes.openai_server import FakeOpenAIServer, Reply, error, transcription

pytestmark = pytest.mark.django_db(transaction=True)

OGG = b"OggS\x00\x02" + bytes(range(200))


def test_voice_without_transcription_says_what_to_configure(bot: Any) -> None:
    bot.send(tu.voice_message(1001))
    text = bot.last_text(1001)
    assert "openai_api_key" in text
    assert bot.fake.calls("getFile") == []


def test_voice_is_transcribed_and_handled_like_text(bot: Any, settings: Any) -> None:
    def responder(request: Any) -> Reply:
        if request.path.endswith("/audio/transcriptions"):
            return transcription("Colin check the pump at Big Sky tomorrow 2pm")
        return error(400, "this fake only transcribes")  # the parse falls back offline

    reset_breakers()
    with FakeOpenAIServer(responder) as openai:
        settings.SITE.config.update(
            {"openai_api_key": "sk-test-0123456789abcdef", "openai_base_url": openai.base_url,
             "openai_max_retries": 0}
        )  # fmt: skip
        bot.fake.add_file("voice-7", OGG, "voice/file_7.oga")
        bot.send(tu.voice_message(1001, file_id="voice-7"))
        [upload] = [r for r in openai.requests if r.path.endswith("/audio/transcriptions")]
        assert upload.files["file"][2] == OGG
    texts = bot.texts(1001)
    assert any("I heard" in t and "Colin check the pump" in t for t in texts)
    card = bot.last_card(1001)
    assert "Colin Aulds" in card["text"]
    assert [c.method for c in bot.fake.calls() if c.method in ("getFile", "file")] == [
        "getFile",
        "file",
    ]
    reset_breakers()
