"""Drive one scripted conversation through both surfaces and read what the person saw.

Telegram: updates through the real webhook (FakeTelegram delivers them, the bot answers through
the Bot API client into the fake). The chat page: its JSON endpoints over HTTP on live_server,
logged in with a real session cookie and CSRF token. Each step gives the replies (text and
buttons), and for a press the toast and whether the pressed message's buttons changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
from django.conf import settings
from django.test import Client

Step = tuple[str, Any]  # ("say", text or ctx -> text) | ("press", prefix or ctx -> data)


def _norm_text(text: str) -> str:
    text = re.sub(r"\b[A-Z]+-(?:\d{4}-)?\d{5}\b", "<NAME>", text)
    text = re.sub(r"\b\d{5}\b", "<N>", text)
    return re.sub(r"now \d\d:\d\d", "now <T>", text)


def _norm_data(data: str) -> str:
    data = re.sub(r"^(cap:\w+):\d+", r"\1:<id>", data)
    data = re.sub(r"^(rem:\w+):\d+", r"\1:<id>", data)
    return _norm_text(data)


def _rows(rows: list[list[dict[str, Any]]], key: str) -> list[list[tuple[str, str]]]:
    return [[(_norm_text(b["text"]), _norm_data(b[key])) for b in row] for row in rows]


def _resolve(value: Any, ctx: dict[str, Any]) -> str:
    return str(value(ctx) if callable(value) else value)


def _pick(buttons: list[tuple[str, Any]], prefix: str) -> tuple[str, Any]:
    for data, key in reversed(buttons):
        if data.startswith(prefix):
            return data, key
    raise AssertionError(f"no {prefix} button; have {[d for d, _ in buttons]}")


class TelegramSurface:
    name = "telegram"

    def __init__(self, bot: Any, tg_id: int) -> None:
        self.bot, self.tg_id = bot, tg_id
        self.buttons: list[tuple[str, Any]] = []

    def step(self, kind: str, value: Any, ctx: dict[str, Any]) -> dict[str, Any]:
        fake = self.bot.fake
        sent, answers = len(fake.sent_messages(self.tg_id)), len(fake.callback_answers())
        edits = len(fake.calls("editMessageReplyMarkup"))
        out: dict[str, Any] = {}
        if kind == "say":
            text = _resolve(value, ctx)
            if text.startswith("/"):
                name, _, args = text[1:].partition(" ")
                assert self.bot.command(self.tg_id, name, args) == 200
            else:
                self.bot.say(self.tg_id, text)
        else:
            data, message_id = self._press_target(value, ctx)
            assert self.bot.press(self.tg_id, data, message_id or 1) == 200
            answer = fake.callback_answers()[answers:]
            out["toast"] = _norm_text(answer[-1].get("text") or "") if answer else None
            out["closed"] = len(fake.calls("editMessageReplyMarkup")) > edits
        # Replies only: a reminder a snooze queues is a notification (the test task backend
        # runs it at once), sent to Telegram whichever surface pressed the button.
        new = [
            m
            for m in fake.sent_messages(self.tg_id)[sent:]
            if not m["text"].startswith("🔔 Reminder:")
        ]
        out["replies"] = [
            (
                _norm_text(m["text"]),
                _rows((m.get("reply_markup") or {}).get("inline_keyboard") or [], "callback_data"),
            )
            for m in new
        ]
        for m in new:
            for row in (m.get("reply_markup") or {}).get("inline_keyboard") or []:
                self.buttons += [(b["callback_data"], m["message_id"]) for b in row]
        return out

    def _press_target(self, value: Any, ctx: dict[str, Any]) -> tuple[str, Any]:
        if callable(value):
            return str(value(ctx)), None
        return _pick(self.buttons, value)


class ChatPageSurface:
    name = "chat page"

    def __init__(self, base_url: str, user: Any) -> None:
        client = Client()
        client.force_login(user)
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.http.cookies.set(
            settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
        )
        page = self.http.get("/telegram/chat/")
        assert page.status_code == 200
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert found
        self.csrf = found.group(1)
        self.buttons: list[tuple[str, Any]] = []

    def post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(url, json=body, headers={"X-Frappe-CSRF-Token": self.csrf})
        assert response.status_code == 200, response.text
        return dict(response.json())

    def step(self, kind: str, value: Any, ctx: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if kind == "say":
            replies = self.post("/telegram/chat/send", {"text": _resolve(value, ctx)})["replies"]
        else:
            data, line = (str(value(ctx)), None) if callable(value) else _pick(self.buttons, value)
            result = self.post("/telegram/chat/action", {"data": data, "line": line})
            replies = result["replies"]
            out["toast"] = _norm_text(result["toast"] or "")
            out["closed"] = result["close_card"]
        out["replies"] = [(_norm_text(r["text"]), _rows(r["buttons"], "data")) for r in replies]
        for reply in replies:
            for row in reply["buttons"]:
                self.buttons += [(b["data"], reply["line_id"]) for b in row]
        return out

    def close(self) -> None:
        self.http.close()


def run(
    surface: Any, steps: list[Step], setup: Callable[[], dict[str, Any]]
) -> list[dict[str, Any]]:
    ctx = setup()
    return [surface.step(kind, value, ctx) for kind, value in steps]
