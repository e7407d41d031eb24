"""Finding what to lint: the OpenAPI files and SAM/CloudFormation templates in folders given on the
command line, and the specs and templates a changed file belongs to (pre-commit).

One scan for both kinds of source: a template that holds a REST API counts like a spec, and an
OpenAPI file that a template includes (``AWS::Include``, ``DefinitionUri``) is linted as part of
that template, not on its own.  Recognition reads bytes first (``looks_like_openapi``,
``template.load.looks_like_template``) so a folder scan parses only candidates.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterator

_OPENAPI_KEY = re.compile(rb'(?m)^["\']?(openapi|swagger)["\']?[ \t]*:|"(openapi|swagger)"\s*:')
_SPEC_SUFFIXES = (".yaml", ".yml", ".json")
#: folders never searched for specs or for files that $ref a changed file
_SKIPPED_FOLDERS = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"})


def looks_like_openapi(path: Path) -> bool:
    """True if the first 8 KB hold an ``openapi:``/``swagger:`` key (YAML at line start, or JSON)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError:
        return False
    return _OPENAPI_KEY.search(head) is not None


def _data_files(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED_FOLDERS and not d.startswith("."))
        for name in sorted(filenames):
            if name.lower().endswith(_SPEC_SUFFIXES):
                yield Path(dirpath) / name


def holds_api_template(path: Path) -> bool:
    """A SAM/CloudFormation template that declares a REST API (folder scans and pre-commit take it as a spec)."""
    from .template.load import is_template_file, mentions_api

    return mentions_api(path) and is_template_file(path)


def looks_like_source(path: Path) -> bool:
    """An OpenAPI file, or a template that holds an API: what folder scans and hooks lint."""
    return looks_like_openapi(path) or holds_api_template(path)


def without_included(files: list[Path]) -> list[Path]:
    """Drop OpenAPI files that a template among ``files`` includes: they are linted as part of it."""
    from .template.load import included_files

    included: set[Path] = set()
    for f in files:
        if not looks_like_openapi(f) and holds_api_template(f):
            included |= included_files(f)
    return [f for f in files if f.resolve() not in included]


def find_specs(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Expand folders to the OpenAPI files and API templates inside them; problems name paths that do not exist or hold none."""
    files: list[Path] = []
    problems: list[str] = []
    for p in paths:
        if p.is_dir():
            found = without_included(sorted(f for f in _data_files(p) if looks_like_source(f)))
            if not found:
                problems.append(f"no OpenAPI files or SAM/CloudFormation templates with APIs under '{p}'")
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            problems.append(f"cannot read '{p}': no such file or directory")
    return files, problems


def referring_specs(fragment: Path, root: Path) -> list[Path]:
    """The OpenAPI files and API templates under ``root`` whose ``$ref``s (or a template's includes) reach
    ``fragment``, directly or through other files.

    A cheap over-approximation: a file refers to another when its text names the other's
    file name; the closure is followed until no new file appears.  It may name a spec
    that only mentions the file (it is then linted once more); it never misses one whose
    ``$ref``s or ``Location``s reach it, because a reference to a file spells its name.
    """
    candidates = list(_data_files(root))
    texts: dict[Path, str] = {}
    for f in candidates:
        try:
            texts[f] = f.read_text("utf-8", errors="replace")
        except OSError:
            continue
    reached = {fragment.resolve()}
    frontier = [fragment.resolve()]
    while frontier:
        name = frontier.pop().name
        for f, text in texts.items():
            r = f.resolve()
            if r not in reached and name in text:
                reached.add(r)
                frontier.append(r)
    return without_included(
        sorted(
            f for f in texts if f.resolve() in reached and f.resolve() != fragment.resolve() and looks_like_source(f)
        )
    )
