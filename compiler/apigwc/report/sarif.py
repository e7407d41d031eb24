"""SARIF 2.1.0 report, for GitHub code scanning and other SARIF consumers.

Severity maps as cfn-lint maps it: ERROR -> error, WARNING -> warning, INFO -> note.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from .. import package_version
from ..diagnostics import Code, Severity
from ..pipeline import LintResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(file: str) -> str:
    return Path(file).as_posix()


def render(results: Sequence[LintResult], codes: dict[str, Code]) -> str:
    used = sorted({d.code for r in results for d in r.diagnostics})
    ordered = [codes[c] for c in used if c in codes]
    index = {c.code: i for i, c in enumerate(ordered)}
    rules = [
        {
            "id": c.code,
            "name": c.name,
            "shortDescription": {"text": c.summary},
            "fullDescription": {"text": c.summary},
            "help": {"text": c.doc or c.summary},
            "defaultConfiguration": {"level": _LEVEL[c.severity]},
            "properties": {"stage": c.stage},
        }
        for c in ordered
    ]
    sarif_results: list[dict[str, Any]] = []
    for r in results:
        for d in r.diagnostics:
            res: dict[str, Any] = {
                "ruleId": d.code,
                "level": _LEVEL[d.severity],
                "message": {"text": d.message + (f" Hint: {d.hint}" if d.hint else "")},
            }
            if d.code in index:
                res["ruleIndex"] = index[d.code]
            if d.span is not None:
                s = d.span
                region = {"startLine": s.line, "startColumn": s.col}
                if (s.end_line, s.end_col) > (s.line, s.col):
                    region.update({"endLine": s.end_line, "endColumn": s.end_col})
                res["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": _uri(s.file)}, "region": region}}]
            if d.pointer:
                res["properties"] = {"pointer": d.pointer}
            sarif_results.append(res)
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "apigwc",
                        "version": package_version(),
                        "informationUri": "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html",
                        "rules": rules,
                    }
                },
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"
