"""Which of the eleven intents a message expresses, from cue words and what else was found.

Rules are tried from the most specific to the most general: help, questions about tasks, list
operations, reminders, task updates, task completions, field reports, and finally new tasks.
Each rule returns a base confidence and a short reason that ends up in the rationale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flrts.nlp.offline.narrative import narrates_work, reports_condition, site_heading
from flrts.nlp.offline.verbs import TASK_VERBS
from flrts.nlp.types import Intent

_VERB_RE = re.compile(r"\b(?:" + TASK_VERBS + r")\b")
_START_VERB_RE = re.compile(
    r"^(?:please\s+|pls\s+|can\s+you\s+|could\s+you\s+)?(?:" + TASK_VERBS + r")\b"
)

_HELP_RE = re.compile(
    r"^\s*(?:/help|/start|/commands|help|help\s+me|\?+|commands|menu|how\s+does\s+this\s+work)"
    r"\s*[!.?]*\s*$"
    r"|\b(?:what\s+can\s+you\s+do|what\s+do\s+you\s+do|how\s+do\s+i\s+(?:use|create|add|make|set|"
    r"log|file|mark|report|start|see|check)|how\s+does\s+this\s+(?:bot\s+)?work|what\s+commands"
    r"|show\s+me\s+the\s+commands|how\s+to\s+use\s+(?:you|this)|what\s+can\s+i\s+(?:say|ask|do)"
    r"|what\s+do\s+you\s+understand|who\s+are\s+you"
    r"|what\s+(?:sorts?|kinds?|types?)\s+of\s+(?:things|stuff|messages)\s+(?:can|do)\s+(?:i|you)"
    r"|how\s+do\s+(?:lists|reminders|tasks|reports|field\s+reports|corrections|checklists)\s+work)\b"
)
_QUESTION_START_RE = re.compile(
    r"^\s*(?:(?:hey|hi|ok|so)[\s,]+)?(?:what(?:'s|’s|s|\s+is|\s+are|\s+do|\s+does|\s+did)?|which|show"
    r"(?:\s+me)?|list\s+(?:all|my|the|every|open|overdue)|any(?:thing|\s+tasks)?|how\s+many|do\s+i"
    r"\s+have|does\s+\w+\s+have|is\s+there|are\s+there|give\s+me|tell\s+me|where\s+are|who(?:'s|\s+is"
    r"|\s+has)|whats|status\s+of|pull\s+up|(?:have|has)\s+\w+\s+got|got\s+anything|am\s+i"
    r"|list\s+(?:\w+\s+)?\w+(?:'s|’s))\b"
)
_TASK_WORDS_RE = re.compile(
    r"\b(?:tasks?|overdue|due|open|outstanding|pending|late|plate|assigned|to-?dos?|jobs?|work\s+"
    r"orders?|left|finish|finished|complete|completed|closed|done|backlog|queue|working\s+on"
    r"|doing|busy\s+with|got\s+on|on\s+(?:today|deck)|(?:need|have)\s+to\s+(?:do|finish)"
    r"|(?:have|has)\s+\w+\s+got|am\s+i\s+on|(?:i|i'?ve)\s+got)\b"
)
_REMIND_START_RE = re.compile(
    r"^\s*(?:(?:hey|pls|please|can\s+you|could\s+you)[\s,]+)?(?:remind|set\s+(?:a|me\s+a)\s+reminder"
    r"|reminder|don'?t\s+let\s+me\s+forget|ping\s+me|nudge\s+me|alert\s+me)\b"
)
_REMIND_ANY_RE = re.compile(r"\b(?:remind|reminder|don'?t\s+let\s+(?:me|him|her)\s+forget)\b")
CREATE_LIST_RE = re.compile(
    r"\b(?:create|make|start|new|set\s+up|open|begin)\s+(?:up\s+)?(?:a\s+|an\s+|the\s+|my\s+)?(?:new\s+)?"
    r"(?:(?P<type>shopping|check|inventory|parts|packing|to-?do|punch|supply|supplies|grocery)\s*)?"
    r"(?:list|checklist)\b"
)
ADD_ITEMS_RE = re.compile(
    r"\b(?:add|put|throw|stick|include|append|toss|(?:we\s+)?need)\b(?P<items>.+?)\b(?:to|on|onto|in|into)\s+"
    r"(?P<list>(?:the\s+|my\s+|our\s+)?.+?)(?:\s+(?:list|checklist)\b|$)"
)
LIST_WORD_RE = re.compile(r"\b(?:list|checklist)\b")
COMPLETE_ITEMS_RE = re.compile(
    r"\b(?:mark(?:ed)?|check(?:ed)?\s+off|cross(?:ed)?\s+off|tick(?:ed)?\s+off|strike|got|bought"
    r"|picked\s+up|purchased|grabbed|have)\b"
)
_COMPLETE_TASK_RE = re.compile(
    r"^\s*(?:(?:i'?m|we'?re|i\s+am|all)\s+)?(?:done|finished|completed|complete|closed|wrapped\s+up"
    r"|knocked\s+out)\b"
    r"|\b(?:is|are|'s|’s|was|were|has\s+been|have\s+been)\s+(?:now\s+|all\s+)?(?:done|finished|"
    r"complete|completed|fixed|sorted|resolved|taken\s+care\s+of|closed|handled)\b"
    r"|\b(?:mark|marked|set)\s+.+?\s+(?:as\s+)?(?:done|complete|completed|finished|closed)\b"
    r"|\bi\s+(?:just\s+)?(?:finished|completed|wrapped\s+up|closed\s+out)\b"
    r"|\b(?:close|closed|complete|completed|finish|finished)\s+(?:out\s+)?task-"
    r"|\b(?:done|finished)\s+with\b"
    r"|\btask-\d{4}-\d+\s*[:\-–,]?\s*(?:is\s+|are\s+|has\s+been\s+)?(?:now\s+|all\s+)?(?:done|complete"
    r"|completed|finished|closed|fixed)\b"
    r"|\bclose\s+(?:out\s+)?(?:that|this|the)\s+(?:task|ticket|job|one|work\s+order)\b"
    r"|\b(?:is|are|'s|’s)\s+(?:now\s+|all\s+)?(?:submitted|sent|filed|signed\s+off|wrapped\s+up"
    r"|squared\s+away|knocked\s+out|good\s+to\s+go)\b"
)
_UPDATE_RE = re.compile(
    r"^\s*(?:please\s+|pls\s+|can\s+you\s+)?(?:move|push|postpone|reschedule|delay|bump|reassign"
    r"|re-assign|hand\s+off|hand\s+over|extend|rename)\b"
    r"|\b(?:change|update|set|move|push)\s+(?:the\s+)?(?:due\s+date|deadline|priority|assignee"
    r"|due\s+time|date|time|site)\b"
    r"|\btask-\d"
    r"|\b(?:is|are)\s+now\s+(?:urgent|high|low|a\s+priority|critical|asap|assigned)"
    r"|^\s*make\s+(?:the\s+)?.+?\s+(?:urgent|high\s+priority|low\s+priority|asap|a\s+priority"
    r"|critical)\b"
    r"|\b(?:task|job|ticket|work\s+order)\s+(?:is\s+now|should\s+be|now\s+goes)\b"
    r"|\bcan\s+wait\s+(?:until|til|till|for)\b|\bpush(?:ed)?\s+(?:it\s+)?back\b"
    r"|^\s*(?:give|pass|hand)\s+(?:the|that|this)\s+.+?\s+(?:over\s+)?to\s+\S+\s+instead\b"
    r"|^\s*hand\s+(?:the|that|this)\s+.+?\s+over\s+to\b"
    r"|^\s*(?:give|pass|hand)\s+(?:the\s+)?.+?\b(?:task|job|ticket)\s+(?:over\s+)?to\b"
    r"|\bshould\s+(?:now\s+)?be\s+(?:urgent|asap|critical|(?:high|low|top)(?:\s+priority)?"
    r"|a\s+priority)\b"
)
# "Report: ...", "Shift report Viper: ...", "Big Sky update: ...", "field report", "site visit"
_REPORT_RE = re.compile(
    r"^[^:\n]{0,30}?\b(?:report|update|status|log|visit|notes?|readings)\b[^:\n]{0,30}?\s*[:\-–]\s"
    r"|^\s*(?:report|readings)\s*[:\-–]|\bfield\s+report\b|\bsite\s+visit\b|\bdaily\s+report\b"
    r"|\bshift\s+report\b|\breporting\s+(?:from|in)\b"
)
_OBSERVATION_RE = re.compile(
    r"^\s*(?:(?:at|on\s+site\s+at)\s+[\w\s]+[:,]\s*)?(?:just\s+)?(?:checked|inspected|visited|walked"
    r"|found|noticed|observed|replaced|swapped|cleaned|serviced|topped|greased|arrived|on\s+site"
    r"|all\s+good|everything|all\s+(?:units|miners|fans)|no\s+issues|readings?|we\s+(?:had|lost|"
    r"found|replaced)|there'?s|there\s+is|there\s+was|lost|power\s+outage|storm)\b"
    r"|\b(?:is|are|was|were)\s+(?:leaking|down|offline|running|tripped|overheating|making|"
    r"throwing|back\s+up|back\s+online|holding|stable|fine|ok|okay|good|low|high|hashing|noisy)\b"
    r"|\b(?:leaking|tripped|overheating|went\s+down|went\s+offline|failed|shut\s+down|alarming|"
    r"reading|reads|tripping|failing|faulting|dripping|sparking|smoking)\b|\bkeeps?\s+\w+ing\b"
    r"|\b(?:it|that|everything|all)(?:'s|’s|\s+is|\s+was)\s+(?:normal|fine|ok|okay|good|working)\b"
)
_TASKISH_RE = re.compile(
    r"\b(?:needs?\s+to|has\s+to|have\s+to|should|must|please|pls|can\s+you|could\s+you|to-?do"
    r"|task|assign(?:ed)?|make\s+sure|don'?t\s+forget\s+to|i'?ll|i\s+will|gotta)\b"
    # a deadline ("by Friday", "by 3pm", "by the end of the week"), not a place ("by the shop")
    r"|\bby\s+(?:the\s+)?(?:end|eod|cob|eow|eom|tomorrow|tmrw|tonight|today|noon|midnight|lunch"
    r"|next|this|mon|tue|wed|thu|fri|sat|sun|\d)"
)


@dataclass
class Cues:
    """What the other extractors found, used to break ties between intents."""

    has_person: bool = False
    has_site: bool = False
    has_list_entity: bool = False
    has_when: bool = False
    has_readings: bool = False
    has_recurrence: bool = False
    addressed: bool = False  # someone is told to do something ("Bryan, shut down ...")
    word_count: int = 0
    site_end: int | None = None  # where a site that opens the message ends
    list_end: int | None = None  # where a known list that opens the message ends


def classify(low: str, cues: Cues) -> tuple[Intent, float, str]:
    """(intent, base confidence, reason)."""
    if _HELP_RE.search(low):
        return Intent.HELP, 0.95, "asks how to use the bot"
    if _REMIND_START_RE.search(low):
        return Intent.CREATE_REMINDER, 0.9, "starts with a reminder request"
    is_question = bool(_QUESTION_START_RE.search(low)) or low.rstrip().endswith("?")
    if is_question and _TASK_WORDS_RE.search(low) and not ADD_ITEMS_RE.search(low):
        return Intent.QUERY_TASKS, 0.9, "asks about existing tasks"
    list_ref = cues.has_list_entity or bool(LIST_WORD_RE.search(low))
    if CREATE_LIST_RE.search(low):
        return Intent.CREATE_LIST, 0.9, "asks to start a new list"
    if cues.list_end is not None and (found := list_first(low, cues.list_end)) is not None:
        return found
    if list_ref and _is_completion_of_items(low):
        return Intent.COMPLETE_LIST_ITEMS, 0.88, "checks items off a list"
    if list_ref and (ADD_ITEMS_RE.search(low) or re.search(r"\blist\s*(?::|\s-\s|–)", low)):
        return Intent.ADD_LIST_ITEMS, 0.9, "adds items to a list"
    if _REMIND_ANY_RE.search(low):
        return Intent.CREATE_REMINDER, 0.85, "asks for a reminder"
    if _REPORT_RE.search(low) and not cues.addressed:
        return Intent.CREATE_FIELD_REPORT, 0.9, "is labelled as a report"
    if _COMPLETE_TASK_RE.search(low) and not cues.has_readings:
        return Intent.COMPLETE_TASK, 0.88, "says a task is finished"
    if _UPDATE_RE.search(low):
        return Intent.UPDATE_TASK, 0.85, "changes an existing task"
    taskish = cues.addressed or bool(_TASKISH_RE.search(low)) or bool(_START_VERB_RE.search(low))
    if cues.has_readings and not taskish:
        return Intent.CREATE_FIELD_REPORT, 0.88, "reports readings"
    if (
        not taskish
        and not is_question
        and (
            narrates_work(low)
            or site_heading(low, cues.site_end)
            or reports_condition(low, cues.site_end)
        )
    ):
        return Intent.CREATE_FIELD_REPORT, 0.82, "tells what was done on site"
    if _OBSERVATION_RE.search(low) and not taskish:
        return Intent.CREATE_FIELD_REPORT, 0.8, "describes what was seen on site"
    if _COMPLETE_TASK_RE.search(low):
        return Intent.COMPLETE_TASK, 0.75, "says a task is finished"
    if is_question and _TASK_WORDS_RE.search(low):
        return Intent.QUERY_TASKS, 0.8, "asks about existing tasks"
    if taskish or _VERB_RE.search(low):
        return Intent.CREATE_TASK, 0.85, "describes work to be done"
    if cues.has_person or cues.has_when or cues.has_site:
        return Intent.CREATE_TASK, 0.6, "names a person, place or time but no clear action"
    return Intent.UNKNOWN, 0.2, "no recognisable request"


def _is_completion_of_items(low: str) -> bool:
    if re.search(r"\b(?:check(?:ed)?|cross(?:ed)?|tick(?:ed)?)\s+.*\boff\b", low):
        return True
    if re.search(
        r"\bmark(?:ed)?\b.*\b(?:as\s+)?(?:done|bought|got|purchased|complete|picked\s+up)\b", low
    ):
        return True
    if re.search(r"[✅✓✔☑]", low):  # "rags ✅ gloves ✅ on the Viper list"
        return True
    if re.search(r"\b(?:bought|picked\s+up|purchased|received|got|grabbed)\s+(?:for|from)\b", low):
        return True  # "paper and toner bought for office supplies"
    return bool(
        re.search(r"^\s*(?:i\s+|we\s+)?(?:got|bought|picked\s+up|purchased|grabbed)\b", low)
    ) and not ADD_ITEMS_RE.search(low)


_LIST_TICK_RE = re.compile(
    r"\b(?:bought|received|got|picked\s+up|purchased|grabbed|done|in\s+stock|(?:check|cross|tick)"
    r"(?:ed)?\s+(?:\w+\s+)?off)\b|[✅✓✔]"
)
_LIST_ADD_RE = re.compile(r"^\s*(?:list|checklist)?\s*(?:[:,\-–+]|\badd\b|\bneed\b)")


def list_first(low: str, list_end: int) -> tuple[Intent, float, str] | None:
    """ "Viper shopping add: rags", "tool inventory - toner bought": the list, then what to do."""
    rest = low[list_end:]
    if not _LIST_ADD_RE.match(rest):
        return None
    if _LIST_TICK_RE.search(rest):
        return Intent.COMPLETE_LIST_ITEMS, 0.85, "names a list, then items that are done"
    return Intent.ADD_LIST_ITEMS, 0.88, "names a list, then items to add"
