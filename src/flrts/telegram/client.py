"""`BotClient`: the typed Bot API calls FLRTS makes.

Every method returns parsed models (or `True` where Telegram does) and raises a `TelegramError`
subclass on failure; `permanent` says whether a retry could help. Sends are paced per chat and
long texts are split. Keep one client per process: its rate limiter and connection pool are
per instance.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from flrts.telegram.api import DEFAULT_API_URL, DOWNLOAD_LIMIT, BotApi, RetryPolicy
from flrts.telegram.errors import InvalidResponse, mask_token
from flrts.telegram.ratelimit import ChatId, ChatRateLimiter
from flrts.telegram.splitting import CAPTION_LIMIT, MESSAGE_LIMIT, split_text, utf16_len
from flrts.telegram.types import (
    BotCommand,
    File,
    InlineKeyboardMarkup,
    Message,
    Update,
    UpdateParseError,
    User,
    WebhookInfo,
    parse_update,
)

__all__ = ["DEFAULT_API_URL", "BotClient", "ReplyMarkup", "RetryPolicy"]

M = TypeVar("M", bound=BaseModel)

# An inline keyboard as a model or as the Bot API's own dict ({"inline_keyboard": [[...]]}).
ReplyMarkup = InlineKeyboardMarkup | Mapping[str, Any]

_COMMANDS = TypeAdapter(list[BotCommand])


class BotClient:
    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rate_limiter: ChatRateLimiter | None = None,
    ) -> None:
        self._api = BotApi(
            token, api_url, timeout=timeout, transport=transport, retry=retry, sleep=sleep
        )
        self._masked_token = mask_token(token)
        self.rate_limiter = rate_limiter or ChatRateLimiter(sleep=sleep)

    def __repr__(self) -> str:
        return f"BotClient(api_url={self._api.api_url!r}, token={self._masked_token!r})"

    def __enter__(self) -> BotClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._api.close()

    # --- messages -------------------------------------------------------------------------

    def send_message(
        self,
        chat_id: ChatId,
        text: str,
        *,
        reply_markup: ReplyMarkup | None = None,
        parse_mode: str | None = None,
        reply_to_message_id: int | None = None,
        disable_notification: bool = False,
        disable_link_preview: bool = False,
    ) -> list[Message]:
        """Send `text`, split into several messages when longer than 4,096 characters.

        Buttons go on the last part (so they sit under the whole text) and the reply reference
        on the first. Returns every message sent, in order. With `parse_mode`, split points are
        chosen in the raw text; keep markup inside paragraphs so no tag spans a split.
        """
        parts = split_text(text, MESSAGE_LIMIT)
        sent: list[Message] = []
        for index, part in enumerate(parts):
            is_first, is_last = index == 0, index == len(parts) - 1
            params: dict[str, Any] = {
                "chat_id": chat_id,
                "text": part,
                "parse_mode": parse_mode,
                "reply_markup": _markup(reply_markup) if is_last else None,
                "disable_notification": disable_notification or None,
            }
            if is_first and reply_to_message_id is not None:
                # reply_parameters replaced reply_to_message_id in Bot API 7.0; a deleted
                # original should not make the answer fail.
                params["reply_parameters"] = {
                    "message_id": reply_to_message_id,
                    "allow_sending_without_reply": True,
                }
            if disable_link_preview:
                params["link_preview_options"] = {"is_disabled": True}
            self.rate_limiter.wait(chat_id)
            sent.append(self._typed(Message, "sendMessage", self._api.call("sendMessage", params)))
        return sent

    def edit_message_text(
        self,
        chat_id: ChatId,
        message_id: int,
        text: str,
        *,
        reply_markup: ReplyMarkup | None = None,
        parse_mode: str | None = None,
    ) -> Message:
        """Replace a message's text (and buttons: omitting `reply_markup` removes them)."""
        _check_length(text, MESSAGE_LIMIT, "text")
        params = {
            "chat_id": chat_id,
            "message_id": message_id,
            "text": text,
            "parse_mode": parse_mode,
            "reply_markup": _markup(reply_markup),
        }
        return self._typed(Message, "editMessageText", self._api.call("editMessageText", params))

    def edit_message_reply_markup(
        self, chat_id: ChatId, message_id: int, reply_markup: ReplyMarkup | None = None
    ) -> Message:
        """Replace a message's buttons; `None` removes them (e.g. after Confirm was pressed)."""
        params = {
            "chat_id": chat_id,
            "message_id": message_id,
            "reply_markup": _markup(reply_markup),
        }
        result = self._api.call("editMessageReplyMarkup", params)
        return self._typed(Message, "editMessageReplyMarkup", result)

    def delete_message(self, chat_id: ChatId, message_id: int) -> bool:
        return bool(self._api.call("deleteMessage", {"chat_id": chat_id, "message_id": message_id}))

    def answer_callback_query(
        self,
        callback_query_id: str,
        text: str | None = None,
        *,
        show_alert: bool = False,
        cache_time: int | None = None,
    ) -> bool:
        """Stop the button's spinner; `text` (cut to 200 characters) shows as a toast or alert."""
        params = {
            "callback_query_id": callback_query_id,
            "text": text[:200] if text else None,
            "show_alert": show_alert or None,
            "cache_time": cache_time,
        }
        return bool(self._api.call("answerCallbackQuery", params))

    def send_chat_action(self, chat_id: ChatId, action: str = "typing") -> bool:
        return bool(self._api.call("sendChatAction", {"chat_id": chat_id, "action": action}))

    def send_document(
        self,
        chat_id: ChatId,
        document: bytes,
        filename: str,
        *,
        caption: str | None = None,
        parse_mode: str | None = None,
        mime_type: str = "application/octet-stream",
        reply_markup: ReplyMarkup | None = None,
        disable_notification: bool = False,
    ) -> Message:
        """Upload `document` as a file named `filename` (multipart, like the Bot API expects)."""
        if caption is not None:
            _check_length(caption, CAPTION_LIMIT, "caption")
        params = {
            "chat_id": chat_id,
            "caption": caption,
            "parse_mode": parse_mode,
            "reply_markup": _markup(reply_markup),
            "disable_notification": disable_notification or None,
        }
        files = {"document": (filename, document, mime_type)}
        self.rate_limiter.wait(chat_id)
        result = self._api.call("sendDocument", params, files=files)
        return self._typed(Message, "sendDocument", result)

    # --- files ----------------------------------------------------------------------------

    def get_file(self, file_id: str) -> File:
        return self._typed(File, "getFile", self._api.call("getFile", {"file_id": file_id}))

    def download_file(self, file: File | str, *, max_bytes: int = DOWNLOAD_LIMIT) -> bytes:
        """The bytes of a file from `get_file` (or its `file_path`)."""
        path = file.file_path if isinstance(file, File) else file
        if not path:
            raise ValueError("the file has no file_path; get it with get_file() first")
        return self._api.download(path, max_bytes=max_bytes)

    # --- webhook and polling --------------------------------------------------------------

    def set_webhook(
        self,
        url: str,
        *,
        secret_token: str | None = None,
        allowed_updates: Sequence[str] | None = None,
        max_connections: int | None = None,
        drop_pending_updates: bool = False,
        ip_address: str | None = None,
    ) -> bool:
        params = {
            "url": url,
            "secret_token": secret_token,
            "allowed_updates": list(allowed_updates) if allowed_updates is not None else None,
            "max_connections": max_connections,
            "drop_pending_updates": drop_pending_updates or None,
            "ip_address": ip_address,
        }
        return bool(self._api.call("setWebhook", params))

    def delete_webhook(self, *, drop_pending_updates: bool = False) -> bool:
        params = {"drop_pending_updates": drop_pending_updates or None}
        return bool(self._api.call("deleteWebhook", params))

    def get_webhook_info(self) -> WebhookInfo:
        return self._typed(WebhookInfo, "getWebhookInfo", self._api.call("getWebhookInfo"))

    def get_updates_raw(
        self,
        *,
        offset: int | None = None,
        timeout: int = 0,
        limit: int | None = None,
        allowed_updates: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Long-poll for updates as raw dicts (what a poller should store, like the webhook).

        Pass `offset = last update_id + 1` to confirm everything before it.
        """
        params = {
            "offset": offset,
            "timeout": timeout,
            "limit": limit,
            "allowed_updates": list(allowed_updates) if allowed_updates is not None else None,
        }
        # The server holds the request up to `timeout` seconds; the read timeout must outlast it.
        result = self._api.call("getUpdates", params, extra_read_timeout=float(timeout))
        if not isinstance(result, list) or not all(isinstance(item, dict) for item in result):
            raise InvalidResponse("getUpdates", "result is not a list of updates")
        return result

    def get_updates(
        self,
        *,
        offset: int | None = None,
        timeout: int = 0,
        limit: int | None = None,
        allowed_updates: Sequence[str] | None = None,
    ) -> list[Update]:
        """Like `get_updates_raw`, parsed. An update we cannot parse raises `UpdateParseError`;
        pollers that must never stall should use `get_updates_raw` and parse per item."""
        raw = self.get_updates_raw(
            offset=offset, timeout=timeout, limit=limit, allowed_updates=allowed_updates
        )
        updates: list[Update] = []
        for item in raw:
            try:
                updates.append(parse_update(item))
            except UpdateParseError as exc:
                raise UpdateParseError(f"update {item.get('update_id')}: {exc}") from None
        return updates

    # --- the bot itself -------------------------------------------------------------------

    def get_me(self) -> User:
        return self._typed(User, "getMe", self._api.call("getMe"))

    def set_my_commands(
        self,
        commands: Sequence[BotCommand | tuple[str, str]],
        *,
        scope: Mapping[str, Any] | None = None,
        language_code: str | None = None,
    ) -> bool:
        items = [
            c.model_dump() if isinstance(c, BotCommand) else {"command": c[0], "description": c[1]}
            for c in commands
        ]
        params = {
            "commands": items,
            "scope": dict(scope) if scope else None,
            "language_code": language_code,
        }
        return bool(self._api.call("setMyCommands", params))

    def get_my_commands(self) -> list[BotCommand]:
        result = self._api.call("getMyCommands")
        try:
            return _COMMANDS.validate_python(result)
        except ValidationError:
            raise InvalidResponse("getMyCommands", "unexpected result") from None

    # --- helpers --------------------------------------------------------------------------

    @staticmethod
    def _typed(model: type[M], method: str, result: Any) -> M:
        try:
            return model.model_validate(result)
        except ValidationError as exc:
            # The call succeeded (a message may have been sent), so this must not be retried.
            detail = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                for e in exc.errors(include_input=False, include_url=False)
            )
            raise InvalidResponse(method, f"unexpected result: {detail}") from None


def _markup(markup: ReplyMarkup | None) -> dict[str, Any] | None:
    if markup is None:
        return None
    if isinstance(markup, InlineKeyboardMarkup):
        return markup.model_dump(exclude_none=True)
    return dict(markup)


def _check_length(text: str, limit: int, what: str) -> None:
    if utf16_len(text) > limit:
        raise ValueError(f"{what} is longer than {limit} characters")
