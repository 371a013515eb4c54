"""The layout's rules, checked on the source: where textual may be imported, which way imports point,
no import cycle, and modules and classes small enough to read."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "annotator"
MAX_MODULE_LINES = 600
MAX_CLASS_LINES = 350

# What the store package must not reach: the algorithms and layers that sit on top of it.
ABOVE_THE_STORE = (
    "annotator.agreement",
    "annotator.suggest",
    "annotator.tagger",
    "annotator.training",
    "annotator.kb",
    "annotator.assignment",
    "annotator.review",
    "annotator.formats",
    "annotator.export",
    "annotator.exporting",
    "annotator.importing",
    "annotator.cli",
    "annotator.tui",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


@cache
def tree(name: str) -> ast.Module:
    path = modules()[name]
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def imported(name: str) -> Iterator[tuple[str, int]]:
    return imports_in(tree(name), name, modules()[name].name == "__init__.py")


def imports_in(module: ast.Module, name: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """Every module named by an import in ``module`` (anywhere: functions and TYPE_CHECKING blocks too),
    relative imports resolved against ``name``, with the line of the import."""
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target, node.lineno
            for alias in node.names:
                yield f"{target}.{alias.name}", node.lineno


def own_module(target: str) -> str | None:
    """The annotator module an import names (``from annotator.x import y``: ``annotator.x.y`` when y is a
    module, else ``annotator.x``)."""
    while target:
        if target in modules():
            return target
        target = target.rpartition(".")[0]
    return None


@cache
def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for name in modules():
        edges[name] = set()
        for target, _ in imported(name):
            found = own_module(target)
            if found is not None and found != name and not name.startswith(found + "."):
                edges[name].add(found)
    return edges


def within(target: str, prefix: str) -> bool:
    return target == prefix or target.startswith(prefix + ".")


def test_only_the_tui_imports_textual() -> None:
    found = [
        f"{modules()[name]}:{line} imports {target}"
        for name in modules()
        if not within(name, "annotator.tui")
        for target, line in imported(name)
        if within(target, "textual") or within(target, "textual_serve")
    ]
    assert found == []


def test_the_store_imports_nothing_above_it() -> None:
    found = [
        f"{modules()[name]}:{line} imports {target}"
        for name in modules()
        if within(name, "annotator.store")
        for target, line in imported(name)
        if any(within(target, above) for above in ABOVE_THE_STORE)
    ]
    assert found == []


def find_cycles(edges: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}  # 1 on the path, 2 done
    cycles: list[list[str]] = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(edges[name]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[name] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name, [name])
    return [" -> ".join(cycle) for cycle in cycles]


def test_no_import_cycle() -> None:
    assert find_cycles(graph()) == []


def test_modules_and_classes_are_small_enough_to_read() -> None:
    too_long = []
    for name, path in modules().items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{path}: {lines} lines")
        for node in ast.walk(tree(name)):
            if isinstance(node, ast.ClassDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_CLASS_LINES:
                    too_long.append(f"{path}:{node.lineno} class {node.name}: {length} lines")
    assert too_long == []


CORE = sorted(n for n in modules() if not within(n, "annotator.tui") and n != "annotator.__main__")


@pytest.mark.parametrize("name", CORE)
def test_core_module_imports_without_textual(name: str) -> None:
    code = (
        f"import sys, importlib; importlib.import_module({name!r});"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_checks_see_cycles_and_hidden_imports() -> None:
    """The walkers find what they look for: a cycle through three modules, a relative import inside a
    TYPE_CHECKING block and one inside a function."""
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a -> b -> c -> a"]
    assert find_cycles({"a": {"b"}, "b": set()}) == []
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from ..app import AnnotatorApp\n"
        "def f():\n    from . import messages\n"
    )
    found = {target for target, _ in imports_in(ast.parse(source), "annotator.tui.screens.review", False)}
    assert {"annotator.tui.app.AnnotatorApp", "annotator.tui.screens.messages"} <= found
    assert own_module("annotator.tui.widgets.article.ArticleView") == "annotator.tui.widgets.article"
