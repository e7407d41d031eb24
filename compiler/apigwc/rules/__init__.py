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
from ..diagnostics import Diagnostics
from .registry import INTERNAL_ERROR, RULES

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


__all__ = ["RULES", "run_rules"]
