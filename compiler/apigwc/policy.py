"""The compile-and-report policy every command and ``apigwc serve`` follow, and the one loader of "a spec or a bundle".

* `config_for`: the configuration of a spec (``--config``, or the nearest config file).
* `compile_spec`: lint and lower a spec; on ERROR-level findings a `Failure` that holds the
  findings formatted as ``file:line:col`` blocks and one line saying what did not happen
  ("nothing was written", "nothing is served"...), exit status 1.
* `lint_note`: the one line about findings below error level that a compiling command prints.
* `load_source`: a spec (through `compile_spec`) or a local bundle folder, as a `Loaded`.
* Templates are one more source: `select_template` turns the template flags (``--api``,
  ``--param``, ``--parameters-file``, ``--region``) into the selection every template-reading
  stage uses; `is_template` / `template_apis` say what a file holds; `compile_stack_or_fail`
  compiles a template's whole stack under the same policy as `compile_spec`.

* `emit_stack`, `emit_each_api`, `build_spec`, `build_stack`: what ``apigwc emit`` and
  ``apigwc build`` write for a spec, a template's stack, or each API of a template.

A `Failure` is data: the command line prints it (`Failure.lines`) and exits with its
`status` (`Failure.ends_command` says whether a command over several specs stops); serve
prints the same text.  Nothing here prints: lines go to the ``say`` the caller passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, ContextManager, Sequence

from .config import Config, ConfigError, find_config, load_config

if TYPE_CHECKING:
    from .diagnostics import Diagnostic
    from .gateway import Gateway
    from .stages import CompileResult


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a command stopped: a message, the lint findings behind it (formatted), the exit status."""

    message: str
    details: tuple[str, ...] = ()
    #: 1: the spec has errors (findings); 2: a usage or I/O error
    status: int = 2

    @property
    def lines(self) -> tuple[str, ...]:
        """What the command prints on stderr: the findings, then the message (``apigwc: error:`` for status 2)."""
        prefix = "apigwc: error: " if self.status == 2 else "apigwc: "
        return (*self.details, prefix + self.message)

    @property
    def ends_command(self) -> bool:
        """A command over several specs (build, one file per API) stops on a usage or I/O error (exit 2 at once);
        lint errors in one spec only make the exit status 1, and the other specs still run."""
        return self.status == 2


#: where a command's stderr lines go (the CLI's echo; serve prints its own way)
Say = Callable[[str], None]
#: a spinner while long work runs (the CLI's; a no-op context elsewhere)
Progress = Callable[[str], ContextManager]


@dataclass(frozen=True, slots=True)
class Loaded:
    """A gateway model ready to run, and where it came from."""

    gateway: "Gateway"
    #: the folder handler modules and x-apigwc.local paths are relative to
    base_dir: Path
    #: the files it was read from (what --watch looks at)
    files: tuple[Path, ...]
    #: "specs/users.yaml" or "output/users/local (local bundle)"
    origin: str
    #: lint findings below error level (a count, for one line at start)
    warnings: int = 0
    #: values a template needs that are not known locally (AGW031), with where and the flag that sets them
    unknown_values: tuple[str, ...] = ()


def config_for(spec: Path | None, config_path: Path | None = None, **overrides) -> Config:
    """The configuration for ``spec``: ``--config``, else the nearest config file; command-line overrides on top.

    Raises ConfigError (a usage error) when the file is malformed or names unknown codes.
    """
    from .codes import all_codes

    source = config_path if config_path is not None else find_config(spec.parent if spec is not None else Path.cwd())
    cfg = load_config(source).merged(**overrides)
    cfg.validate(all_codes())
    return cfg


def format_findings(diagnostics: Sequence["Diagnostic"], texts: dict[str, str], color: bool = False) -> tuple[str, ...]:
    """Findings as the text report prints them (the source line and a caret under each)."""
    from .report.text import format_diagnostic

    lines = {k: v.splitlines() for k, v in texts.items()}
    return tuple(format_diagnostic(d, lines.get(d.span.file) if d.span else None, color) for d in diagnostics)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def compile_spec(
    spec: Path, config: Config | None, stopped: str = "nothing was written", color: bool = False
) -> "CompileResult | Failure":
    """Lint and lower ``spec``: its `CompileResult`, or a `Failure` (lint errors: status 1; unreadable: status 2)."""
    from .diagnostics import Severity
    from .pipeline import compile_file

    try:
        compiled = compile_file(spec, str(spec), config)
    except OSError as exc:
        return Failure(f"cannot read '{spec}': {exc.strerror or exc}")
    if compiled.ok:
        return compiled
    errors = [d for d in compiled.lint.diagnostics if d.severity is Severity.ERROR]
    return Failure(
        f"{spec}: {_plural(len(errors), 'error')}; {stopped} (run 'apigwc lint {spec}' for every finding)",
        format_findings(errors, compiled.lint.texts, color),
        status=1,
    )


def lint_note(compiled: "CompileResult", spec: Path) -> str | None:
    """The line a compiling command prints about findings below error level (None when there are none)."""
    from .diagnostics import Severity

    return warnings_note(spec, sum(1 for d in compiled.lint.diagnostics if d.severity is not Severity.ERROR))


def warnings_note(spec: Path, count: int) -> str | None:
    """The line about ``count`` findings below error level in ``spec`` (None when there are none)."""
    if not count:
        return None
    return f"{spec}: {_plural(count, 'lint finding')} below error level (run 'apigwc lint {spec}' to see them)"


def target_findings(
    compiled: "CompileResult", diagnostics: Sequence["Diagnostic"], color: bool = False
) -> tuple[tuple[str, ...], bool]:
    """A target's findings, formatted, and whether one of them is an error (then nothing is written)."""
    from .diagnostics import Severity

    return format_findings(diagnostics, compiled.lint.texts, color), any(
        d.severity is Severity.ERROR for d in diagnostics
    )


def load_source(source: Path, compile: Callable[[Path], "CompileResult | Failure"]) -> Loaded | Failure:
    """A spec file (through ``compile``, which lints and lowers) or a local bundle folder, ready to run."""
    if not source.exists():
        return Failure(f"cannot read '{source}': no such file or directory")
    if source.is_dir():
        from .bundle import load_bundle

        bundle = load_bundle(source)
        if isinstance(bundle, str):
            return Failure(bundle)
        files = tuple(p for p in sorted(source.iterdir()) if p.is_file())
        return Loaded(bundle.gateway, bundle.base_dir, files, f"{source} (local bundle)")
    compiled = compile(source)
    if isinstance(compiled, Failure):
        return compiled
    from .diagnostics import Severity

    lint = compiled.lint
    # the spec (or template) itself and every file it reads (a template's included body, $ref'd files)
    files = (
        tuple(dict.fromkeys((source, *(d.path for d in lint.sources.documents()))))
        if lint.sources is not None
        else (source,)
    )
    warnings = sum(1 for d in lint.diagnostics if d.severity is not Severity.ERROR)
    unknown = tuple(
        f"{d.span.file}:{d.span.line}:{d.span.col}: {d.message} ({d.hint})" if d.span else d.message
        for d in lint.diagnostics
        if d.code == "AGW031"
    )
    assert compiled.gateway is not None
    return Loaded(compiled.gateway, source.resolve().parent, files, str(source), warnings, unknown)


# ----------------------------------------------------------------------------------------
# SAM/CloudFormation templates: one more source behind the same policy


def select_template(
    api: str | None,
    params: Sequence[str] | None,
    params_file: Path | None,
    region: str | None,
    target: str | None = None,
) -> Failure | None:
    """The template flags -> the selection (`apigwc.template.values.SELECTION`); a Failure when they are malformed.

    ``target``: what ``emit`` writes.  The OpenAPI export and the deploy plan keep references to the
    template's own resources as written; every other command runs locally, where each has its local value."""
    from .template.values import (
        SELECTION,
        LocalValues,
        ParametersError,
        Selection,
        parse_param_flags,
        read_parameters_file,
    )

    try:
        values = read_parameters_file(params_file) if params_file is not None else {}
        values.update(parse_param_flags(list(params or ())))
    except ParametersError as exc:
        return Failure(str(exc))
    keep = target in ("openapi", "deploy")
    SELECTION.set(Selection(api=api, values=LocalValues(params=values, region=region, keep_references=keep)))
    return None


def is_template(path: Path) -> bool:
    """A SAM/CloudFormation template (recognized by content)."""
    from .template.load import is_template_file

    return path.is_file() and is_template_file(path)


def template_apis(path: Path) -> list:
    """(file, selection) per API to compile: a template with several APIs (and no --api) once per API."""
    from .template.run import each_api
    from .template.values import SELECTION

    return each_api([path], SELECTION.get()) if path.is_file() else []


def compile_stack_or_fail(spec: Path, config: Config, style: str, stopped: str = "nothing was written", color=False):
    """A template's whole stack (`pipeline.compile_stack`): a `StackResult` whose errors are none, or a `Failure`."""
    from .pipeline import compile_stack
    from .template.values import SELECTION

    selection = SELECTION.get()
    try:
        result = compile_stack(spec, str(spec), config, style, selection.values, selection.api)
    except OSError as exc:
        return Failure(f"cannot read '{spec}': {exc.strerror or exc}")
    if isinstance(result, str):
        return Failure(result)
    errors = result.errors
    if result.stack is None or errors:
        return Failure(
            f"{spec}: {_plural(len(errors), 'error')}; {stopped} (run 'apigwc lint {spec}' for every finding)",
            format_findings(errors, result.texts, color),
            status=1,
        )
    return result


# ----------------------------------------------------------------------------------------
# apigwc emit and apigwc build: what a spec, a template's stack, or each API of a template writes


def stack_findings(result, color: bool = False) -> tuple[str, ...]:
    """The findings below error level of a template's stack, as the text report prints them."""
    return format_findings(result.diagnostics, result.texts, color)


def emit_stack(
    spec: Path, config: Config, style: str, fmt: str, say: Say, progress: Progress, color: bool = False
) -> "str | Failure":
    """``emit --target cfn`` of a template: the user's whole template with its APIs replaced (one stack), as text."""
    from .targets.base import OutputFormat, serialize

    with progress(f"linting, lowering and assembling the stack of {spec}"):
        result = compile_stack_or_fail(spec, config, style, "nothing was written", color)
    if isinstance(result, Failure):
        return result
    for line in stack_findings(result, color):
        say(line)
    return serialize(result.stack, OutputFormat(fmt))


def emit_each_api(
    spec: Path, apis: list, target: str, output: Path, options, config: Config, say: Say, color: bool = False
) -> "int | Failure":
    """Every API of a template into ``-o DIR/<LogicalId>.<yaml|json>``: 0, 1 when one had errors, or a Failure."""
    from .output import write_file_atomically
    from .pipeline import emit_target
    from .targets.base import OutputFormat, primary_file
    from .template.values import SELECTION

    if output.exists() and not output.is_dir():
        return Failure(f"-o '{output}' is a file; with several APIs give a folder")
    status = 0
    for _, selection in apis:
        SELECTION.set(selection)
        compiled = compile_spec(spec, config, "nothing was written", color)
        if isinstance(compiled, Failure):
            for line in compiled.lines:
                say(line)
            if compiled.ends_command:
                return 2
            status = 1
            continue
        artifact, found = emit_target(compiled, target, options, config)
        lines, failed = target_findings(compiled, found, color)
        for line in lines:
            say(line)
        if failed:
            status = 1
            continue
        text = artifact[primary_file(artifact, OutputFormat(options.format.value), None)]
        path = output / f"{selection.api}.{'json' if options.format.value == 'json' else 'yaml'}"
        try:
            write_file_atomically(path, text)
        except OSError as exc:
            return Failure(f"cannot write '{path}': {exc.strerror or exc}")
        say(f"apigwc: wrote {path}")
    return status


def stale_status(spec: Path, folder: Path, files: dict[str, str], say: Say) -> int:
    """``build --check`` of one output folder: 1 (and which files) when it differs from ``files``, else 0."""
    from .output import stale_files

    stale = stale_files(folder, files)
    if stale:
        say(f"apigwc: {folder} is stale ({', '.join(stale)}); run 'apigwc build {spec}'")
        return 1
    return 0


def _write_build(out: Path, name: str, files: dict[str, str]) -> Failure | None:
    """Write OUT/<name>/ atomically; a Failure when it cannot be written."""
    from .output import write_outputs

    try:
        write_outputs(out, name, files)
    except OSError as exc:
        return Failure(f"cannot write {out / name}: {exc.strerror or exc}")
    return None


def build_stack(
    spec: Path, out: Path, check: bool, options, config: Config, names: dict, say: Say, progress: Progress, color=False
) -> "tuple[int, str] | Failure":
    """``build`` of a template: its stack (`pipeline.compile_stack`) into OUT/<stack name>/template.yaml.

    Its status (0, or 1 when the folder is stale) and the line to print on stdout (empty
    with --check), or a Failure.
    """
    from .pipeline import stack_name
    from .targets.base import serialize

    name = stack_name(spec)
    if name in names:
        return Failure(f"'{spec}' and '{names[name]}' both build into {out / name}")
    names[name] = spec
    with progress(f"linting, lowering and assembling the stack of {spec}"):
        result = compile_stack_or_fail(spec, config, options.cfn_style.value, f"{out / name} was not written", color)
    if isinstance(result, Failure):
        return result
    files = {"template.yaml": serialize(result.stack, options.format)}
    folder = out / name
    if check:
        return stale_status(spec, folder, files, say), ""
    failure = _write_build(out, name, files)
    if failure is not None:
        return failure
    apis = ", ".join(result.compiled.apis)
    return 0, f"{spec} -> {folder} (template.yaml: the whole stack, with {apis} replaced)\n"


def build_spec(
    spec: Path,
    out: Path,
    check: bool,
    options,
    config: Config,
    names: dict,
    say: Say,
    progress: Progress,
    color: bool = False,
    api: str | None = None,
) -> "tuple[int, str] | Failure":
    """``build`` (or ``build --check``) of one spec, or one API of a template, into OUT/<name>/.

    Its status (0, or 1 when the targets found errors or the folder is stale) and the summary
    to print on stdout (empty with --check), or a Failure.
    """
    import dataclasses

    from .bundle import base_dir_for
    from .output import output_name
    from .pipeline import build_artifacts
    from .report.summary import render_summary
    from .targets.local_bundle import FOLDER as LOCAL_FOLDER

    with progress(f"linting and lowering {spec}"):
        compiled = compile_spec(spec, config, "nothing was written", color)
    if isinstance(compiled, Failure):
        return compiled
    if not check:
        note = lint_note(compiled, spec)
        if note:
            say(f"apigwc: {note}")
    name = api or output_name(compiled.gateway)  # a template's API: its logical id
    if name in names:
        return Failure(f"'{spec}' and '{names[name]}' both build into {out / name}; give the APIs different titles")
    names[name] = spec
    spec_options = dataclasses.replace(options, bundle_base_dir=base_dir_for(spec, out / name / LOCAL_FOLDER))
    with progress(f"emitting {spec}"):
        artifacts, found = build_artifacts(compiled, spec_options, config, skip=("cfn",) if api is not None else ())
    lines, failed = target_findings(compiled, found, color)
    for line in lines if failed or not check else ():
        say(line)
    if failed:
        say(f"apigwc: {spec}: nothing was written")
        return 1, ""
    folder = out / name
    if check:
        return stale_status(spec, folder, artifacts, say), ""
    failure = _write_build(out, name, artifacts)
    if failure is not None:
        return failure
    return 0, render_summary(compiled.gateway, str(folder), artifacts)


# ----------------------------------------------------------------------------------------
# apigwc lint: which files, which config for each, one report, one exit code


@dataclass(frozen=True, slots=True)
class LintRequest:
    """What ``apigwc lint`` was asked: paths (``-`` is standard input), the format, the config and its overrides."""

    paths: tuple[Path, ...]
    format: str = "text"
    config: Path | None = None
    #: command-line overrides of the config (select, ignore, fail_on, ref_root)
    overrides: dict = field(default_factory=dict)
    #: the name the spec on standard input stands for
    stdin_filename: Path | None = None
    #: pre-commit: a file that is not OpenAPI stands for the specs that $ref it (or nothing)
    for_pre_commit: bool = False


@dataclass(frozen=True, slots=True)
class LintOutcome:
    """The report to print on stdout, the problems to print on stderr, and the exit code."""

    report: str
    problems: tuple[str, ...]
    exit_code: int
    #: bugs in apigwc met on a file (``FILE: Type: message (module.py:line)``): exit code 3
    internal_errors: tuple[str, ...] = ()


def _lint_targets(request: LintRequest) -> tuple[list[Path], list[str]]:
    from .discovery import find_specs, looks_like_source, referring_specs, without_included

    paths = [p for p in request.paths if str(p) != "-"]
    if request.for_pre_commit:
        kept: list[Path] = []
        for p in paths:
            if not p.is_file():
                kept.append(p)
                continue
            if looks_like_source(p):
                kept.append(p)
            # the specs that $ref it and the templates that include it are linted again
            kept.extend(referring_specs(p, Path(".")))
        paths = without_included(list(dict.fromkeys(kept)))
    return find_specs(paths)


def run_lint(request: LintRequest, stdin=None) -> LintOutcome:
    """Lint every requested spec, each with its own config; one report, however the run went.

    A path that cannot be read, or a malformed config, is a problem (exit 2); a bug in
    apigwc on a file is an internal error (exit 3).  Either way the report still covers
    what was linted, and says (SARIF ``invocations``) that the run failed.
    When nothing could be linted, the text formats print nothing on stdout: the error is
    the whole message.
    """
    from .codes import all_codes
    from .pipeline import EXIT_INTERNAL, lint_file
    from .report import REPORTERS, Run

    files, problems = _lint_targets(request)
    codes = all_codes()
    results = []
    failing = False
    configs: dict[Path | None, Config] = {}
    jobs: list[tuple[Path, str, bytes | None]] = [(f, str(f), None) for f in files]
    if stdin is not None:
        named = request.stdin_filename or Path("stdin")
        jobs.insert(0, (Path.cwd() / named, str(named), stdin.read()))
    for path, display, raw in jobs:
        source = request.config if request.config is not None else find_config_safe(path.parent, problems)
        if source is False:
            continue
        if source not in configs:
            try:
                cfg = load_config(source).merged(**request.overrides)
                cfg.validate(codes)
            except ConfigError as exc:
                problems.append(str(exc))
                break
            configs[source] = cfg
        cfg = configs[source]
        try:
            result = lint_file(path, display, cfg, raw)
        except OSError as exc:
            problems.append(f"cannot read '{display}': {exc.strerror or exc}")
            continue
        results.append(result)
        failing = failing or bool(result.failing(cfg.fail_on))
    # a bug in apigwc on a file is reported the way any failed run is (Run.errors: SARIF
    # invocations with executionSuccessful false), with its own exit code
    internal = tuple(f"{r.display}: {r.internal_error}" for r in results if r.internal_error is not None)
    exit_code = EXIT_INTERNAL if internal else 2 if problems else (1 if failing else 0)
    if request.for_pre_commit and not jobs and not problems:
        return LintOutcome("", (), 0)  # only files that are not OpenAPI and that no spec $refs
    if not results and request.format in ("text", "github", "json") and problems:
        return LintOutcome("", tuple(problems), exit_code)
    errors = tuple(problems) + tuple(f"internal error (a bug in apigwc, not a finding): {e}" for e in internal)
    run = Run(errors=errors, exit_code=exit_code)
    return LintOutcome(REPORTERS[request.format](results, codes, run), tuple(problems), exit_code, internal)


def find_config_safe(folder: Path, problems: list[str]) -> Path | None | bool:
    """`find_config`, with a malformed file met on the way recorded as a problem (False: skip the spec)."""
    try:
        return find_config(folder)
    except ConfigError as exc:
        problems.append(str(exc))
        return False


__all__ = [
    "build_spec",
    "build_stack",
    "emit_each_api",
    "emit_stack",
    "stack_findings",
    "stale_status",
    "Say",
    "Progress",
    "compile_stack_or_fail",
    "is_template",
    "select_template",
    "template_apis",
    "LintOutcome",
    "LintRequest",
    "run_lint",
    "Failure",
    "Loaded",
    "compile_spec",
    "config_for",
    "format_findings",
    "lint_note",
    "load_source",
    "warnings_note",
    "target_findings",
]
