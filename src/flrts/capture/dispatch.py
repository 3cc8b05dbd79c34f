"""The one dispatcher of the capture conversation: every surface (Telegram through `flrts.bot`,
the desk's chat page, the API) hands it what the person sent and renders the replies it gets.

    replies = dispatch.message(conv, "/mytasks")            # a command, or any text
    result, rows = dispatch.press(conv, "cap:ok:17:1", key)  # a button (key: the pressed line)

It owns the command table (`flrts.capture.commands`) and the button actions (`cap:` cards,
`task:` task buttons, `rem:` reminder deliveries), and keeps the stored conversation
(`flrts.capture.transcript`) that a typed "yes" is bound to.
"""

from __future__ import annotations

from flrts.capture import commands, transcript
from flrts.capture.conversation import handle_action, handle_text
from flrts.capture.replies import ActionResult, Button, Reply
from flrts.capture.session import Conversation

__all__ = ["command_of", "message", "press", "record", "run_command"]


def command_of(text: str | None) -> tuple[str, str] | None:
    """`/name args` typed as text (the chat page; Telegram clients that send no entity)."""
    if not text or not text.startswith("/") or len(text) < 2 or not text[1].isalpha():
        return None
    word, _, rest = text.strip().partition(" ")
    return word.split("@", 1)[0].lower(), rest.strip()


def run_command(conv: Conversation, name: str, args: str) -> list[Reply]:
    return commands.run(conv, name if name.startswith("/") else f"/{name}", args)


def message(conv: Conversation, text: str, command: tuple[str, str] | None = None) -> list[Reply]:
    """Answer what the person sent (`command` when the surface already parsed one)."""
    transcript.record_in(conv, text)
    command = command or command_of(text)
    replies = run_command(conv, *command) if command else handle_text(conv, text)
    transcript.record_out(conv, replies)
    return replies


def record(conv: Conversation, said: str, replies: list[Reply]) -> list[Reply]:
    """Keep an exchange a surface answered itself (a voice note: what was heard)."""
    transcript.record_in(conv, said)
    transcript.record_out(conv, replies)
    return replies


def press(
    conv: Conversation, data: str, key: int | None = None
) -> tuple[ActionResult, list[list[Button]] | None]:
    """A button press on the bot line `key` (its Telegram message id, or its line id on the
    chat page). Returns the result and, when it finishes what the button was about, the rows
    left on that line (None when the line is unknown)."""
    result = handle_action(conv, data)
    transcript.record_out(conv, result.replies)
    remaining = None
    line = transcript.line_for(conv, key)
    if result.close_card:
        remaining = transcript.close_rows(line, data) if line is not None else None
    return result, remaining
