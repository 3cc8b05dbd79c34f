"""Secret masking is linear in its input, and every log path masks (issue 12, item 5).

The old key pattern re-scanned each run of letters from every position: 1k/2k/4k characters took
0.14/0.49/1.57 s, and 16k letters took 94 s. The checks here are far from both edges on a loaded
machine: 64 KB must be masked within a generous second, and 4x the input may take at most 12x
the time (linear work gives about 4x, quadratic 16x). Times are the process's CPU time (not the
wall clock, which on a loaded machine counts the waits for a core), best of several runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from flrts.core.masking import mask_query, mask_text
from flrts.nlp.guard import mask_secrets

# Shapes that make backtracking patterns work hardest: long runs of one class of character,
# keywords repeated without values, separators without keys.
SHAPES = {
    "letters": "a",
    "underscores": "_",
    "upper": "AKIA",
    "keyword": "password",
    "keyword-space": "token ",
    "keyword-equals": "password=",
    "digits": "7",
    "sk-prefix": "sk-",
    "colons": ":",
    "tabs": "\t",
    "bot-url": "bot123456789:",
    "quotes": '"token"',
}


def _text(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _seconds(func: Callable[[str], object], text: str) -> float:
    reps = max(1, 256 * 1024 // len(text))
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for _ in range(reps):
            func(text)
        best = min(best, (time.process_time() - started) / reps)
    return best


def _unbounded(text: str) -> str:
    return mask_text(text, limit=None)


@pytest.mark.parametrize("func", [_unbounded, mask_secrets], ids=["mask_text", "mask_secrets"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_masking_is_linear(shape: str, func: Callable[[str], object]) -> None:
    unit = SHAPES[shape]
    big = _seconds(func, _text(unit, 64 * 1024))
    assert big < 1.0, f"{shape}: 64 KB took {big:.2f} s"
    ratio = big / _seconds(func, _text(unit, 16 * 1024))
    if ratio >= 12:  # measure once more before calling it quadratic
        ratio = min(
            ratio, _seconds(func, _text(unit, 64 * 1024)) / _seconds(func, _text(unit, 16 * 1024))
        )
    assert ratio < 12, f"{shape}: 4x the input took {ratio:.1f}x the time"


def test_log_lines_are_capped_before_masking() -> None:
    started = time.process_time()
    line = mask_text("a" * 5_000_000 + " password=hunter22")
    assert time.process_time() - started < 1.0
    assert len(line) < 40_000 and "more characters" in line


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("password=hunter22 and more", "hunter22"),
        ('{"api_secret": "0123456789abcdef"}', "0123456789abcdef"),
        ("a=password=hunter22", "hunter22"),
        ("pwd=hunter22&usr=x", "hunter22"),
        ("sid=abcdef123456; path=/", "abcdef123456"),
        ("POST /bot123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/sendMessage", "AAAAAAAAAAAAAAAA"),
        ("key sk-abcdefghijklmnopqrstu here", "sk-abcdefghijklmnopqrstu"),
    ],
)
def test_secrets_are_masked(text: str, secret: str) -> None:
    assert secret not in mask_text(text)


def test_query_strings_mask_secret_names_and_keep_the_rest() -> None:
    masked = mask_query("usr=worker%40example.com&pwd=hunter22&api_secret=0123456789&limit=20")
    assert "hunter22" not in masked and "0123456789" not in masked
    assert "usr=worker%40example.com" in masked and masked.endswith("&limit=20")
