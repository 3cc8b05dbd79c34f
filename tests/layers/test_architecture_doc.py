"""ARCHITECTURE.md cannot rot: every module path it names exists, and its layer picture is the
import-linter contract in pyproject.toml."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "ARCHITECTURE.md").read_text()


def _exists(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def test_every_module_path_named_exists() -> None:
    named = sorted(set(re.findall(r"`(flrts(?:\.\w+)+)`", DOC)))
    assert len(named) > 50
    missing = [p for p in named if not _exists(p)]
    assert missing == []


def test_the_layer_picture_is_the_import_linter_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["id"] == "layers")["layers"]
    block = DOC.split("```", 2)[1]
    drawn = [
        re.split(r"\s{2,}", line.strip())[0] for line in block.strip().splitlines() if line.strip()
    ]
    assert drawn == layers
