"""The catalog of every diagnostic code apigwc can emit: AGW000 and the codes of each stage.

Each stage declares its own codes (``source.SOURCE_CODES``, ``check.CHECK_CODES``, the
rule registry, ``targets.codes.TARGET_CODES``, ``template.codes.TEMPLATE_CODES``,
``template.explicit.LIFT_CODES``); this module only gathers them, so that
``--explain``, ``apigwc rules``, the config validation and the reporters read one list.
It imports the target *codes*, never the targets: listing codes stays cheap.
"""

from __future__ import annotations

import functools

from .diagnostics import Code


@functools.cache
def _catalog() -> dict[str, Code]:
    from .check import CHECK_CODES
    from .rules import INTERNAL_ERROR, RULES
    from .source import SOURCE_CODES
    from .targets.codes import TARGET_CODES
    from .template.codes import TEMPLATE_CODES
    from .template.explicit import LIFT_CODES

    codes: dict[str, Code] = {INTERNAL_ERROR.code: INTERNAL_ERROR}
    for c in SOURCE_CODES + CHECK_CODES + TEMPLATE_CODES + LIFT_CODES:
        codes[c.code] = c
    for code, r in RULES.items():
        codes[code] = r.code
    for c in TARGET_CODES:
        codes[c.code] = c
    return dict(sorted(codes.items()))


def all_codes() -> dict[str, Code]:
    """Every diagnostic code apigwc can emit, by code, sorted (a fresh dict: callers may keep it)."""
    return dict(_catalog())


def resolve_code(text: str) -> Code | None:
    """Find a code by its id (AGW201, agw201) or its name (integration-timeout-range)."""
    codes = _catalog()
    key = text.strip()
    if key.upper() in codes:
        return codes[key.upper()]
    for c in codes.values():
        if c.name == key:
            return c
    return None


def explain_text(code: Code) -> str:
    """The ``--explain`` text of a code."""
    head = f"{code.code} {code.name} ({code.severity.label}, {code.stage})"
    return f"{head}\n{'=' * len(head)}\n\n{code.summary}\n\n{code.doc}\n" if code.doc else f"{head}\n\n{code.summary}\n"


__all__ = ["all_codes", "resolve_code", "explain_text"]
