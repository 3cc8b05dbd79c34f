"""CI guard: the offline parser must stay above the issue's accuracy targets on the corpus."""

from __future__ import annotations

from flrts.nlp.evaluate import load_corpus, run_eval
from tests.nlp.conftest import DATA

INTENT_TARGET = 0.95
EXACT_TARGET = 0.90


def test_corpus_is_large_and_covers_every_intent() -> None:
    cases = load_corpus(DATA / "corpus.jsonl")
    assert len(cases) >= 200
    intents = {c["expect"].get("intent") for c in cases}
    assert intents >= {
        "create_task",
        "create_field_report",
        "create_reminder",
        "create_list",
        "add_list_items",
        "complete_list_items",
        "complete_task",
        "update_task",
        "query_tasks",
        "help",
        "unknown",
    }


def test_offline_parser_meets_accuracy_targets() -> None:
    report = run_eval(DATA / "corpus.jsonl", DATA / "context.json", parser="offline")
    summary = f"{report['failures'][:10]}"
    assert report["intent_accuracy"] >= INTENT_TARGET, summary
    assert report["exact_match"] >= EXACT_TARGET, summary
