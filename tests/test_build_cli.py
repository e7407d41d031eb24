"""`apigwc build` and `apigwc emit`: real subprocesses, real files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from apigwc import output
from support import ROOT, SPECS, golden_bundle, tree

CASES = ROOT / "tests" / "cases"

BAD_SPEC = """\
openapi: 3.0.3
info: {title: Bad, version: "1"}
paths:
  /pets:
    get:
      responses:
        "200": {description: ok}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: GET
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:F/invocations
"""


BUILD_FILES = (
    "deploy-plan.json",
    "deploy-plan.txt",
    "local/README.md",
    "local/gateway.json",
    "openapi.yaml",
    "template.yaml",
)


def test_build_writes_every_target_and_prints_the_summary(run_cli, tmp_path):
    out = tmp_path / "out"
    r = run_cli("build", "specs/petstore-lambda.yaml", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert tree(out / "petstore") == {
        "deploy-plan.json": (CASES / "petstore-lambda" / "deploy-plan.json").read_bytes(),
        "deploy-plan.txt": (CASES / "petstore-lambda" / "deploy-plan.txt").read_bytes(),
        "local/README.md": (CASES / "petstore-lambda" / "local" / "README.md").read_bytes(),
        "local/gateway.json": golden_bundle("petstore-lambda", out / "petstore" / "local"),
        "openapi.yaml": (CASES / "petstore-lambda" / "openapi.yaml").read_bytes(),
        "template.yaml": (CASES / "petstore-lambda" / "template.explicit.yaml").read_bytes(),
    }
    assert r.stdout == (
        f"PetStore -> {out / 'petstore'} (deploy-plan.json, deploy-plan.txt, local/, openapi.yaml, template.yaml)\n"
        "/\n"
        "└── pets  GET POST\n"
        "    └── {petId}  DELETE GET\n"
        "3 resources, 4 methods, 3 models, 0 authorizers, 4 Lambda permissions\n"
        "integrations: AWS_PROXY 4\n"
        "stages: prod\n"
    )
    assert r.stderr == ""


def test_build_body_style(run_cli, tmp_path):
    r = run_cli("build", "specs/users.yaml", "--out", str(tmp_path), "--cfn-style", "body")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "users" / "template.yaml").read_bytes() == (CASES / "users" / "template.body.yaml").read_bytes()


def test_build_output_is_byte_identical_across_runs_and_hash_seeds(run_cli, tmp_path):
    runs = []
    for seed in ("1", "12345"):
        out = tmp_path / f"seed{seed}"
        r = run_cli("build", "specs", "--out", str(out), env={"PYTHONHASHSEED": seed})
        assert r.returncode == 0, r.stderr
        runs.append(tree(out))
    assert runs[0] == runs[1]
    assert sorted(runs[0]) == [f"{api}/{f}" for api in ("notes", "orders", "petstore", "users") for f in BUILD_FILES]


def test_build_check_exit_codes(run_cli, tmp_path):
    out = tmp_path / "out"
    r = run_cli("build", "--check", "specs/users.yaml", "--out", str(out))
    assert r.returncode == 1
    assert r.stderr.endswith(
        f"apigwc: {out / 'users'} is stale ({', '.join(BUILD_FILES)}); run 'apigwc build specs/users.yaml'\n"
    )
    assert not out.exists()  # --check writes nothing
    assert run_cli("build", "specs/users.yaml", "--out", str(out)).returncode == 0
    before = tree(out)
    r = run_cli("build", "--check", "specs/users.yaml", "--out", str(out))
    assert (r.returncode, r.stdout) == (0, f"{out / 'users'} is up to date\n")
    (out / "users" / "template.yaml").write_text("edited\n")
    (out / "users" / "notes.txt").write_text("extra\n")
    r = run_cli("build", "--check", "specs/users.yaml", "--out", str(out))
    assert r.returncode == 1
    assert r.stderr.endswith(
        f"apigwc: {out / 'users'} is stale (template.yaml, notes.txt); run 'apigwc build specs/users.yaml'\n"
    )
    assert tree(out)["users/template.yaml"] == b"edited\n"
    # a build replaces the folder: the stray file goes, the template is restored
    assert run_cli("build", "specs/users.yaml", "--out", str(out)).returncode == 0
    assert tree(out) == before


def test_a_spec_with_lint_errors_stops_before_writing(run_cli, tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text(BAD_SPEC)
    out = tmp_path / "out"
    r = run_cli("build", str(spec), "--out", str(out))
    assert r.returncode == 1
    assert f"{spec}:10:21: AGW201 error Lambda integrations must use httpMethod POST, found GET" in r.stderr
    assert r.stderr.rstrip().endswith(
        f"apigwc: {spec}: 1 error; nothing was written (run 'apigwc lint {spec}' for every finding)"
    )
    assert r.stdout == "" and not out.exists()
    r = run_cli("emit", "--target", "cfn", str(spec), "-o", str(tmp_path / "t.yaml"))
    assert r.returncode == 1 and "AGW201" in r.stderr and not (tmp_path / "t.yaml").exists()


def test_a_failed_build_keeps_the_previous_output(run_cli, tmp_path):
    spec = tmp_path / "api.yaml"
    spec.write_text((SPECS / "users.yaml").read_text())
    out = tmp_path / "out"
    assert run_cli("build", str(spec), "--out", str(out)).returncode == 0
    before = tree(out)
    spec.write_text((SPECS / "users.yaml").read_text().replace("type: mock", "type: mock-ish", 1))
    assert run_cli("build", str(spec), "--out", str(out)).returncode == 1
    assert tree(out) == before


def test_usage_and_io_errors_exit_2(run_cli, tmp_path):
    r = run_cli("build", str(tmp_path / "missing.yaml"))
    assert (r.returncode, r.stderr) == (
        2,
        f"apigwc: error: cannot read '{tmp_path / 'missing.yaml'}': no such file or directory\n",
    )
    r = run_cli("build")
    assert (r.returncode, r.stderr) == (
        2,
        "apigwc: error: give at least one OpenAPI file, e.g. 'apigwc build openapi.yaml'\n",
    )
    r = run_cli("emit", "--target", "terraform", "specs/users.yaml")
    assert r.returncode == 2 and "'terraform' is not one of 'cfn', 'openapi'" in r.stderr
    r = run_cli("emit", "--target", "cfn", str(tmp_path / "nope.yaml"))
    assert (r.returncode, r.stderr) == (
        2,
        f"apigwc: error: cannot read '{tmp_path / 'nope.yaml'}': no such file or directory\n",
    )
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = run_cli("build", "specs/users.yaml", "--out", str(blocker))
    assert (r.returncode, r.stderr) == (2, f"apigwc: error: --out '{blocker}' is a file, not a folder\n")


def test_two_specs_with_one_api_name_are_refused(run_cli, tmp_path):
    (tmp_path / "a.yaml").write_text((SPECS / "users.yaml").read_text())
    (tmp_path / "b.yaml").write_text((SPECS / "users.yaml").read_text())
    r = run_cli("build", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "--out", str(tmp_path / "out"))
    assert r.returncode == 2
    assert r.stderr.endswith(
        f"apigwc: error: '{tmp_path / 'b.yaml'}' and '{tmp_path / 'a.yaml'}' both build into {tmp_path / 'out' / 'users'}; give the APIs different titles\n"
    )


def test_emit_to_stdout_and_to_a_file(run_cli, tmp_path):
    r = run_cli("emit", "--target", "cfn", "specs/secure-api.yaml")
    assert r.returncode == 0
    assert r.stdout == (CASES / "secure-api" / "template.explicit.yaml").read_text()
    assert r.stderr == ""
    r = run_cli("emit", "--target", "cfn", "tests/rules/AGW901/bad.yaml")
    assert r.returncode == 0
    assert "AGW901 warning model 'Error' clashes" in r.stderr  # target warnings go to stderr
    r = run_cli("emit", "-t", "openapi", "specs/secure-api.yaml", "-o", str(tmp_path / "x" / "export.yaml"))
    assert (r.returncode, r.stdout) == (0, "")
    assert (tmp_path / "x" / "export.yaml").read_text() == (CASES / "secure-api" / "openapi.yaml").read_text()
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["export.yaml"]  # no temp file left
    r = run_cli("emit", "-t", "cfn", "--cfn-style", "body", "--format", "json", "specs/users.yaml")
    assert r.returncode == 0 and r.stdout.startswith('{\n  "AWSTemplateFormatVersion": "2010-09-09",')


def test_help_shows_examples(run_cli):
    for command in ("build", "emit"):
        r = run_cli(command, "--help")
        assert r.returncode == 0 and "Examples:" in r.stdout and f"apigwc {command}" in r.stdout


def test_rules_lists_the_target_codes(run_cli):
    r = run_cli("rules")
    assert "AGW901  cfn-builtin-model-name" in r.stdout and "AGW904  lambda-permission-unresolved" in r.stdout


# ----------------------------------------------------------------------------------------
# Atomic writes, in process


def test_an_error_mid_write_leaves_the_previous_output_and_no_temp_folder(tmp_path, monkeypatch):
    output.write_outputs(tmp_path, "api", {"a.txt": "old a\n", "b.txt": "old b\n"})
    real = output.write_file
    calls = []

    def failing(path: Path, text: str) -> None:
        calls.append(path.name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(path, text)

    monkeypatch.setattr(output, "write_file", failing)
    with pytest.raises(OSError):
        output.write_outputs(tmp_path, "api", {"a.txt": "new a\n", "b.txt": "new b\n"})
    assert calls == ["a.txt", "b.txt"]
    assert tree(tmp_path) == {"api/a.txt": b"old a\n", "api/b.txt": b"old b\n"}


def test_leftovers_of_a_killed_build_are_cleaned_or_restored(tmp_path):
    output.write_outputs(tmp_path, "api", {"a.txt": "v1\n"})
    # killed while writing: a temp folder remains
    (tmp_path / ".api.tmp-dead").mkdir()
    (tmp_path / ".api.tmp-dead" / "a.txt").write_text("partial")
    # killed between the two renames of the fallback path: only the old folder remains
    os.rename(tmp_path / "api", tmp_path / ".api.old-12345678")
    output.write_outputs(tmp_path, "other", {"x.txt": "x\n"})  # another API's build does not touch them
    assert (tmp_path / ".api.tmp-dead").exists()
    output.write_outputs(tmp_path, "api", {"a.txt": "v2\n"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["api", "other"]
    assert tree(tmp_path / "api") == {"a.txt": b"v2\n"}


def test_replacing_without_atomic_exchange_uses_the_fallback(tmp_path, monkeypatch):
    output.write_outputs(tmp_path, "api", {"a.txt": "v1\n"})
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    output.write_outputs(tmp_path, "api", {"b.txt": "v2\n"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["api"]
    assert tree(tmp_path / "api") == {"b.txt": b"v2\n"}


def test_stale_files_lists_missing_changed_and_extra(tmp_path):
    output.write_outputs(tmp_path, "api", {"a.txt": "a\n", "sub/b.txt": "b\n"})
    assert output.stale_files(tmp_path / "api", {"a.txt": "a\n", "sub/b.txt": "b\n"}) == []
    (tmp_path / "api" / "c.txt").write_text("c")
    assert output.stale_files(tmp_path / "api", {"a.txt": "A\n", "sub/b.txt": "b\n", "d.txt": ""}) == [
        "a.txt",
        "d.txt",
        "c.txt",
    ]
    shutil.rmtree(tmp_path / "api")
    assert output.stale_files(tmp_path / "api", {"a.txt": "a\n"}) == ["a.txt"]
