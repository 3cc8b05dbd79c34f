"""A fake Telegram Bot API server for tests and benchmarks.

Real HTTP on 127.0.0.1 (stdlib `ThreadingHTTPServer` in a background thread), so the code under
test uses its real client, URLs and encodings: point `telegram_api_url` at `fake.api_url`.

    with FakeTelegram() as fake:
        client = BotClient(fake.token, fake.api_url)
        ...
        fake.wait_for(lambda: fake.sent_messages(chat_id=42))

It answers like the Bot API (`{"ok": true, "result": ...}` or `{"ok": false, "error_code": ...,
"description": ...}`), accepts JSON, form and multipart bodies, checks the token, records every
call in order, validates what Telegram validates (length, button data, markup syntax), keeps
message ids per chat, stores documents, serves files, keeps webhook state and a getUpdates queue,
can be scripted to fail, and can deliver updates to a webhook with the secret header.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import itertools
import json
import re
import socket
import threading
import time
import urllib.parse
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

import httpx
import pytest

from tests.fakes.telegram_updates import BOT_USER
from tests.fakes.telegram_wire import (
    UploadedFile,
    error_body,
    markup_problem,
    parse_params,
    utf16_len,
)

DEFAULT_TOKEN = "123456789:AAE-fake-token-for-FLRTS-tests_0123"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

T = TypeVar("T")

_CHAT_ACTIONS = {"typing", "upload_photo", "upload_document", "record_voice", "upload_voice"}
_CHAT_ACTIONS |= {"record_video", "upload_video", "choose_sticker", "find_location"}
_DEFAULT_FAILURES = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


# --- what the fake records ----------------------------------------------------------------


@dataclass
class RecordedCall:
    method: str  # canonical Bot API name ("sendMessage"), or "file" for a download
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    http_method: str
    status: int = 200
    response: dict[str, Any] | None = None
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return (self.response or {}).get("result")


@dataclass(frozen=True)
class SentDocument:
    chat_id: int
    filename: str
    content: bytes
    mime_type: str
    caption: str | None
    file_id: str


@dataclass(frozen=True)
class Delivery:
    update: dict[str, Any]
    url: str
    status: int
    body: bytes


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None
    disconnect: bool


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes


@dataclass
class _Webhook:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class _ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass(frozen=True)
class _Described:
    """A result that Telegram sends with a `description` (setWebhook, deleteWebhook)."""

    result: Any
    description: str


# --- the server -----------------------------------------------------------------------------


class FakeTelegram:
    """See the module docstring. All public methods are thread-safe."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = str(BOT_USER["username"]),
        long_poll_cap: float = 1.0,
        strict_markup: bool = True,
    ) -> None:
        self.token = token
        self.bot_user = {**BOT_USER, "username": bot_username}
        bot_id = token.split(":", 1)[0]
        if bot_id.isdigit():
            self.bot_user["id"] = int(bot_id)
        # getUpdates holds a request at most this long whatever `timeout` says: tests stay fast.
        self.long_poll_cap = long_poll_cap
        self.strict_markup = strict_markup
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._http: httpx.Client | None = None
        self._stopping = False
        self._listeners: list[Callable[[RecordedCall], None]] = []
        self._connections: set[socket.socket] = set()
        self._handlers: dict[str, Callable[[dict[str, Any], dict[str, UploadedFile]], Any]] = {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
        }
        # The Bot API matches method names case-insensitively.
        self._canonical = {name.lower(): name for name in self._handlers}
        self.reset()

    # --- lifecycle ----------------------------------------------------------------------

    def start(self, port: int = 0) -> FakeTelegram:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._stopping = False
        # A short poll interval makes stop() quick (it waits for the loop to notice).
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-telegram",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._changed.notify_all()  # wakes long polls
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        # Kept-alive connections would otherwise go on being served after stop().
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`: the value for `telegram_api_url`."""
        if self._server is None:
            raise RuntimeError("FakeTelegram is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    api_url = base_url

    def reset(self) -> None:
        """Forget everything: calls, messages, files, failures, webhook, queue, blocks."""
        with self._lock:
            self._calls: list[RecordedCall] = []
            self._failures: dict[str, deque[_Failure]] = defaultdict(deque)
            self._messages: dict[tuple[int, int], dict[str, Any]] = {}
            self._last_message_id: dict[int, int] = defaultdict(int)
            self._chats: dict[int, dict[str, Any]] = {}
            self._blocked: set[int] = set()
            self._unknown_chats: set[int] = set()
            self._files: dict[str, _StoredFile] = {}
            self._files_by_path: dict[str, _StoredFile] = {}
            self._documents: list[SentDocument] = []
            self._webhook = _Webhook()
            self._queue: list[dict[str, Any]] = []
            self._update_ids = itertools.count(1)
            self._file_ids = itertools.count(1)
            self._commands: list[dict[str, Any]] = []
            self._deliveries: list[Delivery] = []

    # --- scripting ----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 500,
        *,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        disconnect: bool = False,
    ) -> None:
        """Make the next `times` calls of `method` ("*" for any, "file" for downloads) fail.

        Defaults per status: 429 "Too Many Requests" with `retry_after` (1 if not given),
        403 "bot was blocked by the user", 400 "chat not found", 5xx server errors.
        `disconnect=True` closes the connection without answering (a network failure).
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        text = description or _DEFAULT_FAILURES.get(status, HTTPStatus(status).phrase)
        text = text.format(retry_after=retry_after)
        key = method if method in ("*", "file") else self._canonical_name(method)
        with self._lock:
            for _ in range(times):
                self._failures[key].append(_Failure(status, text, retry_after, disconnect))

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: every send to this chat answers 403 from now on."""
        with self._lock:
            self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        with self._lock:
            self._blocked.discard(chat_id)

    def forget_chat(self, chat_id: int) -> None:
        """Sends to this chat answer 400 "chat not found" from now on."""
        with self._lock:
            self._unknown_chats.add(chat_id)

    def add_file(
        self,
        file_id: str,
        content: bytes,
        file_path: str | None = None,
        *,
        file_unique_id: str | None = None,
    ) -> dict[str, Any]:
        """Make `file_id` known to getFile and its bytes downloadable; returns the File object."""
        stored = _StoredFile(
            file_id=file_id,
            file_unique_id=file_unique_id or f"u-{file_id}",
            file_path=file_path or f"documents/{file_id}",
            content=content,
        )
        with self._lock:
            self._files[file_id] = stored
            self._files_by_path[stored.file_path] = stored
        return self._file_object(stored)

    def on_call(self, listener: Callable[[RecordedCall], None]) -> None:
        """Call `listener` (in the server thread) after every recorded call, e.g. for timing."""
        with self._lock:
            self._listeners.append(listener)

    # --- updates: the getUpdates queue and webhook delivery -----------------------------

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (an `update_id` is assigned when missing)."""
        update = self._with_update_id(update)
        with self._lock:
            self._learn_from_update(update)
            self._queue.append(update)
            self._changed.notify_all()
        return update

    def deliver(
        self,
        update: dict[str, Any],
        url: str | None = None,
        secret: str | None = None,
        *,
        timeout: float = 10.0,
    ) -> int:
        """POST `update` to a webhook like Telegram does; return the HTTP status.

        `url` and `secret` default to what setWebhook registered. A non-2xx answer is kept as
        `last_error_message` for getWebhookInfo. A JSON answer with a `"method"` is executed as
        a Bot API call, as Telegram does with replies to webhook requests.
        """
        update = self._with_update_id(update)
        with self._lock:
            target = url or self._webhook.url
            secret = secret if secret is not None else self._webhook.secret_token
            self._learn_from_update(update)
        if not target:
            raise ValueError("no webhook URL: pass url= or call setWebhook first")
        if self._server is None:
            raise RuntimeError("FakeTelegram is not started")
        with self._lock:
            if self._http is None:
                self._http = httpx.Client(timeout=10.0)
        headers = {"Content-Type": "application/json"}
        if secret:
            headers[SECRET_HEADER] = secret
        try:
            response = self._http.post(
                target, content=json.dumps(update).encode(), headers=headers, timeout=timeout
            )
        except httpx.HTTPError as exc:
            self._webhookerror_body(type(exc).__name__)
            raise
        with self._lock:
            self._deliveries.append(
                Delivery(update, target, response.status_code, response.content)
            )
        if 200 <= response.status_code < 300:
            self._run_webhook_reply(response)
        else:
            self._webhookerror_body(
                f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
            )
        return response.status_code

    # --- reading what happened ----------------------------------------------------------

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Every recorded call in order (failed ones included), optionally of one method."""
        with self._lock:
            if method is None:
                return list(self._calls)
            name = method if method == "file" else self._canonical_name(method)
            return [call for call in self._calls if call.method == name]

    def sent_messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent successfully (sendMessage results), as sent, in order."""
        with self._lock:
            return [
                copy.deepcopy(call.result)
                for call in self._calls
                if call.method == "sendMessage"
                and call.ok
                and (chat_id is None or call.result["chat"]["id"] == chat_id)
            ]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        return [message["text"] for message in self.sent_messages(chat_id)]

    def last_message(self, chat_id: int) -> dict[str, Any] | None:
        sent = self.sent_messages(chat_id)
        return sent[-1] if sent else None

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The current state of a bot message (after edits), or None if unknown or deleted."""
        with self._lock:
            found = self._messages.get((chat_id, message_id))
            return copy.deepcopy(found) if found else None

    def documents(self, chat_id: int | None = None) -> list[SentDocument]:
        with self._lock:
            return [d for d in self._documents if chat_id is None or d.chat_id == chat_id]

    def callback_answers(self) -> list[dict[str, Any]]:
        return [call.params for call in self.calls("answerCallbackQuery") if call.ok]

    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._deliveries)

    @property
    def webhook_url(self) -> str:
        with self._lock:
            return self._webhook.url

    @property
    def webhook_secret(self) -> str | None:
        with self._lock:
            return self._webhook.secret_token

    @property
    def commands(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._commands)

    def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Wait until `predicate()` is truthy (re-checked after every call); return its value."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = ", ".join(call.method for call in self._calls) or "none"
                    raise AssertionError(f"timed out after {timeout}s; calls so far: {seen}")
                self._changed.wait(remaining)

    # --- request handling (called from server threads) ----------------------------------

    def _handle_api(
        self, token: str, method: str, http_method: str, params: dict[str, Any], files: Any
    ) -> tuple[int, dict[str, Any]] | None:
        """The status and JSON body to answer, or None to drop the connection unanswered."""
        if token != self.token:
            return 401, error_body(401, "Unauthorized")
        name = self._canonical.get(method.lower())
        if name is None:
            return 404, error_body(404, "Not Found")
        call = RecordedCall(name, params, files, http_method)
        with self._lock:
            failure = self._pop_failure(name)
            self._calls.append(call)
        if failure is not None and failure.disconnect:
            self._finish(call, 0, None)
            return None
        if failure is not None:
            parameters = {"retry_after": failure.retry_after} if failure.retry_after else None
            body = error_body(failure.status, failure.description, parameters)
            self._finish(call, failure.status, body)
            return failure.status, body
        try:
            result = self._handlers[name](params, files)
        except _ApiError as exc:
            body = error_body(exc.status, exc.description, exc.parameters)
            self._finish(call, exc.status, body)
            return exc.status, body
        if isinstance(result, _Described):
            body = {"ok": True, "result": result.result, "description": result.description}
        else:
            body = {"ok": True, "result": result}
        self._finish(call, 200, body)
        return 200, body

    def _handle_file(self, token: str, path: str) -> tuple[int, bytes, str] | None:
        if token != self.token:
            return 401, json.dumps(error_body(401, "Unauthorized")).encode(), "application/json"
        call = RecordedCall("file", {"file_path": path}, {}, "GET")
        with self._lock:
            failure = self._pop_failure("file")
            stored = self._files_by_path.get(path)
            self._calls.append(call)
        if failure is not None and failure.disconnect:
            self._finish(call, 0, None)
            return None
        if failure is not None or stored is None:
            status = failure.status if failure else 404
            body = error_body(status, failure.description if failure else "Not Found")
            self._finish(call, status, body)
            return status, json.dumps(body).encode(), "application/json"
        self._finish(call, 200, None)
        return 200, stored.content, "application/octet-stream"

    def _finish(self, call: RecordedCall, status: int, body: dict[str, Any] | None) -> None:
        with self._lock:
            call.status = status
            call.response = body
            listeners = list(self._listeners)
            self._changed.notify_all()
        for listener in listeners:
            listener(call)

    def _pop_failure(self, name: str) -> _Failure | None:
        for key in (name, "*"):
            queue = self._failures.get(key)
            if queue:
                return queue.popleft()
        return None

    def _canonical_name(self, method: str) -> str:
        name = self._canonical.get(method.lower())
        if name is None:
            raise ValueError(f"the fake does not implement {method!r}")
        return name

    # --- Bot API methods ----------------------------------------------------------------

    def _get_me(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _send_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat_id = self._writable_chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        self._check_markup(text, params.get("parse_mode"))
        markup = self._checked_keyboard(params.get("reply_markup"))
        content: dict[str, Any] = {"text": text}
        if markup is not None:
            content["reply_markup"] = markup
        reply_to = self._reply_to(chat_id, params)
        if reply_to is not None:
            content["reply_to_message"] = reply_to
        return self._new_message(chat_id, content)

    def _edit_message_text(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        if params.get("inline_message_id"):
            return True
        chat_id = self._writable_chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > 4096:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._check_markup(text, params.get("parse_mode"))
        markup = self._checked_keyboard(params.get("reply_markup"))
        return self._edit(chat_id, params.get("message_id"), {"text": text}, markup)

    def _edit_message_reply_markup(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        if params.get("inline_message_id"):
            return True
        chat_id = self._writable_chat(params)
        markup = self._checked_keyboard(params.get("reply_markup"))
        return self._edit(chat_id, params.get("message_id"), {}, markup)

    def _delete_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat_id = self._writable_chat(params)
        with self._lock:
            key = (chat_id, params.get("message_id"))
            if self._messages.pop(key, None) is None:  # type: ignore[arg-type]
                raise _ApiError(400, "Bad Request: message to delete not found")
        return True

    def _answer_callback_query(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        if not params.get("callback_query_id"):
            raise _ApiError(400, "Bad Request: query is too old and response timeout expired")
        text = params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _send_chat_action(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        self._writable_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _send_document(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat_id = self._writable_chat(params)
        caption = params.get("caption")
        if isinstance(caption, str):
            if utf16_len(caption) > 1024:
                raise _ApiError(400, "Bad Request: message caption is too long")
            self._check_markup(caption, params.get("parse_mode"))
        upload = files.get("document")
        if upload is not None:
            file_id = f"doc-{next(self._file_ids)}"
            stored = self._store_file(file_id, upload.content, f"documents/{upload.filename}")
            filename, mime_type = upload.filename, upload.content_type
        else:
            # Re-sending a known file by its file_id, as the Bot API allows.
            with self._lock:
                known = self._files.get(str(params.get("document") or ""))
            if known is None:
                raise _ApiError(400, "Bad Request: there is no document in the request")
            stored = known
            filename, mime_type = stored.file_path.rsplit("/", 1)[-1], "application/octet-stream"
        document = {
            "file_name": filename,
            "mime_type": mime_type,
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        content: dict[str, Any] = {"document": document}
        if caption:
            content["caption"] = caption
        markup = self._checked_keyboard(params.get("reply_markup"))
        if markup is not None:
            content["reply_markup"] = markup
        message = self._new_message(chat_id, content)
        with self._lock:
            self._documents.append(
                SentDocument(chat_id, filename, stored.content, mime_type, caption, stored.file_id)
            )
        return message

    def _get_file(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        with self._lock:
            stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        return self._file_object(stored)

    def _set_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        url = params.get("url")
        if not isinstance(url, str):
            raise _ApiError(400, "Bad Request: bad webhook: URL must be provided")
        # Telegram demands HTTPS on 443/80/88/8443; the fake accepts local http for tests.
        if url and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise _ApiError(400, "Bad Request: bad webhook: Wrong URL scheme")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_RE.match(str(secret)):
            raise _ApiError(400, "Bad Request: secret token contains unallowed characters")
        max_connections = params.get("max_connections", 40)
        if not isinstance(max_connections, int) or not 1 <= max_connections <= 100:
            raise _ApiError(400, "Bad Request: bad webhook: invalid max_connections")
        with self._lock:
            hook = self._webhook
            unchanged = url == hook.url and secret == hook.secret_token
            hook.url, hook.secret_token, hook.max_connections = url, secret, max_connections
            if "allowed_updates" in params:
                hook.allowed_updates = params["allowed_updates"] or None
            hook.ip_address = params.get("ip_address")
            if params.get("drop_pending_updates"):
                self._queue.clear()
        if not url:
            return _Described(True, "Webhook was deleted")
        return _Described(True, "Webhook is already set" if unchanged else "Webhook was set")

    def _delete_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        with self._lock:
            was_set = bool(self._webhook.url)
            self._webhook.url, self._webhook.secret_token = "", None
            if params.get("drop_pending_updates"):
                self._queue.clear()
        return _Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    def _get_webhook_info(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        with self._lock:
            hook = self._webhook
            info: dict[str, Any] = {
                "url": hook.url,
                "has_custom_certificate": False,
                "pending_update_count": len(self._queue),
            }
            if hook.url:
                info["max_connections"] = hook.max_connections
                if hook.ip_address:
                    info["ip_address"] = hook.ip_address
            if hook.allowed_updates:
                info["allowed_updates"] = list(hook.allowed_updates)
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    def _get_updates(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        offset = params.get("offset")
        limit = params.get("limit") or 100
        timeout = min(float(params.get("timeout") or 0), self.long_poll_cap)
        deadline = time.monotonic() + timeout
        with self._changed:
            if self._webhook.url:
                raise _ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if "allowed_updates" in params:
                self._webhook.allowed_updates = params["allowed_updates"] or None
            while True:
                available = self._confirm_and_select(offset, limit)
                remaining = deadline - time.monotonic()
                if available or remaining <= 0 or self._stopping:
                    return copy.deepcopy(available)
                self._changed.wait(remaining)

    def _confirm_and_select(self, offset: int | None, limit: int) -> list[dict[str, Any]]:
        # A positive offset confirms (forgets) every earlier update; a negative one asks for
        # the last -offset updates without confirming anything.
        if isinstance(offset, int) and offset > 0:
            self._queue = [u for u in self._queue if u["update_id"] >= offset]
        queue = self._queue[offset:] if isinstance(offset, int) and offset < 0 else self._queue
        allowed = self._webhook.allowed_updates
        if allowed:
            queue = [u for u in queue if any(kind in u for kind in allowed)]
        return queue[: max(1, min(int(limit), 100))]

    def _set_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _ApiError(400, "Bad Request: commands must be a list of up to 100 commands")
        for item in commands:
            if not isinstance(item, dict) or not _COMMAND_RE.match(str(item.get("command"))):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(item.get("description") or "")) <= 256:
                raise _ApiError(400, "Bad Request: command description must be 1-256 characters")
        with self._lock:
            self._commands = copy.deepcopy(commands)
        return True

    def _get_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return self.commands

    # --- helpers for the methods ----------------------------------------------------------

    def _writable_chat(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int):
            raise _ApiError(400, "Bad Request: chat not found")
        with self._lock:
            if chat_id in self._unknown_chats:
                raise _ApiError(400, "Bad Request: chat not found")
            if chat_id in self._blocked:
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _checked_keyboard(self, markup: Any) -> dict[str, Any] | None:
        if markup is None:
            return None
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _ApiError(
                400,
                "Bad Request: can't parse inline keyboard button: field "
                '"inline_keyboard" of the InlineKeyboardMarkup must be an Array',
            )
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise _ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard",
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if data is None and not button.get("url"):
                    raise _ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: "
                        "InlineKeyboardButton must have exactly one optional field",
                    )
        return copy.deepcopy(markup)

    def _check_markup(self, text: str, parse_mode: Any) -> None:
        if parse_mode is None or parse_mode == "":
            return
        if parse_mode not in ("HTML", "Markdown", "MarkdownV2"):
            raise _ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode}")
        if not self.strict_markup:
            return
        problem = markup_problem(text, parse_mode)
        if problem:
            raise _ApiError(400, f"Bad Request: can't parse entities: {problem}")

    def _reply_to(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        message_id = reply.get("message_id") if isinstance(reply, dict) else None
        message_id = message_id or params.get("reply_to_message_id")
        if message_id is None:
            return None
        with self._lock:
            original = self._messages.get((chat_id, message_id))
        if original is None:
            allowed = isinstance(reply, dict) and reply.get("allow_sending_without_reply")
            if not allowed:
                raise _ApiError(400, "Bad Request: message to be replied not found")
            return None
        return {k: v for k, v in original.items() if k != "reply_to_message"}

    def _new_message(self, chat_id: int, content: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._last_message_id[chat_id] += 1
            message = {
                "message_id": self._last_message_id[chat_id],
                "from": dict(self.bot_user),
                "chat": self._chat(chat_id),
                "date": int(time.time()),
                **content,
            }
            self._messages[(chat_id, message["message_id"])] = message
            return copy.deepcopy(message)

    def _edit(
        self,
        chat_id: int,
        message_id: Any,
        changes: dict[str, Any],
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        with self._lock:
            message = self._messages.get((chat_id, message_id))
            if message is None:
                raise _ApiError(400, "Bad Request: message to edit not found")
            if (message.get("from") or {}).get("id") != self.bot_user["id"]:
                raise _ApiError(400, "Bad Request: message can't be edited")
            if all(message.get(k) == v for k, v in changes.items()) and (
                message.get("reply_markup") == markup
            ):
                raise _ApiError(
                    400,
                    "Bad Request: message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup "
                    "of the message",
                )
            message.update(changes)
            if markup is None:
                message.pop("reply_markup", None)
            else:
                message["reply_markup"] = markup
            message["edit_date"] = int(time.time())
            return copy.deepcopy(message)

    def _chat(self, chat_id: int) -> dict[str, Any]:
        known = self._chats.get(chat_id)
        if known is not None:
            return dict(known)
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": "Group"}

    def _store_file(self, file_id: str, content: bytes, file_path: str) -> _StoredFile:
        stored = _StoredFile(file_id, f"u-{file_id}", file_path, content)
        with self._lock:
            self._files[file_id] = stored
            self._files_by_path[file_path] = stored
        return stored

    @staticmethod
    def _file_object(stored: _StoredFile) -> dict[str, Any]:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _with_update_id(self, update: dict[str, Any]) -> dict[str, Any]:
        if "update_id" in update:
            return update
        with self._lock:
            return {"update_id": next(self._update_ids), **update}

    def _learn_from_update(self, update: dict[str, Any]) -> None:
        # Messages users send become known ids in their chat, so the bot's next message gets a
        # later id (as in Telegram, where both sides share one sequence per private chat).
        for key in ("message", "edited_message", "channel_post"):
            message = update.get(key)
            if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                chat = message["chat"]
                chat_id = chat.get("id")
                if isinstance(chat_id, int):
                    self._chats[chat_id] = dict(chat)
                    message_id = message.get("message_id")
                    if isinstance(message_id, int):
                        last = self._last_message_id[chat_id]
                        self._last_message_id[chat_id] = max(last, message_id)
                        # Known so the bot can reply to it; `_edit` refuses to edit it.
                        self._messages.setdefault((chat_id, message_id), copy.deepcopy(message))

    def _webhookerror_body(self, message: str) -> None:
        with self._lock:
            self._webhook.last_error_date = int(time.time())
            self._webhook.last_error_message = message

    def _run_webhook_reply(self, response: httpx.Response) -> None:
        try:
            reply = response.json()
        except ValueError:
            return
        if isinstance(reply, dict) and isinstance(reply.get("method"), str):
            params = {k: v for k, v in reply.items() if k != "method"}
            self._handle_api(self.token, reply["method"], "WEBHOOK-REPLY", params, {})


# --- HTTP plumbing --------------------------------------------------------------------------

_API_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)/?$")
_FILE_PATH = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTelegram
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API; bodies carry Content-Length
    # Headers and body go out in two writes; with Nagle on, a kept-alive connection then waits
    # for the client's delayed ACK (~40 ms per call).
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        with self.fake._lock:
            self.fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.fake._lock:
            self.fake._connections.discard(self.connection)
        super().finish()

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet test output; the fake records calls instead

    def _dispatch(self) -> None:
        split = urllib.parse.urlsplit(self.path)
        body = self._read_body()
        file_match = _FILE_PATH.match(split.path)
        if file_match and self.command == "GET":
            path = urllib.parse.unquote(file_match["path"])
            answer = self.fake._handle_file(file_match["token"], path)
            if answer is None:
                self.close_connection = True
                return
            self._send(*answer)
            return
        api_match = _API_PATH.match(split.path)
        if not api_match:
            self._send_json(404, error_body(404, "Not Found"))
            return
        try:
            params, files = parse_params(self.headers.get("Content-Type", ""), body, split.query)
        except ValueError as exc:
            self._send_json(400, error_body(400, f"Bad Request: {exc}"))
            return
        outcome = self.fake._handle_api(
            api_match["token"], api_match["method"], self.command, params, files
        )
        if outcome is None:
            self.close_connection = True  # a scripted network failure: no answer at all
            return
        self._send_json(*outcome)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            return self.rfile.read(length)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        return b""

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(self, status: int, content: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)


# --- pytest and command-line use ------------------------------------------------------------


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A started FakeTelegram; import this name into a conftest.py to use it."""
    with FakeTelegram() as fake:
        yield fake


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the fake Telegram Bot API server.")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    args = parser.parse_args()
    fake = FakeTelegram(args.token).start(args.port)
    print(f"telegram_api_url = {fake.api_url}\ntelegram_bot_token = {fake.token}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
