"""The import graph of a package, read from its source, and the checks the layout must pass.

Every ``import`` and ``from ... import`` counts, wherever it stands: at module level, inside
a function (a lazy import is still a dependency) and under ``if TYPE_CHECKING:`` (a
type-only import is still a back-reference a reader has to follow).  ``from pkg import
name`` depends on ``pkg.name`` when that is a module, else on ``pkg``; importing a
package runs its ``__init__``, so ``pkg`` is a node of its own.

`cycles` finds the strongly connected components of more than one module; `violations`
finds imports against a layer order (see tests/test_architecture.py for the declared one).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence


def module_files(root: Path) -> dict[str, Path]:
    """Module name -> file, for the package at ``root`` (its folder name is the top name)."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (type-only and lazy imports included)."""
    files = module_files(root)
    top = root.name
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        package = name.split(".") if is_package else name.split(".")[:-1]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == top or alias.name.startswith(top + "."):
                        deps.add(_known(alias.name, files))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if not (target == top or target.startswith(top + ".")):
                    continue
                for alias in node.names:
                    child = f"{target}.{alias.name}"
                    deps.add(child if child in files else _known(target, files))
        deps.discard(name)
        graph[name] = deps
    return graph


def _known(name: str, files: Mapping[str, Path]) -> str:
    """The longest prefix of ``name`` that is a module of the package."""
    while name not in files and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Every import cycle: the strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


@dataclass(frozen=True)
class Layer:
    """A named group of modules (by prefix); ``only``: if set, the only modules it may import outside itself."""

    name: str
    prefixes: tuple[str, ...]
    only: tuple[str, ...] | None = None
    #: modules matched by name only, not as a prefix (the top package's ``__init__``)
    modules: tuple[str, ...] = ()


def layer_of(module: str, layers: Sequence[Sequence[Layer]]) -> tuple[int, Layer] | None:
    """The rank and layer of a module: the layer with the longest matching prefix."""
    best: tuple[int, int, Layer] | None = None
    for rank, group in enumerate(layers):
        for layer in group:
            if module in layer.modules:
                return rank, layer
            for prefix in layer.prefixes:
                if module == prefix or module.startswith(prefix + "."):
                    if best is None or len(prefix) > best[0]:
                        best = (len(prefix), rank, layer)
    return (best[1], best[2]) if best else None


def _within(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def violations(graph: Mapping[str, Iterable[str]], layers: Sequence[Sequence[Layer]]) -> list[str]:
    """Imports against the order: ``layers`` lists groups from the bottom up.

    A module may import its own layer and any layer of a lower group; a layer of the same
    group (siblings, such as deploy and serve) or of a higher group is a back-import.  A
    layer with ``only`` may import nothing else outside itself.  A module in no layer is
    reported too, so a new package has to be placed.
    """
    found: list[str] = []
    for module in sorted(graph):
        mine = layer_of(module, layers)
        if mine is None:
            found.append(f"{module} is in no layer")
            continue
        rank, layer = mine
        for dep in sorted(graph[module]):
            theirs = layer_of(dep, layers)
            if theirs is None or theirs[1] is layer:
                continue
            if layer.only is not None and not _within(dep, layer.only):
                found.append(
                    f"{module} ({layer.name}) imports {dep}: {layer.name} imports only {', '.join(layer.only)}"
                )
            elif theirs[0] >= rank:
                found.append(f"{module} ({layer.name}) imports {dep} ({theirs[1].name}), which is not below it")
    return found
