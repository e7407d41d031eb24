"""JUnit XML, for CI systems that show test reports (Jenkins, GitLab, Azure): one test suite per file.

A file with no findings is one passing test case; each finding is a failing test case
named ``CODE at line:col`` with the message and hint in its ``<failure>``.  A problem that
stopped part of the run (a file that cannot be read, a malformed config) is an ``<error>``
in an ``apigwc`` suite, so the run shows as broken rather than green.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Sequence

from ..diagnostics import Code
from ..stages import LintResult

if TYPE_CHECKING:
    from . import Run


def render(results: Sequence[LintResult], codes: dict[str, Code], run: "Run | None" = None) -> str:
    root = ET.Element("testsuites", name="apigwc")
    total = failures = errors = 0
    for r in results:
        suite = ET.SubElement(root, "testsuite", name=r.display)
        if not r.diagnostics:
            ET.SubElement(suite, "testcase", classname=r.display, name="apigwc lint")
        for d in r.diagnostics:
            where = f"{d.span.line}:{d.span.col}" if d.span is not None else "?"
            case = ET.SubElement(
                suite,
                "testcase",
                classname=d.span.file if d.span is not None else r.display,
                name=f"{d.code} at {where}",
            )
            failure = ET.SubElement(case, "failure", message=d.message, type=f"{d.code} {d.name} ({d.severity.label})")
            failure.text = (
                f"{d.span.file if d.span else r.display}:{where}: {d.code} {d.severity.label} {d.message}"
                + (f"\nhint: {d.hint}" if d.hint else "")
            )
        n = max(1, len(r.diagnostics))
        suite.set("tests", str(n))
        suite.set("failures", str(len(r.diagnostics)))
        suite.set("errors", "0")
        total += n
        failures += len(r.diagnostics)
    if run is not None and run.errors:
        suite = ET.SubElement(
            root, "testsuite", name="apigwc", tests=str(len(run.errors)), failures="0", errors=str(len(run.errors))
        )
        for i, message in enumerate(run.errors, 1):
            case = ET.SubElement(suite, "testcase", classname="apigwc", name=f"run problem {i}")
            ET.SubElement(case, "error", message=message).text = message
        total += len(run.errors)
        errors += len(run.errors)
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
