"""Token cost estimates from a per-million-token price table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PER_MILLION = 1_000_000


@dataclass(frozen=True)
class Cost:
    usd: float
    note: str | None = None  # set when no price was found, so a 0 is not mistaken for "free"


def find_price(
    prices: Mapping[str, Mapping[str, float]], *models: str | None
) -> Mapping[str, float] | None:
    """The first model name that has a price: exact (case-insensitive), then by prefix.

    Servers answer with dated snapshot names ("gpt-4.1-mini-2025-04-14"); the prefix match
    prices them like their family, picking the longest matching key so "gpt-4.1-mini" wins over
    "gpt-4.1".
    """
    table = {k.strip().lower(): v for k, v in prices.items()}
    names = [m.strip().lower() for m in models if m]
    for name in names:
        if name in table:
            return table[name]
    for name in names:
        matches = [k for k in table if name.startswith(k + "-")]
        if matches:
            return table[max(matches, key=len)]
    return None


def estimate_cost(
    prices: Mapping[str, Mapping[str, float]],
    prompt_tokens: int,
    completion_tokens: int,
    *models: str | None,
    cached_tokens: int = 0,
) -> Cost:
    """USD for one call, rounded to 6 decimals; cached prompt tokens use `cached_input` if set."""
    price = find_price(prices, *models)
    if price is None:
        shown = ", ".join(m for m in models if m) or "none"
        return Cost(0.0, f"no price configured for model {shown}; cost recorded as 0")
    cached = min(max(cached_tokens, 0), max(prompt_tokens, 0)) if "cached_input" in price else 0
    usd = (
        (max(prompt_tokens, 0) - cached) * price["input"]
        + cached * price.get("cached_input", price["input"])
        + max(completion_tokens, 0) * price["output"]
    ) / PER_MILLION
    return Cost(round(usd, 6))
