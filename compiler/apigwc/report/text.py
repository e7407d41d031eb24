"""Human-readable report: ``file:line:col: CODE severity message``, the source line and a caret."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Sequence

from ..diagnostics import Code, Diagnostic, Severity
from ..stages import LintResult

if TYPE_CHECKING:
    from . import Run

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def use_color(stream=None) -> bool:
    """Whether to color what goes to ``stream`` (default stdout), as CPython decides for its own tracebacks.

    ``NO_COLOR`` set and not empty: never (https://no-color.org; it wins over FORCE_COLOR,
    as in CPython 3.13).  ``FORCE_COLOR`` set and not empty: always, even into a pipe
    (https://force-color.org; CI logs render ANSI colors).  Otherwise only on a terminal
    whose ``TERM`` is not ``dumb``.
    """
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = sys.stdout if stream is None else stream
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def format_diagnostic(d: Diagnostic, lines: list[str] | None, color: bool = False) -> str:
    """One diagnostic: the header line, then (when the source is known) the line and a caret."""
    span = d.span
    where = f"{span.file}:{span.line}:{span.col}" if span else "<unknown>"
    head = (
        f"{_paint(where, '1', color)}: {_paint(d.code, '1', color)} "
        f"{_paint(d.severity.label, _COLORS[d.severity], color)} {d.message}"
    )
    out = [head]
    if span and lines is not None and 1 <= span.line <= len(lines):
        src = lines[span.line - 1].rstrip("\n").expandtabs(1)
        gutter = str(span.line)
        pad = " " * len(gutter)
        if span.end_line == span.line and span.end_col > span.col:
            width = span.end_col - span.col
        else:
            width = max(1, len(src) - span.col + 1)
        width = max(1, min(width, max(1, len(src) - span.col + 1)))
        caret = " " * (span.col - 1) + "^" * width
        out.append(f" {pad} |")
        out.append(f" {gutter} | {src}")
        out.append(f" {pad} | {_paint(caret, _COLORS[d.severity], color)}")
    if d.hint:
        out.append(f"   = hint: {d.hint}")
    return "\n".join(out)


def summary(results: Sequence[LintResult]) -> str:
    counts = {s: 0 for s in Severity}
    files_with = 0
    for r in results:
        if r.diagnostics:
            files_with += 1
        for d in r.diagnostics:
            counts[d.severity] += 1
    total = sum(counts.values())
    nfiles = len(results)
    files = f"{nfiles} file" + ("s" if nfiles != 1 else "")
    if not total:
        return f"No problems found in {files}."
    parts = [
        f"{counts[s]} {s.label}{'s' if counts[s] != 1 else ''}"
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if counts[s]
    ]
    return f"Found {total} problem{'s' if total != 1 else ''} ({', '.join(parts)}) in {files_with} of {files}."


def render(
    results: Sequence[LintResult], codes: dict[str, Code], run: "Run | None" = None, *, color: bool | None = None
) -> str:
    color = use_color() if color is None else color
    blocks = []
    for r in results:
        cache: dict[str, list[str]] = {}
        for d in r.diagnostics:
            lines = None
            if d.span is not None:
                if d.span.file not in cache and d.span.file in r.texts:
                    cache[d.span.file] = r.texts[d.span.file].splitlines()
                lines = cache.get(d.span.file)
            blocks.append(format_diagnostic(d, lines, color))
    blocks.append(summary(results))
    return "\n\n".join(blocks) + "\n"
