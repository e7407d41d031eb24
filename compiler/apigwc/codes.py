"""The catalog of every diagnostic code apigwc can emit: AGW000 and the codes of each stage.

Each stage declares its own codes (``source.SOURCE_CODES``, ``check.CHECK_CODES``, the
rule registry, ``target_codes.TARGET_CODES``, ``template.codes.TEMPLATE_CODES``,
``template.explicit.LIFT_CODES``); `rules.registry.known_codes` gathers them (below the
rules' AGW018, which reads the list), and this module loads every rule first and is the
one front that ``--explain``, ``apigwc rules``, the config validation and the reporters
read.  It imports the target *codes*, never the targets: listing codes stays cheap.
"""

from __future__ import annotations

import functools

from .diagnostics import Code


@functools.cache
def _catalog() -> dict[str, Code]:
    from . import rules  # noqa: F401  (importing the package registers every rule)
    from .rules.registry import known_codes

    return known_codes()


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
