"""Voice notes through the same client: POST /v1/audio/transcriptions (multipart)."""

from __future__ import annotations

import pytest
from tests.fakes.openai_server import error, transcription
from tests.nlp_llm.support import API_KEY

from flrts.nlp.llm import LLMError, transcribe

OGG = b"OggS\x00\x02" + bytes(range(64))


def test_transcribe_sends_the_audio_and_returns_text(server, config) -> None:
    text = transcribe(OGG, "voice.ogg", "audio/ogg", config)

    assert text == "Check the generator at Viper tomorrow"
    [request] = server.requests
    assert request.method == "POST" and request.path == "/v1/audio/transcriptions"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.form["model"] == "whisper-1"
    assert request.form["response_format"] == "json"
    filename, _mime, data = request.files["file"]
    assert filename == "voice.ogg" and data == OGG


def test_transcription_model_is_configurable(server, make_config) -> None:
    server.queue(transcription("  done with the compressor  "))
    config = make_config(openai_transcription_model="gpt-4o-mini-transcribe")
    assert transcribe(OGG, "v.ogg", "audio/ogg", config) == "done with the compressor"
    assert server.requests[0].form["model"] == "gpt-4o-mini-transcribe"


def test_transcription_errors_are_llm_errors(server, make_config) -> None:
    server.queue(error(500, "boom"), error(401, f"bad key {API_KEY}"))
    config = make_config(openai_max_retries=0)
    with pytest.raises(LLMError) as info:
        transcribe(OGG, "v.ogg", "audio/ogg", config)
    assert info.value.kind == "server_error" and info.value.transient
    with pytest.raises(LLMError) as info:
        transcribe(OGG, "v.ogg", "audio/ogg", config)
    assert info.value.kind == "auth" and API_KEY not in str(info.value)


def test_transcription_without_key(make_config) -> None:
    with pytest.raises(LLMError) as info:
        transcribe(OGG, "v.ogg", "audio/ogg", make_config(openai_api_key=None))
    assert info.value.kind == "not_configured"
