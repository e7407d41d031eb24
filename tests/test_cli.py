"""The lint CLI end to end: real subprocesses, exact output, exit codes 0/1/2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support import ROOT, cli_env

BAD = """openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /pets:
    get:
      x-apigwc-ignore: [no-authorization]
      responses:
        "200": {description: OK}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: GET
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Pets/invocations
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_clean_spec_exits_0(run_cli):
    r = run_cli("lint", "specs/users.yaml")
    assert (r.returncode, r.stdout, r.stderr) == (0, "No problems found in 1 file.\n", "")


def test_error_prints_location_source_line_caret_and_hint_and_exits_1(run_cli, tmp_path):
    spec = write(tmp_path, "api.yaml", BAD)
    r = run_cli("lint", "api.yaml", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout == (
        "api.yaml:11:21: AGW201 error Lambda integrations must use httpMethod POST, found GET\n"
        "    |\n"
        " 11 |         httpMethod: GET\n"
        "    |                     ^^^\n"
        "   = hint: set httpMethod: POST; it is the method used to invoke Lambda, not the client's method\n"
        "\n"
        "Found 1 problem (1 error) in 1 of 1 file.\n"
    )
    assert spec.exists()


def test_fail_on_and_ignore(run_cli, tmp_path):
    write(tmp_path, "api.yaml", BAD)
    assert run_cli("lint", "api.yaml", "--ignore", "AGW201", cwd=tmp_path).returncode == 0
    assert run_cli("lint", "api.yaml", "--ignore", "lambda-http-method", cwd=tmp_path).returncode == 0
    r = run_cli("lint", "api.yaml", "--select", "AGW8", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, "No problems found in 1 file.\n")


def test_warning_fails_only_with_fail_on_warning(run_cli, tmp_path):
    write(
        tmp_path,
        "api.yaml",
        BAD.replace("httpMethod: GET", "httpMethod: POST").replace("      x-apigwc-ignore: [no-authorization]\n", ""),
    )
    assert run_cli("lint", "api.yaml", cwd=tmp_path).returncode == 0
    r = run_cli("lint", "api.yaml", "--fail-on", "warning", cwd=tmp_path)
    assert r.returncode == 1 and "AGW801 warning GET /pets has no authorization" in r.stdout


def test_json_format(run_cli, tmp_path):
    write(tmp_path, "api.yaml", BAD)
    r = run_cli("lint", "api.yaml", "--format", "json", cwd=tmp_path)
    assert r.returncode == 1
    assert json.loads(r.stdout) == [
        {
            "file": "api.yaml",
            "line": 11,
            "column": 21,
            "endLine": 11,
            "endColumn": 24,
            "code": "AGW201",
            "name": "lambda-http-method",
            "severity": "error",
            "message": "Lambda integrations must use httpMethod POST, found GET",
            "hint": "set httpMethod: POST; it is the method used to invoke Lambda, not the client's method",
            "pointer": "/paths/~1pets/get/x-amazon-apigateway-integration/httpMethod",
        }
    ]


def test_github_format(run_cli, tmp_path):
    write(tmp_path, "api.yaml", BAD)
    r = run_cli("lint", "api.yaml", "--format", "github", cwd=tmp_path)
    assert r.stdout == (
        "::error file=api.yaml,line=11,col=21,endLine=11,endColumn=24,title=AGW201 lambda-http-method::"
        "Lambda integrations must use httpMethod POST, found GET "
        "(hint: set httpMethod: POST; it is the method used to invoke Lambda, not the client's method)\n"
    )


def test_missing_file_is_an_io_error(run_cli):
    r = run_cli("lint", "nope.yaml")
    assert (r.returncode, r.stderr) == (2, "apigwc: error: cannot read 'nope.yaml': no such file or directory\n")


def test_no_spec_is_a_usage_error(run_cli):
    r = run_cli("lint")
    assert r.returncode == 2 and "give at least one OpenAPI file" in r.stderr


def test_unknown_selector_is_a_usage_error(run_cli):
    r = run_cli("lint", "specs/users.yaml", "--select", "AGW999x")
    assert r.returncode == 2
    assert r.stderr == "apigwc: error: select: 'AGW999x' matches no rule code or name (see 'apigwc rules')\n"


def test_bad_format_choice_is_a_usage_error(run_cli):
    r = run_cli("lint", "specs/users.yaml", "--format", "xml")
    assert r.returncode == 2 and "xml" in r.stderr


def test_folder_expands_to_openapi_files_only(run_cli, tmp_path):
    write(tmp_path, "api.yaml", BAD)
    write(tmp_path, "docker-compose.yaml", "services: {web: {image: nginx}}\n")
    r = run_cli("lint", str(tmp_path), "--format", "json")
    assert {d["file"] for d in json.loads(r.stdout)} == {str(tmp_path / "api.yaml")}


def test_skip_non_openapi(run_cli, tmp_path):
    write(tmp_path, "compose.yaml", "services: {web: {image: nginx}}\n")
    r = run_cli("lint", "--skip-non-openapi", "compose.yaml", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, "")
    r = run_cli("lint", "compose.yaml", cwd=tmp_path)
    assert r.returncode == 1 and "AGW009" in r.stdout


def test_explain(run_cli):
    r = run_cli("lint", "--explain", "lambda-http-method")
    assert r.returncode == 0
    assert r.stdout.startswith("AGW201 lambda-http-method (error, rule)\n")
    assert "Fix: `httpMethod: POST`" in r.stdout


def test_rules_lists_every_code(run_cli):
    from apigwc.rules import all_codes

    r = run_cli("rules", "--format", "json")
    listed = json.loads(r.stdout)
    assert [c["code"] for c in listed] == sorted(all_codes())


def test_python_dash_m_and_help_example(run_cli):
    r = run_cli("lint", "--help")
    assert r.returncode == 0 and "apigwc lint specs/users.yaml" in r.stdout


def test_help_does_not_import_the_compiler():
    """`apigwc --help` must stay fast: no schema, YAML or validator import at start-up."""
    code = (
        "import sys\n"
        "from apigwc import cli\n"
        "try:\n    cli.app(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('jsonschema', 'jsonschema_rs', 'ruamel', 'openapi_spec_validator', 'apigwc.check', 'apigwc.rules') if m in sys.modules)\n"
        "print(heavy, file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], env=cli_env(), capture_output=True, text=True, cwd=ROOT)
    assert r.stderr.strip().splitlines()[-1] == "[]"


def test_config_from_pyproject_next_to_the_spec(run_cli, tmp_path):
    write(tmp_path, "api.yaml", BAD)
    write(tmp_path, "pyproject.toml", '[tool.apigwc]\nseverity = {AGW201 = "warning"}\n')
    r = run_cli("lint", "api.yaml", cwd=tmp_path)
    assert r.returncode == 0 and "AGW201 warning" in r.stdout


def test_help_text_keeps_literal_brackets(run_cli):
    """Rich markup must not eat '[tool.apigwc]' in option help."""
    for command in ("lint", "build", "emit", "invoke", "serve", "deploy"):
        r = run_cli(command, "--help", env={"COLUMNS": "200"})
        assert "pyproject.toml to read [tool.apigwc] from." in r.stdout, command
