"""AGW018: the spec's own apigwc annotations (x-apigwc-ignore)."""

from __future__ import annotations

from typing import Iterator

from .. import ir
from ..diagnostics import Severity
from ..source import join
from .registry import Finding, rule


@rule("AGW018", name="unknown-suppression", severity=Severity.WARNING)
def unknown_suppression(api: ir.Api) -> Iterator[Finding]:
    """An `x-apigwc-ignore` entry names no rule.

    What it checks: each entry of an `x-apigwc-ignore` list is a rule code (AGW801), a rule
    name (no-authorization) or ALL.

    Why: a misspelled entry suppresses nothing, so the finding you meant to silence stays
    (or you think a rule is silenced when it is not).

    Example:
        x-apigwc-ignore: [no-authorisation]

    Fix: use the code or name that `apigwc rules` lists.
    """
    import difflib

    from .registry import known_codes

    if not api.suppressions:
        return
    codes = known_codes()
    names = {c.name for c in codes.values()}
    for pointer, entries in api.suppressions.items():
        for i, entry in enumerate(entries):
            if entry == "ALL" or entry.upper() in codes or entry in names:
                continue
            close = difflib.get_close_matches(entry, sorted(names), n=1)
            yield Finding(
                pointer=join(pointer, "x-apigwc-ignore", i),
                message=f"x-apigwc-ignore entry {entry!r} is not a rule code or name",
                hint=f"did you mean '{close[0]}'?" if close else "see 'apigwc rules'",
            )
