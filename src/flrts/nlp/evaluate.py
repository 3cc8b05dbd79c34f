"""Evaluate a parser against a labelled corpus (`flrts nlp eval`), as pure functions.

Formats (issue 8):
- CONTEXT.json: {"people": [{"id", "name", "aliases", "telegram_username", "timezone"}],
  "sites": [{"name", "code", "aliases"}], "contractors": [{"name"}], "lists": [{"name", "owner"}]}
  (optional "defaults": ParseDefaults fields).
- CORPUS.jsonl, one case a line: {"id", "text", "sender", "now", "expect": {...}}.

Every case goes through `flrts.nlp.service.parse_message`, so masking and refusal apply exactly as
in production; a refused input (empty, too long) counts as intent "unknown" with a clarifying
question (the refusal message). The parser is loaded first (`flrts.nlp.warmup`), so `latency_ms`
is what a running process sees; `warm_up_ms` is that load, and `flrts nlp eval` adds
`cold_start_ms`, the first parse of a fresh process.

Comparison rules, per `expect` key (a field counts only in the cases that specify it):
- intent, priority: equal. assignee: person id or null, "me" = the sender; for a query the
  query filter's assignee counts when the top-level one is empty. site, contractor: equal,
  case-insensitive (query filter site counts for a query).
- due / remind_at: "YYYY-MM-DD" needs a date-only value on that day; an ISO datetime needs an aware
  datetime at the same instant; null needs nothing.
- recurrence: equal when the next 5 occurrences are equal, both rules started at the case's `now`
  in the sender's zone.
- list: equal, case-insensitive, a trailing " list" ignored. items: item names, order-free,
  case-insensitive, without quantity or unit.
- subject_contains: every word appears in the subject (case-insensitive).
- subtasks: the sub-tasks in order, none more or less. An entry is a subject (then the sub-task
  has no assignee of its own) or {"subject", "assignee"} ("me" = the sender); subjects compare
  case-insensitively, spaces collapsed, trailing punctuation ignored. [] needs no sub-tasks.
- task_ref: a task name (TASK-2026-00042) must be equal; otherwise every expected word must appear.
- clarify: true when the parser asked a question, false when it did not.
Extensions used by the FLRTS corpus (documented in docs/nlp.md):
- status: the query filter status ("overdue", "open", "completed", "due_today").
- subject_not_contains: none of these strings appears anywhere in the result (pasted secrets,
  injected titles).
- pending (a top-level key of the case, not of `expect`): a ParseResult being corrected; it is
  put into `context.pending` for that case.
- flagged: true when the result carries a review flag (`ParseResult.flags`), false when none.
- summary_contains / issues_contains: every word appears in the field report's summary / issues;
  issues_contains [] needs no issues at all.
- readings: the field report's readings, order-free, none more or less; an entry is
  {"metric", "value", "unit"}: every word of the expected metric appears in the metric, the
  values are equal, and the units are equal ignoring case, spaces and a degree sign.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr

from flrts.core.progress import each
from flrts.nlp.service import ParserChoice, parse_message
from flrts.nlp.types import (
    Intent,
    JSONDict,
    ParseContext,
    ParseRefused,
    ParseResult,
)
from flrts.nlp.warmup import warm_up

if TYPE_CHECKING:  # the openai SDK loads only when an LLM is used
    from flrts.nlp.llm import LLMConfig

_TASK_NAME_RE = re.compile(r"^[A-Za-z]+-\d{4}-\d+$")
FIELD_ORDER = (
    "assignee",
    "site",
    "contractor",
    "priority",
    "due",
    "remind_at",
    "recurrence",
    "list",
    "items",
    "subject_contains",
    "subject_not_contains",
    "subtasks",
    "task_ref",
    "status",
    "summary_contains",
    "issues_contains",
    "readings",
    "flagged",
    "clarify",
)


# --- loading -------------------------------------------------------------------------------


def context_from_dict(data: JSONDict) -> ParseContext:
    """Build a ParseContext from a CONTEXT.json object (unknown keys are ignored)."""
    return ParseContext.model_validate(
        {
            "people": data.get("people", []),
            "sites": data.get("sites", []),
            "contractors": data.get("contractors", []),
            "lists": data.get("lists", []),
            **({"defaults": data["defaults"]} if "defaults" in data else {}),
        }
    )


def load_context(path: str | Path) -> ParseContext:
    return context_from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def load_corpus(path: str | Path) -> list[JSONDict]:
    cases: list[JSONDict] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        case = json.loads(line)
        for key in ("id", "text", "sender", "now", "expect"):
            if key not in case:
                raise ValueError(f"corpus line {number}: missing {key!r}")
        cases.append(case)
    return cases


# --- running ------------------------------------------------------------------------------


def parse_case(
    case: JSONDict,
    context: ParseContext,
    parser: ParserChoice = "offline",
    llm_config: LLMConfig | None = None,
) -> tuple[ParseResult, float]:
    """(result, ms). A refused input becomes intent unknown with the refusal as the question."""
    now = dt.datetime.fromisoformat(case["now"])
    ctx = context
    if case.get("pending"):
        ctx = context.model_copy(update={"pending": ParseResult.model_validate(case["pending"])})
    try:
        outcome = parse_message(
            case["text"], case["sender"], now, ctx, parser=parser, llm_config=llm_config
        )
    except ParseRefused as exc:
        refused = ParseResult(
            intent=Intent.UNKNOWN,
            clarify=str(exc),
            confidence=0.0,
            rationale=f"Refused before parsing ({exc.reason}).",
        )
        return refused, 0.0
    return outcome.result, outcome.duration_ms


# --- comparing ----------------------------------------------------------------------------


def _sender_zone(context: ParseContext, sender: str) -> ZoneInfo:
    person = context.person(sender)
    try:
        return ZoneInfo(person.timezone if person else "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def same_moment(expected: str | None, got: dt.date | dt.datetime | None) -> bool:
    """Date-only compares as a date; a datetime compares as an instant (needs an aware value)."""
    if expected is None:
        return got is None
    if got is None:
        return False
    if len(expected) == 10:
        return not isinstance(got, dt.datetime) and got == dt.date.fromisoformat(expected)
    want = dt.datetime.fromisoformat(expected)
    return isinstance(got, dt.datetime) and got.tzinfo is not None and got == want


def next_occurrences(rule: str, start: dt.datetime, count: int = 5) -> list[dt.datetime] | None:
    body = rule.strip().removeprefix("RRULE:")
    try:
        return list(islice(rrulestr(body, dtstart=start), count))
    except (ValueError, TypeError):
        return None


def same_recurrence(expected: str | None, got: str | None, start: dt.datetime) -> bool:
    if expected is None or got is None:
        return expected == got
    want = next_occurrences(expected, start)
    have = next_occurrences(got, start)
    return want is not None and want == have


def _norm_list(name: str | None) -> str | None:
    if name is None:
        return None
    name = " ".join(name.lower().split())
    return name.removesuffix(" list").strip()


def _got(field: str, result: ParseResult, sender: str) -> Any:
    query = result.query
    if field == "assignee":
        return result.assignee or (query.assignee if query else None)
    if field == "site":
        return result.site or (query.site if query else None)
    if field == "contractor":
        return result.contractor
    if field == "priority":
        return result.priority.value if result.priority else None
    if field in ("due", "remind_at"):
        return getattr(result, field)
    if field == "recurrence":
        return result.recurrence
    if field == "list":
        return result.list_name
    if field == "items":
        return [item.name for item in result.items]
    if field in ("subject_contains", "subject"):
        return result.subject
    if field == "subtasks":
        return [{"subject": s.subject, "assignee": s.assignee} for s in result.subtasks]
    if field == "task_ref":
        return result.task_ref
    if field == "status":
        return query.status if query else None
    if field == "clarify":
        return bool(result.clarify)
    if field == "flagged":
        return bool(result.flags)
    if field == "summary_contains":
        return result.summary
    if field == "issues_contains":
        return result.issues
    if field == "readings":
        return [r.model_dump() for r in result.readings]
    return None


def _unit(unit: Any) -> str:
    return "".join(str(unit or "").lower().replace("°", "").split())


def _reading_matches(want: JSONDict, got: JSONDict) -> bool:
    metric = str(got.get("metric") or "").lower()
    value = got.get("value")
    return (
        all(word in metric for word in str(want.get("metric") or "").lower().split())
        and value is not None
        and want.get("value") is not None
        and math.isclose(float(value), float(want["value"]), abs_tol=1e-9)
        and _unit(want.get("unit")) == _unit(got.get("unit"))
    )


def readings_match(expected: list[JSONDict], got: list[JSONDict]) -> bool:
    """Each expected reading pairs with a different produced one, and none is left over."""
    if len(expected) != len(got):
        return False
    left = list(got)
    for want in expected:
        found = next((g for g in left if _reading_matches(want, g)), None)
        if found is None:
            return False
        left.remove(found)
    return True


def _subtask(entry: Any, sender: str) -> tuple[str, str | None]:
    """(normalised subject, assignee) of an expected or produced sub-task."""
    if isinstance(entry, str):
        subject, assignee = entry, None
    else:
        subject, assignee = str(entry.get("subject") or ""), entry.get("assignee")
    norm = " ".join(subject.lower().split()).rstrip(" .;,!")
    return norm, sender if assignee == "me" else assignee


def field_matches(
    field: str, expected: Any, result: ParseResult, case: JSONDict, context: ParseContext
) -> bool:
    """True when `result` satisfies `expect[field]` under the rules in the module docstring."""
    got = _got(field, result, case["sender"])
    if field == "assignee":
        want = case["sender"] if expected == "me" else expected
        return got == want
    if field in ("site", "contractor"):
        if expected is None or got is None:
            return expected == got
        return str(expected).lower() == str(got).lower()
    if field in ("due", "remind_at"):
        return same_moment(expected, got)
    if field == "recurrence":
        now = dt.datetime.fromisoformat(case["now"])
        local = now.astimezone(_sender_zone(context, case["sender"]))
        start = local.replace(tzinfo=None, second=0, microsecond=0)
        return same_recurrence(expected, got, start)
    if field == "list":
        return _norm_list(expected) == _norm_list(got)
    if field == "items":
        return sorted(str(i).lower().strip() for i in expected) == sorted(
            i.lower().strip() for i in got
        )
    if field == "subject_contains":
        subject = (got or "").lower()
        return bool(got) and all(str(word).lower() in subject for word in expected)
    if field == "subject_not_contains":
        dumped = result.model_dump_json().lower()
        return not any(str(word).lower() in dumped for word in expected)
    if field == "subtasks":
        want = [_subtask(entry, case["sender"]) for entry in expected or []]
        return want == [_subtask(entry, case["sender"]) for entry in got]
    if field == "task_ref":
        if expected is None or got is None:
            return expected == got
        if _TASK_NAME_RE.match(str(expected)):
            return str(expected).upper() == str(got).upper()
        return all(word.lower() in got.lower() for word in str(expected).split())
    if field in ("clarify", "flagged"):
        return bool(expected) == got
    if field in ("summary_contains", "issues_contains"):
        text = (got or "").lower()
        if not expected:
            return not text.strip()
        return all(str(word).lower() in text for word in expected)
    if field == "readings":
        return readings_match(list(expected or []), got)
    return got == expected


def prediction(case: JSONDict, result: ParseResult) -> JSONDict:
    """One predictions line: every `expect` key, named the same (`subject` for subject_contains,
    `summary` and `issues` for their *_contains)."""
    out: JSONDict = {"intent": result.intent.value}
    for key in case["expect"]:
        if key == "intent":
            continue
        if key in ("subject_contains", "subject_not_contains"):
            out["subject"] = result.subject
            continue
        if key in ("summary_contains", "issues_contains"):
            out[key.removesuffix("_contains")] = _got(key, result, case["sender"])
            continue
        value = _got(key, result, case["sender"])
        if key in ("due", "remind_at"):
            value = _iso(value)
        out[key] = value
    return {"id": case["id"], "result": out}


def _percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return round(ordered[rank - 1], 3)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def evaluate(
    cases: Iterable[JSONDict],
    context: ParseContext,
    parser: ParserChoice = "offline",
    llm_config: LLMConfig | None = None,
) -> tuple[JSONDict, list[JSONDict]]:
    """(report, predictions) for `cases`."""
    n = 0
    with_intent = 0
    intent_ok = 0
    exact = 0
    per_field: dict[str, list[int]] = {}
    latencies: list[float] = []
    failures: list[JSONDict] = []
    predictions: list[JSONDict] = []
    # Load the parser first, as a web or worker process does when it starts, so the latency
    # figures are those of a running service; the load time is reported on its own.
    warm_up_ms = warm_up()
    for case in each(cases, "eval"):
        n += 1
        result, ms = parse_case(case, context, parser, llm_config)
        latencies.append(ms)
        predictions.append(prediction(case, result))
        expect: JSONDict = case["expect"]
        all_ok = True
        if "intent" in expect:
            with_intent += 1
            if result.intent.value == expect["intent"]:
                intent_ok += 1
            else:
                all_ok = False
                failures.append(
                    {
                        "id": case["id"],
                        "field": "intent",
                        "expected": expect["intent"],
                        "got": result.intent.value,
                    }
                )
        for field, want in expect.items():
            if field == "intent":
                continue
            ok = field_matches(field, want, result, case, context)
            tally = per_field.setdefault(field, [0, 0])
            tally[0] += int(ok)
            tally[1] += 1
            if not ok:
                all_ok = False
                got = _got(field, result, case["sender"])
                failures.append(
                    {"id": case["id"], "field": field, "expected": want, "got": _jsonable(got)}
                )
        exact += int(all_ok)
    report: JSONDict = {
        "cases": n,
        "intent_accuracy": round(intent_ok / with_intent, 4) if with_intent else 0.0,
        "field_accuracy": {
            f: round(per_field[f][0] / per_field[f][1], 4)
            for f in sorted(
                per_field, key=lambda k: FIELD_ORDER.index(k) if k in FIELD_ORDER else 99
            )
        },
        "exact_match": round(exact / n, 4) if n else 0.0,
        # every case, after warm-up (a running process): issue 16 wants p99 <= 5 ms
        "latency_ms": {
            "p50": _percentile(latencies, 50),
            "p99": _percentile(latencies, 99),
            "max": round(max(latencies, default=0.0), 3),
        },
        "warm_up_ms": round(warm_up_ms, 1),  # 0 when this process had already loaded it
        "failures": failures,
    }
    return report, predictions


def write_predictions(path: str | Path, predictions: list[JSONDict]) -> None:
    with Path(path).open("w", encoding="utf-8") as fh:
        for line in predictions:
            fh.write(json.dumps(line, ensure_ascii=False, default=_jsonable) + "\n")


def run_eval(
    corpus_path: str | Path,
    context_path: str | Path,
    parser: ParserChoice = "offline",
    predictions_path: str | Path | None = None,
    llm_config: LLMConfig | None = None,
) -> JSONDict:
    """Load, evaluate, optionally write predictions; return the report dict (JSON-ready).

    With parser="llm", `llm_config` says which server and model answer.
    """
    context = load_context(context_path)
    report, predictions = evaluate(load_corpus(corpus_path), context, parser, llm_config)
    if predictions_path is not None:
        write_predictions(predictions_path, predictions)
    return report
