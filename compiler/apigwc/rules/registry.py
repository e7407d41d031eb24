"""The rule registry: `@rule` puts a check function and its metadata in `RULES`.

A rule is a generator ``(api: ir.Api) -> Iterator[Finding]``.  A `Finding` carries a
pointer and a message, never a code or a position: the registry adds the code, name and
severity, and the pipeline resolves the position (cfn-lint's RuleMatch idea).  The rule's
docstring uses ruff's sections (What it checks / Why / Example / Fix) and feeds
``apigwc lint --explain`` and the generated docs.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Callable, Iterable

from .. import ir
from ..diagnostics import Code, Severity

INTERNAL_ERROR = Code(
    code="AGW000",
    name="internal-error",
    severity=Severity.ERROR,
    stage="internal",
    summary="apigwc itself failed while checking this spec.",
    doc="""What it checks: nothing; this code reports a bug in apigwc (a rule crashed).

Why: the other findings are still reported, but the crashed rule's checks did not run.

Severity: error.  Not an API Gateway verdict: apigwc could not check the spec, so it cannot
say the import would succeed [Inf]; it reports its own failure instead of passing an
unchecked spec.

Fix: please report it with the spec (or a reduced copy); meanwhile ignore the code.""",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """What a rule found: where (a pointer into the spec) and what, in one sentence.

    ``value_offset`` points inside the string value at ``pointer`` (a character index into
    the decoded string, e.g. a position in a mapping template); the source map turns it
    into the line and column in the spec file.
    """

    pointer: str
    message: str
    hint: str | None = None
    at_key: bool = False
    value_offset: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """A registered rule: its `Code` plus the function that checks the IR."""

    code: Code
    check: Callable[[ir.Api], Iterable[Finding]]


RULES: dict[str, Rule] = {}
_NAMES: dict[str, str] = {}
_CODE = re.compile(r"^AGW\d{3}$")
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def rule(code: str, *, name: str, severity: Severity) -> Callable:
    """Register a rule function under a stable code and kebab-case name."""
    if not _CODE.match(code):
        raise ValueError(f"rule code {code!r} must look like AGW123")
    if not _NAME.match(name):
        raise ValueError(f"rule name {name!r} must be kebab-case")

    def register(fn: Callable[[ir.Api], Iterable[Finding]]) -> Callable[[ir.Api], Iterable[Finding]]:
        if code in RULES or name in _NAMES:
            raise ValueError(f"duplicate rule {code} {name}")
        doc = inspect.cleandoc(fn.__doc__ or "")
        summary = doc.splitlines()[0] if doc else ""
        RULES[code] = Rule(
            code=Code(code=code, name=name, severity=severity, summary=summary, doc=doc, stage="rule"),
            check=fn,
        )
        _NAMES[name] = code
        return fn

    return register


def known_codes() -> dict[str, Code]:
    """Every code apigwc can emit, by code, sorted: AGW000, the registered rules', and the other stages'.

    The source, check, template and target stages declare their codes as plain data below
    the rules (``source.SOURCE_CODES``, ``check.CHECK_CODES``, ``template.codes``,
    ``template.explicit.LIFT_CODES``, ``target_codes``), so the rules may read them: AGW018
    checks an ``x-apigwc-ignore`` entry against this list.  The rules' own codes are all here
    once ``apigwc.rules`` is imported (it registers every rule); the catalog (`apigwc.codes`)
    imports it first, and AGW018 runs from it.
    """
    from ..check import CHECK_CODES
    from ..source import SOURCE_CODES
    from ..target_codes import TARGET_CODES
    from ..template.codes import TEMPLATE_CODES
    from ..template.explicit import LIFT_CODES

    codes: dict[str, Code] = {INTERNAL_ERROR.code: INTERNAL_ERROR}
    for c in SOURCE_CODES + CHECK_CODES + TEMPLATE_CODES + LIFT_CODES:
        codes[c.code] = c
    for code, r in RULES.items():
        codes[code] = r.code
    for c in TARGET_CODES:
        codes[c.code] = c
    return dict(sorted(codes.items()))
