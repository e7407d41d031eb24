"""Configuration: [tool.apigwc] in pyproject.toml, command-line overrides, inline x-apigwc-ignore.

The CLI tests run the real ``python -m apigwc lint`` in a temporary project:

    tmp/pyproject.toml          (per test)
    tmp/api/spec.yaml           the spec below
    tmp/common/schemas.yaml     reached by a $ref that leaves api/ (AGW008 unless ref-root allows it)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apigwc.config import Config
from apigwc.pipeline import lint_file

SPEC = """\
openapi: 3.0.3
info:
  title: Pets
  version: "1.0"
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200":
          description: The pets.
          content:
            application/json:
              schema:
                $ref: "../common/schemas.yaml#/Pets"
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://backend.example.com/pets
        timeoutInMillis: 30000
x-apigwc:
  stages:
    prod: {}
"""
SCHEMAS = "Pets:\n  type: array\n  items:\n    type: object\n    properties:\n      name: {type: string}\n"

#: what the spec produces with no configuration: (code, severity, line)
DEFAULT = [
    ("AGW801", "warning", 7),
    ("AGW008", "error", 15),
    ("AGW807", "warning", 19),
    ("AGW203", "error", 20),
    ("AGW805", "warning", 23),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "api").mkdir()
    (tmp_path / "common").mkdir()
    (tmp_path / "api" / "spec.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "common" / "schemas.yaml").write_text(SCHEMAS, encoding="utf-8")
    return tmp_path


def configure(project: Path, toml: str) -> Path:
    path = project / "pyproject.toml"
    path.write_text('[project]\nname = "pets"\n\n[tool.apigwc]\n' + toml, encoding="utf-8")
    return path


def lint(run_cli, project: Path, *args: str) -> tuple[int, list[tuple[str, str, int]], str]:
    """Run the CLI from the project folder; return (exit code, [(code, severity, line)], stderr)."""
    proc = run_cli("lint", "api/spec.yaml", "--format", "json", *args, cwd=project)
    report = json.loads(proc.stdout) if proc.stdout else []
    assert {d["file"] for d in report} <= {"api/spec.yaml"}
    return proc.returncode, [(d["code"], d["severity"], d["line"]) for d in report], proc.stderr


def test_no_configuration_reports_everything(run_cli, project):
    assert lint(run_cli, project) == (1, DEFAULT, "")


def test_select_keeps_codes_prefixes_and_names(run_cli, project):
    configure(project, 'select = ["AGW2", "no-authorization"]\n')
    # AGW008 stays: a file apigwc cannot read is always reported (source stage)
    assert lint(run_cli, project) == (
        1,
        [("AGW801", "warning", 7), ("AGW008", "error", 15), ("AGW203", "error", 20)],
        "",
    )


def test_ignore_drops_codes_and_names(run_cli, project):
    configure(project, 'ignore = ["AGW805", "plaintext-http-backend"]\n')
    assert lint(run_cli, project) == (
        1,
        [("AGW801", "warning", 7), ("AGW008", "error", 15), ("AGW203", "error", 20)],
        "",
    )


def test_severity_relevels_by_code_and_name(run_cli, project):
    configure(project, 'severity = { AGW203 = "warning", "no-access-log" = "error", AGW008 = "info" }\n')
    assert lint(run_cli, project) == (
        1,
        [
            ("AGW801", "warning", 7),
            ("AGW008", "info", 15),
            ("AGW807", "warning", 19),
            ("AGW203", "warning", 20),
            ("AGW805", "error", 23),
        ],
        "",
    )


def test_ref_root_lets_refs_reach_a_sibling_folder(run_cli, project):
    # ref-root is relative to the pyproject.toml that sets it
    configure(project, 'ref-root = "."\n')
    assert lint(run_cli, project) == (1, [d for d in DEFAULT if d[0] != "AGW008"], "")


def test_fail_on_decides_the_exit_code(run_cli, project):
    configure(project, 'ref-root = "."\nseverity = { AGW203 = "warning" }\n')
    clean_of_errors = [
        ("AGW801", "warning", 7),
        ("AGW807", "warning", 19),
        ("AGW203", "warning", 20),
        ("AGW805", "warning", 23),
    ]
    assert lint(run_cli, project) == (0, clean_of_errors, "")
    configure(project, 'ref-root = "."\nseverity = { AGW203 = "warning" }\nfail-on = "warning"\n')
    assert lint(run_cli, project) == (1, clean_of_errors, "")
    # the command line wins over the file
    assert lint(run_cli, project, "--fail-on", "error") == (0, clean_of_errors, "")
    configure(project, 'ref-root = "."\nignore = ["AGW203", "AGW8"]\nfail-on = "info"\n')
    assert lint(run_cli, project) == (0, [], "")


def test_command_line_select_replaces_and_ignore_extends(run_cli, project):
    configure(project, 'select = ["AGW8"]\nignore = ["AGW805"]\n')
    assert lint(run_cli, project) == (
        1,
        [("AGW801", "warning", 7), ("AGW008", "error", 15), ("AGW807", "warning", 19)],
        "",
    )
    assert lint(run_cli, project, "--select", "AGW2", "--select", "AGW805") == (
        1,
        [("AGW008", "error", 15), ("AGW203", "error", 20)],  # AGW805 is still ignored by the file
        "",
    )
    assert lint(run_cli, project, "--ignore", "no-authorization") == (
        1,
        [("AGW008", "error", 15), ("AGW807", "warning", 19)],
        "",
    )
    assert lint(run_cli, project, "--ref-root", str(project)) == (
        0,
        [("AGW801", "warning", 7), ("AGW807", "warning", 19)],
        "",
    )


def test_config_option_names_the_file(run_cli, project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("conf") / "pyproject.toml"
    elsewhere.write_text('[tool.apigwc]\nselect = ["AGW203"]\n', encoding="utf-8")
    configure(project, 'select = ["AGW805"]\n')  # found by walking up, but --config wins
    assert lint(run_cli, project, "--config", str(elsewhere)) == (
        1,
        [("AGW008", "error", 15), ("AGW203", "error", 20)],
        "",
    )


@pytest.mark.parametrize(
    "toml,args,message",
    [
        (
            'select = ["AGW999"]\n',
            (),
            "select in {pyproject}: 'AGW999' matches no rule code or name (see 'apigwc rules')",
        ),
        (
            'ignore = ["no-authorisation"]\n',
            (),
            "ignore in {pyproject}: 'no-authorisation' matches no rule code or name (see 'apigwc rules')",
        ),
        (
            'severity = { AGW99 = "error" }\n',
            (),
            "severity in {pyproject}: 'AGW99' matches no rule code or name (see 'apigwc rules')",
        ),
        (
            "",
            ("--select", "AGW2", "--ignore", "nope"),
            "ignore in {pyproject}: 'nope' matches no rule code or name (see 'apigwc rules')",
        ),
        (
            'fail-on = "fatal"\n',
            (),
            "{pyproject}:5:1: fail-on: unknown severity 'fatal'; expected one of: error, warning, info",
        ),
        (
            'severity = { AGW203 = "loud" }\n',
            (),
            "{pyproject}:5:14: severity.AGW203: unknown severity 'loud'; expected one of: error, warning, info",
        ),
        (
            'selct = ["AGW2"]\n',
            (),
            "{pyproject}:5:1: unknown key(s) in [tool.apigwc]: selct (known: fail-on, ignore, per-file-ignores, ref-root, select, severity)",
        ),
        ("select = 3\n", (), "{pyproject}:5:1: select must be a list of strings"),
    ],
)
def test_bad_configuration_is_a_usage_error(run_cli, project, toml, args, message):
    pyproject = configure(project, toml)
    proc = run_cli("lint", "api/spec.yaml", *args, cwd=project)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "apigwc: error: " + message.format(pyproject=pyproject) + "\n"


def test_unknown_selector_on_the_command_line_without_a_file(run_cli, project):
    proc = run_cli("lint", "api/spec.yaml", "--select", "AGW999", cwd=project)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "apigwc: error: select: 'AGW999' matches no rule code or name (see 'apigwc rules')\n"


def test_a_pyproject_without_tool_apigwc_is_skipped(run_cli, project):
    (project / "pyproject.toml").write_text('[project]\nname = "pets"\n', encoding="utf-8")
    assert lint(run_cli, project) == (1, DEFAULT, "")


# --------------------------------------------------------------------------------------
# Inline suppressions: x-apigwc-ignore on a node silences codes at and under that node

INLINE = """\
openapi: 3.0.3
info:
  title: Pets
  version: "1.0"
paths:
  /pets:
    get:
      operationId: listPets
      x-apigwc-ignore: [{get}]
      responses:
        "200":
          description: The pets.
      x-amazon-apigateway-integration:
        x-apigwc-ignore: [{integration}]
        type: http_proxy
        httpMethod: GET
        uri: http://backend.example.com/pets
  /owners:
    get:
      operationId: listOwners
      responses:
        "200":
          description: The owners.
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://backend.example.com/owners
"""


def inline(tmp_path: Path, get: str, integration: str) -> list[tuple[str, int, str]]:
    path = tmp_path / "spec.yaml"
    path.write_text(INLINE.replace("{get}", get).replace("{integration}", integration), encoding="utf-8")
    result = lint_file(path, "spec.yaml", Config())
    return [(d.code, d.span.line, d.message) for d in result.diagnostics]


OWNERS = [
    ("AGW801", 19, "GET /owners has no authorization and requires no API key: anyone can call it"),
    (
        "AGW807",
        27,
        "the integration of GET /owners calls its backend over plain HTTP: 'http://backend.example.com/owners'",
    ),
]


def test_inline_ignore_by_name_and_by_code_silences_only_that_node(tmp_path):
    # AGW801 sits on the operation, AGW807 under its integration; /owners keeps both
    assert inline(tmp_path, "no-authorization", "AGW807") == OWNERS


def test_inline_ignore_does_not_leak_upwards_or_to_other_codes(tmp_path):
    # an ignore on the integration does not reach the operation's own finding
    assert inline(tmp_path, "AGW203", "no-authorization") == [
        ("AGW801", 7, "GET /pets has no authorization and requires no API key: anyone can call it"),
        (
            "AGW807",
            17,
            "the integration of GET /pets calls its backend over plain HTTP: 'http://backend.example.com/pets'",
        ),
        *OWNERS,
    ]


def test_inline_ignore_all(tmp_path):
    assert inline(tmp_path, "ALL", "ALL") == OWNERS


def test_unknown_inline_entry_is_reported_and_ignores_nothing(tmp_path):
    assert inline(tmp_path, "no-authorisation", "AGW8070") == [
        ("AGW801", 7, "GET /pets has no authorization and requires no API key: anyone can call it"),
        ("AGW018", 9, "x-apigwc-ignore entry 'no-authorisation' is not a rule code or name"),
        ("AGW018", 14, "x-apigwc-ignore entry 'AGW8070' is not a rule code or name"),
        (
            "AGW807",
            17,
            "the integration of GET /pets calls its backend over plain HTTP: 'http://backend.example.com/pets'",
        ),
        *OWNERS,
    ]


@pytest.mark.parametrize(
    "toml,severity",
    [
        ("", "warning"),
        ('ignore = ["AGW923"]\n', None),
        ('severity = { deploy-nothing-to-deploy = "error" }\n', "error"),
        ('severity = { cfn-nothing-to-deploy = "info" }\n', "info"),
    ],
)
def test_a_retired_code_in_a_configuration_means_the_code_it_became(run_cli, tmp_path, toml, severity):
    """AGW923 and both old names of AGW907 were folded into AGW907 (`Code.formerly`): a
    configuration written for them keeps working on AGW907 instead of failing as unknown."""
    (tmp_path / "spec.yaml").write_text(
        "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n"
        "      responses: {'200': {description: ok}}\n"
        "      x-amazon-apigateway-integration: {type: mock}\n",  # no x-apigwc stages: AGW907
        encoding="utf-8",
    )
    configure(tmp_path, toml)
    proc = run_cli("emit", "spec.yaml", "--target", "cfn", "-o", "out.yaml", cwd=tmp_path)
    found = [line.split()[2] for line in proc.stderr.splitlines() if " AGW907 " in line]
    assert found == ([severity] if severity else []), proc.stderr
    assert proc.returncode == (1 if severity == "error" else 0), proc.stderr
