"""`python -m flrts.nlp.coldstart`: the cost of a process's first parse, as JSON on stdout.

Run in a fresh process by `flrts nlp eval` and `bench/nlp.py`, so nothing is loaded yet.
"""

from __future__ import annotations

import json

from flrts.nlp.warmup import cold_start

if __name__ == "__main__":
    print(json.dumps(cold_start()))
