"""The YAML writer (targets.base.to_yaml) against two YAML libraries: whatever it writes, ruamel.yaml
(YAML 1.2) and PyYAML (YAML 1.1, as CloudFormation and cfn-lint read it) load back to identical data.

Two sets of documents: every file of the corpus and of specs/ (their parsed data, a wide
sample of real strings and numbers), and every document apigwc emits for the specs that
compile (CloudFormation in both styles, the OpenAPI export), compared with the JSON
emission of the same target.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml as pyyaml
from ruamel.yaml import YAML

from apigwc.config import Config
from apigwc.diagnostics import Diagnostics
from apigwc.pipeline import compile_file, emit_target
from apigwc.source import load_document
from apigwc.targets import CfnStyle, EmitOptions, OutputFormat
from apigwc.targets.base import to_yaml
from support import CORPUS, SPECS, corpus_files

SOURCES = corpus_files("real") + corpus_files("sam") + corpus_files("large") + sorted(SPECS.glob("*.yaml"))
_RUAMEL = YAML(typ="safe", pure=False)


def _normal(value):
    """Data as JSON sees it (NaN made comparable)."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def assert_loads_back(text: str, data, where: str) -> None:
    expected = _normal(data)
    assert _normal(_RUAMEL.load(text)) == expected, f"{where}: ruamel.yaml reads different data"
    assert _normal(pyyaml.load(text, Loader=pyyaml.CSafeLoader)) == expected, (
        f"{where}: PyYAML (YAML 1.1) reads different data"
    )


def _scalars(value, out: dict) -> None:
    """Every distinct key and scalar of a document (type-tagged, so 1 and 1.0 and True stay apart)."""
    if isinstance(value, dict):
        for k, v in value.items():
            out[("str", k)] = k
            _scalars(v, out)
    elif isinstance(value, list):
        for v in value:
            _scalars(v, out)
    else:
        out[(type(value).__name__, repr(value))] = value


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(CORPUS) if CORPUS in p.parents else p.name))
def test_every_corpus_document_round_trips(path: Path):
    if "large" in path.parts:  # a plain C loader: apigwc's own (with its source map) is slower, and not under test
        raw = json.loads(path.read_bytes()) if path.suffix == ".json" else _RUAMEL.load(path.read_text("utf-8"))
    else:
        doc = load_document(path, str(path), Diagnostics())
        if doc is None or not isinstance(doc.data, (dict, list)):
            pytest.skip("not a YAML/JSON document apigwc reads")
        raw = doc.data
    data = json.loads(json.dumps(raw, default=str))  # JSON-shaped, as the targets build it
    if "large" in path.parts:
        # the large files' structure is like the others'; what they add is volume of scalars:
        # write each distinct key and value once (in a list and as mapping keys), not 10 MB of them
        found: dict = {}
        _scalars(data, found)
        values = [found[k] for k in sorted(found, key=repr)]
        data = {"values": values, "keys": {v: i for i, v in enumerate(values) if isinstance(v, str)}}
    assert_loads_back(to_yaml(data), data, str(path))


EMITTED = [p for p in SOURCES if "large" not in p.parts]


@pytest.mark.parametrize("path", EMITTED, ids=lambda p: str(p.relative_to(CORPUS) if CORPUS in p.parents else p.name))
def test_every_emitted_document_round_trips(path: Path):
    compiled = compile_file(path, str(path), Config())
    if not compiled.ok:
        pytest.skip("does not compile (lint errors)")
    for target, style in (("cfn", CfnStyle.explicit), ("cfn", CfnStyle.body), ("openapi", CfnStyle.explicit)):
        as_yaml, _ = emit_target(compiled, target, EmitOptions(format=OutputFormat.yaml, cfn_style=style))
        as_json, _ = emit_target(compiled, target, EmitOptions(format=OutputFormat.json, cfn_style=style))
        (text,) = as_yaml.values()
        (reference,) = as_json.values()
        assert_loads_back(text, json.loads(reference), f"{path} {target} {style.value}")


@pytest.mark.parametrize(
    "value,written",
    [
        (1e-05, "1.0e-05"),
        (1e20, "1.0e+20"),
        (2.5e-300, "2.5e-300"),
        (0.1, "0.1"),
        (float("inf"), ".inf"),
        ("2001-12-14t21:59:43.10-05:00", '"2001-12-14t21:59:43.10-05:00"'),
        ("1:20", '"1:20"'),
        ("on", '"on"'),
    ],
)
def test_scalars_are_yaml_1_1_safe(value, written):
    text = to_yaml({"v": value})
    assert text == f"v: {written}\n"
    assert_loads_back(text, {"v": value}, written)


def test_a_template_that_opens_with_a_blank_line_keeps_its_indentation():
    template = '\n  {\n    "id": "$input.params(\'id\')"\n  }\n'
    doc = {"requestTemplates": {"application/json": template}, "items": [template, "  lead\nrest"]}
    text = to_yaml(doc)
    assert text.splitlines()[:6] == [
        "requestTemplates:",
        "  application/json: |2",
        "",
        "      {",
        '        "id": "$input.params(\'id\')"',
        "      }",
    ]
    assert_loads_back(text, doc, "template")
