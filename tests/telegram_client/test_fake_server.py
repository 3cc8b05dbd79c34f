"""The fake Bot API itself: webhook delivery, the getUpdates queue, body encodings, scripting."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from flrts.telegram.client import BotClient
from flrts.telegram.errors import Conflict
from tests.fakes import telegram_updates as build
from tests.fakes.telegram_server import SECRET_HEADER, FakeTelegram

SECRET = "webhook-secret_123"


class Receiver:
    """A tiny webhook: records what arrives, answers 403 on a wrong secret, else `reply`."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.reply: dict[str, Any] | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                secret = self.headers.get(SECRET_HEADER)
                receiver.received.append((body, secret))
                status = 200 if secret == SECRET else 403
                payload = json.dumps(receiver.reply or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/telegram/webhook"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    webhook = Receiver()
    webhook.thread.start()
    yield webhook
    webhook.server.shutdown()
    webhook.server.server_close()


def test_deliver_posts_the_update_with_the_secret_header(
    fake_telegram: FakeTelegram, receiver: Receiver
) -> None:
    update = build.text_message(42, "Fix the pump")

    status = fake_telegram.deliver(update, receiver.url, SECRET)

    assert status == 200
    assert receiver.received == [(update, SECRET)]


def test_deliver_defaults_to_the_registered_webhook(
    client: BotClient, fake_telegram: FakeTelegram, receiver: Receiver
) -> None:
    client.set_webhook(receiver.url, secret_token=SECRET)

    assert fake_telegram.deliver(build.text_message(42, "hi")) == 200
    assert receiver.received[0][1] == SECRET


def test_a_refused_delivery_shows_in_webhook_info(
    client: BotClient, fake_telegram: FakeTelegram, receiver: Receiver
) -> None:
    client.set_webhook(receiver.url, secret_token=SECRET)

    assert fake_telegram.deliver(build.text_message(42, "hi"), secret="wrong") == 403
    assert fake_telegram.deliver(build.text_message(42, "hi"), secret="") == 403
    assert receiver.received[1][1] is None  # an empty secret sends no header at all

    info = client.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 403 Forbidden"
    assert info.last_error_date is not None


def test_a_method_in_the_webhook_reply_is_executed(
    fake_telegram: FakeTelegram, receiver: Receiver
) -> None:
    receiver.reply = {"method": "sendMessage", "chat_id": 42, "text": "Got it"}

    fake_telegram.deliver(build.text_message(42, "hi"), receiver.url, SECRET)

    assert fake_telegram.sent_texts(42) == ["Got it"]
    assert fake_telegram.calls("sendMessage")[0].http_method == "WEBHOOK-REPLY"


def test_get_updates_honours_offsets(client: BotClient, fake_telegram: FakeTelegram) -> None:
    for text in ("one", "two", "three"):
        fake_telegram.push_update(build.text_message(42, text))

    first = client.get_updates()
    assert [u.message.text for u in first if u.message] == ["one", "two", "three"]
    assert client.get_webhook_info().pending_update_count == 3

    rest = client.get_updates(offset=first[1].update_id)  # confirms "one"
    assert [u.update_id for u in rest] == [first[1].update_id, first[2].update_id]

    assert client.get_updates(offset=first[2].update_id + 1) == []
    assert client.get_webhook_info().pending_update_count == 0


def test_get_updates_limit_and_negative_offset(
    client: BotClient, fake_telegram: FakeTelegram
) -> None:
    ids = [fake_telegram.push_update(build.text_message(42, str(i)))["update_id"] for i in range(5)]

    assert [u["update_id"] for u in client.get_updates_raw(limit=2)] == ids[:2]
    assert [u["update_id"] for u in client.get_updates_raw(offset=-1)] == ids[-1:]


def test_get_updates_filters_by_allowed_updates(
    client: BotClient, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.push_update(build.my_chat_member(42))
    wanted = fake_telegram.push_update(build.callback(42, "c:1", message_id=1))

    updates = client.get_updates(allowed_updates=["message", "callback_query"])

    assert [u.update_id for u in updates] == [wanted["update_id"]]


def test_long_poll_returns_when_an_update_arrives(
    client: BotClient, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.long_poll_cap = 6.0
    timer = threading.Timer(0.1, fake_telegram.push_update, [build.text_message(42, "late")])
    timer.start()
    started = time.monotonic()

    updates = client.get_updates(timeout=30)  # the fake holds the request for up to 6 s

    timer.join()
    assert [u.message.text for u in updates if u.message] == ["late"]
    assert time.monotonic() - started < 4.0  # woken by the update, not by the cap


def test_an_empty_long_poll_ends_at_the_cap(client: BotClient, fake_telegram: FakeTelegram) -> None:
    fake_telegram.long_poll_cap = 0.2
    started = time.monotonic()

    assert client.get_updates(timeout=30) == []
    assert 0.15 <= time.monotonic() - started < 1.0


def test_get_updates_conflicts_with_a_webhook(client: BotClient) -> None:
    client.set_webhook("https://flrts.example/hook")

    with pytest.raises(Conflict):
        client.get_updates()


def test_drop_pending_updates_empties_the_queue(
    client: BotClient, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.push_update(build.text_message(42, "old"))

    client.delete_webhook(drop_pending_updates=True)

    assert client.get_webhook_info().pending_update_count == 0


def test_form_encoded_bodies_are_read_like_the_bot_api(
    fake_telegram: FakeTelegram, http: httpx.Client
) -> None:
    url = f"{fake_telegram.api_url}/bot{fake_telegram.token}/sendmessage"  # any case works
    markup = json.dumps({"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]})

    response = http.post(url, data={"chat_id": "42", "text": "form", "reply_markup": markup})

    assert response.status_code == 200 and response.json()["ok"] is True
    [call] = fake_telegram.calls("sendMessage")
    assert call.params["chat_id"] == 42
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "OK"


def test_query_string_get_requests_work(fake_telegram: FakeTelegram, http: httpx.Client) -> None:
    url = f"{fake_telegram.api_url}/bot{fake_telegram.token}/getMe"

    assert http.get(url).json()["result"]["is_bot"] is True


def test_unknown_methods_and_tokens(fake_telegram: FakeTelegram, http: httpx.Client) -> None:
    base = fake_telegram.api_url

    unknown_method = http.post(f"{base}/bot{fake_telegram.token}/sendTelepathy", json={})
    wrong_token = http.post(f"{base}/bot1:nope/getMe", json={})
    wrong_file_token = http.get(f"{base}/file/bot1:nope/voice/x.oga")

    assert unknown_method.status_code == 404
    assert wrong_token.status_code == 401
    assert wrong_token.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert wrong_file_token.status_code == 401


def test_the_fake_validates_like_telegram(
    client: BotClient, fake_telegram: FakeTelegram, http: httpx.Client
) -> None:
    url = f"{fake_telegram.api_url}/bot{fake_telegram.token}/sendMessage"

    def send(**params: Any) -> str:
        return str(http.post(url, json={"chat_id": 42, **params}).json().get("description"))

    assert send(text="") == "Bad Request: message text is empty"
    assert send(text="x" * 4097) == "Bad Request: message is too long"
    long_data = {"inline_keyboard": [[{"text": "x", "callback_data": "d" * 65}]]}
    assert send(text="x", reply_markup=long_data) == "Bad Request: BUTTON_DATA_INVALID"
    assert "Unsupported start tag" in send(text="<foo>x</foo>", parse_mode="HTML")
    assert "Can't find end" in send(text="*bold", parse_mode="Markdown")
    assert "reserved" in send(text="done.", parse_mode="MarkdownV2")
    assert send(text="done\\.", parse_mode="MarkdownV2") == "None"  # ok: no description


def test_scripted_failures_are_consumed_in_order(
    fake_telegram: FakeTelegram, http: httpx.Client
) -> None:
    url = f"{fake_telegram.api_url}/bot{fake_telegram.token}/getMe"
    fake_telegram.fail_next("getMe", status=429, retry_after=2)
    fake_telegram.fail_next("*", status=500)

    first, second, third = (http.post(url).json() for _ in range(3))

    assert first["error_code"] == 429 and first["parameters"] == {"retry_after": 2}
    assert first["description"] == "Too Many Requests: retry after 2"
    assert second["error_code"] == 500
    assert third["ok"] is True


def test_wait_for_returns_once_the_bot_has_answered(
    client: BotClient, fake_telegram: FakeTelegram
) -> None:
    timer = threading.Timer(0.05, client.send_message, [42, "card"])
    timer.start()

    sent = fake_telegram.wait_for(lambda: fake_telegram.sent_messages(42), timeout=2)
    timer.join()

    assert sent[0]["text"] == "card"
    with pytest.raises(AssertionError, match="timed out"):
        fake_telegram.wait_for(lambda: fake_telegram.sent_messages(99), timeout=0.05)


def test_user_messages_are_known_but_not_editable(
    client: BotClient, fake_telegram: FakeTelegram, receiver: Receiver
) -> None:
    update = build.text_message(42, "hi", message_id=500)
    fake_telegram.deliver(update, receiver.url, SECRET)

    [reply] = client.send_message(42, "answer", reply_to_message_id=500)
    assert reply.message_id == 501
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "hi"
    assert fake_telegram.calls("sendMessage")[0].ok
    with pytest.raises(Exception, match="can't be edited"):
        client.edit_message_text(42, 500, "changed")
