"""JSON report: one object per diagnostic, in a list, sorted by file, line, column and code."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Sequence

from ..diagnostics import Code, Diagnostic
from ..stages import LintResult

if TYPE_CHECKING:
    from . import Run


def diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    s = d.span
    return {
        "file": s.file if s else None,
        "line": s.line if s else None,
        "column": s.col if s else None,
        "endLine": s.end_line if s else None,
        "endColumn": s.end_col if s else None,
        "code": d.code,
        "name": d.name,
        "severity": d.severity.label,
        "message": d.message,
        "hint": d.hint,
        "pointer": d.pointer,
    }


def render(results: Sequence[LintResult], codes: dict[str, Code], run: "Run | None" = None) -> str:
    return json.dumps([diagnostic_json(d) for r in results for d in r.diagnostics], indent=2) + "\n"
