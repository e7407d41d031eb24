"""SARIF 2.1.0 report, for GitHub code scanning and other SARIF consumers.

Severity maps as cfn-lint maps it: ERROR -> error, WARNING -> warning, INFO -> note.

* Each rule carries ``helpUri`` (its section of docs/rules.md at this release) and
  ``help.markdown`` (its full documentation), which GitHub shows beside an alert.
* Each result carries ``partialFingerprints``: ``apigwcFinding/v1`` hashes the code, the
  file and the JSON Pointer of the node (plus a counter among equal ones), not the line,
  so an alert keeps its identity when lines move above it.  GitHub adds its own
  line-based ``primaryLocationLineHash`` on upload.
* ``invocations`` says whether the run succeeded: a file that could not be read, a
  malformed config or an internal error sets ``executionSuccessful: false`` and is listed
  in ``toolExecutionNotifications``, so a failed run never uploads as "0 alerts".
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from .. import package_version
from ..diagnostics import Code, Severity
from ..ruledocs import REPOSITORY_URL, rule_markdown, rule_url
from ..stages import LintResult

if TYPE_CHECKING:
    from . import Run

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT = "apigwcFinding/v1"


def _uri(file: str) -> str:
    return Path(file).as_posix()


def _rule(c: Code, version: str) -> dict[str, Any]:
    return {
        "id": c.code,
        "name": c.name,
        "shortDescription": {"text": c.summary},
        "fullDescription": {"text": c.summary},
        "helpUri": rule_url(c, version),
        "help": {"text": c.doc or c.summary, "markdown": rule_markdown(c)},
        "defaultConfiguration": {"level": _LEVEL[c.severity]},
        "properties": {"stage": c.stage},
    }


def render(results: Sequence[LintResult], codes: dict[str, Code], run: "Run | None" = None) -> str:
    version = package_version()
    used = sorted({d.code for r in results for d in r.diagnostics})
    ordered = [codes[c] for c in used if c in codes]
    index = {c.code: i for i, c in enumerate(ordered)}
    sarif_results: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for r in results:
        for d in r.diagnostics:
            res: dict[str, Any] = {
                "ruleId": d.code,
                "level": _LEVEL[d.severity],
                "message": {"text": d.message + (f" Hint: {d.hint}" if d.hint else "")},
            }
            if d.code in index:
                res["ruleIndex"] = index[d.code]
            file = d.span.file if d.span is not None else r.display
            if d.span is not None:
                s = d.span
                region = {"startLine": s.line, "startColumn": s.col}
                if (s.end_line, s.end_col) > (s.line, s.col):
                    region.update({"endLine": s.end_line, "endColumn": s.end_col})
                res["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": _uri(s.file)}, "region": region}}]
            key = f"{d.code}\0{_uri(file)}\0{d.pointer}"
            nth = seen.get(key, 0)
            seen[key] = nth + 1
            res["partialFingerprints"] = {FINGERPRINT: hashlib.sha256(f"{key}\0{nth}".encode()).hexdigest()[:32]}
            if d.pointer:
                res["properties"] = {"pointer": d.pointer}
            sarif_results.append(res)
    errors = run.errors if run is not None else ()
    invocation: dict[str, Any] = {"executionSuccessful": not errors}
    if run is not None and run.exit_code is not None:
        invocation["exitCode"] = run.exit_code
    if errors:
        invocation["toolExecutionNotifications"] = [{"level": "error", "message": {"text": e}} for e in errors]
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "apigwc",
                        "version": version,
                        "informationUri": REPOSITORY_URL,
                        "rules": [_rule(c, version) for c in ordered],
                    }
                },
                "invocations": [invocation],
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"
