"""A local fake OpenAI-compatible server, so tests drive the real `openai` SDK over real HTTP.

The openai SDK 3.x sends through httpx2, which respx cannot intercept; pointing `base_url` at this
server exercises the SDK's own retries, timeouts and response parsing.

    with FakeOpenAIServer() as server:
        server.queue(completion({"intent": "help", ...}), error(500))
        client = OpenAI(api_key="sk-test", base_url=server.base_url)
        ...
        assert len(server.chat_requests) == 2

Speaks `POST /v1/chat/completions` and `POST /v1/audio/transcriptions` (multipart). Queued
replies are served first, in order, to any path; then `responder(request)` decides.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from tests.fakes.local import LocalServer, QuietServer


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str | None, str, bytes]] = field(default_factory=dict)  # name, mime

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list((self.json or {}).get("messages", []))

    def message(self, role: str) -> str:
        """Content of the first message with `role` ("" if none)."""
        return next((m.get("content", "") for m in self.messages if m.get("role") == role), "")


Payload = Any | Callable[[RecordedRequest], Any]


@dataclass
class Reply:
    """One scripted answer. `payload` is JSON-serialised (str/bytes are sent as they are); a
    callable payload is called with the request first, to echo its model and so on."""

    status: int = 200
    payload: Payload = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering; longer than the client timeout = a timeout
    content_type: str = "application/json"


Responder = Callable[[RecordedRequest], Reply]

MODEL_ENTRY = {"id": "gpt-4.1-mini", "object": "model", "created": 0, "owned_by": "fake"}


# --- reply builders ---------------------------------------------------------------------------


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)  # a crude but stable stand-in for a tokenizer


def completion(
    content: str | dict[str, Any] | None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    model: str | None = None,
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
    cached_tokens: int = 0,
    delay: float = 0.0,
) -> Reply:
    """A Chat Completions success. A dict `content` is sent as its JSON text."""
    text = json.dumps(content) if isinstance(content, dict) else content

    def render(request: RecordedRequest) -> dict[str, Any]:
        body = request.json or {}
        prompt = prompt_tokens if prompt_tokens is not None else _tokens(json.dumps(body))
        done = completion_tokens if completion_tokens is not None else _tokens(text or "")
        return {
            "id": f"chatcmpl-fake{time.monotonic_ns()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model or body.get("model", "fake-model"),
            "system_fingerprint": "fp_fake",
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": text,
                        "refusal": refusal,
                        "annotations": [],
                    },
                    "logprobs": None,
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": done,
                "total_tokens": prompt + done,
                "prompt_tokens_details": {"cached_tokens": cached_tokens, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
            },
        }

    return Reply(payload=render, delay=delay)


def invalid_json(text: str = '{"intent": "create_task", "subject": ') -> Reply:
    return completion(text)


def refusal(text: str = "I'm sorry, I can't help with that.") -> Reply:
    return completion(None, refusal=text)


def truncated(text: str = '{"rationale": "The user wants') -> Reply:
    return completion(text, finish_reason="length")


def slow(seconds: float, then: Reply | None = None) -> Reply:
    """`then` (default: a valid unknown-intent answer), but only after `seconds`."""
    reply = then or completion(unknown_wire())
    return Reply(reply.status, reply.payload, reply.headers, seconds, reply.content_type)


def error(
    status: int,
    message: str = "fake error",
    *,
    code: str | None = None,
    retry_after: str | None = None,
    retry_after_ms: str | None = None,
) -> Reply:
    """An OpenAI-shaped error. `retry_after_ms` keeps SDK back-off short in tests."""
    kind = {
        400: "invalid_request_error",
        401: "invalid_request_error",
        429: "rate_limit_error",
    }.get(status, "server_error")
    headers: dict[str, str] = {}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    if retry_after_ms is not None:
        headers["retry-after-ms"] = retry_after_ms
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return Reply(status=status, payload=body, headers=headers)


def transcription(text: str) -> Reply:
    return Reply(payload={"text": text, "usage": {"type": "duration", "seconds": 3}})


def unknown_wire(**overrides: Any) -> dict[str, Any]:
    """A complete, valid wire answer (intent unknown); override any field."""
    wire: dict[str, Any] = {
        "rationale": "fake",
        "intent": "unknown",
        "subject": None,
        "description": None,
        "assignee": None,
        "site": None,
        "contractor": None,
        "priority": None,
        "due": None,
        "remind_at": None,
        "recurrence": None,
        "list_name": None,
        "list_type": None,
        "items": [],
        "subtasks": [],
        "task_ref": None,
        "query": None,
        "summary": None,
        "observations": None,
        "readings": [],
        "issues": None,
        "equipment": [],
        "confidence": 0.5,
        "clarify": None,
    }
    wire.update(overrides)
    return wire


# --- the server -------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: QuietServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        request = _record(self.command, self.path, dict(self.headers.items()), body)
        reply = fake._next_reply(request)
        if reply.delay and fake._stopping.wait(reply.delay):
            return
        payload = reply.payload(request) if callable(reply.payload) else reply.payload
        if isinstance(payload, bytes):
            data = payload
        elif isinstance(payload, str):
            data = payload.encode()
        else:
            data = json.dumps(payload).encode()
        fake._count += 1
        try:
            self.send_response(reply.status)
            self.send_header("content-type", reply.content_type)
            self.send_header("content-length", str(len(data)))
            self.send_header("x-request-id", f"req_fake_{fake._count}")
            self.send_header("connection", "close")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (timeout) before we answered
        self.close_connection = True


def _record(method: str, path: str, headers: dict[str, str], body: bytes) -> RecordedRequest:
    lowered = {k.lower(): v for k, v in headers.items()}
    request = RecordedRequest(method=method, path=path, headers=lowered, body=body)
    ctype = lowered.get("content-type", "")
    if ctype.startswith("application/json") and body:
        try:
            request.json = json.loads(body)
        except ValueError:
            request.json = None
    elif ctype.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            b"content-type: " + ctype.encode() + b"\r\n\r\n" + body
        )
        for part in message.iter_parts():  # type: ignore[attr-defined]
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is not None:
                request.files[name] = (filename, part.get_content_type(), data)
            else:
                request.form[name] = data.decode()
    return request


class FakeOpenAIServer(LocalServer):
    """Start with `start()` or `with`; `base_url` ends in /v1 like the real API."""

    def __init__(self, responder: Responder | None = None, *, transcript: str = "") -> None:
        self.responder: Responder = responder or self.default_responder
        self.transcript = transcript
        self.requests: list[RecordedRequest] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._count = 0
        super().__init__(_Handler)

    # scripting
    def queue(self, *replies: Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def default_responder(self, request: RecordedRequest) -> Reply:
        if request.path.endswith("/chat/completions"):
            return completion(unknown_wire())
        if request.path.endswith("/audio/transcriptions"):
            return transcription(self.transcript)
        if request.method == "GET" and request.path.endswith("/models"):
            return Reply(payload={"object": "list", "data": [MODEL_ENTRY]})
        return error(404, f"no route {request.path}")

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._replies:
                return self._replies.popleft()
        return self.responder(request)

    # inspection
    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def pending_replies(self) -> int:
        return len(self._replies)

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def stop(self) -> None:
        self._stopping.set()  # releases handlers sleeping on a delay
        super().stop()


@pytest.fixture
def fake_openai_server() -> Iterator[FakeOpenAIServer]:
    """A started FakeOpenAIServer, stopped after the test."""
    with FakeOpenAIServer() as server:
        yield server
