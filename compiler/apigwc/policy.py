"""The compile-and-report policy every command and ``apigwc serve`` follow, and the one loader of "a spec or a bundle".

* `config_for`: the configuration of a spec (``--config``, or the nearest config file).
* `compile_spec`: lint and lower a spec; on ERROR-level findings a `Failure` that holds the
  findings formatted as ``file:line:col`` blocks and one line saying what did not happen
  ("nothing was written", "nothing is served"...), exit status 1.
* `lint_note`: the one line about findings below error level that a compiling command prints.
* `load_source`: a spec (through `compile_spec`) or a local bundle folder, as a `Loaded`.

A `Failure` is data: the command line prints it (`details` then `message`) and exits with
its `status`; serve prints the same text.  Nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from .config import Config, ConfigError, find_config, load_config

if TYPE_CHECKING:
    from .diagnostics import Diagnostic
    from .gateway import Gateway
    from .pipeline import CompileResult


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a command stopped: a message, the lint findings behind it (formatted), the exit status."""

    message: str
    details: tuple[str, ...] = ()
    #: 1: the spec has errors (findings); 2: a usage or I/O error
    status: int = 2


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
    files = tuple(d.path for d in lint.sources.documents()) if lint.sources is not None else (source,)
    warnings = sum(1 for d in lint.diagnostics if d.severity is not Severity.ERROR)
    assert compiled.gateway is not None
    return Loaded(compiled.gateway, source.resolve().parent, files, str(source), warnings)


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
    from .source import find_specs, looks_like_openapi, referring_specs

    paths = [p for p in request.paths if str(p) != "-"]
    if request.for_pre_commit:
        kept: list[Path] = []
        for p in paths:
            if p.is_file() and not looks_like_openapi(p):
                kept.extend(referring_specs(p, Path(".")))
            else:
                kept.append(p)
        paths = list(dict.fromkeys(kept))
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
    "LintOutcome",
    "LintRequest",
    "run_lint",
    "ConfigError",
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
