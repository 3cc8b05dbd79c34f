"""The import graph of ``src/flrts`` between top-level packages, read from the AST.

import-linter enforces the layer contract; this module gives the two numbers the contract does not:
how many top-level packages sit in an import cycle, and what share of cross-package imports hide
inside a function (the usual way to dodge a cycle). ``python -m tests.layers.graph`` prints them
as JSON; ``tests/layers/test_layers.py`` fails when they regress.
"""

from __future__ import annotations

import ast
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "src" / "flrts"


@dataclass(frozen=True)
class Edge:
    """One imported module named by one import statement of another top-level package."""

    source: str  # importing module, e.g. "flrts.desk.home"
    target: str  # imported module, e.g. "flrts.reports.analytics"
    line: int
    in_function: bool

    @property
    def source_package(self) -> str:
        return top_level(self.source)

    @property
    def target_package(self) -> str:
        return top_level(self.target)


@dataclass
class Report:
    edges: list[Edge] = field(default_factory=list)

    @property
    def function_level(self) -> list[Edge]:
        return [e for e in self.edges if e.in_function]

    @property
    def function_share(self) -> float:
        return len(self.function_level) / len(self.edges) if self.edges else 0.0

    def package_graph(self) -> dict[str, set[str]]:
        graph: dict[str, set[str]] = {}
        for e in self.edges:
            graph.setdefault(e.source_package, set()).add(e.target_package)
            graph.setdefault(e.target_package, set())
        return graph

    def cycles(self) -> list[list[str]]:
        """Strongly connected components of more than one top-level package."""
        return [sorted(c) for c in _components(self.package_graph()) if len(c) > 1]

    def mutual_pairs(self) -> list[tuple[str, str]]:
        graph = self.package_graph()
        return sorted({(a, b) for a in graph for b in graph[a] if a < b and a in graph[b]})

    def summary(self) -> dict[str, object]:
        cycles = self.cycles()
        return {
            "cross_package_imports": len(self.edges),
            "function_level": len(self.function_level),
            "function_level_share": round(self.function_share, 4),
            "packages_in_cycles": sum(len(c) for c in cycles),
            "cycles": cycles,
            "mutual_pairs": [list(p) for p in self.mutual_pairs()],
            "function_level_imports": [
                f"{e.source}:{e.line} -> {e.target}" for e in self.function_level
            ],
        }


def top_level(module: str) -> str:
    """``flrts.desk.home`` -> ``desk``; top-level modules (``flrts.cli``) are their own package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def module_name(path: Path, root: Path = ROOT) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base.pop()
    if node.level > 1:
        base = base[: -(node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, int, bool]]:
    """Yield (imported module, line, inside a function) for every flrts import in ``tree``."""

    def walk(node: ast.AST, in_function: bool) -> Iterator[tuple[str, int, bool]]:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, child.lineno, in_function
            elif isinstance(child, ast.ImportFrom):
                target = _resolve(module, is_package, child)
                if target == "flrts":  # `from flrts import bootstrap` names a module
                    for alias in child.names:
                        yield f"flrts.{alias.name}", child.lineno, in_function
                else:
                    yield target, child.lineno, in_function
            yield from walk(child, nested)

    yield from walk(tree, False)


def read(root: Path = ROOT) -> Report:
    report = Report()
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        seen: set[tuple[str, int]] = set()
        for target, line, in_function in _imports(tree, module, path.name == "__init__.py"):
            if not target.startswith("flrts.") or (target, line) in seen:
                continue
            seen.add((target, line))
            edge = Edge(module, target, line, in_function)
            if edge.source_package != edge.target_package:
                report.edges.append(edge)
    return report


def _components(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


if __name__ == "__main__":
    json.dump(read().summary(), sys.stdout, indent=2)
    sys.stdout.write("\n")
