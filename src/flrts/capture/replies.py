"""Channel-neutral answers: text plus buttons. Telegram sends them as messages with inline
keyboards; the desk's chat page renders them as HTML with buttons that post `data` back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    text: str
    data: str  # what a press sends back; at most 64 bytes (Telegram's callback_data limit)

    def as_dict(self) -> dict[str, str]:
        return {"text": self.text, "data": self.data}


@dataclass
class Reply:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    # Set on a proposal card, so the channel can remember which message shows it.
    proposal_id: int | None = None
    kind: str = "text"  # text | card | saved | question | error | tasks (a list answer)
    link: str | None = None  # the saved record in the desk (the chat page shows it)
    line_id: int | None = None  # its row in the stored conversation (flrts.capture.transcript)

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "proposal_id": self.proposal_id,
            "link": self.link,
            "line_id": self.line_id,
            "buttons": [[b.as_dict() for b in row] for row in self.buttons],
        }


@dataclass
class ActionResult:
    """The answer to a button press: a short toast, replies, and whether the pressed card is
    finished (its buttons should be removed)."""

    toast: str
    replies: list[Reply] = field(default_factory=list)
    close_card: bool = False
    card_text: str | None = None  # new text for the pressed message, if it should change
    show_alert: bool = False  # Telegram: a dialog instead of a passing toast

    def replies_with_toast(self) -> list[Reply]:
        """For a typed "confirm"/"cancel": the replies, or the toast when there are none."""
        return self.replies or [Reply(self.toast)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "toast": self.toast,
            "close_card": self.close_card,
            "card_text": self.card_text,
            "replies": [r.as_dict() for r in self.replies],
        }
