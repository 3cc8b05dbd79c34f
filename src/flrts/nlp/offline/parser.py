"""OfflineParser: the deterministic, network-free parser behind `parse_message`.

It runs the small extractors in this package (entities, dates, recurrence, priority, lists,
reports), classifies the intent and assembles one ParseResult with a confidence, a one-sentence
rationale and, when something needed is missing or ambiguous, a clarifying question.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from flrts.nlp.injection import FLAG as INJECTION_FLAG
from flrts.nlp.injection import scan as scan_injection
from flrts.nlp.offline.correction import apply_correction
from flrts.nlp.offline.entities import ContextIndex, Match, build_index, find_entities
from flrts.nlp.offline.intent import Cues, classify
from flrts.nlp.offline.lists import list_operation
from flrts.nlp.offline.people import Assignee, find_assignee
from flrts.nlp.offline.priority import find_priority
from flrts.nlp.offline.queries import query_filters
from flrts.nlp.offline.readings import find_readings
from flrts.nlp.offline.recurrence import Recurrence, extract_recurrence, first_occurrence
from flrts.nlp.offline.report import report_details
from flrts.nlp.offline.subject import clean_subject, is_vague, task_reference
from flrts.nlp.offline.subtasks import find_checklist, read_subtasks
from flrts.nlp.offline.text import SpanSet, lower_same_length
from flrts.nlp.offline.when import When, extract_when
from flrts.nlp.offline.zones import ZoneHint, zone
from flrts.nlp.types import Intent, ParseContext, ParseResult, Priority

_INDEX_CACHE: dict[int, tuple[tuple[object, ...], ContextIndex]] = {}
_GIBBERISH_RE = re.compile(r"^[^aeiouy\s]{5,}$|^(?:[a-z]{1,3}[^aeiou\s]{4,}[a-z]*)$", re.I)
_SPACE_RE = re.compile(r"[ \t\r\f\v]+")
# Hesitations in voice transcripts ("uh Colin um needs to uh reset …") carry no meaning.
# Not after a number: "a 10 um filter" is a size.
_FILLER_RE = re.compile(r"(?<![\w'’-])(?<!\d\s)(?:u+h+|u+m+|uhm+|e+rm+|hmm+)(?![\w'’-])[,.]?", re.I)
_UTC = ZoneInfo("UTC")
_REMIND_OTHER_RE = re.compile(r"\bremind\s+(?!me\b|us\b|myself\b)\w")
# A record that held an injected instruction is kept for a person to look at: below the 0.7 at
# which capture flags a task for review, above the 0.5 at which it would only ask a question.
INJECTION_CONFIDENCE = 0.6


def _fingerprint(context: ParseContext) -> tuple[object, ...]:
    return (
        tuple(
            (p.id, p.name, tuple(p.aliases), p.telegram_username, p.timezone)
            for p in context.people
        ),
        tuple((s.name, s.code, tuple(s.aliases)) for s in context.sites),
        tuple(c.name for c in context.contractors),
        tuple(lst.name for lst in context.lists),
    )


def _index_for(context: ParseContext) -> ContextIndex:
    """Context indexes are rebuilt only when the people/sites/lists change (cheap fingerprint)."""
    key = _fingerprint(context)
    cached = _INDEX_CACHE.get(hash(key))
    if cached is not None and cached[0] == key:
        return cached[1]
    idx = build_index(context)
    if len(_INDEX_CACHE) > 32:
        _INDEX_CACHE.clear()
    _INDEX_CACHE[hash(key)] = (key, idx)
    return idx


_FIRST_PERSON_RE = re.compile(r"\b(?:i|me|i'?ve|i'?m|i'?ll)\b")
_OPENING_FILLER_RE = re.compile(r"^[\W_]*(?:(?:the|our|my|at|report\s+from)\s+)?$", re.I)


def _opening(text: str, matches: list[Match], kind: str) -> int | None:
    """Where an entity of `kind` that opens the message ends ("Big Sky rounds done" -> 7)."""
    first = next((m for m in matches if m.kind == kind), None)
    if first is None or not _OPENING_FILLER_RE.match(text[: first.start]):
        return None
    return first.end


class OfflineParser:
    """Rules + dateparser + recurrent + rapidfuzz. Stateless apart from module-level caches."""

    name = "offline"

    def parse(self, text: str, sender: str, now: dt.datetime, context: ParseContext) -> ParseResult:
        """Parse `text`; instructions addressed to the parser are dropped and the result flagged."""
        text = _SPACE_RE.sub(" ", _FILLER_RE.sub("", text).strip())
        if now.tzinfo is None:
            now = now.replace(tzinfo=_UTC)
        injected = scan_injection(text)
        if not injected.found:
            return self._parse(text, sender, now, context)
        legit = injected.legitimate(text)
        result = self._parse(legit, sender, now, context) if legit else None
        if result is None or result.intent == Intent.UNKNOWN:
            return ParseResult(
                intent=Intent.UNKNOWN,
                confidence=0.1,
                rationale="The message reads as instructions to the parser, not as work.",
                clarify="That looks like an instruction to me rather than a task or report. "
                "What should I capture?",
                flags=[INJECTION_FLAG],
                parser=self.name,
            )
        result.flags = [INJECTION_FLAG]
        result.confidence = min(result.confidence, INJECTION_CONFIDENCE)
        result.rationale += " An instruction to the parser inside the message was ignored."
        return result

    def _parse(
        self, text: str, sender: str, now: dt.datetime, context: ParseContext
    ) -> ParseResult:
        low = lower_same_length(text)
        idx = _index_for(context)
        sender_zone = zone(idx.timezones.get(sender))
        matches = find_entities(text, idx)
        readings, reading_spans = find_readings(text)

        def blocked(s: int, e: int) -> bool:
            return any(a < e and s < b for a, b in reading_spans) or any(
                m.start < e and s < m.end for m in matches
            )

        def resolve(hint: ZoneHint) -> ZoneInfo | None:
            return self._resolve_zone(hint, matches, idx, sender)

        when = extract_when(low, now, sender_zone, context.defaults, resolve, blocked)
        recurrence = extract_recurrence(low, when)
        priority, priority_spans = find_priority(low)
        if context.pending is not None:
            return apply_correction(
                context.pending, text, sender, matches, when, recurrence, priority, idx, self.name
            )

        timing = SpanSet([*when.spans, *priority_spans, *(recurrence.spans if recurrence else [])])
        checklist = find_checklist(text, matches, timing)
        # a checklist's items name their own people: the parent's assignee is found without them
        people_text, people_matches, intent_low = text, matches, low
        if checklist is not None:
            people_text = checklist.blank(text)
            people_matches = [m for m in matches if not checklist.inside(m.start, m.end)]
            if checklist.marker is not None:  # "checklist:" does not make it a list message
                intent_low = SpanSet([checklist.marker]).remove_from(low)
        addressed = find_assignee(people_text, people_matches, sender, Intent.CREATE_TASK)
        cues = Cues(
            has_person=any(m.kind == "person" for m in matches),
            has_site=any(m.kind == "site" for m in matches),
            has_list_entity=any(m.kind == "list" for m in matches),
            has_when=when.value is not None,
            has_readings=bool(readings),
            has_recurrence=recurrence is not None,
            addressed=(addressed.person is not None and not addressed.is_self)
            or addressed.unknown is not None,
            word_count=len(text.split()),
            site_end=_opening(text, matches, "site"),
            list_end=_opening(text, matches, "list"),
        )
        intent, confidence, why = classify(intent_low, cues)
        if intent != Intent.CREATE_TASK:  # lists, reports, reminders never get sub-tasks
            checklist, people_text, people_matches = None, text, matches
        result = ParseResult(intent=intent, parser=self.name)
        notes: list[str] = []
        claimed = SpanSet()
        for m in matches:
            if m.kind in ("contractor",):
                claimed.add(m.start, m.end)
        for s, e in when.spans:
            claimed.add(s, e)
        for s, e in priority_spans:
            claimed.add(s, e)
        if recurrence is not None:
            for s, e in recurrence.spans:
                claimed.add(s, e)

        site = self._first(matches, "site")
        contractor = self._first(matches, "contractor")
        result.site = site.key if site else None
        result.contractor = contractor.key if contractor else None
        for found in (site, contractor):
            if found is not None and found.fuzzy:
                notes.append(f'"{found.via}" read as {found.key}')
                confidence -= 0.05

        who = find_assignee(people_text, people_matches, sender, intent)
        if who.span:
            claimed.add(*who.span)
        if who.fuzzy_via and who.person:
            notes.append(f'"{who.fuzzy_via}" read as {idx.names.get(who.person, who.person)}')
            confidence -= 0.1

        if intent == Intent.UNKNOWN:
            return self._unknown(text, result)
        if intent == Intent.HELP:
            result.confidence = confidence
            result.rationale = "Asks for help with the bot."
            return result
        if intent in (Intent.CREATE_LIST, Intent.ADD_LIST_ITEMS, Intent.COMPLETE_LIST_ITEMS):
            op = list_operation(text, intent, matches, context, result.site, cues.list_end)
            result.list_name, result.list_type, result.items = op.name, op.list_type, op.items
            if not op.name:
                result.clarify = "Which list do you mean?"
                confidence = min(confidence, 0.5)
            elif intent != Intent.CREATE_LIST and not op.items:
                result.clarify = "Which items?"
                confidence = min(confidence, 0.5)
            elif intent != Intent.CREATE_LIST and not any(m.kind == "list" for m in matches):
                notes.append(f'list "{op.name}" is not one of your lists yet')
                confidence -= 0.1
            return self._finish(result, confidence, why, notes)
        if intent == Intent.QUERY_TASKS:
            # a question in the first person is about the sender's own work ("have I got …")
            result.assignee = who.person or (sender if _FIRST_PERSON_RE.search(low) else None)
            who.person = result.assignee
            result.query = query_filters(low, when, who.person, result.site, now, sender_zone)
            return self._finish(result, confidence, why, notes)
        if intent == Intent.CREATE_FIELD_REPORT:
            places = " ".join(m.via for m in matches if m.kind in ("site", "contractor"))
            details = report_details(text, places)
            result.summary = details.summary
            result.subject = details.summary
            result.observations = details.observations
            result.readings = details.readings
            result.equipment = details.equipment
            result.issues = details.issues
            return self._finish(result, confidence, why, notes)
        if intent in (Intent.COMPLETE_TASK, Intent.UPDATE_TASK):
            result.task_ref = task_reference(text, claimed)
            if intent == Intent.UPDATE_TASK:
                result.assignee = who.person
                result.priority = priority
                result.due = when.value
            if not result.task_ref:
                result.clarify = "Which task do you mean?"
                confidence = min(confidence, 0.5)
            return self._finish(result, confidence, why, notes)

        # create_task / create_reminder
        result.assignee = who.person
        if checklist is not None:
            subs = read_subtasks(text, checklist, matches, timing, sender)
            result.subtasks = subs.specs
            for s, e in checklist.region:
                claimed.add(s, e)
            count = len(subs.specs)
            if count:
                notes.append(f"{count} sub-task{'s' if count != 1 else ''} from the checklist")
            if subs.dropped:
                notes.append(f"only the first {count} sub-tasks were kept")
            for typed, pid in subs.fuzzy:
                notes.append(f'"{typed}" read as {idx.names.get(pid, pid)}')
                confidence -= 0.05
        subject = clean_subject(text, claimed)
        result.subject = None if is_vague(subject) else subject
        if result.subject is None and not (who.person or who.unknown or site or contractor):
            # "that thing tmrw": nothing says what or who, so there is nothing to create yet
            return self._unknown(text, result, vague=True)
        if intent == Intent.CREATE_REMINDER:
            # a reminder is for the sender unless someone else is named ("remind the crew")
            if who.person is None and not who.unknown and not _REMIND_OTHER_RE.search(low):
                result.assignee = sender
            self._reminder_time(result, when, recurrence, now, context)
            if result.remind_at is None:
                result.clarify = "When should I send the reminder?"
                confidence = min(confidence, 0.5)
        else:
            result.priority = priority or Priority.MEDIUM
            result.due = self._due(when, recurrence, now)
            result.recurrence = recurrence.rule if recurrence else None
            if when.past:
                notes.append("the date named is in the past")
                confidence -= 0.15
        confidence = self._people_questions(result, who, idx, confidence)
        if result.subject is None and result.clarify is None:
            result.clarify = "What needs to be done?"
            confidence = min(confidence, 0.4)
        elif result.subject is None:
            confidence = min(confidence, 0.4)
        return self._finish(result, confidence, why, notes)

    # --- helpers -------------------------------------------------------------------------

    @staticmethod
    def _first(matches: list[Match], kind: str) -> Match | None:
        return next((m for m in matches if m.kind == kind), None)

    @staticmethod
    def _resolve_zone(
        hint: ZoneHint, matches: list[Match], idx: ContextIndex, sender: str
    ) -> ZoneInfo | None:
        """ "3pm Central" -> Chicago; "his/her/their time" -> the person last named before it."""
        if hint.kind == "named":
            return zone(hint.zone)
        if hint.kind == "sender":
            return None
        people = [m for m in matches if m.kind == "person"]
        if hint.name:
            named = [m for m in people if m.via.lower().startswith(hint.name.rstrip("'’s"))]
            if named:
                return zone(idx.timezones.get(named[0].key))
        before = [m for m in people if m.end <= hint.start and m.key != sender]
        pick = before[-1] if before else next((m for m in people if m.key != sender), None)
        return zone(idx.timezones.get(pick.key)) if pick else None

    @staticmethod
    def _due(
        when: When, recurrence: Recurrence | None, now: dt.datetime
    ) -> dt.datetime | dt.date | None:
        if recurrence is None:
            return when.value
        tz = when.zone or now.tzinfo or _UTC
        nxt = first_occurrence(recurrence.rule, now.astimezone(tz))
        if nxt is None:
            return when.value
        return nxt if recurrence.time is not None or recurrence.freq == "HOURLY" else nxt.date()

    @staticmethod
    def _reminder_time(
        result: ParseResult,
        when: When,
        recurrence: Recurrence | None,
        now: dt.datetime,
        context: ParseContext,
    ) -> None:
        tz = when.zone or now.tzinfo or _UTC
        if recurrence is not None:
            result.recurrence = recurrence.rule
            result.remind_at = first_occurrence(
                recurrence.rule, now.astimezone(tz), context.defaults.morning
            )
            return
        value = when.value
        if isinstance(value, dt.datetime):
            result.remind_at = value
        elif isinstance(value, dt.date):
            # a reminder needs a moment: a bare day fires at the morning default
            result.remind_at = dt.datetime.combine(value, context.defaults.morning, tzinfo=tz)

    @staticmethod
    def _people_questions(
        result: ParseResult, who: Assignee, idx: ContextIndex, confidence: float
    ) -> float:
        if who.unknown:
            result.assignee = None
            result.clarify = f"I don't know anyone called {who.unknown}. Who should do this?"
            return min(confidence, 0.4)
        if who.candidates:
            names = " or ".join(idx.names.get(c, c) for c in who.candidates)
            result.assignee = None
            result.clarify = f"Which one do you mean: {names}?"
            return min(confidence, 0.45)
        return confidence

    @staticmethod
    def _unknown(text: str, result: ParseResult, vague: bool = False) -> ParseResult:
        if vague:
            return ParseResult(
                intent=Intent.UNKNOWN,
                confidence=0.2,
                rationale="Too vague to capture: nothing says what needs doing or who does it.",
                clarify="What needs to be done, and by whom?",
                parser=result.parser,
            )
        gibberish = all(_GIBBERISH_RE.match(w) for w in text.split()) if text.split() else True
        result.confidence = 0.05 if gibberish else 0.2
        result.rationale = (
            "The text does not look like words."
            if gibberish
            else "No task, reminder, list, report or question was recognised."
        )
        result.clarify = (
            "I couldn't tell what to capture. Try something like "
            '"Colin, check the compressor at Big Sky tomorrow afternoon" or "help".'
        )
        return result

    @staticmethod
    def _finish(result: ParseResult, confidence: float, why: str, notes: list[str]) -> ParseResult:
        if result.clarify:
            confidence = min(confidence, 0.5)
        result.confidence = round(max(0.05, min(0.99, confidence)), 2)
        label = result.intent.value.replace("_", " ")
        extra = f"; {'; '.join(notes)}" if notes else ""
        result.rationale = f"Read as {label}: the message {why}{extra}."
        return result
