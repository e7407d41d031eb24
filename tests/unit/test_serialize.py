"""The deterministic YAML writer: whatever it writes reads back as the same data (YAML 1.1 and 1.2)."""

from __future__ import annotations

import json

import pytest
from ruamel.yaml import YAML

from apigwc.targets.base import OutputFormat, serialize, to_yaml

TRICKY = [
    "",
    " ",
    "plain",
    "200",
    "0755",
    "0o17",
    "0x1F",
    "1_000",
    "1:20",
    "2001-12-14",
    "1e5",
    "+1",
    ".5",
    ".inf",
    "-.inf",
    ".NaN",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "true",
    "False",
    "null",
    "~",
    "=",
    "<<",
    "-",
    "- x",
    "-x",
    "?",
    "? x",
    ":",
    "a:",
    "a: b",
    "a:b",
    "x #y",
    "x#y",
    "#x",
    "&a",
    "*a",
    "!Ref x",
    "%x",
    "@x",
    "`x",
    "|x",
    ">x",
    "[x]",
    "{x}",
    "{proxy+}",
    "'q'",
    '"q"',
    "a, b",
    "lead ",
    " trail",
    "\tx",
    "x\t",
    "a\tb",
    "\n",
    "\n\n",
    "a\n",
    "a\nb",
    "a\nb\n",
    "a\n\nb\n\n",
    " a\nb",
    "a \nb",
    "a\n \nb",
    "a\r\nb",
    "\x07",
    "\u00a0",
    "\ufeffx",
    "\u2028",
    "café ✓",
    "$input.json('$')",
    "${AWS::Region}",
    "/~1pets~1{id}",
    "/*",
    "*",
    '#set($x = 1)\n#if($x)\n  {"a": $x}\n#end\n',
    "x" * 500,
    "\\",
    "\\n",
    "a\\b",
    "...",
    "... x",
    "---",
    "--- x",
    "$ref",
    "(x)",
    "/",
]


@pytest.mark.parametrize("version", [(1, 1), (1, 2)], ids=["yaml1.1", "yaml1.2"])
def test_strings_round_trip(version):
    data = {
        "values": TRICKY,
        "keys": {s: i for i, s in enumerate(TRICKY)},
        "nested": [[TRICKY[:3]], {"a": {"b": TRICKY[-5:]}}],
    }
    text = to_yaml(data)
    loader = YAML(typ="safe", pure=True)
    loader.version = version
    assert loader.load(text) == data


def test_scalars_and_empty_collections():
    data = {"n": None, "t": True, "f": False, "i": -3, "x": 1.5, "e": {}, "l": [], "deep": [{}, [], [[1]]]}
    # "n" is quoted: YAML 1.1 (CloudFormation) reads a plain n as false
    assert (
        to_yaml(data) == '"n": null\nt: true\nf: false\ni: -3\nx: 1.5\ne: {}\nl: []\ndeep:\n  - {}\n  - []\n  - - - 1\n'
    )
    assert YAML(typ="safe", pure=True).load(to_yaml(data)) == data


def test_multi_line_strings_are_literal_blocks():
    text = to_yaml({"t": "line 1\n  line 2\n", "k": "a\nb"})
    assert text == "t: |\n  line 1\n    line 2\nk: |-\n  a\n  b\n"


def test_json_format_and_final_newline():
    assert serialize({"a": [1, "x"]}, OutputFormat.json) == json.dumps({"a": [1, "x"]}, indent=2) + "\n"
    assert serialize({"a": 1}, OutputFormat.yaml) == "a: 1\n"


def test_non_string_keys_are_refused():
    with pytest.raises(TypeError):
        to_yaml({1: "x"})
