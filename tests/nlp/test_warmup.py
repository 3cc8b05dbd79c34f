"""Warm-up: after `warm_up()` the first message loads nothing more; cold start is measurable.

The checks that need a clean interpreter run in a fresh Python process.
"""

from __future__ import annotations

import json
import subprocess
import sys

from flrts.nlp import warmup
from flrts.nlp.evaluate import evaluate
from flrts.nlp.types import ParseContext
from tests.nlp.conftest import JOEL

FIRST_MESSAGE_LOADS_NOTHING = """
import datetime as dt, json, sys, time
from flrts.nlp import warmup
first = warmup.warm_up()
again = warmup.warm_up()
from flrts.nlp.evaluate import load_context
from flrts.nlp.service import parse_message
context = load_context(sys.argv[1])
before = set(sys.modules)
now = dt.datetime.fromisoformat("2026-03-04T09:15:00-05:00")
texts = [
    "Colln check the Viper fans on April 22 at 3pm, urgent",  # a date, a typo
    "remind me every second Tuesday at 7 to test the generator",
    "Big Sky rounds done: inlet 61F, one fan noisy",
]
for text in texts:
    parse_message(text, "joel@10nz.tools", now, context, parser="offline")
print(json.dumps({"first": first, "again": again, "new": sorted(set(sys.modules) - before)}))
"""


def _fresh_python(code: str, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_after_warm_up_the_first_messages_load_no_module() -> None:
    from tests.nlp.conftest import DATA

    result = json.loads(_fresh_python(FIRST_MESSAGE_LOADS_NOTHING, str(DATA / "context.json")))
    assert result["first"] > 0  # it did the loading
    assert result["again"] == 0.0  # once per process
    assert result["new"] == []  # nothing left to load lazily for the first messages


def test_without_warm_up_the_first_message_loads_dateparser() -> None:
    # the other side of the test above: this is the cost warm-up moves to start-up
    code = (
        "import sys, json; from flrts.nlp.warmup import cold_start; r = cold_start(); "
        "print(json.dumps({**r, 'dateparser': 'dateparser' in sys.modules}))"
    )
    result = json.loads(_fresh_python(code))
    assert result["dateparser"] is True
    assert result["total_ms"] >= result["first_parse_ms"] > 0
    assert result["cpu_ms"] > 0


def test_measure_cold_start_runs_fresh_processes() -> None:
    measured = warmup.measure_cold_start(runs=1)
    assert measured["runs"] == 1
    assert set(measured) >= {"import_ms", "first_parse_ms", "total_ms", "cpu_ms", "max_total_ms"}


def test_importing_the_cli_does_not_load_the_parser() -> None:
    code = (
        "import sys, json, flrts.cli; "
        "print(json.dumps([m for m in ('dateparser', 'flrts.nlp.offline', 'pydantic') "
        "if m in sys.modules]))"
    )
    assert json.loads(_fresh_python(code)) == []


def test_the_evaluation_warms_up_before_timing(nlp_context: ParseContext) -> None:
    warmup.reset()
    case = {
        "id": "w",
        "text": "Colin check the pump on March 14",
        "sender": JOEL,
        "now": "2026-03-04T09:15:00-05:00",
        "expect": {"intent": "create_task"},
    }
    report, _ = evaluate([case], nlp_context)
    assert warmup.is_warm()
    assert report["warm_up_ms"] > 0
    assert set(report["latency_ms"]) == {"p50", "p99", "max"}
    report, _ = evaluate([case], nlp_context)
    assert report["warm_up_ms"] == 0.0
