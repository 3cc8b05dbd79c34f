"""Offline parser benchmark: cold start, warm corpus latency, and a `dateparser` baseline.

Run: .venv/bin/python bench/nlp.py [--rounds 5] [--cold-runs 5] [--corpus …]
Prints one JSON object.
- cold_start_ms: the first parse of a fresh process (`python -m flrts.nlp.coldstart`, median of
  --cold-runs), i.e. what `flrts.nlp.warmup.warm_up()` moves to process start-up;
- warm_up_ms: that warm-up in this process;
- offline_ms: per OfflineParser.parse call on the already-masked text (what `parse_message`
  times): "first_pass" is the first pass over the corpus right after warm-up (issue 16: the first
  message as fast as the rest), "warm" the next --rounds passes, "no_date_cache" a pass with the
  dateparser cache cleared before every call (a calendar date never seen before);
- load_average: the machine's 1-minute load before and after, since the figures depend on it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from flrts.nlp.evaluate import load_context, load_corpus, same_moment  # noqa: E402
from flrts.nlp.guard import check_input, mask_secrets  # noqa: E402
from flrts.nlp.offline import OfflineParser  # noqa: E402
from flrts.nlp.offline.when import _dateparser_date  # noqa: E402
from flrts.nlp.types import JSONDict, ParseContext, ParseRefused, ParseResult  # noqa: E402
from flrts.nlp.warmup import measure_cold_start, warm_up  # noqa: E402


def _pct(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[index], 3)


def _runnable(cases: list[JSONDict], context: ParseContext) -> list[tuple[JSONDict, str]]:
    out = []
    for case in cases:
        try:
            out.append((case, mask_secrets(check_input(case["text"], context.defaults.max_length))))
        except ParseRefused:
            continue  # refused before any parser runs: nothing to time
    return out


def _context_for(case: JSONDict, context: ParseContext) -> ParseContext:
    if case.get("pending"):
        return context.model_copy(update={"pending": ParseResult.model_validate(case["pending"])})
    return context


def time_parser(
    runnable: list[tuple[JSONDict, str]],
    context: ParseContext,
    rounds: int,
    clear: bool,
    cpu: list[float] | None = None,
) -> list[float]:
    """Wall-clock ms per parse; the processor ms go to `cpu` (less sensitive to machine load)."""
    parser = OfflineParser()
    timings: list[float] = []
    for _ in range(rounds):
        for case, text in runnable:
            ctx = _context_for(case, context)
            now = dt.datetime.fromisoformat(case["now"])
            if clear:
                _dateparser_date.cache_clear()
            start, start_cpu = time.perf_counter(), time.process_time()
            parser.parse(text, case["sender"], now, ctx)
            timings.append((time.perf_counter() - start) * 1000)
            if cpu is not None:
                cpu.append((time.process_time() - start_cpu) * 1000)
    return timings


def dateparser_baseline(cases: list[JSONDict], context: ParseContext) -> dict[str, Any]:
    """search_dates over the whole message, first hit taken; scored like the evaluation."""
    from dateparser.search import search_dates

    right = total = 0
    offline_right = 0
    timings: list[float] = []
    parser = OfflineParser()
    for case in cases:
        for field in ("due", "remind_at"):
            if field not in case["expect"] or case.get("pending"):
                continue
            total += 1
            want = case["expect"][field]
            person = context.person(case["sender"])
            tz = person.timezone if person else "UTC"
            now = dt.datetime.fromisoformat(case["now"])
            local = now.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
            settings: Any = {
                "RELATIVE_BASE": local,
                "PREFER_DATES_FROM": "future",
                "TIMEZONE": tz,
                "RETURN_AS_TIMEZONE_AWARE": True,
            }
            start = time.perf_counter()
            found = search_dates(case["text"], languages=["en"], settings=settings)
            timings.append((time.perf_counter() - start) * 1000)
            got: dt.date | dt.datetime | None = found[0][1] if found else None
            if want is not None and len(want) == 10 and isinstance(got, dt.datetime):
                got = got.date()  # lenient: a date-only due counts when the day is right
            right += int(same_moment(want, got))
            result = parser.parse(mask_secrets(case["text"]), case["sender"], now, context)
            offline_right += int(same_moment(want, getattr(result, field)))
    return {
        "cases_with_due_or_remind_at": total,
        "search_dates_right": right,
        "search_dates_accuracy": round(right / total, 4) if total else 0.0,
        "offline_right": offline_right,
        "offline_accuracy": round(offline_right / total, 4) if total else 0.0,
        "search_dates_latency_ms": {"p50": _pct(timings, 50), "p99": _pct(timings, 99)},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT / "tests/data/nlp/dev/corpus.jsonl"))
    ap.add_argument("--context", default=str(ROOT / "tests/data/nlp/dev/context.json"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--cold-runs", type=int, default=5)
    args = ap.parse_args()

    load_before = os.getloadavg()[0]
    cold = measure_cold_start(runs=args.cold_runs)
    warm_up_ms = warm_up()
    context = load_context(args.context)
    cases = load_corpus(args.corpus)
    runnable = _runnable(cases, context)
    first = time_parser(runnable, context, 1, clear=False)  # right after warm-up
    warm_cpu: list[float] = []
    warm = time_parser(runnable, context, args.rounds, clear=False, cpu=warm_cpu)
    uncached = time_parser(runnable, context, 1, clear=True)
    print(
        json.dumps(
            {
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "corpus": os.path.relpath(args.corpus, ROOT),
                "parses_timed": len(warm),
                "load_average": {"before": load_before, "after": os.getloadavg()[0]},
                "cold_start_ms": cold,
                "warm_up_ms": round(warm_up_ms, 1),
                "offline_ms": {
                    "first_pass": {
                        "p50": _pct(first, 50),
                        "p99": _pct(first, 99),
                        "max": round(max(first), 3),
                    },
                    "warm": {
                        "p50": _pct(warm, 50),
                        "p99": _pct(warm, 99),
                        "max": round(max(warm), 3),
                        "mean": round(statistics.fmean(warm), 3),
                    },
                    "warm_cpu": {"p50": _pct(warm_cpu, 50), "p99": _pct(warm_cpu, 99)},
                    "no_date_cache": {"p50": _pct(uncached, 50), "p99": _pct(uncached, 99)},
                },
                "dates_vs_dateparser": dateparser_baseline(cases, context),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
