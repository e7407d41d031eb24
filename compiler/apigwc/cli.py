"""The ``apigwc`` command line: flags -> pipeline -> report -> exit code.  No logic lives here.

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 usage or I/O error.
Heavy modules are imported inside the commands so that ``apigwc --help`` stays fast.
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(
    name="apigwc",
    help=(
        "apigwc compiles an OpenAPI 2.0/3.0 document with x-amazon-apigateway-* extensions "
        "into an Amazon API Gateway REST API: a lint report, CloudFormation, a local gateway "
        "and a deploy plan.\n\nExamples:\n\n  apigwc lint specs/users.yaml\n\n  apigwc build specs/petstore-lambda.yaml\n\n"
        "  apigwc serve specs/petstore-lambda.yaml\n\n"
        "  apigwc vtl render template.vtl --request request.json"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class LintFormat(str, enum.Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


class RulesFormat(str, enum.Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class Level(str, enum.Enum):
    error = "error"
    warning = "warning"
    info = "info"


def _fail(message: str) -> "typer.Exit":
    typer.echo(f"apigwc: error: {message}", err=True)
    return typer.Exit(2)


def _select_template(
    api: Optional[str], params: Optional[List[str]], params_file: Optional[Path], region: Optional[str] = None
) -> None:
    """Template flags -> the selection every template-reading stage uses (apigwc.template.run.SELECTION)."""
    from .template import LocalValues, ParametersError, parse_param_flags, read_parameters_file
    from .template.run import SELECTION, Selection

    try:
        values = read_parameters_file(params_file) if params_file is not None else {}
        values.update(parse_param_flags(params))
    except ParametersError as exc:
        raise _fail(str(exc))
    SELECTION.set(Selection(api=api, values=LocalValues(params=values, region=region)))


_API_HELP = "Template: the REST API to use, by logical id (default: every API)."
_PARAM_HELP = (
    "Template: a parameter or unknown value, NAME=VALUE (repeatable): Stage=dev, ImportValue:Export=v, Res.Attr=v."
)
_REGION_HELP = "Template: AWS::Region (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)."
_PARAMS_FILE_HELP = (
    "Template: parameter values from samconfig.toml, a CloudFormation parameters JSON, or a K=V overrides file."
)


def _spec_files(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Expand folders to the OpenAPI files inside them; report paths that do not exist."""
    files: list[Path] = []
    problems: list[str] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                f
                for pattern in ("*.yaml", "*.yml", "*.json")
                for f in p.rglob(pattern)
                if f.is_file() and ".aws-sam" not in f.parts and (_looks_like_openapi(f) or _holds_api_template(f))
            )
            found = _without_included(found)
            if not found:
                problems.append(f"no OpenAPI files or SAM/CloudFormation templates with APIs under '{p}'")
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            problems.append(f"cannot read '{p}': no such file or directory")
    return files, problems


def _dependents(changed: list[Path], root: Path) -> list[Path]:
    """Specs and templates under ``root`` that $ref or include one of the changed files (pre-commit)."""
    from .source import referenced_files
    from .template.load import included_files

    targets = {p.resolve() for p in changed if p.is_file()}
    if not targets:
        return []
    out: list[Path] = []
    for f in sorted(p for pattern in ("*.yaml", "*.yml", "*.json") for p in root.rglob(pattern)):
        if (
            not f.is_file()
            or f.resolve() in targets
            or ".aws-sam" in f.parts
            or ".git" in f.parts
            or "node_modules" in f.parts
        ):
            continue
        if _looks_like_openapi(f):
            reads = referenced_files(f)
        elif _holds_api_template(f):
            reads = included_files(f) | referenced_files(f)
            for inc in list(reads):
                reads |= referenced_files(inc)
        else:
            continue
        if reads & targets:
            out.append(f)
    return out


def _without_included(files: list[Path]) -> list[Path]:
    """Drop OpenAPI files that a template in the same scan includes: they are linted as part of it."""
    from .template.load import included_files

    included: set[Path] = set()
    for f in files:
        if _holds_api_template(f):
            included |= included_files(f)
    return [f for f in files if f.resolve() not in included]


def _holds_api_template(path: Path) -> bool:
    """A SAM/CloudFormation template that declares a REST API (folder scans and pre-commit skip the others)."""
    from .template import is_template_file
    from .template.load import mentions_api

    return mentions_api(path) and is_template_file(path)


def _looks_like_openapi(path: Path) -> bool:
    """True if the first 8 KB hold an `openapi:`/`swagger:` key (YAML at line start, or JSON)."""
    import re

    key = re.compile(rb'(?m)^["\']?(openapi|swagger)["\']?[ \t]*:|"(openapi|swagger)"\s*:')
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError:
        return False
    return key.search(head) is not None


@app.command()
def lint(
    specs: List[Path] = typer.Argument(
        None, help="OpenAPI files (YAML or JSON), or folders to search.", show_default=False
    ),
    format: LintFormat = typer.Option(LintFormat.text, "--format", "-f", help="Report format."),
    fail_on: Optional[Level] = typer.Option(
        None,
        "--fail-on",
        help="Exit 1 on findings at or above this level (default: error, or fail-on in \\[tool.apigwc]).",
    ),
    select: Optional[List[str]] = typer.Option(
        None, "--select", help="Only these codes, code prefixes (AGW2) or names."
    ),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Skip these codes, prefixes or names."),
    config: Optional[Path] = typer.Option(None, "--config", help="pyproject.toml to read \\[tool.apigwc] from."),
    ref_root: Optional[Path] = typer.Option(
        None, "--ref-root", help="Folder that local $refs may reach (default: the spec's folder)."
    ),
    explain: Optional[str] = typer.Option(
        None, "--explain", help="Explain a rule (code or name) and exit.", metavar="CODE"
    ),
    skip_non_openapi: bool = typer.Option(
        False, "--skip-non-openapi", help="Silently skip files without an 'openapi' or 'swagger' key (for pre-commit)."
    ),
    api: Optional[str] = typer.Option(None, "--api", help=_API_HELP),
    param: Optional[List[str]] = typer.Option(None, "--param", help=_PARAM_HELP),
    parameters_file: Optional[Path] = typer.Option(None, "--parameters-file", help=_PARAMS_FILE_HELP),
    region: Optional[str] = typer.Option(None, "--region", help=_REGION_HELP),
) -> None:
    """Check OpenAPI specs for API Gateway mistakes.

    Prints file:line:col: CODE severity message, with the source line and a caret.

    Examples:

      apigwc lint specs/users.yaml

      apigwc lint specs/ --format sarif > apigwc.sarif

      apigwc lint --explain AGW201
    """
    from .rules import resolve_code

    if explain is not None:
        code = resolve_code(explain)
        if code is None:
            raise _fail(f"unknown rule {explain!r}; 'apigwc rules' lists them all")
        typer.echo(explain_text(code))
        raise typer.Exit(0)
    if not specs:
        raise _fail("give at least one OpenAPI file, e.g. 'apigwc lint openapi.yaml'")
    _select_template(api, param, parameters_file, region)
    if skip_non_openapi:
        changed = list(specs)
        specs = [p for p in specs if p.is_dir() or not p.is_file() or _looks_like_openapi(p) or _holds_api_template(p)]
        specs += [p for p in _dependents(changed, Path(".")) if p not in specs]
        specs = _without_included(specs)
        if not specs:
            raise typer.Exit(0)
    raise typer.Exit(_run_lint(specs, format.value, fail_on, select, ignore, config, ref_root))


def _run_lint(specs, fmt, fail_on, select, ignore, config_path, ref_root) -> int:
    from .config import Config, ConfigError, find_pyproject, load_config
    from .pipeline import lint_file
    from .report import REPORTERS
    from .rules import all_codes

    files, problems = _spec_files(list(specs))
    codes = all_codes()
    results = []
    failing = False
    configs: dict[Path | None, Config] = {}
    for f in files:
        source = config_path if config_path is not None else find_pyproject(f.parent)
        if source not in configs:
            try:
                cfg = load_config(source).merged(
                    select=select,
                    ignore=ignore,
                    fail_on=fail_on.value if fail_on else None,
                    ref_root=ref_root.resolve() if ref_root else None,
                )
                cfg.validate(codes)
            except ConfigError as exc:
                raise _fail(str(exc))
            configs[source] = cfg
        cfg = configs[source]
        try:
            result = lint_file(f, str(f), cfg)
        except OSError as exc:
            problems.append(f"cannot read '{f}': {exc.strerror or exc}")
            continue
        results.append(result)
        failing = failing or bool(result.failing(cfg.fail_on))
    sys.stdout.write(REPORTERS[fmt](results, codes))
    for p in problems:
        typer.echo(f"apigwc: error: {p}", err=True)
    if problems:
        return 2
    return 1 if failing else 0


def explain_text(code) -> str:
    """The --explain text of a code."""
    head = f"{code.code} {code.name} ({code.severity.label}, {code.stage})"
    return f"{head}\n{'=' * len(head)}\n\n{code.summary}\n\n{code.doc}\n" if code.doc else f"{head}\n\n{code.summary}\n"


@app.command()
def rules(
    format: RulesFormat = typer.Option(RulesFormat.text, "--format", "-f", help="Output format."),
) -> None:
    """List every rule: code, name, default severity and summary.

    Examples:

      apigwc rules

      apigwc rules --format markdown > docs/rules.md
    """
    from .ruledocs import render_rules
    from .rules import all_codes

    typer.echo(render_rules(all_codes(), format.value), nl=False)


vtl_app = typer.Typer(
    name="vtl",
    help="Work with API Gateway mapping templates (VTL).\n\nExample: apigwc vtl render template.vtl --request request.json",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(vtl_app)


@vtl_app.command("render")
def vtl_render(
    template: Path = typer.Argument(..., help="The mapping template file (VTL).", show_default=False),
    request: Optional[Path] = typer.Option(
        None,
        "--request",
        "-r",
        help='REQUEST.json: {"body": str, "path": {}, "querystring": {}, "header": {}, "stageVariables": {}, "context": {}}, every key optional.',
    ),
) -> None:
    """Render one mapping template as API Gateway would and print exactly its output.

    No newline is added, so the output can be compared byte for byte in CI. `context` entries of REQUEST.json override the generated $context values.

    Exit 0 on success, 1 when the template fails (line:col inside the template on stderr), 2 on a usage or I/O error.

    Examples:

      apigwc vtl render request.vtl --request request.json

      apigwc vtl render response.vtl -r lambda-result.json > out.json && diff expected.json out.json
    """
    import json

    from .vtl import TemplateError, render
    from .vtl.variables import TemplateRequest, request_from_json

    try:
        source = template.read_bytes().decode("utf-8")
    except OSError as exc:
        raise _fail(f"cannot read '{template}': {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        raise _fail(f"'{template}' is not UTF-8 text (byte {exc.start})")
    req = TemplateRequest()
    if request is not None:
        try:
            data = json.loads(request.read_bytes().decode("utf-8"))
        except OSError as exc:
            raise _fail(f"cannot read '{request}': {exc.strerror or exc}")
        except (UnicodeDecodeError, ValueError) as exc:
            raise _fail(f"'{request}' is not a JSON document: {exc}")
        built = request_from_json(data)
        if isinstance(built, str):
            raise _fail(f"{request}: {built}")
        req = built
    result = render(source, req)
    if isinstance(result, TemplateError):
        typer.echo(f"{template}:{result.line}:{result.col}: error: {result.message}", err=True)
        raise typer.Exit(1)
    sys.stdout.buffer.write(result.body.encode("utf-8"))
    sys.stdout.flush()


# ----------------------------------------------------------------------------------------
# build and emit


class TargetName(str, enum.Enum):
    """Mirrors `apigwc.targets.TARGETS` (kept here so that --help imports nothing heavy)."""

    cfn = "cfn"
    openapi = "openapi"
    deploy = "deploy"
    local = "local"


class FileFormat(str, enum.Enum):
    yaml = "yaml"
    json = "json"


class CfnStyleChoice(str, enum.Enum):
    explicit = "explicit"
    body = "body"


def _progress(message: str):
    """A spinner on stderr while long work runs (only on a terminal)."""
    import contextlib

    if not sys.stderr.isatty():
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)


def _config_for(spec: Path, config_path: Optional[Path], ref_root: Optional[Path]):
    from .config import ConfigError, find_pyproject, load_config
    from .rules import all_codes

    source = config_path if config_path is not None else find_pyproject(spec.parent)
    try:
        cfg = load_config(source).merged(ref_root=ref_root.resolve() if ref_root else None)
        cfg.validate(all_codes())
    except ConfigError as exc:
        raise _fail(str(exc))
    return cfg


def _print_diagnostics(diagnostics, texts: dict[str, str]) -> None:
    from .report.text import format_diagnostic

    color = sys.stderr.isatty() and "NO_COLOR" not in __import__("os").environ
    cache: dict[str, list[str]] = {}
    for d in diagnostics:
        lines = None
        if d.span is not None and d.span.file in texts:
            lines = cache.setdefault(d.span.file, texts[d.span.file].splitlines())
        typer.echo(format_diagnostic(d, lines, color), err=True)


def _compile(spec: Path, config_path, ref_root, stopped: str = "nothing was written"):
    """Lint and lower one spec; on lint errors print them (and what did not happen) and return None."""
    from .diagnostics import Severity
    from .pipeline import compile_file

    cfg = _config_for(spec, config_path, ref_root)
    try:
        with _progress(f"linting and lowering {spec}"):
            compiled = compile_file(spec, str(spec), cfg)
    except OSError as exc:
        raise _fail(f"cannot read '{spec}': {exc.strerror or exc}")
    lint = compiled.lint
    if not compiled.ok:
        errors = [d for d in lint.diagnostics if d.severity is Severity.ERROR]
        _print_diagnostics(errors, lint.texts)
        typer.echo(
            f"apigwc: {spec}: {len(errors)} error{'s' if len(errors) != 1 else ''}; {stopped} "
            f"(run 'apigwc lint {spec}' for every finding)",
            err=True,
        )
        return None, cfg
    warnings = [d for d in lint.diagnostics if d.severity is not Severity.ERROR]
    if warnings:
        typer.echo(
            f"apigwc: {spec}: {len(warnings)} lint finding{'s' if len(warnings) != 1 else ''} below error level "
            f"(run 'apigwc lint {spec}' to see them)",
            err=True,
        )
    return compiled, cfg


def _emit_options(fmt: str, cfn_style: str, lambda_params: bool, bundle_base_dir: str = "."):
    from .targets import CfnStyle, EmitOptions, OutputFormat

    return EmitOptions(
        format=OutputFormat(fmt),
        cfn_style=CfnStyle(cfn_style),
        lambda_params=lambda_params,
        bundle_base_dir=bundle_base_dir,
    )


def _target_failed(compiled, diagnostics) -> bool:
    from .diagnostics import Severity

    _print_diagnostics(diagnostics, compiled.lint.texts)
    return any(d.severity is Severity.ERROR for d in diagnostics)


@app.command()
def emit(
    spec: Path = typer.Argument(..., help="The OpenAPI file (YAML or JSON).", show_default=False),
    target: TargetName = typer.Option(..., "--target", "-t", help="What to emit."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Write to this file instead of stdout (--target local: this folder)."
    ),
    format: FileFormat = typer.Option(FileFormat.yaml, "--format", "-f", help="File format."),
    cfn_style: CfnStyleChoice = typer.Option(
        CfnStyleChoice.explicit,
        "--cfn-style",
        help="CloudFormation: explicit AWS::ApiGateway resources, or RestApi.Body.",
    ),
    lambda_params: bool = typer.Option(
        False, "--lambda-params", help="CloudFormation: make each Lambda function ARN a template Parameter."
    ),
    config: Optional[Path] = typer.Option(None, "--config", help="pyproject.toml to read \\[tool.apigwc] from."),
    ref_root: Optional[Path] = typer.Option(
        None, "--ref-root", help="Folder that local $refs may reach (default: the spec's folder)."
    ),
    api: Optional[str] = typer.Option(None, "--api", help=_API_HELP),
    param: Optional[List[str]] = typer.Option(None, "--param", help=_PARAM_HELP),
    parameters_file: Optional[Path] = typer.Option(None, "--parameters-file", help=_PARAMS_FILE_HELP),
    region: Optional[str] = typer.Option(None, "--region", help=_REGION_HELP),
) -> None:
    """Compile a spec to one target: a CloudFormation template, the OpenAPI export, the deploy plan, or the local bundle.

    Lints first and stops (exit 1, nothing written) on any error.  The deploy plan is the
    text listing, or its JSON with --format json (or -o plan.json).  The local bundle is a
    folder (what apigwc serve runs): -o DIR is required, and DIR is replaced atomically.

    Examples:

      apigwc emit --target cfn specs/petstore-lambda.yaml -o template.yaml

      apigwc emit --target cfn --cfn-style body --format json specs/users.yaml

      apigwc emit --target openapi specs/secure-api.yaml

      apigwc emit --target deploy --format json specs/petstore-lambda.yaml

      apigwc emit --target local specs/users.yaml -o build/users-local

    A SAM/CloudFormation template with --target cfn: the whole template, each API (or the --api one) replaced, as one deployable stack:

      apigwc emit --target cfn template.yaml -o stack.yaml
    """
    from .targets import TARGETS

    folder = TARGETS[target.value].folder
    if folder is not None:
        _check_folder_output(target.value, output)
    if not spec.exists():
        raise _fail(f"cannot read '{spec}': no such file or directory")
    _select_template(api, param, parameters_file, region)
    from .template.run import SELECTION, each_api, is_template_file

    if target is TargetName.cfn and spec.is_file() and is_template_file(spec):
        raise typer.Exit(_emit_stack(spec, output, format.value, cfn_style.value, lambda_params, config, ref_root))
    apis = each_api([spec], SELECTION.get()) if spec.is_file() else []
    if len(apis) > 1:
        if output is None or folder is not None:
            names = ", ".join(s.api for _, s in apis if s.api)
            raise _fail(
                f"'{spec}' holds {len(apis)} REST APIs ({names}): choose one with --api"
                + ("" if folder is not None else ", or give -o DIR to write one file per API")
            )
        return _emit_each_api(
            spec, apis, target.value, output, format.value, cfn_style.value, lambda_params, config, ref_root
        )
    compiled, cfg = _compile(spec, config, ref_root)
    if compiled is None:
        raise typer.Exit(1)
    from .bundle import base_dir_for
    from .pipeline import emit_target

    base_dir = base_dir_for(spec, output) if folder is not None else "."
    with _progress(f"emitting {target.value}"):
        artifact, found = emit_target(
            compiled, target.value, _emit_options(format.value, cfn_style.value, lambda_params, base_dir), cfg
        )
    if _target_failed(compiled, found):
        typer.echo("apigwc: nothing was written", err=True)
        raise typer.Exit(1)
    if folder is not None:
        _write_folder(output, {rel.removeprefix(folder + "/"): text for rel, text in artifact.items()})
        raise typer.Exit(0)
    from .targets.base import OutputFormat, primary_file

    text = artifact[primary_file(artifact, OutputFormat(format.value), str(output) if output is not None else None)]
    if output is None:
        sys.stdout.write(text)
        raise typer.Exit(0)
    try:
        _write_atomically(output, text)
    except OSError as exc:
        raise _fail(f"cannot write '{output}': {exc.strerror or exc}")
    typer.echo(f"apigwc: wrote {output}", err=True)


def _compile_stack(spec: Path, config, ref_root, style: str, stopped: str = "nothing was written"):
    """A template's whole stack (`pipeline.compile_stack`); on errors print them and return None."""
    from .pipeline import compile_stack
    from .template.run import SELECTION

    cfg = _config_for(spec, config, ref_root)
    selection = SELECTION.get()
    try:
        with _progress(f"linting, lowering and assembling the stack of {spec}"):
            result = compile_stack(spec, str(spec), cfg, style, selection.values, selection.api)
    except OSError as exc:
        raise _fail(f"cannot read '{spec}': {exc.strerror or exc}")
    if isinstance(result, str):
        raise _fail(result)
    errors = result.errors
    if result.stack is None or errors:
        _print_diagnostics(errors, result.texts)
        typer.echo(
            f"apigwc: {spec}: {len(errors)} error{'s' if len(errors) != 1 else ''}; {stopped} (run 'apigwc lint {spec}' for every finding)",
            err=True,
        )
        return None
    _print_diagnostics(result.diagnostics, result.texts)
    return result


def _emit_stack(
    spec: Path, output: Optional[Path], fmt: str, cfn_style: str, lambda_params: bool, config, ref_root
) -> int:
    """emit --target cfn of a template: the user's whole template with its APIs replaced (one deployable stack)."""
    from .targets.base import OutputFormat, serialize

    if lambda_params:
        raise _fail("--lambda-params: a template's functions are resources of the stack, referenced as such")
    result = _compile_stack(spec, config, ref_root, cfn_style)
    if result is None:
        return 1
    text = serialize(result.stack, OutputFormat(fmt))
    if output is None:
        sys.stdout.write(text)
        return 0
    try:
        _write_atomically(output, text)
    except OSError as exc:
        raise _fail(f"cannot write '{output}': {exc.strerror or exc}")
    typer.echo(f"apigwc: wrote {output}", err=True)
    return 0


def _emit_each_api(
    spec: Path, apis, target: str, output: Path, fmt: str, cfn_style: str, lambda_params: bool, config, ref_root
) -> None:
    """Every API of a template into -o DIR/<LogicalId>.<yaml|json>."""
    from .pipeline import emit_target
    from .targets.base import OutputFormat, primary_file
    from .template.run import SELECTION

    if output.exists() and not output.is_dir():
        raise _fail(f"-o '{output}' is a file; with several APIs give a folder")
    status = 0
    for _, selection in apis:
        SELECTION.set(selection)
        compiled, cfg = _compile(spec, config, ref_root)
        if compiled is None:
            status = 1
            continue
        artifact, found = emit_target(compiled, target, _emit_options(fmt, cfn_style, lambda_params), cfg)
        if _target_failed(compiled, found):
            status = 1
            continue
        text = artifact[primary_file(artifact, OutputFormat(fmt), None)]
        path = output / f"{selection.api}.{'json' if fmt == 'json' else 'yaml'}"
        try:
            _write_atomically(path, text)
        except OSError as exc:
            raise _fail(f"cannot write '{path}': {exc.strerror or exc}")
        typer.echo(f"apigwc: wrote {path}", err=True)
    raise typer.Exit(status)


def _check_folder_output(target: str, output: Optional[Path]) -> None:
    """A folder target writes into -o DIR, which it replaces: refuse anything it should not replace."""
    from .bundle import is_bundle

    if output is None:
        raise _fail(f"--target {target} writes a folder: give it with -o DIR")
    if output.exists() and not output.is_dir():
        raise _fail(f"-o '{output}' is a file, not a folder")
    if output.is_dir() and any(output.iterdir()) and not is_bundle(output):
        raise _fail(
            f"-o '{output}' is a folder that holds other files; apigwc replaces the whole folder, so give a new one"
        )


def _write_folder(folder: Path, files: dict[str, str]) -> None:
    """Replace ``folder`` with exactly ``files``, atomically (as ``build`` writes output/<api>/)."""
    import os

    from .output import write_outputs

    target = Path(os.path.abspath(folder))
    try:
        write_outputs(target.parent, target.name, files)
    except OSError as exc:
        raise _fail(f"cannot write '{folder}': {exc.strerror or exc}")
    typer.echo(f"apigwc: wrote {folder}", err=True)


def _write_atomically(path: Path, text: str) -> None:
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@app.command()
def build(
    specs: List[Path] = typer.Argument(None, help="OpenAPI files, or folders to search.", show_default=False),
    out: Path = typer.Option(Path("output"), "--out", help="Write into OUT/<api-name>/."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if OUT is not what a build would write."),
    cfn_style: CfnStyleChoice = typer.Option(
        CfnStyleChoice.explicit,
        "--cfn-style",
        help="CloudFormation: explicit AWS::ApiGateway resources, or RestApi.Body.",
    ),
    lambda_params: bool = typer.Option(
        False, "--lambda-params", help="CloudFormation: make each Lambda function ARN a template Parameter."
    ),
    config: Optional[Path] = typer.Option(None, "--config", help="pyproject.toml to read \\[tool.apigwc] from."),
    ref_root: Optional[Path] = typer.Option(
        None, "--ref-root", help="Folder that local $refs may reach (default: the spec's folder)."
    ),
    api: Optional[str] = typer.Option(None, "--api", help=_API_HELP),
    param: Optional[List[str]] = typer.Option(None, "--param", help=_PARAM_HELP),
    parameters_file: Optional[Path] = typer.Option(None, "--parameters-file", help=_PARAMS_FILE_HELP),
    region: Optional[str] = typer.Option(None, "--region", help=_REGION_HELP),
) -> None:
    """Lint, lower and write every target into OUT/<api-name>/.

    Writes template.yaml (CloudFormation), openapi.yaml (the normalized export),
    deploy-plan.json / deploy-plan.txt (the deploy calls) and local/ (the bundle that
    apigwc serve runs), atomically: a failed or killed build leaves the previous output untouched.  With
    --check nothing is written and the exit code says whether OUT is up to date.

    Examples:

      apigwc build specs/petstore-lambda.yaml

      apigwc build specs/ --out build/apis

      apigwc build --check specs/
    """
    if not specs:
        raise _fail("give at least one OpenAPI file, e.g. 'apigwc build openapi.yaml'")
    files, problems = _spec_files(list(specs))
    if problems:
        for p in problems:
            typer.echo(f"apigwc: error: {p}", err=True)
        raise typer.Exit(2)
    _select_template(api, param, parameters_file, region)
    raise typer.Exit(
        _run_build(files, out, check, _emit_options("yaml", cfn_style.value, lambda_params), config, ref_root)
    )


def _run_build(files: list[Path], out: Path, check: bool, options, config_path, ref_root) -> int:
    import dataclasses

    from .bundle import base_dir_for
    from .output import output_name, stale_files, write_outputs
    from .pipeline import build_artifacts
    from .report.summary import render_summary
    from .targets.local_bundle import FOLDER as LOCAL_FOLDER

    if out.exists() and not out.is_dir():
        raise _fail(f"--out '{out}' is a file, not a folder")
    from .template.run import SELECTION, each_api, is_template_file

    status = 0
    names: dict[str, Path] = {}
    chosen = SELECTION.get()
    templates = [f for f in files if is_template_file(f)]
    for spec in templates:  # a template's CloudFormation is its whole stack: OUT/apigwc-<folder>/template.yaml
        SELECTION.set(chosen)
        status = max(status, _build_stack(spec, out, check, options, config_path, ref_root, names))
    for spec, selection in each_api(files, chosen):
        SELECTION.set(selection)
        compiled, cfg = _compile(spec, config_path, ref_root)
        if compiled is None:
            status = 1
            continue
        name = selection.api or output_name(compiled.gateway)  # a template's API: its logical id
        if name in names:
            raise _fail(f"'{spec}' and '{names[name]}' both build into {out / name}; give the APIs different titles")
        names[name] = spec
        spec_options = dataclasses.replace(options, bundle_base_dir=base_dir_for(spec, out / name / LOCAL_FOLDER))
        with _progress(f"emitting {spec}"):
            artifacts, found = build_artifacts(compiled, spec_options, cfg, skip=("cfn",) if spec in templates else ())
        if _target_failed(compiled, found):
            typer.echo(f"apigwc: {spec}: nothing was written", err=True)
            status = 1
            continue
        folder = out / name
        if check:
            stale = stale_files(folder, artifacts)
            if stale:
                typer.echo(f"apigwc: {folder} is stale ({', '.join(stale)}); run 'apigwc build {spec}'", err=True)
                status = 1
            else:
                typer.echo(f"{folder} is up to date")
            continue
        try:
            write_outputs(out, name, artifacts)
        except OSError as exc:
            raise _fail(f"cannot write {folder}: {exc.strerror or exc}")
        typer.echo(render_summary(compiled.gateway, str(folder), artifacts), nl=False)
    return status


def _build_stack(spec: Path, out: Path, check: bool, options, config_path, ref_root, names: dict[str, Path]) -> int:
    """build of a template: its stack (`pipeline.compile_stack`) into OUT/<stack name>/template.yaml."""
    from .output import stale_files, write_outputs
    from .pipeline import stack_name
    from .targets.base import serialize

    name = stack_name(spec)
    if name in names:
        raise _fail(f"'{spec}' and '{names[name]}' both build into {out / name}")
    names[name] = spec
    result = _compile_stack(
        spec, config_path, ref_root, options.cfn_style.value, stopped=f"{out / name} was not written"
    )
    if result is None:
        return 1
    files = {"template.yaml": serialize(result.stack, options.format)}
    folder = out / name
    if check:
        stale = stale_files(folder, files)
        if stale:
            typer.echo(f"apigwc: {folder} is stale ({', '.join(stale)}); run 'apigwc build {spec}'", err=True)
            return 1
        typer.echo(f"{folder} is up to date")
        return 0
    try:
        write_outputs(out, name, files)
    except OSError as exc:
        raise _fail(f"cannot write {folder}: {exc.strerror or exc}")
    apis = ", ".join(result.compiled.apis)
    typer.echo(f"{spec} -> {folder} (template.yaml: the whole stack, with {apis} replaced)")
    return 0


# ----------------------------------------------------------------------------------------
# invoke


class InvokeFormat(str, enum.Enum):
    text = "text"
    json = "json"


@app.command(no_args_is_help=True)
def invoke(
    spec: Path = typer.Argument(
        ..., help="The OpenAPI file (YAML or JSON), or a local bundle folder (output/<api>/local).", show_default=False
    ),
    path: str = typer.Argument(
        ..., help="The request path, with an optional query string: '/users?count=5'.", show_default=False
    ),
    method: Optional[str] = typer.Option(
        None, "--request", "-X", help="The HTTP method (default: GET, or POST with -d)."
    ),
    stage: Optional[str] = typer.Option(
        None, "--stage", help="The stage to call (default: the declared stage, or 'local')."
    ),
    stage_var: Optional[List[str]] = typer.Option(
        None, "--stage-var", help="Set a stage variable: K=V (repeatable).", metavar="K=V"
    ),
    header: Optional[List[str]] = typer.Option(
        None, "--header", "-H", help="A request header: 'Name: value' (repeatable).", metavar="'NAME: VALUE'"
    ),
    data: Optional[str] = typer.Option(
        None, "--data", "-d", help="The request body; @FILE reads a file, @- standard input.", metavar="BODY"
    ),
    format: InvokeFormat = typer.Option(InvokeFormat.text, "--format", "-f", help="Output format."),
    config: Optional[Path] = typer.Option(None, "--config", help="pyproject.toml to read \\[tool.apigwc] from."),
    ref_root: Optional[Path] = typer.Option(
        None, "--ref-root", help="Folder that local $refs may reach (default: the spec's folder)."
    ),
    api: Optional[str] = typer.Option(None, "--api", help=_API_HELP),
    param: Optional[List[str]] = typer.Option(None, "--param", help=_PARAM_HELP),
    parameters_file: Optional[Path] = typer.Option(None, "--parameters-file", help=_PARAMS_FILE_HELP),
    region: Optional[str] = typer.Option(None, "--region", help=_REGION_HELP),
) -> None:
    """Run one request through the API without a server; print the response and the execution log.

    The request goes through the steps it takes on API Gateway (route, method request, validation, integration request, integration, integration response, method response, gateway responses), and the log shows each one, like the console's Test. MOCK integrations run offline; HTTP integrations call their upstreams and Lambda integrations the Python handlers of x-apigwc.local.lambdas, as apigwc serve does. Authorizers, API keys and IAM are not run (the log says so), as in the console's Test.

    Text output: the HTTP response on stdout (status line, headers, a blank line, the body) and the execution log on stderr. With --format json, one object {"status", "headers", "body", "log"} on stdout.

    Exit 0 when the gateway answered (whatever the status), 1 when the spec has lint errors, 2 on a usage or I/O error.

    Examples:

      apigwc invoke specs/users.yaml '/users?count=5'

      apigwc invoke specs/users.yaml -X GET /users/42 -H 'Accept: application/json' --format json

      apigwc invoke api.yaml -X POST /notes -d @note.json -H 'Content-Type: application/json' --stage prod --stage-var env=test
    """
    _select_template(api, param, parameters_file, region)
    raise typer.Exit(
        _run_invoke(spec, path, method, stage, stage_var or [], header or [], data, format.value, config, ref_root)
    )


def _run_invoke(spec, path, method, stage, stage_vars, headers, data, fmt, config_path, ref_root) -> int:
    import asyncio

    if not spec.exists():
        raise _fail(f"cannot read '{spec}': no such file or directory")
    if not path.startswith("/"):
        raise _fail(f"the path must start with '/', e.g. '/users?count=5' (got {path!r})")
    pairs = []
    for h in headers:
        name, sep, value = h.partition(":")
        if not sep or not name.strip() or name != name.strip() or " " in name:
            raise _fail(f"-H {h!r} is not a header; write it as 'Name: value'")
        pairs.append((name, value.strip()))
    variables = _pairs(stage_vars, "--stage-var", "K=V")
    body = b""
    if data is not None:
        body = _read_data(data)
    verb = (method or ("POST" if data is not None else "GET")).upper()

    if spec.is_dir():  # a local bundle (output/<api>/local)
        from .bundle import load_bundle

        bundle = load_bundle(spec)
        if isinstance(bundle, str):
            raise _fail(bundle)
        gateway, base_dir = bundle.gateway, bundle.base_dir
    else:
        compiled, _ = _compile(spec, config_path, ref_root, stopped="the request was not run")
        if compiled is None:
            return 1
        gateway, base_dir = compiled.gateway, spec.resolve().parent
    from .report.invoke import json_text, log_text, response_text
    from .runtime import Deployment, Request, execute, select_stage

    selection = select_stage(gateway, stage)
    if isinstance(selection, str):
        raise _fail(selection)
    if selection.note:
        typer.echo(f"apigwc: using {selection.note}", err=True)
    from .local import LocalGateway

    async def run_once():
        # the local gateway's backends (HTTP upstreams, Lambda handlers, AWS endpoints);
        # no guards: like the console's Test, invoke runs no authorization (the log says so)
        local = LocalGateway.create(gateway, base_dir)
        try:
            deployment = Deployment(gateway, selection, stage_variables=variables, backends=local.backends)
            return await execute(deployment, Request.build(verb, path, pairs, body))
        finally:
            await local.aclose()

    execution = asyncio.run(run_once())
    if fmt == "json":
        sys.stdout.write(json_text(execution))
        return 0
    out = response_text(execution.response)
    sys.stdout.buffer.write(out)
    if sys.stdout.isatty() and not out.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()
    sys.stderr.write("\n" + log_text(execution))
    return 0


def _pairs(items: list[str], flag: str, example: str) -> dict[str, str]:
    """``K=V`` options (``--stage-var``, ``--lambda``) as a dict; anything else is a usage error."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise _fail(f"{flag} {item!r} is not {example}")
        out[key] = value
    return out


def _read_data(data: str) -> bytes:
    """-d BODY, -d @FILE or -d @- (standard input)."""
    if not data.startswith("@"):
        return data.encode("utf-8")
    name = data[1:]
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read '{name}' for -d: {exc.strerror or exc}")


# ----------------------------------------------------------------------------------------
# serve


@app.command(no_args_is_help=True)
def serve(
    source: Path = typer.Argument(
        ..., help="The OpenAPI file, or a local bundle folder (output/<api>/local).", show_default=False
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="The address to listen on."),
    port: int = typer.Option(3000, "--port", "-p", help="The port to listen on (0: any free port)."),
    stage: Optional[List[str]] = typer.Option(
        None, "--stage", help="Serve only this stage (repeatable; default: every declared stage, or 'local')."
    ),
    stage_var: Optional[List[str]] = typer.Option(
        None, "--stage-var", help="Set a stage variable in every served stage: K=V (repeatable).", metavar="K=V"
    ),
    lambda_: Optional[List[str]] = typer.Option(
        None,
        "--lambda",
        help="Map a Lambda function to a Python handler: NAME=module:callable (repeatable).",
        metavar="NAME=MODULE:CALLABLE",
    ),
    watch: bool = typer.Option(
        False,
        "--watch",
        "-w",
        help="Rebuild when the spec (or a file it $refs) changes; keep the old build while the new one has errors.",
    ),
    log: bool = typer.Option(
        False,
        "--log",
        help="Print each request's execution log (every step, with headers and bodies) after its access-log line.",
    ),
    config: Optional[Path] = typer.Option(None, "--config", help="pyproject.toml to read \\[tool.apigwc] from."),
    ref_root: Optional[Path] = typer.Option(
        None, "--ref-root", help="Folder that local $refs may reach (default: the spec's folder)."
    ),
    api: Optional[str] = typer.Option(None, "--api", help=_API_HELP),
    param: Optional[List[str]] = typer.Option(None, "--param", help=_PARAM_HELP),
    parameters_file: Optional[Path] = typer.Option(None, "--parameters-file", help=_PARAMS_FILE_HELP),
    region: Optional[str] = typer.Option(None, "--region", help=_REGION_HELP),
) -> None:
    """Run the API as a local gateway on 127.0.0.1, the way API Gateway would answer.

    Every stage is served at http://HOST:PORT/<stage>/<path>, like its invoke URL. At start apigwc prints the URL of each stage, the routes, and how far each route is emulated (full, partial: what is not, none: why); then one access-log line per request.

    MOCK integrations, mapping templates, validation and gateway responses run as in apigwc invoke. HTTP and HTTP_PROXY integrations call their upstreams; Lambda integrations and authorizers call Python handlers named in x-apigwc.local.lambdas or with --lambda; API keys, usage plans, throttling and quotas are enforced; Cognito tokens are verified against the JWKS files of x-apigwc.local.jwks.

    Exit 1 when the spec has lint errors, 2 on a usage or I/O error (a busy port, an unknown stage).

    Examples:

      apigwc serve specs/users.yaml

      apigwc serve specs/petstore-lambda.yaml --port 8080 --watch --log

      apigwc serve api.yaml --stage dev --stage-var backend=localhost:9000 --lambda PetsFunction=handlers.pets:handler

      apigwc serve output/petstore/local
    """
    _select_template(api, param, parameters_file, region)
    raise typer.Exit(
        _run_serve(source, host, port, stage or [], stage_var or [], lambda_ or [], watch, log, config, ref_root)
    )


def _run_serve(source, host, port, stages, stage_vars, lambdas, watch, log, config_path, ref_root) -> int:
    from .serve.server import Failure, Options, banner, bind, build, compile_for_serving, load, run

    if not source.exists():
        raise _fail(f"cannot read '{source}': no such file or directory")
    if not 0 <= port <= 65535:
        raise _fail(f"--port {port} is not a port number (0-65535)")
    options = Options(
        tuple(stages),
        _pairs(stage_vars, "--stage-var", "K=V"),
        _pairs(lambdas, "--lambda", "NAME=module:callable"),
        log,
    )
    for name, target in options.lambdas.items():
        if ":" not in target:
            raise _fail(f"--lambda {name}={target}: the handler must be module:callable, e.g. handlers.pets:handler")
    cfg = None if source.is_dir() else _config_for(source, config_path, ref_root)

    def compile_spec(spec: Path):
        return compile_for_serving(spec, cfg)

    def attempt():
        loaded = load(source, compile_spec)
        if isinstance(loaded, Failure):
            return loaded
        served = build(loaded, options)
        return served if isinstance(served, Failure) else (served, loaded)

    from .template.run import SELECTION, each_api

    targets = each_api([source], SELECTION.get()) if source.is_file() else []
    if len(targets) > 1:  # a template with several APIs: one port, a path prefix per API
        return _serve_apis(targets, host, port, options, compile_spec, log)
    with _progress(f"loading {source}"):
        first = attempt()
    if isinstance(first, Failure):
        for line in first.details:
            typer.echo(line, err=True)
        if first.details:  # lint errors
            typer.echo(f"apigwc: {first.message}; nothing is served", err=True)
            return 1
        raise _fail(first.message)
    served, loaded = first
    sock = bind(host, port)
    if isinstance(sock, str):
        raise _fail(sock)
    bound = sock.getsockname()
    shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    from .serve.app import GatewayApp
    from .serve.server import LineWriter, access_line

    def out(text: str) -> None:
        typer.echo(text)
        sys.stdout.flush()

    access = LineWriter(sys.stdout)
    app = GatewayApp(served, on_access=lambda a: access(access_line(a)), with_log=log)
    out(banner(loaded, served, f"http://{shown}:{bound[1]}"))
    run(sock, app, reload=attempt if watch else None, files=loaded.files, out=out, access=access)
    return 0


def _serve_apis(targets, host, port, options, compile_spec, log) -> int:
    from .serve.app import GatewayApp
    from .serve.multi import ApisApp, banner_apis, load_apis
    from .serve.server import Failure, LineWriter, access_line, bind, run

    with _progress(f"loading {targets[0][0]}"):
        apis = load_apis(targets, compile_spec, options)
    if isinstance(apis, Failure):
        for line in apis.details:
            typer.echo(line, err=True)
        if apis.details:
            typer.echo(f"apigwc: {apis.message}; nothing is served", err=True)
            return 1
        raise _fail(apis.message)
    sock = bind(host, port)
    if isinstance(sock, str):
        raise _fail(sock)
    bound = sock.getsockname()
    shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    access = LineWriter(sys.stdout)
    app = ApisApp(
        {
            name: GatewayApp(served, on_access=lambda a: access(access_line(a)), with_log=log)
            for name, (served, _) in apis.items()
        }
    )
    typer.echo(banner_apis(apis, f"http://{shown}:{bound[1]}"))
    sys.stdout.flush()
    run(sock, app, out=lambda t: (typer.echo(t), sys.stdout.flush()), access=access)  # type: ignore[arg-type]
    return 0


# ----------------------------------------------------------------------------------------
# deploy


class DeployVia(str, enum.Enum):
    calls = "calls"
    cloudformation = "cloudformation"


@app.command()
def deploy(
    spec: Path = typer.Argument(..., help="The OpenAPI file (YAML or JSON).", show_default=False),
    stage: str = typer.Option(..., "--stage", "-s", help="The stage to deploy (declared in x-apigwc.stages)."),
    region: Optional[str] = typer.Option(None, "--region", help="AWS region (default: from the AWS configuration)."),
    endpoint_url: Optional[str] = typer.Option(
        None, "--endpoint-url", help="Send every call to this endpoint (moto, LocalStack)."
    ),
    profile: Optional[str] = typer.Option(None, "--profile", help="AWS profile to take credentials from."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the calls and change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Apply without asking (required when not on a terminal)."),
    param: Optional[List[str]] = typer.Option(
        None,
        "--param",
        help="NAME=VALUE for a CloudFormation Ref/GetAtt in the spec (repeatable).",
        metavar="NAME=VALUE",
    ),
    via: Optional[DeployVia] = typer.Option(
        None,
        "--via",
        help="calls: API Gateway calls (a spec's default); cloudformation: a stack, through a change set (a template's only route).",
    ),
    stack_name: Optional[str] = typer.Option(
        None,
        "--stack-name",
        help="CloudFormation: the stack name (default: apigwc-<api-name>; a template's: apigwc-<its folder>).",
    ),
    cfn_style: CfnStyleChoice = typer.Option(
        CfnStyleChoice.explicit, "--cfn-style", help="CloudFormation: explicit resources, or RestApi.Body."
    ),
    config: Optional[Path] = typer.Option(None, "--config", help="pyproject.toml to read \\[tool.apigwc] from."),
    ref_root: Optional[Path] = typer.Option(
        None, "--ref-root", help="Folder that local $refs may reach (default: the spec's folder)."
    ),
    api: Optional[str] = typer.Option(None, "--api", help=_API_HELP),
    parameters_file: Optional[Path] = typer.Option(None, "--parameters-file", help=_PARAMS_FILE_HELP),
) -> None:
    """Deploy a spec to API Gateway and converge: a second deploy of the same spec changes nothing.

    Finds the API it deployed before (tag apigwc:api=<api-name>), reads it, and makes only
    the calls that take it to the spec: resources, methods, integrations, models,
    validators, authorizers, gateway responses, the stage and its settings, API keys,
    usage plans and Lambda permissions; then a deployment when the API changed.  Credentials
    come from the standard AWS chain.  With --via cloudformation it creates or updates a
    stack through a change set instead.

    Exit 0 deployed (or nothing to do), 1 lint errors, a failed call or a missing Lambda
    function, 2 a usage error or an unreachable endpoint.

    Examples:

      apigwc deploy specs/users.yaml --stage dev --dry-run

      apigwc deploy specs/petstore-lambda.yaml --stage prod --region eu-west-1 --yes

      apigwc deploy specs/users.yaml --stage dev --via cloudformation --yes

    A SAM/CloudFormation template deploys as one stack (the template with its APIs replaced), through a change set:

      apigwc deploy template.yaml --stage Prod --yes
    """
    if not spec.exists():
        raise _fail(f"cannot read '{spec}': no such file or directory")
    params: dict[str, str] = {}
    for item in param or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise _fail(f"--param takes NAME=VALUE, got '{item}'")
        params[name.strip()] = value
    _select_template(api, param, parameters_file, region)
    from .deploy.run import DeployOptions
    from .template.run import is_template_file

    if spec.is_file() and is_template_file(spec):
        if via is DeployVia.calls:
            raise _fail(
                "a template deploys as one CloudFormation stack: drop --via calls (or give --via cloudformation)"
            )
        raise typer.Exit(
            _run_template_deploy(
                spec,
                stage,
                region,
                endpoint_url,
                profile,
                params,
                dry_run,
                yes,
                stack_name,
                cfn_style.value,
                config,
                ref_root,
            )
        )
    compiled, _cfg = _compile(spec, config, ref_root)
    if compiled is None:
        raise typer.Exit(1)
    options = DeployOptions(stage=stage, region=region, endpoint_url=endpoint_url, profile=profile, params=params)
    if via is DeployVia.cloudformation:
        raise typer.Exit(
            _run_cfn_deploy(
                lambda: _spec_stack_job(compiled, options, stack_name, cfn_style.value), options, dry_run, yes
            )
        )
    raise typer.Exit(_run_deploy(compiled, options, dry_run, yes))


def _confirmed(yes: bool, question: str) -> bool | None:
    """--yes, or an answer on a terminal; None when there is no terminal to ask on."""
    if yes:
        return True
    if not sys.stdin.isatty():
        return None
    return typer.confirm(question, default=False)


def _deploy_progress():
    from .deploy.executor import BarProgress, LineProgress

    if sys.stderr.isatty():
        from rich.console import Console

        return BarProgress(Console(stderr=True))
    import contextlib

    return contextlib.nullcontext(LineProgress(sys.stderr))


def _deploy_failed(exc) -> int:
    typer.echo(f"apigwc: error: {exc}", err=True)
    if not (exc.usage or exc.connection):
        typer.echo("apigwc: the deploy stopped there; running it again converges from where it is", err=True)
    return 2 if exc.usage or exc.connection else 1


def _run_deploy(compiled, options, dry_run: bool, yes: bool) -> int:
    from .deploy.executor import DeployError
    from .deploy.run import DeployRun, render_plan, render_result

    try:
        with _progress(f"reading the API and planning stage {options.stage}"):
            deployment = DeployRun(compiled.gateway, options)
            outcome = deployment.plan()
        if dry_run or (outcome.plan and not yes):
            sys.stdout.write(render_plan(outcome))
        if dry_run:
            _deploy_notes(outcome)
            typer.echo("dry run: nothing was changed")
            return 0
        if outcome.plan:
            answer = _confirmed(yes, f"Apply these {len(outcome.plan)} calls?")
            if answer is None:
                typer.echo("apigwc: error: not on a terminal: pass --yes to apply, or --dry-run to only look", err=True)
                return 2
            if not answer:
                typer.echo("nothing was changed")
                return 1
        with _deploy_progress() as progress:
            outcome = deployment.apply(outcome, progress)
    except DeployError as exc:
        return _deploy_failed(exc)
    _deploy_notes(outcome)
    sys.stdout.write(render_result(outcome))
    return 1 if outcome.missing_functions else 0


def _deploy_notes(outcome) -> None:
    for note in outcome.notes:
        typer.echo(f"apigwc: note: {note}", err=True)
    for fn in outcome.missing_functions:
        typer.echo(
            f"apigwc: warning: Lambda function '{fn}' does not exist: API Gateway has no permission to invoke it "
            "(calls to it fail with 500); create the function and deploy again",
            err=True,
        )


def _spec_stack_job(compiled, options, stack_name, cfn_style: str):
    from .deploy.cloudformation import StackDeploy

    return StackDeploy(compiled.gateway, options, stack_name, _emit_options("yaml", cfn_style, False))


def _run_template_deploy(
    spec: Path,
    stage,
    region,
    endpoint_url,
    profile,
    params: dict,
    dry_run: bool,
    yes: bool,
    stack_name,
    cfn_style: str,
    config,
    ref_root,
) -> int:
    """deploy of a template: its whole stack (`deploy.cloudformation.deploy_stack`) through a change set."""
    from .deploy.cloudformation import deploy_stack
    from .deploy.run import DeployOptions
    from .pipeline import stack_name as default_stack_name

    result = _compile_stack(spec, config, ref_root, cfn_style, stopped="nothing was deployed")
    if result is None:
        return 1
    # --param values that name template Parameters are the stack's parameters; the others only served local resolution
    declared = (result.compiled.opened.template.data.get("Parameters") or {}) if result.compiled.opened.template else {}
    options = DeployOptions(
        stage=stage,
        region=region,
        endpoint_url=endpoint_url,
        profile=profile,
        params={k: v for k, v in params.items() if k in declared},
    )
    gateways = {k: c.gateway for k, c in result.compiled.apis.items()}
    template = result.compiled.opened.template.data
    return _run_cfn_deploy(
        lambda: deploy_stack(template, gateways, options, stack_name or default_stack_name(spec), cfn_style),
        options,
        dry_run,
        yes,
    )


def _run_cfn_deploy(make_job, options, dry_run: bool, yes: bool) -> int:
    from .deploy.cloudformation import render_changes
    from .deploy.executor import DeployError

    try:
        with _progress("creating a change set"):
            job = make_job()
            change_set = job.create_change_set()
        sys.stdout.write(render_changes(change_set))
        if not change_set.changes:
            job.discard(change_set)
            return 0
        if dry_run:
            job.discard(change_set)
            typer.echo("dry run: the change set was deleted; nothing was changed")
            return 0
        answer = _confirmed(yes, f"Execute change set {change_set.name} on stack {change_set.stack}?")
        if answer is None:
            job.discard(change_set)
            typer.echo("apigwc: error: not on a terminal: pass --yes to execute the change set", err=True)
            return 2
        if not answer:
            job.discard(change_set)
            typer.echo("nothing was changed")
            return 1
        with _progress(f"executing change set {change_set.name}"):
            result = job.execute(change_set)
    except DeployError as exc:
        return _deploy_failed(exc)
    sys.stdout.write(result)
    return 0


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
