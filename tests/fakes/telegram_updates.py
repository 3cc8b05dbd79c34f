"""Builders of Telegram updates for tests: real Bot API JSON dicts, as Telegram would POST them.

Each builder returns a plain dict (feed it to the webhook, `FakeTelegram.deliver` or
`FakeTelegram.push_update`). Ids come from process-wide counters unless given, so two updates
never collide; pass `update_id=` to test duplicate delivery.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

_update_ids = itertools.count(100_000)
_message_ids = itertools.count(50_000)
_callback_ids = itertools.count(7_000_000)

DEFAULT_FIRST_NAME = "Ann"
BOT_USER: dict[str, Any] = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "FLRTS Test Bot",
    "username": "flrts_test_bot",
}


def next_update_id() -> int:
    return next(_update_ids)


def next_message_id() -> int:
    return next(_message_ids)


def user(
    user_id: int,
    *,
    username: str | None = None,
    first_name: str = DEFAULT_FIRST_NAME,
    last_name: str | None = None,
    language_code: str | None = "en",
) -> dict[str, Any]:
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if last_name:
        data["last_name"] = last_name
    if username:
        data["username"] = username
    if language_code:
        data["language_code"] = language_code
    return data


def chat_for(sender: dict[str, Any], chat_id: int | None = None) -> dict[str, Any]:
    """The private chat with `sender`, or a group when `chat_id` is negative."""
    if chat_id is None or chat_id == sender["id"]:
        chat = {"id": sender["id"], "type": "private", "first_name": sender["first_name"]}
        if "username" in sender:
            chat["username"] = sender["username"]
        return chat
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "type": kind, "title": "Field crew"}


def message_update(
    user_id: int,
    *,
    chat_id: int | None = None,
    update_id: int | None = None,
    message_id: int | None = None,
    date: int | None = None,
    username: str | None = None,
    first_name: str = DEFAULT_FIRST_NAME,
    kind: str = "message",
    **content: Any,
) -> dict[str, Any]:
    """An update carrying one message with arbitrary `content` (text, voice, document, ...)."""
    sender = user(user_id, username=username, first_name=first_name)
    message: dict[str, Any] = {
        "message_id": message_id if message_id is not None else next_message_id(),
        "from": sender,
        "chat": chat_for(sender, chat_id),
        "date": date if date is not None else int(time.time()),
        **{key: value for key, value in content.items() if value is not None},
    }
    if kind == "edited_message":
        message.setdefault("edit_date", message["date"] + 1)
    return {"update_id": update_id if update_id is not None else next_update_id(), kind: message}


def text_message(
    user_id: int,
    text: str,
    chat_id: int | None = None,
    update_id: int | None = None,
    username: str | None = None,
    first_name: str = DEFAULT_FIRST_NAME,
    *,
    message_id: int | None = None,
    date: int | None = None,
    reply_to_message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return message_update(
        user_id,
        chat_id=chat_id,
        update_id=update_id,
        message_id=message_id,
        date=date,
        username=username,
        first_name=first_name,
        text=text,
        reply_to_message=reply_to_message,
    )


def edited_text_message(
    user_id: int, text: str, message_id: int, chat_id: int | None = None, **kwargs: Any
) -> dict[str, Any]:
    return message_update(
        user_id, chat_id=chat_id, message_id=message_id, kind="edited_message", text=text, **kwargs
    )


def command(
    user_id: int,
    name: str,
    args: str = "",
    chat_id: int | None = None,
    update_id: int | None = None,
    *,
    bot_username: str | None = None,
    username: str | None = None,
    first_name: str = DEFAULT_FIRST_NAME,
) -> dict[str, Any]:
    """`/name args` with Telegram's `bot_command` entity (`/name@bot` when `bot_username`)."""
    word = "/" + name.lstrip("/")
    if bot_username:
        word += "@" + bot_username
    text = f"{word} {args}" if args else word
    entity = {"type": "bot_command", "offset": 0, "length": _utf16_len(word)}
    return message_update(
        user_id,
        chat_id=chat_id,
        update_id=update_id,
        username=username,
        first_name=first_name,
        text=text,
        entities=[entity],
    )


def voice_message(
    user_id: int,
    file_id: str = "voice-file-1",
    duration: int = 3,
    chat_id: int | None = None,
    update_id: int | None = None,
    *,
    file_size: int = 17_746,
    file_unique_id: str | None = None,
    username: str | None = None,
    first_name: str = DEFAULT_FIRST_NAME,
) -> dict[str, Any]:
    """A voice note (OGG/Opus, as Telegram records them); register its bytes with `add_file`."""
    voice = {
        "file_id": file_id,
        "file_unique_id": file_unique_id or f"u-{file_id}",
        "duration": duration,
        "mime_type": "audio/ogg",
        "file_size": file_size,
    }
    return message_update(
        user_id,
        chat_id=chat_id,
        update_id=update_id,
        username=username,
        first_name=first_name,
        voice=voice,
    )


def photo_message(
    user_id: int,
    file_id: str = "photo-file-1",
    caption: str | None = None,
    *,
    file_size: int = 52_000,
    media_group_id: str | None = None,
    chat_id: int | None = None,
    reply_to_message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A photo as Telegram sends it: several sizes of one picture, the largest last (each size
    has its own file_id; register the largest's bytes with `add_file`)."""
    sizes = [
        {"file_id": f"{file_id}-s", "file_unique_id": f"u-{file_id}-s", "width": 90,
         "height": 68, "file_size": 1_200},
        {"file_id": f"{file_id}-m", "file_unique_id": f"u-{file_id}-m", "width": 320,
         "height": 240, "file_size": 14_000},
        {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 1280, "height": 960,
         "file_size": file_size},
    ]  # fmt: skip
    return message_update(
        user_id,
        chat_id=chat_id,
        photo=sizes,
        caption=caption,
        media_group_id=media_group_id,
        reply_to_message=reply_to_message,
    )


def document_message(
    user_id: int,
    file_id: str = "doc-file-1",
    file_name: str = "report.pdf",
    mime_type: str = "application/pdf",
    caption: str | None = None,
    *,
    file_size: int = 20_000,
    media_group_id: str | None = None,
    chat_id: int | None = None,
) -> dict[str, Any]:
    document = {
        "file_id": file_id,
        "file_unique_id": f"u-{file_id}",
        "file_name": file_name,
        "mime_type": mime_type,
        "file_size": file_size,
    }
    return message_update(
        user_id,
        chat_id=chat_id,
        document=document,
        caption=caption,
        media_group_id=media_group_id,
    )


def location_message(
    user_id: int, latitude: float, longitude: float, *, chat_id: int | None = None
) -> dict[str, Any]:
    return message_update(
        user_id, chat_id=chat_id, location={"latitude": latitude, "longitude": longitude}
    )


def venue_message(
    user_id: int,
    latitude: float,
    longitude: float,
    title: str = "Pump house",
    address: str = "County Road 12",
    *,
    chat_id: int | None = None,
) -> dict[str, Any]:
    """A venue carries its location twice, as Telegram sends it (message.location too)."""
    location = {"latitude": latitude, "longitude": longitude}
    return message_update(
        user_id,
        chat_id=chat_id,
        location=location,
        venue={"location": location, "title": title, "address": address},
    )


def callback(
    user_id: int,
    data: str,
    message_id: int,
    chat_id: int | None = None,
    update_id: int | None = None,
    *,
    callback_id: str | None = None,
    message_text: str = "…",
    username: str | None = None,
    first_name: str = DEFAULT_FIRST_NAME,
) -> dict[str, Any]:
    """A button press on the bot's message `message_id` in `chat_id` (the user's chat if None)."""
    sender = user(user_id, username=username, first_name=first_name)
    bot_message = {
        "message_id": message_id,
        "from": BOT_USER,
        "chat": chat_for(sender, chat_id),
        "date": int(time.time()) - 5,
        "text": message_text,
    }
    query = {
        "id": callback_id or str(next(_callback_ids)),
        "from": sender,
        "message": bot_message,
        "chat_instance": f"ci-{chat_id if chat_id is not None else user_id}",
        "data": data,
    }
    return {
        "update_id": update_id if update_id is not None else next_update_id(),
        "callback_query": query,
    }


def my_chat_member(
    user_id: int, status: str = "kicked", update_id: int | None = None
) -> dict[str, Any]:
    """The user blocked (status "kicked") or unblocked ("member") the bot in their private chat."""
    sender = user(user_id)
    old_status = "member" if status == "kicked" else "kicked"
    return {
        "update_id": update_id if update_id is not None else next_update_id(),
        "my_chat_member": {
            "chat": chat_for(sender),
            "from": sender,
            "date": int(time.time()),
            "old_chat_member": {"status": old_status, "user": BOT_USER},
            "new_chat_member": {"status": status, "user": BOT_USER},
        },
    }


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
