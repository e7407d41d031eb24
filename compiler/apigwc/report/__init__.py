"""Reporters: the only code that turns diagnostics into text.

Each reporter is a function ``(results, codes) -> str``; `REPORTERS` maps the
``--format`` choice to it.
"""

from __future__ import annotations

from typing import Callable, Sequence

from ..diagnostics import Code
from ..pipeline import LintResult
from . import github, jsonfmt, sarif, text

Reporter = Callable[[Sequence[LintResult], dict[str, Code]], str]

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": jsonfmt.render,
    "sarif": sarif.render,
    "github": github.render,
}

__all__ = ["REPORTERS", "Reporter"]
