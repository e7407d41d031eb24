"""GitLab code quality report (``artifacts: reports: codequality``): a JSON list of issues.

Each issue has ``description``, ``check_name``, ``fingerprint``, ``severity`` and
``location.path`` / ``location.lines.begin``, the fields GitLab reads
(https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format).  Severity:
error -> major, warning -> minor, info -> info, as ruff maps its own.  The fingerprint
is the SARIF one (code, file, JSON Pointer): stable when lines move.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from ..diagnostics import Code, Severity
from ..stages import LintResult

if TYPE_CHECKING:
    from . import Run

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render(results: Sequence[LintResult], codes: dict[str, Code], run: "Run | None" = None) -> str:
    issues: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for r in results:
        for d in r.diagnostics:
            file = Path(d.span.file if d.span is not None else r.display).as_posix()
            key = f"{d.code}\0{file}\0{d.pointer}"
            nth = seen.get(key, 0)
            seen[key] = nth + 1
            issues.append(
                {
                    "description": f"{d.code} {d.message}" + (f" (hint: {d.hint})" if d.hint else ""),
                    "check_name": d.code,
                    "fingerprint": hashlib.sha256(f"{key}\0{nth}".encode()).hexdigest()[:32],
                    "severity": _SEVERITY[d.severity],
                    "location": {"path": file, "lines": {"begin": d.span.line if d.span is not None else 1}},
                }
            )
    return json.dumps(issues, indent=2) + "\n"
