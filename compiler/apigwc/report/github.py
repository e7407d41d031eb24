"""GitHub Actions workflow commands: annotations on the pull request diff."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ..diagnostics import Code, Severity
from ..stages import LintResult

if TYPE_CHECKING:
    from . import Run

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(results: Sequence[LintResult], codes: dict[str, Code], run: "Run | None" = None) -> str:
    lines = []
    for r in results:
        for d in r.diagnostics:
            props = []
            if d.span:
                s = d.span
                props += [f"file={_escape_property(s.file)}", f"line={s.line}", f"col={s.col}"]
                props += [f"endLine={s.end_line}", f"endColumn={s.end_col}"]
            props.append(f"title={_escape_property(f'{d.code} {d.name}')}")
            message = d.message + (f" (hint: {d.hint})" if d.hint else "")
            lines.append(f"::{_LEVEL[d.severity]} {','.join(props)}::{_escape_data(message)}")
        if r.internal_error is not None:
            props = f"file={_escape_property(r.display)},title={_escape_property('apigwc internal error')}"
            lines.append(
                f"::error {props}::{_escape_data(f'internal error (a bug in apigwc, not a finding): {r.internal_error}')}"
            )
    return "\n".join(lines) + ("\n" if lines else "")
