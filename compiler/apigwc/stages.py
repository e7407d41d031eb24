"""One API through the stages, from opened sources: check -> build (IR) -> rules, and the
policy of what is reported (suppressions, --select / --ignore).

Both sources of an API use it: an OpenAPI file (`apigwc.pipeline`) and each API of a
SAM/CloudFormation template (`apigwc.template.run`), so `pipeline` can hand a template to
`template.run` without an import cycle.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import ir
from .build import build_api
from .check import SpecVersion, check
from .codes import all_codes
from .config import Config
from .diagnostics import Diagnostic, Diagnostics, Severity
from .rules import run_rules
from .source import Sources

if TYPE_CHECKING:  # the model is imported lazily: lint does not need it
    from .gateway import Gateway


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while a compile runs (re-entrant, thread-safe).

    A compile allocates millions of small, long-lived objects (source maps, IR, model,
    target documents) and frees few cycles; CPython's collector kept walking them, which
    cost a third of the build time of a 5,000-operation spec and made the time per
    operation grow with the spec (tests/bench/bench_build.py).  The collector resumes
    (if it was on) when the last running compile ends; reference counting frees
    everything else as usual meanwhile.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        _gc_pauses += 1
        if _gc_pauses == 1:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


@dataclass(slots=True)
class LintResult:
    """The outcome of linting one spec file."""

    display: str
    diagnostics: list[Diagnostic]
    api: ir.Api | None = None
    sources: Sources | None = None
    version: SpecVersion | None = None
    texts: dict[str, str] = field(default_factory=dict)
    #: apigwc itself failed on this file (a bug, not a finding): what it raised, and where
    internal_error: str | None = None

    def failing(self, threshold: Severity) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity >= threshold]

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


def _selected_rules(config: Config) -> list[str] | None:
    from .config import matches
    from .rules import RULES

    if config.select is None and not config.ignore:
        return None
    return [
        code
        for code, r in RULES.items()
        if (config.select is None or any(matches(s, r.code) for s in config.select))
        and not any(matches(i, r.code) for i in config.ignore)
    ]


def lint_sources(
    sources: Sources | None, display: str, diags: Diagnostics, config: Config, texts: dict[str, str] | None = None
) -> LintResult:
    """Check, build and lint opened sources (a spec file, or one API of a template)."""
    version = api = None
    if sources is not None:
        version = check(sources, diags)
        if version is not None:
            api = build_api(sources, version, diags)
            run_rules(api, diags, _selected_rules(config))
    return LintResult(
        display=display,
        diagnostics=finalize(diags, sources, api, config),
        api=api,
        sources=sources,
        version=version,
        texts=(texts or {}) | ({d.display: d.text for d in sources.documents()} if sources is not None else {}),
    )


def finalize(diags: Diagnostics, sources: Sources | None, api: ir.Api | None, config: Config) -> list[Diagnostic]:
    """Locate, filter (config and inline ``x-apigwc-ignore``), and sort diagnostics."""
    codes = all_codes()
    located = diags.resolved(sources.locate if sources is not None else (lambda p, k, o=None: None))
    suppressions = api.suppressions if api is not None else {}
    out = []
    for d in located:
        code = codes.get(d.code)
        if suppressions and _suppressed(d, suppressions, code):
            continue
        kept = config.apply(d, code)
        if kept is not None:
            out.append(kept)
    return out


def _suppressed(d: Diagnostic, suppressions: dict[str, tuple[str, ...]], code: object) -> bool:
    name = getattr(code, "name", None)
    for where, entries in suppressions.items():
        if d.pointer == where or d.pointer.startswith(where + "/"):
            if d.code in entries or (name is not None and name in entries) or "ALL" in entries:
                return True
    return False


@dataclass(slots=True)
class CompileResult:
    """A linted spec and, when it had no ERROR-level findings, its gateway model."""

    lint: LintResult
    gateway: "Gateway | None" = None

    @property
    def ok(self) -> bool:
        return self.gateway is not None
