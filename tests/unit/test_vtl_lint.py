"""Template lint (AGW250-252): findings located inside the template, at the right spot of the spec file.

The tests/rules/AGW25x folders are checked here too (bad.yaml gives exactly
bad.expected.txt for the code, good.yaml gives nothing), through the real pipeline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from apigwc.pipeline import lint_file
from apigwc.vtl.lint import IssueKind, check_template

RULES = Path(__file__).resolve().parents[1] / "rules"


def _lines(path: Path, code: str) -> list[str]:
    out = []
    for d in lint_file(path, path.name).diagnostics:
        if d.code != code:
            continue
        s = d.span
        line = f"{s.file}:{s.line}:{s.col}: {d.code} {d.severity.label} {d.message}"
        out.append(line + (f" -- hint: {d.hint}" if d.hint else ""))
    return out


@pytest.mark.parametrize("code", ["AGW250", "AGW251", "AGW252"])
def test_rule_folder(code: str) -> None:
    folder = RULES / code
    expected = (folder / "bad.expected.txt").read_text(encoding="utf-8").splitlines()
    assert _lines(folder / "bad.yaml", code) == expected
    assert _lines(folder / "good.yaml", code) == []


def test_check_template_reports_kinds_in_order() -> None:
    issues = check_template('$util.foo("x") #include("a") $input.bar')
    assert [(i.kind, i.offset) for i in issues] == [
        (IssueKind.UNKNOWN_METHOD, 6),
        (IssueKind.UNSUPPORTED_DIRECTIVE, 15),
        (IssueKind.UNKNOWN_METHOD, 36),
    ]


def test_oversized_template_is_left_to_agw709() -> None:
    assert check_template("x" * (300 * 1024 + 1)) == []


SPEC_HEAD = """openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /p:
    get:
      x-apigwc-ignore: [no-authorization]
      responses: {"200": {description: OK}}
      x-amazon-apigateway-integration:
        type: mock
        passthroughBehavior: never
        responses: {default: {statusCode: "200"}}
        requestTemplates:
"""


@pytest.mark.parametrize(
    "value, line, col",
    [
        # single-quoted: '' is one quote character
        (
            '          application/json: \'{"statusCode": 200, "a": "$input.params(\'\'a\'\')", "b": "$util.nope()"}\'\n',
            13,
            91,
        ),
        # plain scalar folded over two lines
        (
            '          application/json: {"statusCode": 200}\n          text/plain: x y\n            $util.nope()\n',
            15,
            19,
        ),
        # block scalar with extra indentation inside
        (
            '          application/json: |-\n            {"statusCode": 200,\n               "x": "$util.nope()"}\n',
            15,
            28,
        ),
    ],
)
def test_positions_in_yaml_scalars(tmp_path: Path, value: str, line: int, col: int) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC_HEAD + value, encoding="utf-8")
    found = [(d.span.line, d.span.col) for d in lint_file(spec, "spec.yaml").diagnostics if d.code == "AGW251"]
    assert found == [(line, col)]
    text_line = spec.read_text(encoding="utf-8").splitlines()[line - 1]
    assert text_line[col - 1 : col - 1 + 4] == "nope"


def test_positions_in_json_strings_with_escapes(tmp_path: Path) -> None:
    import json

    template = '{"statusCode": 200,\n "q": "$input.params(\'q\')",\n "x": "$util.nope()"}'
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/p": {
                "get": {
                    "x-apigwc-ignore": ["no-authorization"],
                    "responses": {"200": {"description": "OK"}},
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "passthroughBehavior": "never",
                        "responses": {"default": {"statusCode": "200"}},
                        "requestTemplates": {"application/json": template},
                    },
                }
            }
        },
    }
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    diags = [d for d in lint_file(spec, "spec.json").diagnostics if d.code == "AGW251"]
    assert len(diags) == 1
    d = diags[0]
    text_line = spec.read_text(encoding="utf-8").splitlines()[d.span.line - 1]
    assert text_line[d.span.col - 1 : d.span.col + 3] == "nope"
