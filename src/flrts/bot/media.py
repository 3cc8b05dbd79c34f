"""Photos, documents, albums, locations and venues from Telegram: the files come through the Bot
API (`getFile`, then the file download URL on the client's base URL) and go to
`flrts.capture.media` like any channel's."""

from __future__ import annotations

import logging
import mimetypes

from flrts.capture import media as capture_media
from flrts.capture.attached import Incoming
from flrts.capture.confirm import can_capture
from flrts.capture.media import Received, card_of, locate, receive
from flrts.capture.replies import Reply
from flrts.capture.session import Conversation
from flrts.core.attachments import UploadRefused, clean_name, human_size, max_file_size
from flrts.telegram import outbound
from flrts.telegram.config import bot_settings, get_client
from flrts.telegram.errors import ResponseTooLarge, TelegramError
from flrts.telegram.types import Message

log = logging.getLogger("flrts.telegram")

CLOUD_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # the cloud Bot API serves bots files up to 20 MB


def has_media(message: Message) -> bool:
    return bool(message.photo or message.document)


def said(message: Message) -> str:
    """The message as a line of the stored conversation."""
    if message.venue is not None:
        return f"📍 {message.venue.title}"
    if message.location is not None:
        return f"📍 {message.location.latitude:.5f}, {message.location.longitude:.5f}"
    return capture_media.said(message.caption or "", 1)


def has_place(message: Message) -> bool:
    return message.location is not None or message.venue is not None


class _TooBig(Exception):
    pass


def _wanted(message: Message) -> tuple[str, str, int | None, str]:
    """(file_id, file name, announced size, content type) of the message's file."""
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return (
            largest.file_id,
            f"photo-{largest.file_unique_id}.jpg",
            largest.file_size,
            "image/jpeg",
        )
    document = message.document
    assert document is not None
    name = clean_name(document.file_name or "")
    if name == "file":
        name = "document" + (mimetypes.guess_extension(document.mime_type or "") or "")
    return (
        document.file_id,
        name,
        document.file_size,
        document.mime_type or "application/octet-stream",
    )


def _download(message: Message) -> Incoming:
    file_id, name, announced, content_type = _wanted(message)
    limit = min(max_file_size(), CLOUD_DOWNLOAD_LIMIT)
    if announced is not None and announced > max_file_size():
        raise _TooBig(_too_big_text(name, announced))
    client = get_client(bot_settings())
    file = client.get_file(file_id)
    if file.file_size is not None and file.file_size > max_file_size():
        raise _TooBig(_too_big_text(name, file.file_size))
    try:
        content = client.download_file(file, max_bytes=limit)
    except ResponseTooLarge:
        raise _TooBig(_too_big_text(name, None)) from None
    return Incoming(name, content, content_type)


def _too_big_text(name: str, size: int | None) -> str:
    limit = human_size(max_file_size())
    size_text = f" is {human_size(size)};" if size is not None else " is too large;"
    return f"📎 {name}{size_text} the limit is {limit}. Nothing was saved."


def handle_media(conv: Conversation, message: Message) -> list[Reply]:
    if not bot_settings().configured:
        return [Reply("📎 I can't download files: telegram_bot_token is not configured.")]
    if not can_capture(conv.user):  # asked again by `receive`; here it saves the download
        return receive(conv, [], message.caption or "").replies
    try:
        incoming = _download(message)
    except _TooBig as exc:
        return [Reply(str(exc), kind="error")]
    except TelegramError as exc:
        log.warning("file download failed: %s", exc)
        return [Reply("📎 I couldn't download that file from Telegram. Please send it again.")]
    try:
        received = receive(conv, [incoming], message.caption or "", message.media_group_id)
    except UploadRefused as exc:
        return [Reply(f"📎 {exc} Nothing was saved.", kind="error")]
    _update_joined_card(conv, received)
    return received.replies


def _update_joined_card(conv: Conversation, received: Received) -> None:
    """An album item joined a card already shown: edit that card to count it."""
    if received.joined is None or conv.telegram_chat_id is None:
        return
    found = card_of(conv, received.joined)
    if found is None:
        return
    proposal, reply = found
    if proposal.card_message_id:
        outbound.edit_text(
            conv.telegram_chat_id, proposal.card_message_id, reply.text, reply.buttons or None
        )


def handle_place(conv: Conversation, message: Message) -> list[Reply]:
    if message.venue is not None:
        point = message.venue.location
        return locate(conv, point.latitude, point.longitude, message.venue.title)
    assert message.location is not None
    return locate(conv, message.location.latitude, message.location.longitude)
