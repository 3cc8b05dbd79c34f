"""LLM settings read from plain site-config keys, validated once so a typo fails loudly.

The API key is held but never shown: `repr()` and error messages carry at most its masked form.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flrts.nlp.guard import mask_value

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# A current small model; gpt-4o(-mini) are deprecated, so the default must not be one of them.
DEFAULT_MODEL = "gpt-4.1-mini"
DEFAULT_TRANSCRIPTION_MODEL = "whisper-1"

# USD per 1M tokens. Estimates only: site config `openai_prices` overrides or extends these.
# (The original system stored per-token values labelled "per 1M"; these really are per million.)
DEFAULT_PRICES: dict[str, dict[str, float]] = {
    "gpt-4.1-mini": {"input": 0.40, "output": 1.60, "cached_input": 0.10},
    "gpt-4.1-nano": {"input": 0.10, "output": 0.40, "cached_input": 0.025},
    "gpt-4.1": {"input": 2.00, "output": 8.00, "cached_input": 0.50},
    "gpt-4o-mini": {"input": 0.15, "output": 0.60, "cached_input": 0.075},
    "gpt-4o": {"input": 2.50, "output": 10.00, "cached_input": 1.25},
}

_PRICE_PARTS = ("input", "output", "cached_input")


class LLMConfigError(ValueError):
    """A site-config value for the LLM is invalid; `key` names the offending key."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


@dataclass(frozen=True)
class LLMConfig:
    api_key: str | None = field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    model: str = DEFAULT_MODEL
    timeout: float = 10.0
    max_retries: int = 2
    prices: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: dict(DEFAULT_PRICES), compare=False
    )
    circuit_failures: int = 5
    circuit_seconds: float = 60.0
    temperature: float | None = 0.1  # None: don't send it (some reasoning models reject it)
    max_output_tokens: int = 2000
    transcription_model: str = DEFAULT_TRANSCRIPTION_MODEL
    transcription_timeout: float = 60.0

    @property
    def configured(self) -> bool:
        """True when a key is set; with no key the offline parser answers."""
        return bool(self.api_key)

    @property
    def masked_key(self) -> str:
        return mask_value(self.api_key) if self.api_key else ""

    def __repr__(self) -> str:
        return (
            f"LLMConfig(api_key={self.masked_key!r}, base_url={self.base_url!r}, "
            f"model={self.model!r}, timeout={self.timeout}, max_retries={self.max_retries})"
        )

    @classmethod
    def from_site_config(cls, values: Mapping[str, Any]) -> LLMConfig:
        """Build from site-config keys (`openai_*`). Missing or empty keys take the defaults."""

        def get(key: str) -> Any:
            value = values.get(key)
            return (
                None if value is None or (isinstance(value, str) and not value.strip()) else value
            )

        api_key = get("openai_api_key")
        if api_key is not None and not isinstance(api_key, str):
            raise LLMConfigError("openai_api_key", "must be a string")
        base_url = get("openai_base_url") or DEFAULT_BASE_URL
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise LLMConfigError(
                "openai_base_url", f"must be an http(s) URL, got {str(base_url)[:80]!r}"
            )
        return cls(
            api_key=api_key.strip() if api_key else None,
            base_url=base_url.strip().rstrip("/"),
            model=_name(values, "openai_model", DEFAULT_MODEL),
            timeout=_number(get("openai_timeout"), "openai_timeout", 10.0, positive=True),
            max_retries=_integer(get("openai_max_retries"), "openai_max_retries", 2, minimum=0),
            prices=_prices(get("openai_prices")),
            circuit_failures=_integer(
                get("openai_circuit_failures"), "openai_circuit_failures", 5, minimum=1
            ),
            circuit_seconds=_number(
                get("openai_circuit_seconds"), "openai_circuit_seconds", 60.0, positive=True
            ),
            temperature=_temperature(values),
            max_output_tokens=_integer(
                get("openai_max_output_tokens"), "openai_max_output_tokens", 2000, minimum=1
            ),
            transcription_model=_name(
                values, "openai_transcription_model", DEFAULT_TRANSCRIPTION_MODEL
            ),
            transcription_timeout=_number(
                get("openai_transcription_timeout"),
                "openai_transcription_timeout",
                60.0,
                positive=True,
            ),
        )


def _name(values: Mapping[str, Any], key: str, default: str) -> str:
    value = values.get(key)
    if value is None or value == "":
        return default
    if not isinstance(value, str) or not value.strip():
        raise LLMConfigError(key, f"must be a model name, got {value!r}")
    return value.strip()


def _number(value: Any, key: str, default: float, *, positive: bool = False) -> float:
    if value is None:
        return default
    if isinstance(value, bool):
        raise LLMConfigError(key, f"must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise LLMConfigError(key, f"must be a number, got {value!r}")
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        wanted = "a positive number" if positive else "zero or more"
        raise LLMConfigError(key, f"must be {wanted}, got {value!r}")
    return number


def _integer(value: Any, key: str, default: int, *, minimum: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool):
        raise LLMConfigError(key, f"must be a whole number, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise LLMConfigError(key, f"must be a whole number, got {value!r}")
    if value < minimum:
        raise LLMConfigError(key, f"must be at least {minimum}, got {value}")
    return value


def _temperature(values: Mapping[str, Any]) -> float | None:
    key = "openai_temperature"
    if key not in values:
        return 0.1
    value = values[key]
    if value is None or value == "":
        return None
    number = _number(value, key, 0.1)
    if number > 2:
        raise LLMConfigError(key, f"must be between 0 and 2, got {value!r}")
    return number


def _prices(value: Any) -> dict[str, dict[str, float]]:
    """Defaults merged with the configured table (a dict, or its JSON text)."""
    key = "openai_prices"
    table: dict[str, dict[str, float]] = {k: dict(v) for k, v in DEFAULT_PRICES.items()}
    if value is None:
        return table
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise LLMConfigError(key, "must be a JSON object {model: {input, output}}")
    if not isinstance(value, Mapping):
        raise LLMConfigError(key, "must be a mapping {model: {input, output}}")
    for model, entry in value.items():
        if not isinstance(model, str) or not isinstance(entry, Mapping):
            raise LLMConfigError(key, f"entry {model!r} must map to {{input, output}}")
        unknown = set(entry) - set(_PRICE_PARTS)
        if unknown or not {"input", "output"} <= set(entry):
            raise LLMConfigError(
                key,
                f"entry {model!r} needs 'input' and 'output' (USD per 1M tokens), "
                f"optionally 'cached_input'; got {sorted(entry)}",
            )
        table[model.strip().lower()] = {
            part: _number(entry[part], f"{key}[{model!r}].{part}", 0.0)
            for part in _PRICE_PARTS
            if part in entry
        }
    return table
