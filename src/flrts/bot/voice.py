"""Voice notes: download through getFile, transcribe through the LLM client's transcription
seam (`flrts.nlp.llm.transcribe`), then handle the text like a typed message."""

from __future__ import annotations

import logging

from flrts.capture import dispatch
from flrts.capture.conversation import Conversation
from flrts.capture.replies import Reply
from flrts.nlp.context import llm_config_from_site
from flrts.nlp.llm import LLMError, transcribe
from flrts.telegram.config import bot_settings, get_client
from flrts.telegram.errors import TelegramError
from flrts.telegram.types import Message

log = logging.getLogger("flrts.telegram")

MAX_VOICE_BYTES = 20 * 1024 * 1024  # what the cloud Bot API lets a bot download

NOT_CONFIGURED = (
    "🎙 I can't listen to voice notes yet: speech-to-text is not configured. An admin can set "
    "`openai_api_key` (and, for a compatible server, `openai_base_url` and "
    "`openai_transcription_model`) in the site config. Please type your message meanwhile."
)


def handle_voice(conv: Conversation, message: Message) -> list[Reply]:
    media = message.voice or message.audio
    assert media is not None
    llm = llm_config_from_site()
    if not llm.configured:
        return [Reply(NOT_CONFIGURED)]
    config = bot_settings()
    if not config.configured:
        return [Reply("🎙 I can't download voice notes: telegram_bot_token is not configured.")]
    if media.file_size and media.file_size > MAX_VOICE_BYTES:
        return [Reply("🎙 That recording is too long for me (over 20 MB). Please type it.")]
    client = get_client(config)
    try:
        client.send_chat_action(message.chat.id, "typing")
        file = client.get_file(media.file_id)
        audio = client.download_file(file, max_bytes=MAX_VOICE_BYTES)
    except TelegramError as exc:
        log.warning("voice download failed: %s", exc)
        return [Reply("🎙 I couldn't download that voice note. Please try again or type it.")]
    mime = media.mime_type or "audio/ogg"
    filename = "voice.ogg" if "ogg" in mime else (getattr(media, "file_name", None) or "audio")
    try:
        text = transcribe(audio, filename, mime, llm).strip()
    except LLMError as exc:
        log.warning("transcription failed: %s", exc.kind)
        return [Reply(f"🎙 I couldn't transcribe that voice note ({exc.kind}). Please type it.")]
    if not text:
        return [Reply("🎙 I couldn't make out any words. Please try again or type it.")]
    return [Reply(f"🎙 I heard: “{text}”"), *dispatch.message(conv, text)]
