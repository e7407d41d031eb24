"""check.py reports an empty ``responses`` without jsonschema: the same findings as jsonschema's.

The shortcut (see apigwc.check's docstring) is compared with the full jsonschema path on
hand-made edge cases, on a SAM template's generated OpenAPI body, and on every real corpus
OpenAPI document; and the SAM case is shown to report each generated operation once.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from apigwc.check import ANY_METHOD, SpecVersion, _check_openapi, _check_operation_like
from apigwc.diagnostics import Diagnostics
from apigwc.source import join, load_document
from support import CORPUS, corpus_files

V2 = SpecVersion("2.0", "2.0")
V3 = SpecVersion("3.0", "3.0.3")


def findings(data: dict, version: SpecVersion, *, shortcut: bool) -> list[tuple]:
    diags = Diagnostics()
    before = copy.deepcopy(data)
    _check_openapi(data, version, diags, shortcut=shortcut)
    paths = data.get("paths")
    if isinstance(paths, dict):
        for path, item in paths.items():
            if isinstance(item, dict) and ANY_METHOD in item:
                _check_operation_like(
                    item[ANY_METHOD], join("/paths", path, ANY_METHOD), version, diags, shortcut=shortcut
                )
    assert data == before, "the check must not change the document"
    return sorted((d.code, d.message, d.pointer, d.hint) for d in diags)


def doc(version: SpecVersion, paths: dict) -> dict:
    if version.is_v2:
        return {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}


OK = {"200": {"description": "OK"}}
EDGES = {
    "empty-get": {"/a": {"get": {"responses": {}}}},
    "empty-and-full": {"/a": {"get": {"responses": {}}, "post": {"responses": OK}}, "/b": {"put": {"responses": {}}}},
    "empty-with-other-errors": {"/a": {"get": {"responses": {}, "bogus": 1, "operationId": 3}}},
    "empty-trace": {"/a": {"trace": {"responses": {}}}},
    "empty-on-non-path-key": {"nope": {"get": {"responses": {}}}, "x-ext": {"get": {"responses": {}}}},
    "empty-beside-ref": {"/a": {"$ref": "#/x", "get": {"responses": {}}}},
    "missing-and-listed": {"/a": {"get": {}, "post": {"responses": []}, "put": {"responses": {"x-only": 1}}}},
    "any-method": {"/a": {ANY_METHOD: {"responses": {}}, "get": {"responses": {}}}},
    "any-method-with-errors": {"/a": {ANY_METHOD: {"responses": {}, "parameters": 5}}},
    "item-not-a-map": {"/a": [], "/b": {"get": "text", "post": {"responses": {}}}},
}


@pytest.mark.parametrize("version", [V2, V3], ids=["2.0", "3.0"])
@pytest.mark.parametrize("case", sorted(EDGES))
def test_shortcut_reports_what_jsonschema_reports(case: str, version: SpecVersion) -> None:
    data = doc(version, EDGES[case])
    fast = findings(data, version, shortcut=True)
    assert fast == findings(data, version, shortcut=False)
    assert fast, "every edge case has findings"


def test_each_empty_responses_is_reported_once_at_its_operation() -> None:
    data = doc(V2, {"/a": {ANY_METHOD: {"responses": {}}, "get": {"responses": {}}, "post": {"responses": OK}}})
    got = [(c, m, p) for c, m, p, _ in findings(data, V2, shortcut=True)]
    assert got == [
        ("AGW011", "operation ANY /a declares no responses", f"/paths/~1a/{ANY_METHOD}/responses"),
        ("AGW011", "operation GET /a declares no responses", "/paths/~1a/get/responses"),
    ]


def test_shortcut_on_a_sam_generated_body(tmp_path: Path) -> None:
    from apigwc.config import Config
    from apigwc.template import lint_template

    lines = ["Transform: AWS::Serverless-2016-10-31", "Resources:"]
    for i in range(3):
        lines += [
            f"  Fn{i}:",
            "    Type: AWS::Serverless::Function",
            "    Properties: {Handler: app.handler, Runtime: python3.12, CodeUri: .,",
            f"      Events: {{Get: {{Type: Api, Properties: {{Path: '/i{i}/{{id}}', Method: get}}}}}}}}",
        ]
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    (tmp_path / "template.yaml").write_text("\n".join(lines) + "\n")
    results = lint_template(tmp_path / "template.yaml", "template.yaml", Config())
    assert not isinstance(results, str)
    data = next(r.sources.main.data for r in results if r.sources is not None and "paths" in r.sources.main.data)
    version = SpecVersion("2.0", "2.0") if "swagger" in data else V3
    fast = findings(data, version, shortcut=True)
    assert fast == findings(data, version, shortcut=False)
    assert [p for _, m, p, _ in fast if m.endswith("declares no responses")] == [
        f"/paths/~1i{i}~1{{id}}/get/responses" for i in range(3)
    ]


REAL = corpus_files("real")


@pytest.mark.skipif(not REAL, reason=f"corpus not found at {CORPUS}")
def test_shortcut_matches_jsonschema_on_the_real_corpus() -> None:
    compared = 0
    for path in REAL:
        document = load_document(path, path.name, Diagnostics())
        data = document.data if document is not None else None
        if not isinstance(data, dict) or not isinstance(data.get("paths"), dict):
            continue
        if str(data.get("swagger")) == "2.0":
            version = V2
        elif str(data.get("openapi", "")).startswith("3.0"):
            version = V3
        else:
            continue
        assert findings(data, version, shortcut=True) == findings(data, version, shortcut=False), path
        compared += 1
    assert compared >= 10
