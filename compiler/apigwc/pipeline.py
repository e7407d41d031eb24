"""Run the stages in order and own the policy: what is reported and when to stop.

    source -> check -> build (IR) -> lint rules -> [lower -> targets]

A file that cannot be parsed, or is not OpenAPI 2.0/3.0, stops after the stage that
found out; everything else runs every rule.  Lowering (the compile path) stops before
lowering on any ERROR-level finding.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import ir
from .build import build_api
from .check import SpecVersion, check
from .config import Config
from .diagnostics import Diagnostic, Diagnostics, Severity
from .rules import all_codes, run_rules
from .source import Sources, open_sources

if TYPE_CHECKING:  # imported lazily at run time: lint does not need them
    from .gateway import Gateway
    from .targets import EmitOptions
    from .template.run import CompiledTemplate


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


def lint_file(path: Path, display: str | None = None, config: Config | None = None) -> LintResult:
    """Lint one spec file.  Raises OSError if the file itself cannot be read (exit 2)."""
    with gc_paused():
        return _lint_file(path, display, config)


def _lint_file(path: Path, display: str | None, config: Config | None) -> LintResult:
    config = config or Config()
    display = display or str(path)
    from .template import is_template_file, lint_template_as_one

    if is_template_file(path):
        return lint_template_as_one(path, display, config)
    diags = Diagnostics()
    sources = open_sources(path, display, diags, ref_root=config.ref_root)
    return lint_sources(sources, display, diags, config)


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


# ----------------------------------------------------------------------------------------
# The compile path: lint, stop on errors, lower, emit


@dataclass(slots=True)
class CompileResult:
    """A linted spec and, when it had no ERROR-level findings, its gateway model."""

    lint: LintResult
    gateway: "Gateway | None" = None

    @property
    def ok(self) -> bool:
        return self.gateway is not None


def compile_file(path: Path, display: str | None = None, config: Config | None = None) -> CompileResult:
    """Lint a spec and lower it; lowering is skipped when lint finds an ERROR.

    Raises OSError if the file cannot be read (an I/O error, exit 2).
    """
    with gc_paused():
        result = lint_file(path, display, config)
        if result.api is None and result.sources is None and not result.has_errors:
            from .template import is_template_file

            if is_template_file(path):  # a template with several APIs: compile one at a time (--api)
                from .template.codes import NO_API

                from .diagnostics import Span
                from .template.run import api_ids

                diags = Diagnostics()
                names = ", ".join(api_ids(path, display or str(path)))
                diags.add(
                    NO_API,
                    f"the template has several REST APIs ({names}); choose one with --api LOGICAL_ID",
                    span=Span(display or str(path), 1, 1, 1, 1),
                )
                result.diagnostics = result.diagnostics + list(diags)
        if result.api is None or result.has_errors:
            return CompileResult(result)
        from .lower import lower_api

        return CompileResult(result, lower_api(result.api))


def emit_target(
    compiled: CompileResult, target: str, options: "EmitOptions", config: Config | None = None
) -> tuple[dict[str, str], list[Diagnostic]]:
    """Run one target over a compiled spec: its artifact and its (located) diagnostics."""
    from .targets import TARGETS

    assert compiled.gateway is not None, "emit_target needs a spec that compiled"
    diags = Diagnostics()
    with gc_paused():
        artifact = dict(TARGETS[target].emit(compiled.gateway, options, diags))
    lint = compiled.lint
    return artifact, finalize(diags, lint.sources, lint.api, config or Config())


def build_artifacts(
    compiled: CompileResult, options: "EmitOptions", config: Config | None = None, skip: tuple[str, ...] = ()
) -> tuple[dict[str, str], list[Diagnostic]]:
    """Every build target's files (relative path -> text) and their diagnostics (but the ``skip`` targets')."""
    from .targets import BUILD_TARGETS

    files: dict[str, str] = {}
    diags: list[Diagnostic] = []
    for name in BUILD_TARGETS:
        if name in skip:
            continue
        artifact, found = emit_target(compiled, name, options, config)
        files.update(artifact)
        diags.extend(found)
    return dict(sorted(files.items())), diags


# ----------------------------------------------------------------------------------------
# A template's whole stack: every API compiled, then `targets.stack`


@dataclass(slots=True)
class StackResult:
    """A template's selected APIs compiled, and (when all compiled) the one stack replacing them."""

    compiled: "CompiledTemplate"
    stack: dict | None
    #: the CloudFormation target's findings on each API, located in that API's sources
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        """Every ERROR-level finding: the template's, each API's lint, the target's."""
        found = list(self.compiled.head.diagnostics)
        for api in self.compiled.apis.values():
            found += api.lint.diagnostics
        return [d for d in found + self.diagnostics if d.severity is Severity.ERROR]

    @property
    def texts(self) -> dict[str, str]:
        out = dict(self.compiled.head.texts)
        for api in self.compiled.apis.values():
            out.update(api.lint.texts)
        return out


def compile_stack(
    path: Path, display: str, config: Config, style: str, values=None, api: str | None = None
) -> "StackResult | str":
    """Lint and lower every API of a template (or the --api one), then the whole stack
    (`apigwc.targets.stack.emit_stack`): the user's template with those APIs replaced.

    A string is a usage problem (--api names no API).  Raises OSError if the file cannot be read.
    """
    import dataclasses

    from .targets.stack import emit_stack_with_diagnostics
    from .template import LocalValues
    from .template.run import compile_template

    # the stack's own name is only known when deployed: a value made from it (SAM names its
    # implicit API after the stack) stays ${AWS::StackName}, which the cfn target writes in Fn::Sub
    values = values or LocalValues()
    values = dataclasses.replace(values, params={**values.params, "AWS::StackName": "${AWS::StackName}"})
    compiled = compile_template(path, display, config, values, api)
    if isinstance(compiled, str):
        return compiled
    if not compiled.ok or not compiled.apis:
        return StackResult(compiled, None)
    assert compiled.opened.template is not None
    with gc_paused():
        stack, found = emit_stack_with_diagnostics(
            compiled.opened.template.data, {k: c.gateway for k, c in compiled.apis.items()}, style
        )
    located: list[Diagnostic] = []
    for api_id, diags in sorted(found.items()):
        lint = compiled.apis[api_id].lint
        located += finalize(diags, lint.sources, lint.api, config)
    return StackResult(compiled, stack, located)


def stack_name(template: Path) -> str:
    """The default CloudFormation stack (and build folder) of a template: apigwc-<its folder>."""
    import re

    folder = re.sub(r"[^A-Za-z0-9-]+", "-", template.resolve().parent.name).strip("-") or "template"
    return f"apigwc-{folder}"[:128]
