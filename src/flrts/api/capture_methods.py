"""The capture conversation over the REST API (channel "api"): the same replies the bot and the
desk's chat page get, as JSON.

    POST /api/method/flrts.capture.message  {"text": "Colin check the pump tomorrow"}
    POST /api/method/flrts.capture.action   {"data": "cap:ok:17:1"}
"""

from __future__ import annotations

from typing import Any

from flrts.api.errors import ValidationError
from flrts.api.methods import whitelist
from flrts.capture import dispatch
from flrts.capture.conversation import Conversation


def _conversation(user: Any) -> Conversation:
    return Conversation(user, channel="api", chat_id="api")


@whitelist("flrts.capture.message", methods=("POST",))
def message(user: Any, text: Any = "") -> dict[str, Any]:
    if not isinstance(text, str):
        raise ValidationError("text must be a string")
    replies = dispatch.message(_conversation(user), text)
    return {"replies": [reply.as_dict() for reply in replies]}


@whitelist("flrts.capture.action", methods=("POST",))
def action(user: Any, data: Any = "") -> dict[str, Any]:
    if not isinstance(data, str) or not data:
        raise ValidationError("data must be a button's data string")
    return dispatch.press(_conversation(user), data)[0].as_dict()
