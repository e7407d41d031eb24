"""Lint rules over the IR, registered explicitly by area.

| Codes  | Area |
|--------|------|
| AGW0xx | source and schema (emitted by the source and check stages) |
| AGW1xx | references |
| AGW2xx | integrations and mapping templates |
| AGW3xx | authorizers and authorization |
| AGW4xx | responses, gateway responses and CORS |
| AGW5xx | stages, usage plans and API keys |
| AGW6xx | paths and the resource tree |
| AGW7xx | AWS import limits and unsupported OpenAPI features |
| AGW8xx | security posture |
| AGW9xx | things a target cannot express |
"""

from __future__ import annotations

from typing import Iterable

from .. import ir
from ..check import CHECK_CODES
from ..diagnostics import Code, Diagnostics, Severity
from ..source import SOURCE_CODES
from .registry import RULES, Finding, Rule, rule

# Area modules register their rules on import; the list is explicit on purpose (the order
# is the order rules run and report in), so import sorting leaves it alone.
# isort: off
from . import references  # noqa: E402,F401
from . import integrations  # noqa: E402,F401
from . import templates  # noqa: E402,F401
from . import auth  # noqa: E402,F401
from . import responses  # noqa: E402,F401
from . import stages  # noqa: E402,F401
from . import paths  # noqa: E402,F401
from . import limits  # noqa: E402,F401
from . import security  # noqa: E402,F401
from . import meta  # noqa: E402,F401
# isort: on

INTERNAL_ERROR = Code(
    code="AGW000",
    name="internal-error",
    severity=Severity.ERROR,
    stage="internal",
    summary="apigwc itself failed while checking this spec.",
    doc="""What it checks: nothing; this code reports a bug in apigwc (a rule crashed).

Why: the other findings are still reported, but the crashed rule's checks did not run.

Fix: please report it with the spec (or a reduced copy); meanwhile ignore the code.""",
)


def all_codes() -> dict[str, Code]:
    """Every diagnostic code apigwc can emit, by code, sorted."""
    codes: dict[str, Code] = {INTERNAL_ERROR.code: INTERNAL_ERROR}
    from ..template.codes import TEMPLATE_CODES

    for c in SOURCE_CODES + CHECK_CODES + TEMPLATE_CODES:
        codes[c.code] = c
    for code, r in RULES.items():
        codes[code] = r.code
    from ..targets import target_codes  # AGW9xx: declared by the targets that emit them

    for c in target_codes():
        codes[c.code] = c
    from ..template.explicit import LIFT_CODES  # AGW040-AGW043: explicit template resources

    for c in LIFT_CODES:
        codes[c.code] = c
    return dict(sorted(codes.items()))


def resolve_code(text: str) -> Code | None:
    """Find a code by its id (AGW201) or its name (integration-timeout-range)."""
    codes = all_codes()
    key = text.strip()
    if key.upper() in codes:
        return codes[key.upper()]
    for c in codes.values():
        if c.name == key:
            return c
    return None


def run_rules(api: ir.Api, diags: Diagnostics, selected: Iterable[str] | None = None) -> None:
    """Run the rules (all, or the selected codes) over the IR, appending to ``diags``."""
    wanted = set(selected) if selected is not None else None
    for code, r in RULES.items():
        if wanted is not None and code not in wanted:
            continue
        try:
            for f in r.check(api):
                diags.add(
                    r.code, f.message, pointer=f.pointer, at_key=f.at_key, hint=f.hint, value_offset=f.value_offset
                )
        except Exception as exc:  # a crashing rule must not hide the other findings
            diags.add(
                INTERNAL_ERROR,
                f"rule {code} ({r.code.name}) crashed: {type(exc).__name__}: {exc}",
                pointer="",
                hint="please report this bug; the other rules still ran",
            )


__all__ = ["RULES", "Finding", "Rule", "rule", "all_codes", "resolve_code", "run_rules", "INTERNAL_ERROR"]
