"""The desk's chat page: the capture conversation in the browser (channel "desk"), through the
same dispatcher as the Telegram bot (commands, cards, buttons), with its stored history; and the
outbox of Telegram messages kept when no bot token is configured."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from flrts.capture import dispatch, transcript
from flrts.capture.conversation import Conversation
from flrts.capture.requests import HELP_TEXT
from flrts.core.display import when
from flrts.core.permissions import role_of
from flrts.people.models import User
from flrts.telegram.config import bot_settings
from flrts.telegram.outbound import outbox_for

MAX_BODY = 64 * 1024


def _allowed(request: HttpRequest) -> bool:
    return role_of(request.user) is not None


def _denied(request: HttpRequest) -> HttpResponse:
    if request.headers.get("Accept", "").startswith("application/json") or request.method == "POST":
        return JsonResponse({"error": "Log in to the desk first."}, status=403)
    return redirect(f"/desk/login/?next={request.path}")


def conversation_of(request: HttpRequest) -> Conversation:
    # The person itself, not request.user's lazy wrapper: a permission check on the person as
    # a document (/settings: may they change their own settings) needs the model instance.
    user = User.objects.get(pk=int(request.user.pk or 0))
    return Conversation(user, channel="desk", chat_id=f"desk:{user.pk}")


def _json_body(request: HttpRequest) -> dict[str, Any] | None:
    if len(request.body) > MAX_BODY:
        return None
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _outbox(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": m.pk,
            "to": str(m.user or m.chat_id or "?"),
            "text": m.text,
            "method": m.method,
            "buttons": m.buttons,
            "at": m.creation.isoformat(),
            "when": when(m.creation),  # the reader's zone, as everywhere in the desk
        }
        for m in outbox_for(request.user, 30)
    ]


@require_GET
def chat_page(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return _denied(request)
    context = {
        **admin.site.each_context(request),
        "title": "Chat",
        "help_text": HELP_TEXT,
        "bot_configured": bot_settings().configured,
        "outbox": _outbox(request),
        "history": transcript.history(conversation_of(request)),
    }
    return TemplateResponse(request, "capture/chat.html", context)


@require_POST
def chat_send(request: HttpRequest) -> JsonResponse:
    if not _allowed(request):
        return JsonResponse({"error": "Log in to the desk first."}, status=403)
    data = _json_body(request)
    if data is None or not isinstance(data.get("text", ""), str):
        return JsonResponse({"error": 'Send JSON {"text": "..."}.'}, status=400)
    replies = dispatch.message(conversation_of(request), data.get("text", ""))
    return JsonResponse({"replies": [r.as_dict() for r in replies]})


@require_POST
def chat_action(request: HttpRequest) -> JsonResponse:
    if not _allowed(request):
        return JsonResponse({"error": "Log in to the desk first."}, status=403)
    data = _json_body(request)
    if data is None or not isinstance(data.get("data"), str) or not data["data"]:
        return JsonResponse({"error": 'Send JSON {"data": "...", "line": <id>}.'}, status=400)
    line = data.get("line")
    if line is not None and (not isinstance(line, int) or isinstance(line, bool)):
        return JsonResponse({"error": "line must be the id of the message pressed."}, status=400)
    result, remaining = dispatch.press(conversation_of(request), data["data"], line)
    answer = result.as_dict()
    # The rows left on the pressed message (None: leave it as it is, or close all if close_card).
    answer["buttons"] = (
        None if remaining is None else [[b.as_dict() for b in row] for row in remaining]
    )
    return JsonResponse(answer)


@require_GET
def chat_history(request: HttpRequest) -> JsonResponse:
    if not _allowed(request):
        return JsonResponse({"error": "Log in to the desk first."}, status=403)
    return JsonResponse({"messages": transcript.history(conversation_of(request))})


@require_GET
def chat_outbox(request: HttpRequest) -> JsonResponse:
    if not _allowed(request):
        return JsonResponse({"error": "Log in to the desk first."}, status=403)
    return JsonResponse({"messages": _outbox(request)})
