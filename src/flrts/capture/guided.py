"""The guided field report (/report): which site, then what was seen, then the card."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from flrts.capture.drafts import card, open_drafts
from flrts.capture.models import Proposal, ProposalState
from flrts.capture.parsing import log_parse, parse, refused
from flrts.capture.replies import Button, Reply
from flrts.capture.requests import new_request
from flrts.capture.session import Conversation
from flrts.core.permissions import Action, can
from flrts.fieldreports.models import FieldReport
from flrts.nlp.types import Intent, ParseRefused, ParseResult
from flrts.org.models import Site

SITE_QUESTION = "📋 Field report. Which site is it for? ({sites}, or “none”)"
NOTES_QUESTION = (
    "📋 What did you see? Write it as you would say it; readings like “pressure 45 psi” and "
    "problems are picked up."
)


def start_guided_report(conv: Conversation, args: str) -> list[Reply]:

    if not can(conv.user, Action.CREATE, FieldReport):
        return [Reply(f"⛔ Your role ({conv.user.role}) may not create field reports.")]
    if args.strip():
        return new_request(conv, f"field report {args.strip()}")
    for open_one in open_drafts(conv):
        Proposal.objects.filter(pk=open_one.pk, state=ProposalState.PENDING).update(
            state=ProposalState.SUPERSEDED, closed_at=timezone.now()
        )
    sites = list(
        Site.objects.filter(is_active=True, archived=False).values_list("site_name", flat=True)[:12]
    )
    question = SITE_QUESTION.format(sites=", ".join(sites) or "no sites yet")
    result = ParseResult(intent=Intent.CREATE_FIELD_REPORT, confidence=1.0, clarify=question)
    proposal = Proposal(
        user=conv.user,
        channel=conv.channel,
        chat_id=conv.chat_id,
        original_text="/report",
        source_message_id=conv.message_id,
        expires_at=timezone.now() + Proposal.ttl(),
        guide="site",
    )
    proposal.set_result(result)
    proposal.save()
    cancel_button = [[Button("❌ Cancel", f"cap:no:{proposal.pk}:{proposal.version}")]]
    return [Reply(question, cancel_button, proposal_id=proposal.pk, kind="question")]


def site_from(conv: Conversation, text: str) -> tuple[bool, str | None]:

    wanted = text.strip().strip(".")
    if wanted.lower() in ("none", "no site", "-", "n/a"):
        return True, None
    found = Site.objects.filter(
        Q(site_name__iexact=wanted) | Q(site_code__iexact=wanted), archived=False
    ).first()
    if found is None:
        for site in Site.objects.filter(archived=False, is_active=True):
            aliases = [str(a).lower() for a in (site.aliases or [])]
            if wanted.lower() in aliases:
                found = site
                break
    if found is None:
        try:
            parsed = parse(conv, f"report at {wanted}").result
        except ParseRefused:
            parsed = None
        if parsed is not None and parsed.site:
            return True, parsed.site
        return False, None
    return True, found.site_name


def guided_step(conv: Conversation, pending: Proposal, text: str) -> list[Reply]:
    current = pending.parse_result
    if pending.guide == "site":
        ok, site_name = site_from(conv, text)
        if not ok:
            unknown = f"⚠️ I don't know the site “{text.strip()[:60]}”. "
            return [Reply(unknown + (current.clarify or ""))]
        updated = current.model_copy(update={"site": site_name, "clarify": NOTES_QUESTION})
        pending.set_result(updated)
        pending.guide = "notes"
        pending.save(update_fields=["result", "intent", "guide"])
        return [Reply(NOTES_QUESTION, proposal_id=pending.pk, kind="question")]
    try:
        outcome = parse(conv, f"field report: {text}")
    except ParseRefused as exc:
        return refused(exc)
    parsed: ParseResult = outcome.result
    body = text.strip()
    result = ParseResult(
        intent=Intent.CREATE_FIELD_REPORT,
        site=current.site or parsed.site,
        summary=(body.split("\n")[0])[:200],
        observations=body,
        readings=parsed.readings,
        equipment=parsed.equipment,
        issues=parsed.issues,
        confidence=max(parsed.confidence, 0.9),
        rationale="Guided field report (/report).",
        parser=parsed.parser,
    )
    outcome.result = result
    pending.parser_log = log_parse(conv, outcome)
    pending.set_result(result)
    pending.guide = ""
    pending.original_text = outcome.masked_text
    pending.expires_at = timezone.now() + Proposal.ttl()
    pending.save()
    return [card(conv, pending)]
