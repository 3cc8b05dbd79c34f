"""Photos, documents and locations in the capture conversation, for every channel.

    replies = receive(conv, [Incoming("photo.jpg", data, "image/jpeg")], caption="...")
    replies = locate(conv, 45.71, -108.52)

The rules (docs/telegram.md, "Photos, documents and locations"):
- Every file is checked against `max_file_size` before anything is written; one file over it
  refuses the whole message.
- With a caption, the caption is handled like a typed message and the files go with the card
  it makes ("📎 1 photo" on the card); confirming moves them to the record.
- Without one (or when the caption made no card) they go to the person's pending card, else
  to their latest field report of the last hour, else they are kept and the bot asks
  "Attach to which?".
- An album (Telegram's media group) is one capture: its later items join wherever the first
  went, without a new answer (`Received.joined` names the card to update).
- A location sets the pending card's site to the nearest active site within `site_radius_km`,
  or asks which site.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone

from flrts.capture import attached
from flrts.capture.attach_actions import (
    SITED,
    ask_which,
    attach_to_record,
    recent_report,
    set_site,
)
from flrts.capture.attached import Incoming
from flrts.capture.confirm import can_capture
from flrts.capture.conversation import handle_text
from flrts.capture.drafts import card, current_proposal
from flrts.capture.models import Proposal, ProposalState
from flrts.capture.replies import Button, Reply
from flrts.capture.session import Conversation
from flrts.core.activity import reference_of
from flrts.core.doctypes import get_doctype
from flrts.core.permissions import Action, can
from flrts.org import geo

__all__ = ["Incoming", "Received", "locate", "receive"]

ALBUM_SECONDS = 600  # how long an album's later items find where the first one went
SITE_CHOICES = 5


@dataclass
class Received:
    replies: list[Reply] = field(default_factory=list)
    joined: int | None = None  # an album item joined this pending card: update the card shown


def _album_key(conv: Conversation, album: str) -> str:
    return f"flrts:album:{conv.channel}:{conv.chat_id}:{album}"


def _remember(conv: Conversation, album: str | None, target: str) -> None:
    if album:
        cache.set(_album_key(conv, album), target, ALBUM_SECONDS)


def receive(
    conv: Conversation, files: list[Incoming], caption: str = "", album: str | None = None
) -> Received:
    """Take the files of one message; raises UploadRefused (nothing stored) when one is over
    the size limit or empty."""
    if not can_capture(conv.user):
        return Received([Reply("⛔ Your role may read but not add, so I can't keep files.")])
    attached.check_all(files)
    if album:
        target = cache.get(_album_key(conv, album))
        if target:
            joined = _join(conv, str(target), files)
            if joined is not None:
                return joined
    if caption.strip():
        replies = handle_text(conv, caption)
        proposal = _made(replies)
        if proposal is not None:
            try:
                attached.store_all(attached.PROPOSAL, str(proposal.pk), files, conv.user)
            except Exception:
                # The card was never shown: take it back, so nothing is half-made.
                Proposal.objects.filter(pk=proposal.pk).update(
                    state=ProposalState.CANCELLED, closed_at=timezone.now()
                )
                raise
            _remember(conv, album, f"P:{proposal.pk}")
            note = attached.note(proposal.pk)
            for reply in replies:
                if reply.proposal_id == proposal.pk:
                    reply.text = _with_note(reply.text, note, reply.kind == "card")
            return Received(replies)
        return Received(replies + _loose(conv, files, album))
    return Received(_loose(conv, files, album))


def _made(replies: list[Reply]) -> Proposal | None:
    for reply in replies:
        if reply.proposal_id:
            return Proposal.objects.filter(
                pk=reply.proposal_id, state=ProposalState.PENDING
            ).first()
    return None


def _with_note(text: str, note: str, is_card: bool) -> str:
    """Put "📎 1 photo" after a card's fields (or under a question)."""
    if not is_card:
        return f"{text}\n\n{note} kept with this draft"
    head, sep, rest = text.partition("\n\n")
    fields, sep2, tail = rest.partition("\n\n")
    return f"{head}{sep}{fields}\n{note}{sep2}{tail}" if sep2 else f"{text}\n{note}"


def _loose(conv: Conversation, files: list[Incoming], album: str | None) -> list[Reply]:
    what = attached.describe(files)
    pending = current_proposal(conv)
    if pending is not None:
        attached.store_all(attached.PROPOSAL, str(pending.pk), files, conv.user)
        _remember(conv, album, f"P:{pending.pk}")
        return [card(conv, pending)]
    report = recent_report(conv.user)
    if report is not None and can(conv.user, Action.WRITE, report):
        reply = attach_to_record(report, files, conv.user)
        doctype, name = reference_of(report)
        _remember(conv, album, f"R:{doctype}|{name}")
        return [reply]
    attached.store_all(*attached.hold_key(conv.user), files, conv.user)
    _remember(conv, album, "H")
    return [ask_which(conv, what)]


def _join(conv: Conversation, target: str, files: list[Incoming]) -> Received | None:
    """An album's later item goes where the first went; None when that place is gone."""
    kind, _, ref = target.partition(":")
    if kind == "P" and ref.isdigit():
        proposal = Proposal.objects.filter(
            pk=int(ref), user=conv.user, state=ProposalState.PENDING
        ).first()
        if proposal is None or proposal.expired:
            return None
        attached.store_all(attached.PROPOSAL, ref, files, conv.user)
        return Received(joined=proposal.pk)
    if kind == "R":
        doctype, _, name = ref.partition("|")
        model = get_doctype(doctype)
        record = model._default_manager.filter(name=name).first() if model else None
        if record is None or not can(conv.user, Action.WRITE, record):
            return None
        attached.store_all(doctype, name, files, conv.user)
        return Received()
    if kind == "H":
        attached.store_all(*attached.hold_key(conv.user), files, conv.user)
        return Received()
    return None


def card_of(conv: Conversation, proposal_id: int) -> tuple[Proposal, Reply] | None:
    """The pending card to show again after an album item joined it."""
    proposal = Proposal.objects.filter(pk=proposal_id, state=ProposalState.PENDING).first()
    return (proposal, card(conv, proposal)) if proposal is not None else None


# -- locations ---------------------------------------------------------------------------------


def locate(
    conv: Conversation, latitude: float, longitude: float, place: str | None = None
) -> list[Reply]:
    if not geo.valid_point(latitude, longitude):
        return [Reply("📍 That location is not a valid point on Earth.", kind="error")]
    near = geo.nearest_site(latitude, longitude)
    pending = current_proposal(conv)
    if pending is not None and pending.intent not in {i.value for i in SITED}:
        pending = None
    if near is not None:
        if pending is not None:
            reply = set_site(conv, pending, near.site)
            if reply is not None:
                reply.text = f"📍 {near.site.site_name} ({near.distance} away)\n\n{reply.text}"
                return [reply]
        return [
            Reply(
                f"📍 You are at {near.site.site_name} ({near.distance} away). Nothing is waiting "
                "for a site: mention the site when you send what to capture."
            )
        ]
    radius = geo.radius_km()
    where = f" ({place})" if place else ""
    text = f"📍 No active site within {radius:g} km of that location{where}."
    if pending is None:
        return [Reply(text)]
    ranked = geo.sites_by_distance(latitude, longitude)[:SITE_CHOICES]
    rows = [
        [Button(f"{n.site.site_name} ({n.distance})", f"loc:{n.site.pk}:{pending.pk}")]
        for n in ranked
    ]
    if not rows:
        return [Reply(text + " Which site is it? Say “the site is …”.", kind="question")]
    return [Reply(text + " Which site is it?", rows, kind="question")]


def said(caption: str, files: int) -> str:
    """What the person sent, as a line of the stored conversation: "📎 2 files: <caption>"."""
    mark = "📎 1 file" if files == 1 else f"📎 {files} files"
    return f"{mark}: {caption}" if caption else mark
