"""Config parsing, prices, and the strict wire schema (no network)."""

from __future__ import annotations

import pytest

from flrts.nlp.llm import LLMConfig, LLMConfigError
from flrts.nlp.llm.config import DEFAULT_MODEL
from flrts.nlp.llm.pricing import estimate_cost
from flrts.nlp.llm.schema import WireResult, strict_json_schema
from flrts.nlp.types import ParseResult

KEY = "sk-proj-AbCdEfGhIjKlMnOpQrSt"


def test_defaults() -> None:
    config = LLMConfig.from_site_config({})
    assert not config.configured
    assert config.model == DEFAULT_MODEL and "gpt-4o" not in config.model
    assert config.base_url == "https://api.openai.com/v1"
    assert (config.timeout, config.max_retries) == (10.0, 2)
    assert (config.circuit_failures, config.circuit_seconds) == (5, 60.0)
    assert config.transcription_model == "whisper-1"
    assert config.temperature == pytest.approx(0.1)


def test_values_are_read_and_coerced() -> None:
    config = LLMConfig.from_site_config(
        {
            "openai_api_key": f"  {KEY} ",
            "openai_base_url": "http://localhost:11434/v1/",
            "openai_model": "llama3.2",
            "openai_timeout": "7.5",
            "openai_max_retries": "0",
            "openai_prices": '{"llama3.2": {"input": 0, "output": 0}}',
            "openai_transcription_model": "gpt-4o-mini-transcribe",
        }
    )
    assert config.configured and config.api_key == KEY
    assert config.base_url == "http://localhost:11434/v1"
    assert (config.model, config.timeout, config.max_retries) == ("llama3.2", 7.5, 0)
    assert config.prices["llama3.2"] == {"input": 0.0, "output": 0.0}
    assert "gpt-4.1-mini" in config.prices  # defaults kept alongside
    assert config.transcription_model == "gpt-4o-mini-transcribe"


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"openai_timeout": "soon"}, "openai_timeout"),
        ({"openai_timeout": 0}, "openai_timeout"),
        ({"openai_timeout": -3}, "openai_timeout"),
        ({"openai_max_retries": -1}, "openai_max_retries"),
        ({"openai_max_retries": 1.5}, "openai_max_retries"),
        ({"openai_max_retries": True}, "openai_max_retries"),
        ({"openai_base_url": "localhost:11434"}, "openai_base_url"),
        ({"openai_model": 42}, "openai_model"),
        ({"openai_prices": "[1, 2"}, "openai_prices"),
        ({"openai_prices": {"m": {"input": 1}}}, "openai_prices"),
        ({"openai_prices": {"m": {"input": 1, "output": "x"}}}, "openai_prices"),
        ({"openai_prices": {"m": {"input": 1, "output": 2, "per_token": 3}}}, "openai_prices"),
        ({"openai_circuit_failures": 0}, "openai_circuit_failures"),
        ({"openai_temperature": 5}, "openai_temperature"),
        ({"openai_api_key": 12345}, "openai_api_key"),
    ],
)
def test_invalid_values_name_the_key(values: dict[str, object], key: str) -> None:
    with pytest.raises(LLMConfigError) as info:
        LLMConfig.from_site_config({"openai_api_key": KEY, **values})
    assert info.value.key.startswith(key)
    assert str(info.value).startswith(key)
    assert KEY not in str(info.value)


def test_key_never_in_repr() -> None:
    config = LLMConfig.from_site_config({"openai_api_key": KEY})
    assert KEY not in repr(config)
    assert "sk" in repr(config) and "St" in repr(config)  # first two ... last two


def test_cost_is_per_million_tokens_rounded() -> None:
    prices = {"gpt-4.1-mini": {"input": 0.40, "output": 1.60}}
    assert estimate_cost(prices, 1_000_000, 0, "gpt-4.1-mini").usd == pytest.approx(0.40)
    assert estimate_cost(prices, 1234, 567, "gpt-4.1-mini").usd == round(
        (1234 * 0.40 + 567 * 1.60) / 1e6, 6
    )


def test_cost_for_snapshot_names_and_cached_tokens() -> None:
    prices = {
        "gpt-4.1": {"input": 2.0, "output": 8.0},
        "gpt-4.1-mini": {"input": 0.40, "output": 1.60, "cached_input": 0.10},
    }
    snapshot = estimate_cost(prices, 1000, 0, "GPT-4.1-mini-2025-04-14")
    assert snapshot.usd == pytest.approx(0.0004)
    cached = estimate_cost(prices, 1000, 0, "gpt-4.1-mini", cached_tokens=400)
    assert cached.usd == pytest.approx((600 * 0.40 + 400 * 0.10) / 1e6)


def test_unknown_model_costs_zero_with_a_note() -> None:
    cost = estimate_cost({"gpt-4.1-mini": {"input": 1, "output": 1}}, 100, 100, "llama3.2")
    assert cost.usd == 0.0
    assert cost.note and "llama3.2" in cost.note


def test_wire_model_covers_parse_result() -> None:
    # The wire model is ParseResult as the model writes it; a new ParseResult field must be added
    # to WireResult too (or deliberately excluded here). `parser` and `flags` are set by our code.
    assert set(WireResult.model_fields) == set(ParseResult.model_fields) - {"parser", "flags"}


def test_schema_is_strict_everywhere() -> None:
    def objects(node: object):
        if isinstance(node, dict):
            if node.get("type") == "object":
                yield node
            for value in node.values():
                yield from objects(value)
        elif isinstance(node, list):
            for value in node:
                yield from objects(value)

    schema = strict_json_schema()
    assert "$defs" not in schema and "$ref" not in str(schema)
    found = list(objects(schema))
    assert len(found) >= 5  # root, item, reading, subtask, query
    for obj in found:
        assert obj["additionalProperties"] is False
        assert obj["required"] == list(obj["properties"])
    for forbidden in ('"default"', '"minimum"', '"format"'):
        assert forbidden not in str(schema).replace("'", '"')
