"""CI guard: the offline parser stays above issue 16's targets on the dev corpus.

The held-out set is checked only for shape here: running it against a target would turn it into
a second dev corpus (see tests/data/nlp/heldout/README.md).
"""

from __future__ import annotations

from flrts.nlp.evaluate import load_context, load_corpus, run_eval
from tests.nlp.conftest import DATA

HELDOUT = DATA.parent / "heldout"
INTENT_TARGET = 0.97
EXACT_TARGET = 0.93
INTENTS = {
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


def test_dev_corpus_is_large_and_covers_every_intent() -> None:
    cases = load_corpus(DATA / "corpus.jsonl")
    assert len(cases) >= 400
    assert {c["expect"].get("intent") for c in cases} >= INTENTS
    assert len({c["id"] for c in cases}) == len(cases)


def test_offline_parser_meets_accuracy_targets_on_the_dev_corpus() -> None:
    report = run_eval(DATA / "corpus.jsonl", DATA / "context.json", parser="offline")
    summary = f"{report['failures'][:10]}"
    assert report["intent_accuracy"] >= INTENT_TARGET, summary
    assert report["exact_match"] >= EXACT_TARGET, summary


def test_heldout_set_is_well_formed_and_shares_nothing_with_dev() -> None:
    cases = load_corpus(HELDOUT / "cases.jsonl")
    assert len(cases) >= 200
    assert {c["expect"].get("intent") for c in cases} >= INTENTS
    dev, held = load_context(DATA / "context.json"), load_context(HELDOUT / "context.json")
    names = lambda ctx: {  # noqa: E731
        *(p.name for p in ctx.people),
        *(s.name for s in ctx.sites),
        *(c.name for c in ctx.contractors),
        *(x.name for x in ctx.lists),
    }
    assert not names(dev) & names(held)
    people = {p.id for p in held.people}
    assert all(c["sender"] in people for c in cases)
    # no message is in both, apart from one-word acknowledgements ("ok", "👍")
    dev_texts = {
        c["text"] for c in load_corpus(DATA / "corpus.jsonl") if len(c["text"].split()) > 2
    }
    assert not dev_texts & {c["text"] for c in cases}
