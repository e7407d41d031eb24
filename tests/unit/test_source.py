"""Source loading: positions, and a diagnostic (never a traceback) for every malformed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from apigwc.diagnostics import Diagnostics
from apigwc.source import open_sources


def load(tmp_path: Path, name: str, content: bytes | str):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    diags = Diagnostics()
    sources = open_sources(path, name, diags)
    return sources, [
        (d.code, d.span.line if d.span else None, d.span.col if d.span else None, d.message) for d in diags
    ]


def test_yaml_positions_of_keys_and_values(tmp_path):
    sources, diags = load(tmp_path, "a.yaml", "openapi: 3.0.3\npaths:\n  /pets:\n    get:\n      operationId: list\n")
    assert diags == []
    doc = sources.main
    assert doc.span("/paths/~1pets/get/operationId") is not None
    v = doc.span("/paths/~1pets/get/operationId")
    k = doc.span("/paths/~1pets/get/operationId", at_key=True)
    assert (v.line, v.col, k.line, k.col) == (5, 20, 5, 7)


def test_json_positions_are_lazy_and_exact(tmp_path):
    sources, diags = load(
        tmp_path, "a.json", '{\n  "paths": {\n    "/pets": {"get": {"operationId": "list"}}\n  }\n}\n'
    )
    assert diags == []
    v = sources.main.span("/paths/~1pets/get/operationId")
    k = sources.main.span("/paths/~1pets/get", at_key=True)
    assert (v.line, v.col, v.end_col) == (3, 38, 44)
    assert (k.line, k.col) == (3, 15)


def test_missing_pointer_falls_back_to_deepest_ancestor(tmp_path):
    sources, _ = load(tmp_path, "a.yaml", "a:\n  b: 1\n")
    assert sources.main.span("/a/zzz").line == 2


@pytest.mark.parametrize(
    "name,content,expected",
    [
        (
            "dup.yaml",
            "a: 1\nb: 2\na: 3\n",
            [("AGW002", 3, 1, "duplicate key 'a' (first defined at line 1); the last value wins")],
        ),
        (
            "dup.json",
            '{"a": 1,\n "a": 2}',
            [("AGW002", 2, 2, "duplicate key 'a' (first defined at line 1); the last value wins")],
        ),
        (
            "dup3.json",
            '{"x": {"a": 1,\n "b": 2,\n "a": 3,\n "a": 4}}',
            [
                ("AGW002", 3, 2, "duplicate key 'a' (first defined at line 1); the last value wins"),
                ("AGW002", 4, 2, "duplicate key 'a' (first defined at line 1); the last value wins"),
            ],
        ),
        (
            "bad.yaml",
            "a: [1, 2\nb: 3\n",
            [
                (
                    "AGW001",
                    2,
                    2,
                    "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence that starts at line 1, column 4)",
                )
            ],
        ),
        (
            "bad.json",
            '{"a": 1,,}',
            [("AGW001", 1, 9, "invalid JSON: Expecting property name enclosed in double quotes")],
        ),
        ("empty.yaml", "", [("AGW004", 1, 1, "the file is empty")]),
        ("comments.yaml", "# only a comment\n", [("AGW004", 1, 1, "the file holds no YAML document (only comments?)")]),
        (
            "list.yaml",
            "- a\n- b\n",
            [
                (
                    "AGW005",
                    1,
                    1,
                    "the document root must be a mapping (OpenAPI: 'openapi' or 'swagger', 'info' and 'paths'; "
                    "a CloudFormation or SAM template: 'Resources'); found a sequence",
                )
            ],
        ),
        ("latin1.yaml", b"info:\n  title: caf\xe9\n", [("AGW003", 2, 13, "byte 0xE9 is not valid UTF-8")]),
        (
            "two.yaml",
            "a: 1\n---\nb: 2\n",
            [
                (
                    "AGW001",
                    2,
                    1,
                    "invalid YAML: the file holds more than one YAML document; an OpenAPI file holds exactly one",
                )
            ],
        ),
        (
            "recursive.yaml",
            "a: &x [*x]\n",
            [("AGW006", 1, 4, "a YAML alias refers to a node that contains it (recursive alias)")],
        ),
        ("tag.yaml", "a: !Env HOME\n", [("AGW007", 1, 4, "unknown YAML tag '!Env' is ignored")]),
    ],
)
def test_malformed_inputs_get_one_located_diagnostic(tmp_path, name, content, expected):
    _, diags = load(tmp_path, name, content)
    assert diags == expected


def test_alias_bomb_is_refused(tmp_path):
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    sources, diags = load(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    assert sources is None
    # a0..a4 are small; repeating a4 (line 5) ten times in a5 crosses the limit
    assert diags == [
        (
            "AGW006",
            5,
            5,
            "the aliases of this anchor take the document past 1,000,000 nodes; refusing to expand it (alias bomb?)",
        )
    ]


def test_utf8_bom_is_accepted(tmp_path):
    sources, diags = load(tmp_path, "bom.yaml", b"\xef\xbb\xbfopenapi: 3.0.3\n")
    assert diags == [] and sources.main.data == {"openapi": "3.0.3"}


def test_yaml_scalars_follow_the_core_schema(tmp_path):
    sources, _ = load(
        tmp_path,
        "s.yaml",
        "a: yes\nb: 2021-01-01\nc: 200\nd: 1.5\ne: ~\nf: true\ng: '200'\n200: ok\nh: !Ref Foo\ni: !GetAtt Fn.Arn\nj: !Sub 'x-${AWS::Region}'\n",
    )
    assert sources.main.data == {
        "a": "yes",
        "b": "2021-01-01",
        "c": 200,
        "d": 1.5,
        "e": None,
        "f": True,
        "g": "200",
        "200": "ok",
        "h": {"Ref": "Foo"},
        "i": {"Fn::GetAtt": ["Fn", "Arn"]},
        "j": {"Fn::Sub": "x-${AWS::Region}"},
    }


def test_merge_keys(tmp_path):
    sources, diags = load(tmp_path, "m.yaml", "base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n")
    assert diags == []
    assert sources.main.data["child"] == {"x": 1, "y": 3}


def _ref_spec(tmp_path: Path, ref: str) -> tuple:

    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "schemas.yaml").write_text(
        "Pet:\n  type: object\nLoop:\n  $ref: '#/Loop2'\nLoop2:\n  $ref: '#/Loop'\n"
    )
    (tmp_path / "outside.yaml").write_text("X: {}\n")
    spec = tmp_path / "spec" / "api.yaml"
    spec.write_text(f"openapi: 3.0.3\ncomponents:\n  schemas:\n    A:\n      $ref: '{ref}'\n")
    diags = Diagnostics()
    sources = open_sources(spec, "spec/api.yaml", diags)
    resolved = sources.resolve(ref, "/components/schemas/A")
    return resolved, [(d.code, d.message) for d in diags], sources


def test_ref_into_local_file_resolves_with_a_location(tmp_path):
    resolved, diags, sources = _ref_spec(tmp_path, "schemas.yaml#/Pet")
    assert diags == []
    assert resolved.value == {"type": "object"} and resolved.location == "schemas.yaml#/Pet"
    span = sources.locate(resolved.location)
    assert (span.file, span.line) == ("spec/schemas.yaml", 2)


@pytest.mark.parametrize(
    "ref,message",
    [
        ("../outside.yaml#/X", "leaves the spec's folder tree"),
        ("https://example.com/x.yaml#/X", "remote $ref 'https://example.com/x.yaml#/X' is not fetched"),
        ("nope.yaml#/X", "no such file"),
        ("schemas.yaml#/Pett", "points to nothing"),
        ("schemas.yaml#/Loop", "$ref cycle"),
    ],
)
def test_bad_refs_are_reported_not_raised(tmp_path, ref, message):
    resolved, diags, _ = _ref_spec(tmp_path, ref)
    assert resolved is None
    assert len(diags) == 1 and diags[0][0] == "AGW008" and message in diags[0][1]
