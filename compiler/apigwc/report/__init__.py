"""Reporters: the only code that turns diagnostics into text.

Each reporter is a function ``(results, codes, run) -> str``; `REPORTERS` maps the
``--format`` choice to it.  `Run` says how the run went beyond the findings: the
problems that stopped part of it (a file that cannot be read, a malformed config, an
internal error) and the exit code, so a report never presents a failed run as a clean one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from ..diagnostics import Code
from ..pipeline import LintResult


@dataclass(frozen=True, slots=True)
class Run:
    """How the run went: ``errors`` stopped part of it (then it did not succeed); ``exit_code`` when known."""

    errors: tuple[str, ...] = ()
    exit_code: int | None = None

    @property
    def successful(self) -> bool:
        return not self.errors


Reporter = Callable[[Sequence[LintResult], dict[str, Code], Run], str]

from . import github, gitlab, jsonfmt, junit, sarif, text  # noqa: E402  (they import Run from here)

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": jsonfmt.render,
    "sarif": sarif.render,
    "github": github.render,
    "gitlab": gitlab.render,
    "junit": junit.render,
}

__all__ = ["REPORTERS", "Reporter", "Run"]
