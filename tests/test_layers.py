"""Imports between forum's parts point one way: no cycle between forum.* packages.

A part is a subpackage (forum.comments) or a top-level module (forum.limits); every
import in every file counts, including those inside functions, which are the usual way
to hide a cycle.
"""

from __future__ import annotations

import ast
from itertools import pairwise
from pathlib import Path

FORUM = Path(__file__).resolve().parent.parent / "forum"


def part_of(module: str) -> str:
    """forum.comments.views -> forum.comments; forum.limits -> forum.limits."""
    return ".".join(module.split(".")[:2])


def imported_modules(tree: ast.Module, forum: Path) -> list[str]:
    """The forum modules a file imports (`from forum import x` imports forum.x if it exists)."""
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module == "forum" and node.level == 0:
            modules += [
                f"forum.{alias.name}" if _is_part(forum, alias.name) else "forum"
                for alias in node.names
            ]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append(node.module)
    return [m for m in modules if m == "forum" or m.startswith("forum.")]


def _is_part(forum: Path, name: str) -> bool:
    return (forum / name).is_dir() or (forum / f"{name}.py").is_file()


def part_graph(forum: Path) -> dict[str, dict[str, list[str]]]:
    """part -> imported part -> the files whose imports draw that arrow."""
    graph: dict[str, dict[str, list[str]]] = {}
    for path in sorted(forum.rglob("*.py")):
        relative = path.relative_to(forum.parent).with_suffix("")
        source = part_of(".".join(p for p in relative.parts if p != "__init__"))
        arrows = graph.setdefault(source, {})
        for target in map(part_of, imported_modules(ast.parse(path.read_text()), forum)):
            if target != source:
                arrows.setdefault(target, []).append(str(path.relative_to(forum.parent)))
    return graph


def find_cycle(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    """One cycle of parts (its first part repeated at the end), or None."""
    done: set[str] = set()

    def visit(part: str, path: list[str]) -> list[str] | None:
        if part in path:
            return [*path[path.index(part) :], part]
        if part in done:
            return None
        for target in sorted(graph.get(part, {})):
            cycle = visit(target, [*path, part])
            if cycle:
                return cycle
        done.add(part)
        return None

    for part in sorted(graph):
        cycle = visit(part, [])
        if cycle:
            return cycle
    return None


def describe(cycle: list[str], graph: dict[str, dict[str, list[str]]]) -> str:
    return "\n".join(
        f"{a} -> {b}: {', '.join(sorted(set(graph[a][b])))}" for a, b in pairwise(cycle)
    )


def test_no_import_cycle_between_forum_packages():
    graph = part_graph(FORUM)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle between forum packages:\n" + describe(cycle, graph)


def test_the_graph_sees_imports_inside_functions(tmp_path):
    forum = tmp_path / "forum"
    (forum / "low").mkdir(parents=True)
    (forum / "__init__.py").write_text("")
    (forum / "low" / "__init__.py").write_text("")
    (forum / "low" / "views.py").write_text("def f():\n    from forum.high import g\n")
    (forum / "high.py").write_text("from forum import low\n")
    assert find_cycle(part_graph(forum)) == ["forum.high", "forum.low", "forum.high"]


def test_no_test_module_imports_another():
    """Shared helpers live in conftest.py or a helpers module, never in a test module."""
    tests = Path(__file__).resolve().parent
    offenders = []
    for path in tests.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if any(name.rsplit(".", 1)[-1].startswith("test_") for name in names):
                offenders.append(f"{path.relative_to(tests)}:{node.lineno}")
    assert not offenders, f"move these helpers out of test modules: {offenders}"
