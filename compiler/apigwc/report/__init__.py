"""Reporters: the only code that turns diagnostics into text.

Each reporter is a function ``(results, codes, run) -> str``; `REPORTERS` maps the
``--format`` choice to it.  `Run` says how the run went beyond the findings: the
problems that stopped part of it (a file that cannot be read, a malformed config, an
internal error) and the exit code, so a report never presents a failed run as a clean one.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Callable, Sequence

from ..diagnostics import Code
from ..stages import LintResult


@dataclass(frozen=True, slots=True)
class Run:
    """How the run went: ``errors`` stopped part of it (then it did not succeed); ``exit_code`` when known."""

    errors: tuple[str, ...] = ()
    exit_code: int | None = None

    @property
    def successful(self) -> bool:
        return not self.errors


Reporter = Callable[[Sequence[LintResult], dict[str, Code], Run], str]


class _Reporters(Mapping[str, Reporter]):
    """``--format`` name -> reporter; a reporter's module is imported when it is first asked for."""

    _MODULES = {
        "text": "text",
        "json": "jsonfmt",
        "sarif": "sarif",
        "github": "github",
        "gitlab": "gitlab",
        "junit": "junit",
    }

    def __getitem__(self, name: str) -> Reporter:
        module = importlib.import_module(f"{__name__}.{self._MODULES[name]}")
        return module.render

    def __iter__(self) -> Iterator[str]:
        return iter(self._MODULES)

    def __len__(self) -> int:
        return len(self._MODULES)


REPORTERS: Mapping[str, Reporter] = _Reporters()

__all__ = ["REPORTERS", "Reporter", "Run"]
