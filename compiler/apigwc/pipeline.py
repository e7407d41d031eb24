"""Run the stages in order and own the policy: what is reported and when to stop.

    source -> check -> build (IR) -> lint rules -> [lower -> targets]

A file that cannot be parsed, or is not OpenAPI 2.0/3.0, stops after the stage that
found out; everything else runs every rule.  Lowering (the compile path) stops before
lowering on any ERROR-level finding.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config
from .diagnostics import Diagnostic, Diagnostics, Severity
from .source import open_sources
from .stages import CompileResult, LintResult, finalize, gc_paused, lint_sources

__all__ = [
    "EXIT_INTERNAL",
    "REPORT_BUG",
    "InternalError",
    "StackResult",
    "build_artifacts",
    "compile_file",
    "compile_stack",
    "describe_internal",
    "emit_target",
    "lint_file",
    "stack_name",
]

if TYPE_CHECKING:  # imported lazily at run time: lint does not need them
    from .targets import EmitOptions
    from .template.run import CompiledTemplate


class InternalError(Exception):
    """apigwc raised where it should have reported (a bug): exit code 3, never a finding."""


#: exit code of an internal error: a bug in apigwc, distinct from findings (1) and usage/I/O errors (2)
EXIT_INTERNAL = 3
#: what follows every internal-error line on stderr
REPORT_BUG = "this is a bug in apigwc (not a finding); please report it with the input file"


def describe_internal(exc: BaseException) -> str:
    """``AttributeError: 'str' object has no attribute 'get' (check.py:893)``: what and where, no traceback."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def lint_file(
    path: Path, display: str | None = None, config: Config | None = None, raw: bytes | None = None
) -> LintResult:
    """Lint one spec file (``raw``: its bytes, e.g. standard input).  Raises OSError if it cannot be read (exit 2).

    Any other exception is a bug in apigwc: the result carries it as ``internal_error``
    (reported apart from findings, exit code 3) instead of letting it escape.
    """
    with gc_paused():
        try:
            return _lint_file(path, display, config, raw)
        except OSError:
            raise
        except Exception as exc:  # noqa: BLE001 - the boundary between a bug and the user
            return LintResult(display=display or str(path), diagnostics=[], internal_error=describe_internal(exc))


def _lint_file(path: Path, display: str | None, config: Config | None, raw: bytes | None = None) -> LintResult:
    config = config or Config()
    display = display or str(path)
    # the template pipeline is imported only for a template (a file's, or standard input's bytes)
    from .template.load import is_template_file, is_template_text

    if is_template_file(path) if raw is None else is_template_text(raw):
        from .template.run import lint_template_as_one

        return lint_template_as_one(path, display, config, raw)
    diags = Diagnostics()
    sources = open_sources(path, display, diags, ref_root=config.ref_root, raw=raw)
    return lint_sources(sources, display, diags, config)


# ----------------------------------------------------------------------------------------
# The compile path: lint, stop on errors, lower, emit


def compile_file(path: Path, display: str | None = None, config: Config | None = None) -> CompileResult:
    """Lint a spec and lower it; lowering is skipped when lint finds an ERROR.

    Raises OSError if the file cannot be read (an I/O error, exit 2).
    """
    with gc_paused():
        result = lint_file(path, display, config)
        if result.internal_error is not None:
            raise InternalError(f"{result.display}: {result.internal_error}")
        if result.api is None and result.sources is None and not result.has_errors:
            from .template.load import is_template_file

            if is_template_file(path):  # a template with several APIs: compile one at a time (--api)
                from .diagnostics import Span
                from .template.codes import NO_API
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

        try:
            return CompileResult(result, lower_api(result.api))
        except Exception as exc:  # noqa: BLE001 - a bug in lowering
            raise InternalError(f"{result.display}: {describe_internal(exc)}") from exc


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
        # a fact two targets report (AGW907: nothing to deploy) is one finding of the build
        seen = {(d.code, d.pointer) for d in diags}
        diags.extend(d for d in found if (d.code, d.pointer) not in seen)
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

    from .intrinsics import Resolved
    from .targets.stack import emit_template_stack
    from .template.run import compile_template
    from .template.values import LocalValues

    # the stack's own name is only known when deployed: a value made from it (SAM names its
    # implicit API after the stack) stays ${AWS::StackName}, which the cfn target writes in Fn::Sub;
    # every other value an API takes from an intrinsic remembers it (`intrinsics.Resolved`)
    values = values or LocalValues()
    values = dataclasses.replace(values, params={**values.params, "AWS::StackName": "${AWS::StackName}"}, symbolic=True)
    compiled = compile_template(path, display, config, values, api)
    if isinstance(compiled, str):
        return compiled
    if not compiled.ok or not compiled.apis:
        return StackResult(compiled, None)
    assert compiled.opened.template is not None
    template = compiled.opened.template
    with gc_paused():
        domains: dict[str, dict] = {}
        for kept in compiled.opened.kept:
            if kept.where.endswith("/Domain") and isinstance(kept.local, Resolved):
                domains.setdefault(kept.api, {})[str(kept.local)] = kept.local
        emitted = emit_template_stack(
            template.data,
            {k: c.gateway for k, c in compiled.apis.items()},
            style,
            compiled.opened.deployed,
            domains,
        )
    stack = emitted.stack
    located: list[Diagnostic] = []
    for api_id, diags in sorted(emitted.per_api.items()):
        lint = compiled.apis[api_id].lint
        located += finalize(diags, lint.sources, lint.api, config)
    in_template = Diagnostics()
    for _, diags in sorted(emitted.in_template.items()):  # template pointers: located in the template
        in_template.extend(dataclasses.replace(d, span=template.span(d.pointer, d.at_key)) for d in diags)
    located += finalize(in_template, None, None, config)
    located += finalize(_pinned(compiled), None, None, config)
    return StackResult(compiled, stack, located)


def _pinned(compiled: "CompiledTemplate") -> Diagnostics:
    """AGW909 for each value an API took from an intrinsic that the stack did not write back:
    a `Resolved` string a stage rebuilt, a number or boolean (the gateway model holds those as
    such), the branch a Fn::If chose."""
    import json

    from .intrinsics import Resolved
    from .target_codes import VALUE_PINNED

    template = compiled.opened.template
    assert template is not None
    diags = Diagnostics()
    seen: set[tuple[str, str]] = set()
    for kept in compiled.opened.kept:
        if kept.api not in compiled.apis or (isinstance(kept.local, Resolved) and kept.local.written):
            continue
        text = json.dumps(kept.intrinsic, separators=(",", ":"))
        if (kept.api, text) in seen:
            continue
        seen.add((kept.api, text))
        if kept.branch:
            message = (
                f"API {kept.api}: only the branch of {text} chosen locally is written into the stack "
                "(its branches hold references apigwc cannot carry as one value)"
            )
        else:
            local = kept.local if isinstance(kept.local, str) else json.dumps(kept.local)
            message = (
                f"API {kept.api}: {text} is written into the stack as {str(local)!r}, its local value: "
                "apigwc needs a concrete value there, so a deploy with other parameter values keeps this one"
            )
        diags.add(
            VALUE_PINNED,
            message,
            span=template.locate_value(kept.intrinsic, kept.where),
            hint="write the value literally, or emit with the --param values you deploy with",
        )
    return diags


def stack_name(template: Path) -> str:
    """The default CloudFormation stack (and build folder) of a template: apigwc-<its folder>."""
    import re

    folder = re.sub(r"[^A-Za-z0-9-]+", "-", template.resolve().parent.name).strip("-") or "template"
    return f"apigwc-{folder}"[:128]
