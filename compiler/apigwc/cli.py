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
        "and a deploy plan.\n\nExample: apigwc lint specs/users.yaml"
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
                if f.is_file() and _looks_like_openapi(f)
            )
            if not found:
                problems.append(f"no OpenAPI files (YAML or JSON with 'openapi' or 'swagger') under '{p}'")
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            problems.append(f"cannot read '{p}': no such file or directory")
    return files, problems


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
    specs: List[Path] = typer.Argument(None, help="OpenAPI files (YAML or JSON), or folders to search.", show_default=False),
    format: LintFormat = typer.Option(LintFormat.text, "--format", "-f", help="Report format."),
    fail_on: Optional[Level] = typer.Option(None, "--fail-on", help="Exit 1 on findings at or above this level [default: error]."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Only these codes, code prefixes (AGW2) or names."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Skip these codes, prefixes or names."),
    config: Optional[Path] = typer.Option(None, "--config", help="pyproject.toml to read [tool.apigwc] from."),
    ref_root: Optional[Path] = typer.Option(None, "--ref-root", help="Folder that local $refs may reach (default: the spec's folder)."),
    explain: Optional[str] = typer.Option(None, "--explain", help="Explain a rule (code or name) and exit.", metavar="CODE"),
    skip_non_openapi: bool = typer.Option(
        False, "--skip-non-openapi", help="Silently skip files without an 'openapi' or 'swagger' key (for pre-commit)."
    ),
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
    if skip_non_openapi:
        specs = [p for p in specs if p.is_dir() or not p.is_file() or _looks_like_openapi(p)]
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
    from .rules import all_codes
    from .ruledocs import render_rules

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
    from .vtl.variables import Request, request_from_json

    try:
        source = template.read_bytes().decode("utf-8")
    except OSError as exc:
        raise _fail(f"cannot read '{template}': {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        raise _fail(f"'{template}' is not UTF-8 text (byte {exc.start})")
    req = Request()
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


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
