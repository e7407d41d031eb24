"""Seeded, structure-aware mutations of real specs, and byte mutations of templates.

A spec is parsed once into plain data; each mutant swaps the value at one random node
(a mapping, a list, a string, a number, a bool or null in place of what was there),
sometimes at two or three nodes, and is written back as JSON or YAML.  The mutants go
through the same code paths as ``apigwc lint`` and ``apigwc build``; a run is bounded by
a count and a time budget, and every choice comes from one `random.Random(seed)`, so a
failure names the seed and the case that reproduces it.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: what a node is replaced with
REPLACEMENTS: tuple[Any, ...] = (
    "oops",
    "",
    0,
    -1,
    3.5,
    True,
    None,
    [],
    {},
    ["x"],
    {"x": "y"},
    [{}],
    [None],
    {"$ref": "#/nope"},
    "{x}",
    "/a/{b}",
)


def nodes(data: Any, path: tuple = ()) -> Iterator[tuple]:
    """Every path into ``data`` (keys of mappings, indexes of lists), the root excluded."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield (*path, k)
            yield from nodes(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield (*path, i)
            yield from nodes(v, (*path, i))


def replaced(data: Any, path: tuple, value: Any) -> Any:
    out = copy.deepcopy(data)
    target = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = copy.deepcopy(value)
    return out


def mutants(data: Any, rng: random.Random, count: int) -> Iterator[tuple[str, Any]]:
    """(description, mutated data): one to three type swaps at random nodes each."""
    every = list(nodes(data))
    if not every:
        return
    # nodes near the top of a spec are where a type swap breaks most assumptions
    shallow = [p for p in every if len(p) <= 4]
    for _ in range(count):
        mutant = data
        steps = []
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            pool = shallow if shallow and rng.random() < 0.5 else every
            path = rng.choice(pool)
            try:
                value = rng.choice(REPLACEMENTS)
                mutant = replaced(mutant, path, value)
            except (KeyError, IndexError, TypeError):
                continue  # an earlier swap removed this node
            steps.append(f"{'/'.join(map(str, path))} = {json.dumps(value)}")
        yield "; ".join(steps), mutant


def byte_mutants(text: str, rng: random.Random, count: int) -> Iterator[str]:
    """Templates with random bytes inserted, deleted or replaced (VTL directives favoured)."""
    pieces = [
        "#",
        "$",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        "'",
        '"',
        "\\",
        "#if(",
        "#end",
        "#foreach(",
        "#set(",
        "$input.json('$')",
        "..",
        ",",
        "\n",
        "\x00",
        "\udcff",
        "é",
    ]
    for _ in range(count):
        out = text
        for _ in range(rng.randint(1, 4)):
            i = rng.randint(0, len(out))
            op = rng.random()
            if op < 0.4:
                out = out[:i] + rng.choice(pieces) + out[i:]
            elif op < 0.7:
                out = out[:i] + out[i + rng.randint(1, 5) :]
            else:
                out = out[:i] + chr(rng.randint(0, 0x7F)) + out[i + 1 :]
        yield out


def spec_files(*roots: Path) -> list[Path]:
    """OpenAPI files (with an ``openapi`` or ``swagger`` key) under ``roots``, sorted."""
    out = []
    for root in roots:
        if not root.exists():
            continue
        for p in sorted(root.rglob("*")):
            if p.suffix.lower() in (".yaml", ".yml", ".json") and p.is_file() and p.stat().st_size < 200_000:
                head = p.read_text(encoding="utf-8", errors="replace")[:4000]
                if "openapi" in head or "swagger" in head:
                    out.append(p)
    return out
