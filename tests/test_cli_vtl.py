"""``apigwc vtl render``: exact output, exit codes and messages, through a real subprocess."""

from __future__ import annotations

import json
from pathlib import Path


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def test_render_prints_exactly_the_output(run_cli, tmp_path: Path) -> None:
    template = write(
        tmp_path / "t.vtl",
        '#set($n = $input.path(\'$.n\'))\n{"id": "$input.params(\'id\')", "n": $n, "s": "$stageVariables.env"}',
    )
    request = write(
        tmp_path / "r.json",
        json.dumps({"body": '{"n": 3}', "path": {"id": "p-1"}, "stageVariables": {"env": "dev"}}),
    )
    result = run_cli("vtl", "render", str(template), "--request", str(request))
    assert result.returncode == 0, result.stderr
    assert result.stdout == '{"id": "p-1", "n": 3, "s": "dev"}'
    assert result.stderr == ""


def test_render_keeps_the_template_trailing_newline_and_unicode(run_cli, tmp_path: Path) -> None:
    template = write(tmp_path / "t.vtl", "café $util.escapeJavaScript('é')\n")
    result = run_cli("vtl", "render", str(template))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "café \\u00E9\n"


def test_context_overrides(run_cli, tmp_path: Path) -> None:
    template = write(tmp_path / "t.vtl", "$context.requestId $context.identity.sourceIp $context.stage")
    request = write(
        tmp_path / "r.json",
        json.dumps({"context": {"requestId": "r-1", "identity.sourceIp": "10.0.0.9", "stage": "prod"}}),
    )
    result = run_cli("vtl", "render", str(template), "-r", str(request))
    assert (result.returncode, result.stdout) == (0, "r-1 10.0.0.9 prod")


def test_template_error_exits_1_with_position(run_cli, tmp_path: Path) -> None:
    template = write(tmp_path / "t.vtl", '{\n  "a": #if($x \n}')
    result = run_cli("vtl", "render", str(template))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"{template}:2:14: error: syntax error in parenthesized expression: expected ), found ' '\n"


def test_limit_error_exits_1(run_cli, tmp_path: Path) -> None:
    template = write(tmp_path / "t.vtl", "#foreach($i in [0..1000])$i#end")
    result = run_cli("vtl", "render", str(template))
    assert result.returncode == 1
    assert (
        result.stderr
        == f"{template}:1:1: error: #foreach over 1,001 items: API Gateway allows at most 1,000 iterations\n"
    )


def test_missing_template_exits_2(run_cli, tmp_path: Path) -> None:
    result = run_cli("vtl", "render", str(tmp_path / "nope.vtl"))
    assert result.returncode == 2
    assert result.stderr == f"apigwc: error: cannot read '{tmp_path / 'nope.vtl'}': No such file or directory\n"


def test_bad_request_file_exits_2(run_cli, tmp_path: Path) -> None:
    template = write(tmp_path / "t.vtl", "x")
    bad_json = write(tmp_path / "bad.json", "{nope")
    result = run_cli("vtl", "render", str(template), "--request", str(bad_json))
    assert result.returncode == 2
    assert result.stderr.startswith(f"apigwc: error: '{bad_json}' is not a JSON document:")
    unknown = write(tmp_path / "unknown.json", json.dumps({"headers": {}}))
    result = run_cli("vtl", "render", str(template), "--request", str(unknown))
    assert result.returncode == 2
    assert "unknown key 'headers' in the request file" in result.stderr
    wrong = write(tmp_path / "wrong.json", json.dumps({"body": {"a": 1}}))
    result = run_cli("vtl", "render", str(template), "--request", str(wrong))
    assert (result.returncode, result.stderr) == (
        2,
        f"apigwc: error: {wrong}: 'body' must be a string (the raw payload); use json.dumps for a JSON body\n",
    )


def test_help_has_an_example(run_cli) -> None:
    result = run_cli("vtl", "render", "--help")
    assert result.returncode == 0
    assert "apigwc vtl render request.vtl --request request.json" in result.stdout
