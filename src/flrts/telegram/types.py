"""Pydantic models of the Bot API objects we read.

Strict about what FLRTS relies on (a message must have an id, a date and a chat; a user an id),
tolerant of everything else: Telegram adds fields every few months, so unknown ones are ignored
rather than rejected. Models are frozen: once parsed at the edge, an update is a fact.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

# The payload keys an update may carry (exactly one per update). Order matters only for
# `update_kind` on malformed input with several keys: the first known one wins.
UPDATE_KINDS: tuple[str, ...] = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)

CALLBACK_DATA_MAX_BYTES = 64


class TelegramObject(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class User(TelegramObject):
    id: int
    is_bot: bool = False
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


class Chat(TelegramObject):
    id: int
    # Kept as a string: Telegram has added chat types before and an unknown one must not make
    # the whole update unreadable.
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    @property
    def is_private(self) -> bool:
        return self.type == "private"


class MessageEntity(TelegramObject):
    type: str
    # Offsets and lengths count UTF-16 code units, not Python characters (see `entity_text`).
    offset: int
    length: int
    url: str | None = None
    user: User | None = None
    language: str | None = None


class PhotoSize(TelegramObject):
    file_id: str
    file_unique_id: str
    width: int
    height: int
    file_size: int | None = None


class Voice(TelegramObject):
    file_id: str
    file_unique_id: str
    duration: int
    mime_type: str | None = None
    file_size: int | None = None


class Audio(TelegramObject):
    file_id: str
    file_unique_id: str
    duration: int
    performer: str | None = None
    title: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    file_size: int | None = None


class Document(TelegramObject):
    file_id: str
    file_unique_id: str
    file_name: str | None = None
    mime_type: str | None = None
    file_size: int | None = None


class File(TelegramObject):
    """The answer to getFile; `file_path` is what `BotClient.download_file` needs."""

    file_id: str
    file_unique_id: str
    file_size: int | None = None
    file_path: str | None = None


class Location(TelegramObject):
    latitude: float
    longitude: float
    horizontal_accuracy: float | None = None


class Venue(TelegramObject):
    location: Location
    title: str
    address: str


class InlineKeyboardButton(TelegramObject):
    text: str
    callback_data: str | None = None
    url: str | None = None

    @field_validator("callback_data")
    @classmethod
    def _callback_data_fits(cls, value: str | None) -> str | None:
        # Telegram rejects the whole message (BUTTON_DATA_INVALID) when any button's data is
        # longer; failing here names the culprit instead.
        if value is not None and not 1 <= len(value.encode()) <= CALLBACK_DATA_MAX_BYTES:
            raise ValueError(f"callback_data must be 1-{CALLBACK_DATA_MAX_BYTES} bytes")
        return value


class InlineKeyboardMarkup(TelegramObject):
    inline_keyboard: list[list[InlineKeyboardButton]]

    @classmethod
    def from_rows(cls, rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
        """Build a keyboard of callback buttons from `[[(text, callback_data), ...], ...]`."""
        return cls(
            inline_keyboard=[
                [InlineKeyboardButton(text=text, callback_data=data) for text, data in row]
                for row in rows
            ]
        )


class Message(TelegramObject):
    message_id: int
    date: dt.datetime  # Unix time on the wire; parsed as an aware UTC datetime.
    chat: Chat
    from_: User | None = Field(default=None, alias="from")  # absent in channel posts
    message_thread_id: int | None = None
    edit_date: dt.datetime | None = None
    text: str | None = None
    caption: str | None = None
    entities: list[MessageEntity] = Field(default_factory=list)
    caption_entities: list[MessageEntity] = Field(default_factory=list)
    voice: Voice | None = None
    audio: Audio | None = None
    document: Document | None = None
    photo: list[PhotoSize] = Field(default_factory=list)
    media_group_id: str | None = None
    location: Location | None = None
    venue: Venue | None = None
    reply_to_message: Message | None = None
    reply_markup: InlineKeyboardMarkup | None = None

    @property
    def text_or_caption(self) -> str:
        return self.text if self.text is not None else (self.caption or "")

    def entity_text(self, entity: MessageEntity) -> str:
        """The slice of the text (or caption) an entity covers, honouring UTF-16 offsets."""
        return _utf16_slice(self.text_or_caption, entity.offset, entity.length)

    @property
    def command(self) -> tuple[str, str] | None:
        """`("/done", "TASK-1")` when the message starts with a bot command, else None.

        The command is lower-cased and stripped of an `@botname` suffix (sent in groups);
        the arguments are the rest of the text, trimmed.
        """
        for entity in self.entities:
            if entity.type == "bot_command" and entity.offset == 0:
                raw = self.entity_text(entity)
                rest = _utf16_slice(self.text or "", entity.length, None)
                return raw.split("@", 1)[0].lower(), rest.strip()
        return None


class ChatMember(TelegramObject):
    status: str  # creator, administrator, member, restricted, left, kicked
    user: User


class ChatMemberUpdated(TelegramObject):
    chat: Chat
    from_: User = Field(alias="from")
    date: dt.datetime
    old_chat_member: ChatMember
    new_chat_member: ChatMember


class CallbackQuery(TelegramObject):
    id: str
    from_: User = Field(alias="from")
    # Older than 48 h messages arrive as "inaccessible" (date 0) but keep chat and message_id,
    # which is all an edit needs; they still parse as Message.
    message: Message | None = None
    inline_message_id: str | None = None
    chat_instance: str
    data: str | None = None


class WebhookInfo(TelegramObject):
    url: str
    has_custom_certificate: bool = False
    pending_update_count: int = 0
    ip_address: str | None = None
    last_error_date: dt.datetime | None = None
    last_error_message: str | None = None
    last_synchronization_error_date: dt.datetime | None = None
    max_connections: int | None = None
    allowed_updates: list[str] | None = None


class BotCommand(TelegramObject):
    command: str
    description: str


class Update(TelegramObject):
    update_id: int
    message: Message | None = None
    edited_message: Message | None = None
    channel_post: Message | None = None
    edited_channel_post: Message | None = None
    callback_query: CallbackQuery | None = None
    my_chat_member: ChatMemberUpdated | None = None
    chat_member: ChatMemberUpdated | None = None

    # The payload key as received, so an update of a kind we do not model still says what it
    # was ("poll", "message_reaction", ...) for the update store.
    _kind: str = PrivateAttr(default="unknown")

    @model_validator(mode="wrap")
    @classmethod
    def _remember_kind(cls, data: Any, handler: Any) -> Update:
        update: Update = handler(data)
        if isinstance(data, Mapping):
            update._kind = _kind_of_mapping(data)
        elif isinstance(data, Update):
            update._kind = data._kind
        return update

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def effective_message(self) -> Message | None:
        """The message this update is about: new, edited, or the one a button was pressed on."""
        if self.callback_query is not None:
            return self.callback_query.message
        return self.message or self.edited_message or self.channel_post or self.edited_channel_post

    @property
    def effective_user(self) -> User | None:
        """Who caused the update (the presser of a button, not the bot that sent its message)."""
        if self.callback_query is not None:
            return self.callback_query.from_
        if self.my_chat_member is not None:
            return self.my_chat_member.from_
        if self.chat_member is not None:
            return self.chat_member.from_
        message = self.message or self.edited_message or self.channel_post
        return message.from_ if message is not None else None

    @property
    def effective_chat(self) -> Chat | None:
        if self.my_chat_member is not None:
            return self.my_chat_member.chat
        if self.chat_member is not None:
            return self.chat_member.chat
        message = self.effective_message
        return message.chat if message is not None else None


class UpdateParseError(ValueError):
    """The body is not JSON, or not an update we can trust (e.g. a message without a chat)."""


def parse_update(raw: bytes | str | Mapping[str, Any]) -> Update:
    """Parse a webhook body or a getUpdates item; raise `UpdateParseError` on anything unusable."""
    try:
        data = json.loads(raw) if isinstance(raw, bytes | str) else raw
    except (ValueError, UnicodeDecodeError) as exc:
        raise UpdateParseError(f"not JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise UpdateParseError("an update must be a JSON object")
    try:
        return Update.model_validate(data)
    except ValidationError as exc:
        raise UpdateParseError(_short_validation_message(exc)) from None


def update_kind(update: Update | Mapping[str, Any]) -> str:
    """The update's payload key ("message", "callback_query", ...) or "unknown"."""
    if isinstance(update, Update):
        return update.kind
    return _kind_of_mapping(update)


def _kind_of_mapping(data: Mapping[str, Any]) -> str:
    for key in UPDATE_KINDS:
        if key in data:
            return key
    # A kind newer than this list: still report its key rather than hide it.
    others = [key for key in data if key != "update_id"]
    return str(others[0]) if others else "unknown"


def _utf16_slice(text: str, offset: int, length: int | None) -> str:
    encoded = text.encode("utf-16-le")
    end = None if length is None else (offset + length) * 2
    return encoded[offset * 2 : end].decode("utf-16-le", errors="replace")


def _short_validation_message(exc: ValidationError) -> str:
    # One line per problem, with the path, and no input values (they may hold user text).
    parts = []
    for error in exc.errors(include_input=False, include_url=False):
        path = ".".join(str(p) for p in error["loc"]) or "update"
        parts.append(f"{path}: {error['msg']}")
    return "; ".join(parts)
