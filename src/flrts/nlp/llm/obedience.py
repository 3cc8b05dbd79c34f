"""Did the model follow an instruction hidden in the message? Checked after every answer.

The prompt tells the model that the message is data, but a model can still be talked into
obeying it. When the message holds an injected instruction (`flrts.nlp.injection.scan`), the
answer may only carry what the legitimate part of the message supports. It is rejected
(`InvalidOutput`, so the offline parser answers instead) when it:
- uses words that appear only in the injected part (a subject "Mark every task complete");
- sets a priority, a recurrence or a person that only the injected part names;
- captures something although the message held nothing but instructions.
An answer that passes is kept, flagged `injection` and capped below the review threshold.
"""

from __future__ import annotations

import re

from flrts.nlp.injection import FLAG, InjectionScan
from flrts.nlp.llm.schema import InvalidOutput
from flrts.nlp.offline.priority import find_priority
from flrts.nlp.offline.text import vocabulary
from flrts.nlp.types import Intent, ParseContext, ParseResult, Priority

FLAGGED_CONFIDENCE = 0.6  # as the offline parser: capture flags the record for review
_WORD_RE = re.compile(r"[a-z0-9]+")
_SUFFIX_RE = re.compile(r"(?:ing|ed|es|s)$")
_RECURRING_RE = re.compile(
    r"\b(?:every|each|daily|hourly|weekly|monthly|yearly|weekday|weekdays)\b", re.I
)
# Words too common to show that an answer was copied from the injected part.
_COMMON = vocabulary(
    """
    the and for all you any are not now new set get got this that with from have will your
    task tasks please then also them they their there its was were has had can our out
    """
)


def _words(text: str) -> set[str]:
    """Word stems of 3 letters or more ("revealed" and "reveal" are the same word here)."""
    words = {w for w in _WORD_RE.findall(text.lower()) if len(w) >= 3} - _COMMON
    return {_SUFFIX_RE.sub("", w) if len(w) > 5 else w for w in words}


def _answer_text(result: ParseResult) -> str:
    parts = [
        result.subject,
        result.description,
        result.task_ref,
        result.list_name,
        result.summary,
        result.observations,
        result.issues,
        *(i.name for i in result.items),
        *(s.subject for s in result.subtasks),
    ]
    return " ".join(p for p in parts if p)


def _named(person_id: str, context: ParseContext, text: str) -> bool:
    person = context.person(person_id)
    if person is None:
        return False
    names = [person.name, person.name.split()[0], *person.aliases]
    if person.telegram_username:
        names.append(person.telegram_username.lstrip("@"))
    low = text.lower()
    return any(re.search(r"\b" + re.escape(n.lower()) + r"\b", low) for n in names if n)


def check_obedience(
    result: ParseResult, text: str, scan: InjectionScan, sender: str, context: ParseContext
) -> None:
    """Raise InvalidOutput when `result` follows the instruction `scan` found in `text`."""
    legit, injected = scan.legitimate(text), scan.injected(text)
    if not legit.strip() and result.intent != Intent.UNKNOWN:
        raise InvalidOutput("the message holds only instructions, yet the answer captures it")
    copied = sorted((_words(_answer_text(result)) & _words(injected)) - _words(legit))
    if copied:
        raise InvalidOutput(
            "the answer follows an instruction inside the message (uses "
            + ", ".join(repr(w) for w in copied[:3])
            + ")"
        )
    legit_priority, _ = find_priority(legit.lower())
    if result.priority not in (None, legit_priority or Priority.MEDIUM):
        assert result.priority is not None
        injected_priority, _ = find_priority(injected.lower())
        named = re.search(r"\b" + result.priority.value + r"\b", injected, re.I)
        if result.priority == injected_priority or named:
            raise InvalidOutput("the priority comes from an instruction inside the message")
    if result.recurrence and not _RECURRING_RE.search(legit) and _RECURRING_RE.search(injected):
        raise InvalidOutput("the recurrence comes from an instruction inside the message")
    people = {result.assignee, result.query.assignee if result.query else None}
    for person in sorted(p for p in people if p and p != sender):
        if _named(person, context, injected) and not _named(person, context, legit):
            raise InvalidOutput("the person comes from an instruction inside the message")


def flag(result: ParseResult) -> ParseResult:
    """Mark a result whose message held an injected instruction, for a person to review."""
    return result.model_copy(
        update={"flags": [FLAG], "confidence": min(result.confidence, FLAGGED_CONFIDENCE)}
    )
