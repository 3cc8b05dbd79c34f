"""The package structure stays drawable: no import cycle between top-level packages, the layer
contract holds, and imports hidden in functions stay rare and explained."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.layers.graph import ROOT, read

MAX_FUNCTION_LEVEL_SHARE = 0.10


def test_no_import_cycle_between_top_level_packages() -> None:
    report = read()
    assert report.cycles() == []
    assert report.mutual_pairs() == []


def test_at_most_a_tenth_of_cross_package_imports_sit_in_functions() -> None:
    report = read()
    assert len(report.edges) > 200  # the reader sees the real tree
    assert report.function_share <= MAX_FUNCTION_LEVEL_SHARE, report.summary()


def test_every_function_level_cross_package_import_says_why() -> None:
    """A comment on the import's line or on the line just above it."""
    silent = []
    for edge in read().function_level:
        path = ROOT.parent / (edge.source.replace(".", "/") + ".py")
        if not path.exists():
            path = path.with_suffix("") / "__init__.py"
        lines = path.read_text(encoding="utf-8").splitlines()
        here, above = lines[edge.line - 1], lines[edge.line - 2].strip()
        if "#" not in here and not above.startswith("#"):
            silent.append(f"{edge.source}:{edge.line} -> {edge.target}")
    assert silent == []


def test_the_reader_finds_cycles_and_imports_in_functions(tmp_path: Path) -> None:
    """The two numbers above come from this reader, so it is checked on a tree made here."""
    pkg = tmp_path / "flrts"
    for folder in ("a", "b", "c"):
        (pkg / folder).mkdir(parents=True)
        (pkg / folder / "__init__.py").write_text("")
    (pkg / "a" / "x.py").write_text("def f():\n    from flrts.b import y\n")
    (pkg / "b" / "y.py").write_text("from ..a import x\nimport flrts.c.z\n")
    (pkg / "c" / "z.py").write_text("from flrts import a\nfrom . import w\n")
    report = read(pkg)
    assert sorted(f"{e.source}->{e.target}" for e in report.edges) == [
        "flrts.a.x->flrts.b",
        "flrts.b.y->flrts.a",
        "flrts.b.y->flrts.c.z",
        "flrts.c.z->flrts.a",
    ]
    assert [e.source for e in report.function_level] == ["flrts.a.x"]
    assert report.function_share == 0.25
    assert report.cycles() == [["a", "b", "c"]]


def test_the_layer_contract_holds() -> None:
    """import-linter with the contract in pyproject.toml (CI runs it too)."""
    linter = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(linter), "--no-cache"],
        cwd=ROOT.parents[1],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "Contracts: 3 kept, 0 broken." in done.stdout
