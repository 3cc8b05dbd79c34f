"""`flrts nlp parse` and `flrts nlp eval`: output, the Parser Log row, and bad input."""

from __future__ import annotations

import json
import os
import subprocess
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from flrts.nlp.models import ParserLog

from .conftest import Team

ROOT = Path(__file__).resolve().parents[2]
FLRTS = ROOT / ".venv" / "bin" / "flrts"
DATA = ROOT / "tests" / "data" / "nlp" / "dev"
MESSAGE = "URGENT: generator check at Viper for Joel by Friday"
NOW = "2026-03-02T09:00:00-06:00"  # a Monday


def nlp(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("nlp", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_parse_prints_the_result_and_logs_it(team: Team, places: dict[str, Any]) -> None:
    out, err = nlp(
        "parse", MESSAGE, "--sender", "colin@10nz.tools", "--now", NOW, "--parser", "offline"
    )
    result = json.loads(out)
    assert result["intent"] == "create_task"
    assert result["assignee"] == "joel@10nz.tools"
    assert result["site"] == "Viper"
    assert result["parser"] == "offline"
    log = ParserLog.objects.get()
    assert (log.channel, log.user, log.parser) == ("cli", team.supervisor, "offline")
    assert log.owner == team.supervisor
    assert log.original_message == MESSAGE
    assert log.parsed_output == result
    assert log.name in err


@pytest.mark.django_db
def test_parse_defaults_to_the_administrator(team: Team, places: dict[str, Any]) -> None:
    out, _ = nlp("parse", "remind me every Monday at 8 to read the meters", "--parser", "offline")
    assert json.loads(out)["intent"] == "create_reminder"
    assert ParserLog.objects.get().user == team.admin


@pytest.mark.django_db
def test_sender_by_telegram_id_and_naive_now_in_their_zone(
    team: Team, places: dict[str, Any]
) -> None:
    out, _ = nlp(
        "parse", "check the pump tomorrow at 3pm", "--sender", "1001", "--now", "2026-03-02T09:00"
    )
    result = json.loads(out)
    # Joel is in New York: 3 pm there on 3 March is 20:00 UTC.
    assert result["due"] == "2026-03-03T15:00:00-05:00"
    assert ParserLog.objects.get().user == team.joel


@pytest.mark.django_db
def test_secrets_are_masked_in_output_and_log(team: Team, places: dict[str, Any]) -> None:
    out, _ = nlp(
        "parse", "reset the router password: Hunter2Hunter2 tomorrow", "--parser", "offline"
    )
    assert "Hunter2Hunter2" not in out
    assert "Hunter2Hunter2" not in ParserLog.objects.get().original_message


@pytest.mark.django_db
def test_llm_without_a_key_answers_offline_and_says_why(
    team: Team, places: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(settings.SITE.config, "openai_api_key", "")
    out, err = nlp("parse", MESSAGE, "--now", NOW, "--parser", "llm")
    assert json.loads(out)["parser"] == "offline"
    log = ParserLog.objects.get()
    assert (log.error_occurred, log.error_type) == (True, "not_configured")
    assert "not_configured" in err


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["parse", ""], "empty"),
        (["parse", "   \n "], "empty"),
        (["parse", "A" * 1001], "limit is 1,000"),
        (["parse", "fix it", "--now", "next tuesday"], "--now 'next tuesday' is not an ISO"),
        (["parse", "fix it", "--sender", "nobody@example.com"], "no person 'nobody@example.com'"),
        (["parse", "fix it", "--sender", "old@10nz.tools"], "disabled"),
        (["parse", "fix it", "--sender", " "], "--sender is empty"),
        (["parse", "fix it", "--parser", "gpt"], "invalid choice"),
        (["eval", "missing.jsonl", "--context", "missing.json"], "corpus file not found"),
        (["eval"], "required"),
    ],
)
def test_parse_bad_input(team: Team, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        nlp(*args)
    assert not ParserLog.objects.exists()


@pytest.mark.django_db
def test_limit_follows_the_site_config(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(settings.SITE.config, "parse_max_length", 20)
    with pytest.raises(CommandError, match="limit is 20"):
        nlp("parse", "check the generator at Viper tomorrow")
    monkeypatch.setitem(settings.SITE.config, "parse_morning", "8am")
    with pytest.raises(CommandError, match="key 'parse_morning'"):
        nlp("parse", "check it")


@pytest.mark.django_db
def test_no_administrator(db: None) -> None:
    with pytest.raises(CommandError, match=r"no person .Administrator.*--sender"):
        nlp("parse", "fix it")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


CASE = '{"id": "a", "text": "hi", "sender": "joel@10nz.tools", "now": "%s", "expect": {}}'
GOOD = CASE % "2026-03-02T09:00:00-06:00"


@pytest.mark.parametrize(
    ("corpus", "context", "message"),
    [
        (GOOD + '\n{"id": "b", "text": \n', "{}", r"corpus.jsonl:2: not valid JSON"),
        ('["a"]\n', "{}", r"corpus.jsonl:1: each line must be a JSON object"),
        ('{"id": "a", "text": "hi"}\n', "{}", r"corpus.jsonl:1: the case has no sender, now"),
        (CASE % "2026-03-02T09:00" + "\n", "{}", r"corpus.jsonl:1: 'now' must be .* offset"),
        (CASE % "Monday" + "\n", "{}", r"corpus.jsonl:1: 'now' must be"),
        ("\n\n", "{}", "the corpus has no cases"),
        (GOOD + "\n", '{"people": [', r"context.json:1: not valid JSON"),
        (GOOD + "\n", "[]", "the context must be a JSON object"),
        (
            GOOD + "\n",
            '{"people": [{"id": "x"}]}',
            r"evaluation failed: ParseContext: people.0.name: Field required$",
        ),
    ],
)
def test_eval_bad_files(tmp_path: Path, corpus: str, context: str, message: str) -> None:
    corpus_path = _write(tmp_path / "corpus.jsonl", corpus)
    context_path = _write(tmp_path / "context.json", context)
    with pytest.raises(CommandError, match=message):
        nlp("eval", str(corpus_path), "--context", str(context_path))


def test_eval_bad_predictions_folder(tmp_path: Path) -> None:
    corpus_path = _write(tmp_path / "corpus.jsonl", GOOD + "\n")
    context_path = _write(tmp_path / "context.json", "{}")
    with pytest.raises(CommandError, match=r"predictions: folder .* does not exist"):
        nlp(
            "eval",
            str(corpus_path),
            "--context",
            str(context_path),
            "--predictions",
            str(tmp_path / "nope" / "out.jsonl"),
        )


def _corpus() -> Path:
    found = sorted(p for p in DATA.glob("*.jsonl"))
    if not found:
        pytest.skip("no corpus in tests/data/nlp yet")
    return found[0]


def test_eval_runs_the_harness(tmp_path: Path) -> None:
    pytest.importorskip("flrts.nlp.evaluate")
    corpus = tmp_path / "small.jsonl"
    lines = _corpus().read_text(encoding="utf-8").splitlines()[:10]
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    predictions = tmp_path / "predictions.jsonl"
    out, _ = nlp(
        "eval",
        str(corpus),
        "--context",
        str(DATA / "context.json"),
        "--predictions",
        str(predictions),
    )
    report = json.loads(out)
    assert report["cases"] == 10
    assert {"intent_accuracy", "field_accuracy", "exact_match", "latency_ms", "failures"} <= set(
        report
    )
    # warm latency (after the parser is loaded) and the cold start of a fresh process, apart
    assert set(report["latency_ms"]) == {"p50", "p99", "max"}
    cold = report["cold_start_ms"]
    assert cold["runs"] == 3 and cold["total_ms"] >= cold["first_parse_ms"] > 0
    assert cold["total_ms"] > report["latency_ms"]["p99"]
    assert len(predictions.read_text(encoding="utf-8").splitlines()) == 10


def test_eval_llm_needs_a_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(settings.SITE.config, "openai_api_key", "")
    corpus_path = _write(tmp_path / "corpus.jsonl", GOOD + "\n")
    context_path = _write(tmp_path / "context.json", "{}")
    with pytest.raises(CommandError, match="eval --parser llm"):
        nlp("eval", str(corpus_path), "--context", str(context_path), "--parser", "llm")


# -- the real command, in its own process, against a fresh site -------------------------------


def _env(sites: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FLRTS_"))}
    env["FLRTS_SITES_DIR"] = str(sites)
    return env


@pytest.mark.slow
def test_real_cli_against_a_new_site(tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    env = _env(sites)
    made = subprocess.run(
        [
            str(FLRTS),
            "--sites-dir",
            str(sites),
            "new-site",
            "cli.localhost",
            "--admin-password",
            "x" * 12,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr

    def flrts(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(FLRTS), "--sites-dir", str(sites), "--site", "cli.localhost", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    ran = flrts(
        "nlp", "parse", "fix the router tomorrow morning", "--now", NOW, "--parser", "offline"
    )
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
    assert result["intent"] == "create_task"
    assert "Parser Log FLRTS-LOG-" in ran.stderr

    for args in (
        ["nlp", "parse", "   "],
        ["nlp", "parse", "fix it", "--now", "yesterday-ish"],
        ["nlp", "parse", "fix it", "--sender", "ghost@example.com"],
        ["nlp", "eval", str(tmp_path / "none.jsonl"), "--context", str(tmp_path / "none.json")],
    ):
        bad = flrts(*args)
        assert bad.returncode != 0, args
        assert "Traceback" not in bad.stderr, bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1, bad.stderr
        assert bad.stdout == ""


def test_eval_llm_runs_the_corpus_through_the_configured_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fakes.openai_server import FakeOpenAIServer, completion, unknown_wire

    with FakeOpenAIServer(lambda request: completion(unknown_wire(intent="help"))) as server:
        monkeypatch.setitem(settings.SITE.config, "openai_api_key", "sk-test-eval-0123456789")
        monkeypatch.setitem(settings.SITE.config, "openai_base_url", server.base_url)
        case = json.loads(GOOD)
        case["expect"] = {"intent": "help"}
        corpus_path = _write(tmp_path / "corpus.jsonl", json.dumps(case) + "\n")
        context_path = _write(tmp_path / "context.json", "{}")
        out, _ = nlp("eval", str(corpus_path), "--context", str(context_path), "--parser", "llm")
        assert len(server.chat_requests) == 1  # the model answered, not the offline parser
    report = json.loads(out)
    assert report["cases"] == 1 and report["intent_accuracy"] == 1.0
