"""Diagnostics: what every stage reports, located in the source and filtered by policy.

Stages never print and never raise for bad input: they append `Diagnostic`s to a
`Diagnostics` collector.  A diagnostic is born with a *pointer* (a JSON Pointer into a
document, or ``file#pointer`` for a `$ref`'d file); the pipeline resolves pointers to
1-based `Span`s through the source map at the very end (cfn-lint's RuleMatch idea).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that ``>=`` works for ``--fail-on``."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}; expected one of: error, warning, info") from None


@dataclass(frozen=True, slots=True)
class Span:
    """A 1-based, end-inclusive-start / end-exclusive region of one file."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Code:
    """A diagnostic code: stable id, kebab-case name, default severity and its documentation.

    Rules are Codes with a check function attached (see `apigwc.rules`); the source and
    check stages declare plain Codes next to the code that emits them.
    """

    code: str
    name: str
    severity: Severity
    summary: str
    doc: str = ""
    stage: str = "rule"
    #: ids and names this code had before (a retired code folded into it): a configuration
    #: written for the old one still selects, ignores or re-grades this one
    formerly: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """One finding.  Compares as a value; sorts by (file, line, col, code)."""

    code: str
    name: str
    severity: Severity
    message: str
    pointer: str = ""
    at_key: bool = False
    span: Span | None = None
    hint: str | None = None
    #: a character offset inside the string value at ``pointer`` (a template's line and
    #: column are resolved through the source map to the position in the spec file)
    value_offset: int | None = None

    @property
    def sort_key(self) -> tuple:
        s = self.span
        if s is None:
            return ("", 0, 0, self.code, self.message)
        return (s.file, s.line, s.col, self.code, self.message)


@dataclass(slots=True)
class Diagnostics:
    """Collector that stages append to.  Order of appends does not matter: output is sorted."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(
        self,
        code: Code,
        message: str,
        *,
        pointer: str = "",
        at_key: bool = False,
        span: Span | None = None,
        hint: str | None = None,
        value_offset: int | None = None,
    ) -> Diagnostic:
        diag = Diagnostic(
            code=code.code,
            name=code.name,
            severity=code.severity,
            message=message,
            pointer=pointer,
            at_key=at_key,
            span=span,
            hint=hint,
            value_offset=value_offset,
        )
        self.items.append(diag)
        return diag

    def extend(self, diags: Iterable[Diagnostic]) -> None:
        self.items.extend(diags)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def resolved(self, locate: Callable[..., Span | None]) -> list[Diagnostic]:
        """Return the diagnostics with spans filled in from their pointers, sorted and deduplicated.

        ``locate(pointer, at_key)`` finds a node; diagnostics that point inside a string value
        call ``locate(pointer, at_key, value_offset)``.
        """
        out: dict[tuple, Diagnostic] = {}
        for d in self.items:
            if d.span is None:
                if d.value_offset is None:
                    d = replace(d, span=locate(d.pointer, d.at_key))
                else:
                    d = replace(d, span=locate(d.pointer, d.at_key, d.value_offset))
            out.setdefault((d.sort_key, d.pointer, d.value_offset), d)
        return sorted(out.values(), key=lambda d: d.sort_key)
