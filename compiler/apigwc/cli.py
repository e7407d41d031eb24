"""The ``apigwc`` command line: flags -> call -> exit code.

Every decision lives in the module that owns it: spec discovery in `source`, the
configuration in `config`, the compile-and-report policy and the "spec or bundle" loader
in `policy`, atomic writes in `output`, the reports in `report`.  Options that several
commands share are declared once below (``ConfigOpt``, ``RefRootOpt``...).

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 usage or I/O error.
Heavy modules are imported inside the commands so that ``apigwc --help`` stays fast.
"""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import Annotated, List, Optional

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
    pretty_exceptions_enable=False,
    # plain help, as ruff and cfn-lint print it: rich's help formatter costs more start-up than the rest of --help
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from . import package_version

        typer.echo(f"apigwc {package_version()}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """apigwc compiles OpenAPI with x-amazon-apigateway-* extensions into an API Gateway REST API."""


# ----------------------------------------------------------------------------------------
# Options shared by several commands: declared once


def _comma_list(values: Optional[List[str]]) -> Optional[List[str]]:
    """``--select AGW1,AGW4 --select AGW8`` -> ["AGW1", "AGW4", "AGW8"] (as ruff and cfn-lint take lists)."""
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()] or None


class CfnStyleChoice(str, enum.Enum):
    explicit = "explicit"
    body = "body"


ConfigOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--config",
        help="Config file: apigwc.toml, .apigwc.toml or a pyproject.toml with [tool.apigwc] (default: the nearest one).",
    ),
]
RefRootOpt = Annotated[
    Optional[Path], typer.Option("--ref-root", help="Folder that local $refs may reach (default: the spec's folder).")
]
CfnStyleOpt = Annotated[
    CfnStyleChoice,
    typer.Option("--cfn-style", help="CloudFormation: explicit AWS::ApiGateway resources, or RestApi.Body."),
]
LambdaParamsOpt = Annotated[
    bool, typer.Option("--lambda-params", help="CloudFormation: make each Lambda function ARN a template Parameter.")
]
LambdaOpt = Annotated[
    Optional[List[str]],
    typer.Option(
        "--lambda",
        help="Set a Lambda function's handler: NAME=module.function (Python), NAME=file.export (Node.js) or NAME=module:callable (repeatable).",
        metavar="NAME=HANDLER",
    ),
]
SelectOpt = Annotated[
    Optional[List[str]],
    typer.Option(
        "--select",
        help="Only these codes, code prefixes (AGW2) or names; comma-separated or repeated.",
        callback=_comma_list,
    ),
]
IgnoreOpt = Annotated[
    Optional[List[str]],
    typer.Option(
        "--ignore", help="Skip these codes, prefixes or names; comma-separated or repeated.", callback=_comma_list
    ),
]
# SAM/CloudFormation templates: the same four flags on every command (policy.select_template reads them)
ApiOpt = Annotated[
    Optional[str],
    typer.Option(
        "--api", help="Template: the REST API to use, by logical id (default: every API).", metavar="LOGICAL_ID"
    ),
]
ParamOpt = Annotated[
    Optional[List[str]],
    typer.Option(
        "--param",
        help="Template: a parameter or unknown value, NAME=VALUE (repeatable): Stage=dev, ImportValue:Export=v, Res.Attr=v.",
        metavar="NAME=VALUE",
    ),
]
ParamsFileOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--parameters-file",
        help="Template: parameter values from samconfig.toml, a CloudFormation parameters JSON, or a K=V overrides file.",
    ),
]
RegionOpt = Annotated[
    Optional[str],
    typer.Option(
        "--region",
        help="AWS region; a template's AWS::Region (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1).",
    ),
]


class LintFormat(str, enum.Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    gitlab = "gitlab"
    junit = "junit"


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


def _say(line: str) -> None:
    """One line on stderr, colored (or not) by the policy: click must not strip it."""
    typer.echo(line, err=True, color=True)


def _stop(failure) -> "typer.Exit":
    """Print a `policy.Failure` (its findings, then its message) and exit with its status."""
    for line in failure.lines:
        _say(line)
    return typer.Exit(failure.status)


def _counted(outcome):
    """The outcome of one spec of several: a `policy.Failure` is printed, and ends the command when
    `Failure.ends_command` (exit 2), else counts as findings (1); anything else is returned as it is."""
    from .policy import Failure

    if not isinstance(outcome, Failure):
        return outcome
    stop = _stop(outcome)
    if outcome.ends_command:
        raise stop
    return 1


def _note(text: Optional[str]) -> None:
    if text:
        typer.echo(f"apigwc: {text}", err=True)


def _config(spec: Optional[Path], config_path: Optional[Path], ref_root: Optional[Path], **overrides):
    """The config for ``spec`` (a usage error, exit 2, when it is malformed)."""
    from .config import ConfigError
    from .policy import config_for

    try:
        return config_for(spec, config_path, ref_root=ref_root.resolve() if ref_root else None, **overrides)
    except ConfigError as exc:
        raise _fail(str(exc))


def _template(
    api: Optional[str], params, params_file: Optional[Path], region: Optional[str], target: Optional[str] = None
) -> None:
    """The template flags, read once for the whole command (a usage error when malformed)."""
    from .policy import select_template

    failure = select_template(api, params, params_file, region, target)
    if failure is not None:
        raise _stop(failure)


def _color() -> bool:
    from .report.text import use_color

    return use_color(sys.stderr)


def _compile(spec: Path, cfg, stopped: str = "nothing was written", note: bool = True):
    """Lint and lower ``spec`` under the shared policy; exits on lint errors (1) or an unreadable file (2)."""
    from .policy import Failure, compile_spec, lint_note

    with _progress(f"linting and lowering {spec}"):
        compiled = compile_spec(spec, cfg, stopped, _color())
    if isinstance(compiled, Failure):
        raise _stop(compiled)
    if note:
        _note(lint_note(compiled, spec))
    return compiled


def _progress(message: str):
    """A spinner on stderr while long work runs (only on a terminal)."""
    import contextlib

    if not sys.stderr.isatty():
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)


def _require(extra: str, *modules: str) -> None:
    """Exit 2 with the install command when an optional dependency of this command is missing."""
    from .extras import missing

    problem = missing(extra, modules)
    if problem is not None:
        raise _fail(problem)


# ----------------------------------------------------------------------------------------
# lint, rules


@app.command()
def lint(
    specs: List[Path] = typer.Argument(
        None, help="OpenAPI files (YAML or JSON), folders to search, or - for standard input.", show_default=False
    ),
    format: LintFormat = typer.Option(LintFormat.text, "--format", "-f", help="Report format."),
    fail_on: Optional[Level] = typer.Option(
        None, "--fail-on", help="Exit 1 on findings at or above this level (default: error, or fail-on in the config)."
    ),
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    config: ConfigOpt = None,
    ref_root: RefRootOpt = None,
    stdin_filename: Optional[Path] = typer.Option(
        None,
        "--stdin-filename",
        help="The name of the spec or template read from - (for messages, and the folder its $refs, includes and CodeUri resolve from; default: the current folder).",
    ),
    explain: Optional[str] = typer.Option(
        None, "--explain", help="Explain a rule (code or name) and exit.", metavar="CODE"
    ),
    skip_non_openapi: bool = typer.Option(
        False,
        "--skip-non-openapi",
        help="For pre-commit: a YAML/JSON file that is not OpenAPI is replaced by the specs that $ref it (under the current folder), or skipped.",
    ),
    api: ApiOpt = None,
    param: ParamOpt = None,
    parameters_file: ParamsFileOpt = None,
    region: RegionOpt = None,
) -> None:
    """Check OpenAPI specs for API Gateway mistakes.

    Prints file:line:col: CODE severity message, with the source line and a caret.

    Examples:

      apigwc lint specs/users.yaml

      apigwc lint specs/ --format sarif > apigwc.sarif

      apigwc lint --select AGW2,AGW4 --ignore AGW405 specs/

      cat api.yaml | apigwc lint - --stdin-filename specs/api.yaml

      apigwc lint --explain AGW201
    """
    from .pipeline import REPORT_BUG
    from .policy import LintRequest, run_lint

    if explain is not None:
        from .codes import explain_text, resolve_code

        code = resolve_code(explain)
        if code is None:
            raise _fail(f"unknown rule {explain!r}; 'apigwc rules' lists them all")
        typer.echo(explain_text(code))
        raise typer.Exit(0)
    if not specs:
        raise _fail("give at least one OpenAPI file, e.g. 'apigwc lint openapi.yaml'")
    _template(api, param, parameters_file, region)
    request = LintRequest(
        paths=tuple(specs),
        format=format.value,
        config=config,
        overrides=dict(
            select=select,
            ignore=ignore,
            fail_on=fail_on.value if fail_on else None,
            ref_root=ref_root.resolve() if ref_root else None,
        ),
        stdin_filename=stdin_filename,
        for_pre_commit=skip_non_openapi,
    )
    outcome = run_lint(request, sys.stdin.buffer if "-" in (str(s) for s in specs) else None)
    sys.stdout.write(outcome.report)
    for problem in outcome.problems:
        typer.echo(f"apigwc: error: {problem}", err=True)
    for internal in outcome.internal_errors:
        typer.echo(f"apigwc: internal error: {internal}; {REPORT_BUG}", err=True)
    raise typer.Exit(outcome.exit_code)


@app.command()
def rules(
    format: RulesFormat = typer.Option(RulesFormat.text, "--format", "-f", help="Output format."),
) -> None:
    """List every rule: code, name, default severity and summary.

    Examples:

      apigwc rules

      apigwc rules --format markdown > docs/rules.md
    """
    from .codes import all_codes
    from .ruledocs import render_rules

    typer.echo(render_rules(all_codes(), format.value), nl=False)


vtl_app = typer.Typer(
    name="vtl",
    help="Work with API Gateway mapping templates (VTL).\n\nExample: apigwc vtl render template.vtl --request request.json",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # plain help, as ruff and cfn-lint print it: rich's help formatter costs more start-up than the rest of --help
    rich_markup_mode=None,
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


def _emit_options(fmt: str, cfn_style: str, lambda_params: bool, bundle_base_dir: str = "."):
    from .targets import CfnStyle, EmitOptions, OutputFormat

    return EmitOptions(
        format=OutputFormat(fmt),
        cfn_style=CfnStyle(cfn_style),
        lambda_params=lambda_params,
        bundle_base_dir=bundle_base_dir,
    )


def _target_failed(compiled, diagnostics) -> bool:
    from .policy import target_findings

    lines, failed = target_findings(compiled, diagnostics, _color())
    for line in lines:
        typer.echo(line, err=True, color=True)
    return failed


@app.command()
def emit(
    spec: Path = typer.Argument(..., help="The OpenAPI file (YAML or JSON).", show_default=False),
    target: TargetName = typer.Option(..., "--target", "-t", help="What to emit."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Write to this file instead of stdout (--target local: this folder)."
    ),
    format: FileFormat = typer.Option(FileFormat.yaml, "--format", "-f", help="File format."),
    cfn_style: CfnStyleOpt = CfnStyleChoice.explicit,
    lambda_params: LambdaParamsOpt = False,
    config: ConfigOpt = None,
    ref_root: RefRootOpt = None,
    api: ApiOpt = None,
    param: ParamOpt = None,
    parameters_file: ParamsFileOpt = None,
    region: RegionOpt = None,
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
    from .output import check_folder_output, write_outputs
    from .targets import TARGETS

    folder = TARGETS[target.value].folder
    if folder is not None:
        problem = check_folder_output(target.value, output)
        if problem:
            raise _fail(problem)
    if not spec.exists():
        raise _fail(f"cannot read '{spec}': no such file or directory")
    cfg = _config(spec, config, ref_root)
    _template(api, param, parameters_file, region, target.value)
    from .policy import is_template, template_apis

    if target is TargetName.cfn and is_template(spec):
        from .policy import emit_stack

        if lambda_params:
            raise _fail("--lambda-params: a template's functions are resources of the stack, referenced as such")
        text = emit_stack(spec, cfg, cfn_style.value, format.value, _say, _progress, _color())
        if not isinstance(text, str):
            raise _stop(text)
        _write_or_print(output, text)
        raise typer.Exit(0)
    apis = template_apis(spec)
    # a template's APIs go one file each into -o DIR: with several, or when DIR is an existing folder
    each = len(apis) > 1 or (
        len(apis) == 1 and apis[0][1].api is not None and folder is None and output is not None and output.is_dir()
    )
    if each:
        if output is None or folder is not None:
            names = ", ".join(s.api for _, s in apis if s.api)
            raise _fail(
                f"'{spec}' holds {len(apis)} REST APIs ({names}): choose one with --api"
                + ("" if folder is not None else ", or give -o DIR to write one file per API")
            )
        from .policy import emit_each_api

        options = _emit_options(format.value, cfn_style.value, lambda_params)
        raise typer.Exit(_counted(emit_each_api(spec, apis, target.value, output, options, cfg, _say, _color())))
    compiled = _compile(spec, cfg)
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
    try:
        if folder is not None:
            target_dir = Path(os.path.abspath(output))
            write_outputs(
                target_dir.parent,
                target_dir.name,
                {rel.removeprefix(folder + "/"): text for rel, text in artifact.items()},
            )
        else:
            from .targets.base import OutputFormat, primary_file

            text = artifact[
                primary_file(artifact, OutputFormat(format.value), str(output) if output is not None else None)
            ]
            _write_or_print(output, text)
            return
    except OSError as exc:
        raise _fail(f"cannot write '{output}': {exc.strerror or exc}")
    typer.echo(f"apigwc: wrote {output}", err=True)


def _write_or_print(output: Optional[Path], text: str) -> None:
    """One file of ``emit``: on stdout, or written atomically to ``-o`` (exit 2 when it cannot be written)."""
    from .output import write_file_atomically

    if output is None:
        sys.stdout.write(text)
        return
    try:
        write_file_atomically(output, text)
    except OSError as exc:
        raise _fail(f"cannot write '{output}': {exc.strerror or exc}")
    typer.echo(f"apigwc: wrote {output}", err=True)


@app.command()
def build(
    specs: List[Path] = typer.Argument(None, help="OpenAPI files, or folders to search.", show_default=False),
    out: Path = typer.Option(Path("output"), "--out", help="Write into OUT/<api-name>/."),
    check: bool = typer.Option(
        False,
        "--check",
        help="Write nothing; print only what is stale (and output folders no spec builds), exit 1 if any.",
    ),
    cfn_style: CfnStyleOpt = CfnStyleChoice.explicit,
    lambda_params: LambdaParamsOpt = False,
    config: ConfigOpt = None,
    ref_root: RefRootOpt = None,
    api: ApiOpt = None,
    param: ParamOpt = None,
    parameters_file: ParamsFileOpt = None,
    region: RegionOpt = None,
) -> None:
    """Lint, lower and write every target into OUT/<api-name>/.

    Writes template.yaml (CloudFormation), openapi.yaml (the normalized export),
    deploy-plan.json / deploy-plan.txt (the deploy calls) and local/ (the bundle that
    apigwc serve runs), atomically: a failed or killed build leaves the previous output untouched.  With
    --check nothing is written: it prints each stale folder, and (when given a folder of specs) each
    folder of OUT that no spec builds any more, and the exit code says whether OUT is up to date.

    Examples:

      apigwc build specs/petstore-lambda.yaml

      apigwc build specs/ --out build/apis

      apigwc build --check specs/
    """
    from .discovery import find_specs

    if not specs:
        raise _fail("give at least one OpenAPI file, e.g. 'apigwc build openapi.yaml'")
    files, problems = find_specs(list(specs))
    if problems:
        for p in problems:
            typer.echo(f"apigwc: error: {p}", err=True)
        raise typer.Exit(2)
    if out.exists() and not out.is_dir():
        raise _fail(f"--out '{out}' is a file, not a folder")
    _template(api, param, parameters_file, region)
    options = _emit_options("yaml", cfn_style.value, lambda_params)
    status, names = 0, {}
    from .policy import build_stack, is_template, template_apis
    from .template.values import SELECTION

    chosen = SELECTION.get()
    for spec in files:
        cfg = _config(spec, config, ref_root)
        if not is_template(spec):
            status = max(status, _build_one(spec, out, check, options, cfg, names))
            continue
        # a template: its whole stack into OUT/apigwc-<folder>/template.yaml, each API's other targets beside
        built = build_stack(spec, out, check, options, cfg, names, _say, _progress, _color())
        status = max(status, _built(built))
        for _, selection in template_apis(spec):
            SELECTION.set(selection)
            status = max(status, _build_one(spec, out, check, options, cfg, names, selection.api))
        SELECTION.set(chosen)
    if check:
        from .output import orphaned_outputs

        orphans = orphaned_outputs(out, set(names)) if any(p.is_dir() for p in specs) else []
        for folder in orphans:
            typer.echo(
                f"apigwc: {folder} is built by no spec under {', '.join(str(p) for p in specs)}; delete it", err=True
            )
        if orphans:
            status = max(status, 1)
        if status == 0:
            typer.echo(f"{out} is up to date ({len(names)} API{'s' if len(names) != 1 else ''})")
    raise typer.Exit(status)


def _build_one(spec: Path, out: Path, check: bool, options, cfg, names: dict, api: Optional[str] = None) -> int:
    """Build (or check) one spec into OUT/<name>/ (`policy.build_spec`): 0, or 1 when it has errors or is stale."""
    from .policy import build_spec

    return _built(build_spec(spec, out, check, options, cfg, names, _say, _progress, _color(), api))


def _built(outcome) -> int:
    """What `policy.build_spec` / `policy.build_stack` did: its summary on stdout, its status."""
    counted = _counted(outcome)
    if isinstance(counted, int):
        return counted
    status, summary = counted
    if summary:
        typer.echo(summary, nl=False)
    return status


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
    lambda_: LambdaOpt = None,
    config: ConfigOpt = None,
    ref_root: RefRootOpt = None,
    api: ApiOpt = None,
    param: ParamOpt = None,
    parameters_file: ParamsFileOpt = None,
    region: RegionOpt = None,
) -> None:
    """Run one request through the API without a server; print the response and the execution log.

    The request goes through the steps it takes on API Gateway (route, method request, validation, integration request, integration, integration response, method response, gateway responses), and the log shows each one, like the console's Test. MOCK integrations run offline; HTTP integrations call their upstreams and Lambda integrations run the functions of x-apigwc.local.functions and x-apigwc.local.lambdas in worker processes, as apigwc serve does (their output goes to stderr, with the execution log). Authorizers, API keys and IAM are not run (the log says so), as in the console's Test.

    Text output: the HTTP response on stdout (status line, headers, a blank line, the body) and the execution log on stderr. With --format json, one object {"status", "headers", "body", "log"} on stdout.

    Exit 0 when the gateway answered (whatever the status), 1 when the spec has lint errors, 2 on a usage or I/O error.

    Examples:

      apigwc invoke specs/users.yaml '/users?count=5'

      apigwc invoke specs/users.yaml -X GET /users/42 -H 'Accept: application/json' --format json

      apigwc invoke api.yaml -X POST /notes -d @note.json -H 'Content-Type: application/json' --stage prod --stage-var env=test
    """
    _template(api, param, parameters_file, region)
    raise typer.Exit(
        _run_invoke(
            spec,
            path,
            method,
            stage,
            stage_var or [],
            header or [],
            data,
            format.value,
            config,
            ref_root,
            lambda_ or [],
        )
    )


def _run_invoke(spec, path, method, stage, stage_vars, headers, data, fmt, config_path, ref_root, lambdas=()) -> int:
    import asyncio

    _require("serve")
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
    overrides = _lambda_pairs(list(lambdas))
    body = b""
    if data is not None:
        body = _read_data(data)
    verb = (method or ("POST" if data is not None else "GET")).upper()

    from .policy import Failure, compile_spec, load_source, warnings_note

    cfg = None if spec.is_dir() else _config(spec, config_path, ref_root)
    loaded = load_source(spec, lambda s: compile_spec(s, cfg, "the request was not run", _color()))
    if isinstance(loaded, Failure):
        raise _stop(loaded)
    gateway, base_dir = loaded.gateway, loaded.base_dir
    _note(warnings_note(spec, loaded.warnings))
    from .local.assembly import invoke_once
    from .report.invoke import json_text, log_text, response_text
    from .runtime import Request, select_stage

    selection = select_stage(gateway, stage)
    if isinstance(selection, str):
        raise _fail(selection)
    if selection.note:
        typer.echo(f"apigwc: using {selection.note}", err=True)
    from .lambda_runtime.output import stderr_sink

    execution = asyncio.run(
        invoke_once(
            gateway,
            base_dir,
            selection,
            variables,
            Request.build(verb, path, pairs, body),
            lambdas=overrides,
            lambda_log=stderr_sink,
        )
    )
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
        None,
        "--stage",
        help="Serve only these stages (comma-separated or repeated; default: every declared stage, or 'local').",
        callback=_comma_list,
    ),
    stage_var: Optional[List[str]] = typer.Option(
        None, "--stage-var", help="Set a stage variable in every served stage: K=V (repeatable).", metavar="K=V"
    ),
    lambda_: LambdaOpt = None,
    max_workers: Optional[int] = typer.Option(
        None,
        "--max-workers",
        help="Worker processes per Lambda function at most (default 8; ReservedConcurrentExecutions caps it too).",
        min=1,
    ),
    in_process: bool = typer.Option(
        False,
        "--in-process",
        help="Run the Python handlers of x-apigwc.local.lambdas on threads of the server instead of worker processes (no per-function environment, no timeouts that kill).",
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
    config: ConfigOpt = None,
    ref_root: RefRootOpt = None,
    api: ApiOpt = None,
    param: ParamOpt = None,
    parameters_file: ParamsFileOpt = None,
    region: RegionOpt = None,
) -> None:
    """Run the API as a local gateway on 127.0.0.1, the way API Gateway would answer.

    Every stage is served at http://HOST:PORT/<stage>/<path>, like its invoke URL. At start apigwc prints the URL of each stage, the routes, and how far each route is emulated (full, partial: what is not, none: why); then one access-log line per request.

    MOCK integrations, mapping templates, validation and gateway responses run as in apigwc invoke. HTTP and HTTP_PROXY integrations call their upstreams; Lambda integrations and authorizers run the functions of x-apigwc.local.functions (Python, Node.js, provided runtimes) and x-apigwc.local.lambdas as worker processes on the Lambda Runtime API, as Lambda does (warm reuse, timeouts, per-function environment; each function's output prefixed with its name); API keys, usage plans, throttling and quotas are enforced; Cognito tokens are verified against the JWKS files of x-apigwc.local.jwks.

    Exit 1 when the spec has lint errors, 2 on a usage or I/O error (a busy port, an unknown stage).

    Examples:

      apigwc serve specs/users.yaml

      apigwc serve specs/petstore-lambda.yaml --port 8080 --watch --log

      apigwc serve api.yaml --stage dev --stage-var backend=localhost:9000 --lambda PetsFunction=handlers.pets.handler

      apigwc serve output/petstore/local

    A SAM/CloudFormation template serves each of its APIs (or the --api one); several APIs share the port, each under its logical id:

      apigwc serve template.yaml --param Stage=dev
    """
    _template(api, param, parameters_file, region)
    raise typer.Exit(
        _run_serve(
            source,
            host,
            port,
            stage or [],
            stage_var or [],
            lambda_ or [],
            watch,
            log,
            config,
            ref_root,
            max_workers,
            in_process,
        )
    )


def _lambda_pairs(items: list[str]) -> dict[str, str]:
    """``--lambda NAME=HANDLER`` options; a handler that no runtime reads is a usage error."""
    pairs = _pairs(items, "--lambda", "NAME=HANDLER")
    for name, target in pairs.items():
        if not target or not any(sep in target for sep in ".:"):
            raise _fail(
                f"--lambda {name}={target}: the handler must be module.function (Python), file.export (Node.js) or module:callable, e.g. app.lambda_handler"
            )
    return pairs


def _run_serve(
    source,
    host,
    port,
    stages,
    stage_vars,
    lambdas,
    watch,
    log,
    config_path,
    ref_root,
    max_workers=None,
    in_process=False,
) -> int:
    _require("serve")
    from .policy import Failure
    from .serve.server import Options, banner, bind, build, compile_for_serving, load, run

    if not source.exists():
        raise _fail(f"cannot read '{source}': no such file or directory")
    if not 0 <= port <= 65535:
        raise _fail(f"--port {port} is not a port number (0-65535)")
    options = Options(
        tuple(stages), _pairs(stage_vars, "--stage-var", "K=V"), _lambda_pairs(lambdas), log, in_process, max_workers
    )
    cfg = None if source.is_dir() else _config(source, config_path, ref_root)

    def compile_spec(spec: Path):
        return compile_for_serving(spec, cfg)

    def attempt():
        loaded = load(source, compile_spec)
        if isinstance(loaded, Failure):
            return loaded
        served = build(loaded, options)
        return served if isinstance(served, Failure) else (served, loaded)

    from .policy import template_apis

    apis = template_apis(source)
    if len(apis) > 1:  # a template with several APIs: one port, a path prefix per API
        return _serve_apis(apis, host, port, options, compile_spec, log)
    with _progress(f"loading {source}"):
        first = attempt()
    if isinstance(first, Failure):
        raise _stop(first)
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
    text = banner(loaded, served, f"http://{shown}:{bound[1]}")
    run(sock, app, reload=attempt if watch else None, files=loaded.files, out=out, access=access, banner=text)
    return 0


def _serve_apis(targets, host, port, options, compile_spec, log) -> int:
    """Several APIs of a template on one port (`serve.multi`)."""
    from .policy import Failure
    from .serve.app import GatewayApp
    from .serve.multi import ApisApp, banner_apis, load_apis
    from .serve.server import LineWriter, access_line, bind, run

    with _progress(f"loading {targets[0][0]}"):
        apis = load_apis(targets, compile_spec, options)
    if isinstance(apis, Failure):
        raise _stop(apis)
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

    def out(text: str) -> None:
        typer.echo(text)
        sys.stdout.flush()

    run(sock, app, out=out, access=access, banner=banner_apis(apis, f"http://{shown}:{bound[1]}"))  # type: ignore[arg-type]
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
    region: RegionOpt = None,
    endpoint_url: Optional[str] = typer.Option(
        None, "--endpoint-url", help="Send every call to this endpoint (moto, LocalStack)."
    ),
    profile: Optional[str] = typer.Option(None, "--profile", help="AWS profile to take credentials from."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the calls and change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Apply without asking (required when not on a terminal)."),
    param: Annotated[
        Optional[List[str]],
        typer.Option(
            "--param",
            help="NAME=VALUE for a CloudFormation Ref/GetAtt in the spec, or a template's parameter (repeatable).",
            metavar="NAME=VALUE",
        ),
    ] = None,
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
    cfn_style: CfnStyleOpt = CfnStyleChoice.explicit,
    config: ConfigOpt = None,
    ref_root: RefRootOpt = None,
    api: ApiOpt = None,
    parameters_file: ParamsFileOpt = None,
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
    _require("deploy")
    if not spec.exists():
        raise _fail(f"cannot read '{spec}': no such file or directory")
    params: dict[str, str] = {}
    for item in param or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise _fail(f"--param takes NAME=VALUE, got '{item}'")
        params[name.strip()] = value
    cfg = _config(spec, config, ref_root)
    _template(api, param, parameters_file, region)
    from .deploy.run import DeployOptions
    from .policy import is_template

    if is_template(spec):
        if via is DeployVia.calls:
            raise _fail(
                "a template deploys as one CloudFormation stack: drop --via calls (or give --via cloudformation)"
            )
        from .policy import Failure, compile_stack_or_fail, stack_findings

        with _progress(f"linting, lowering and assembling the stack of {spec}"):
            result = compile_stack_or_fail(spec, cfg, cfn_style.value, "nothing was deployed", _color())
        if isinstance(result, Failure):
            raise _stop(result)
        for line in stack_findings(result, _color()):
            _say(line)
        # --param values that name template Parameters are the stack's parameters; the others only served local resolution
        template = result.compiled.opened.template.data
        declared = template.get("Parameters") or {}
        options = DeployOptions(
            stage=stage,
            region=region,
            endpoint_url=endpoint_url,
            profile=profile,
            params={k: v for k, v in params.items() if k in declared},
        )
        gateways = {k: c.gateway for k, c in result.compiled.apis.items()}
        from .pipeline import stack_name as default_stack_name

        def stack_job():
            from .deploy.cloudformation import deploy_stack

            return deploy_stack(
                template, gateways, options, stack_name or default_stack_name(spec), cfn_style.value, result.stack
            )

        raise typer.Exit(_run_cfn_deploy(stack_job, options, dry_run, yes))
    compiled = _compile(spec, cfg)
    options = DeployOptions(stage=stage, region=region, endpoint_url=endpoint_url, profile=profile, params=params)
    if via is DeployVia.cloudformation:

        def spec_job():
            from .deploy.cloudformation import StackDeploy

            return StackDeploy(compiled.gateway, options, stack_name, _emit_options("yaml", cfn_style.value, False))

        raise typer.Exit(_run_cfn_deploy(spec_job, options, dry_run, yes))
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
    # a missing function fails the deploy that changed something; a deploy that says
    # "up to date" changed nothing and exits 0 (the warning is printed either way)
    return 1 if outcome.missing_functions and outcome.mutating else 0


def _deploy_notes(outcome) -> None:
    for note in outcome.notes:
        typer.echo(f"apigwc: note: {note}", err=True)
    for fn in outcome.missing_functions:
        typer.echo(
            f"apigwc: warning: Lambda function '{fn}' does not exist: API Gateway has no permission to invoke it "
            "(calls to it fail with 500); create the function and deploy again",
            err=True,
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
    """Console-script entry point (and ``python -m apigwc``: the same name, so completion scripts match).

    An exception that escapes a command is a bug in apigwc: one line, exit 3, no traceback.
    """
    from .pipeline import EXIT_INTERNAL, REPORT_BUG, InternalError, describe_internal

    try:
        app(prog_name="apigwc")
    except InternalError as exc:
        typer.echo(f"apigwc: internal error: {exc}; {REPORT_BUG}", err=True)
        sys.exit(EXIT_INTERNAL)
    except Exception as exc:  # noqa: BLE001 - the last boundary: never a traceback
        typer.echo(f"apigwc: internal error: {describe_internal(exc)}; {REPORT_BUG}", err=True)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":  # pragma: no cover
    main()
