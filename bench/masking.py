"""Secret masking benchmark: time to mask adversarial inputs of growing size (issue 12, item 5).

Run: .venv/bin/python bench/masking.py [--sizes 16,64,256] [--rounds 5]
Prints one JSON object: for each input shape and size (KiB), the best-of-rounds seconds of
`mask_text` (uncapped: the log path caps lines at 32 KiB first) and of the parser guard's
`mask_secrets` (CPU time of this process, so other load on the machine counts little), and the
ratio between consecutive sizes (about 4 for 4x the input when linear,
16 when quadratic). The load average is recorded before and after.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from flrts.core.masking import mask_text  # noqa: E402
from flrts.nlp.guard import mask_secrets  # noqa: E402

SHAPES = {
    "letters": "a",
    "underscores": "_",
    "keyword": "password",
    "keyword-equals": "password=",
    "keyword-space": "token ",
    "digits": "7",
    "sk-prefix": "sk-",
    "bot-url": "bot123456789:",
}


def best(func: Callable[[str], object], text: str, rounds: int) -> float:
    fastest = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        func(text)
        fastest = min(fastest, time.process_time() - started)
    return fastest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="16,64,256", help="KiB, comma-separated")
    parser.add_argument("--rounds", type=int, default=5)
    opts = parser.parse_args()
    sizes = [int(s) for s in opts.sizes.split(",")]
    funcs: dict[str, Callable[[str], object]] = {
        "mask_text": lambda text: mask_text(text, limit=None),
        "mask_secrets": mask_secrets,
    }
    load_before = os.getloadavg()
    results: dict[str, dict[str, object]] = {}
    for shape, unit in SHAPES.items():
        for name, func in funcs.items():
            seconds = []
            for kib in sizes:
                text = (unit * (kib * 1024 // len(unit) + 1))[: kib * 1024]
                seconds.append(best(func, text, opts.rounds))
            ratios = [round(b / a, 2) for a, b in itertools.pairwise(seconds) if a]
            results[f"{shape}/{name}"] = {
                "seconds": {f"{k}KiB": round(s, 5) for k, s in zip(sizes, seconds, strict=True)},
                "ratios": ratios,
            }
    print(
        json.dumps(
            {
                "sizes_kib": sizes,
                "rounds": opts.rounds,
                "load_before": load_before,
                "load_after": os.getloadavg(),
                "results": results,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
