"""The VTL conformance suite: every case in tests/vtl/cases/*.yaml, rendered and compared exactly.

A case has ``template`` (or ``template_repeat``), an optional ``request`` (the REQUEST.json
shape of ``apigwc vtl render``), ``source`` (the public page its expected output comes
from, or the docs/vtl.md section that records apigwc's choice) and either ``expected``
(the exact output), ``expected_length``, or ``error`` (kind, line, col, text the message
contains).  Optional: ``now`` (epoch seconds), ``limits``, ``request_override``,
``response_override``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from apigwc.vtl import Limits, TemplateError, render
from apigwc.vtl.variables import TemplateRequest as Request
from apigwc.vtl.variables import request_from_json

CASES_DIR = Path(__file__).parent / "cases"
CASE_KEYS = {
    "name", "source", "template", "template_repeat", "request", "expected", "expected_length",
    "error", "now", "limits", "request_override", "response_override", "note",
}  # fmt: skip


def load_cases() -> list:
    yaml = YAML(typ="safe", pure=True)
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.load(path.read_text(encoding="utf-8")):
            params.append(pytest.param(case, id=f"{path.stem}::{case['name']}"))
    return params


CASES = load_cases()


def test_suite_is_large_and_sourced() -> None:
    names = [p.id for p in CASES]
    assert len(names) == len(set(names)), "case names must be unique per file"
    assert len(CASES) >= 100, f"the conformance suite needs at least 100 cases, has {len(CASES)}"
    for p in CASES:
        case = p.values[0]
        assert set(case) <= CASE_KEYS, f"{p.id}: unknown keys {set(case) - CASE_KEYS}"
        source = case.get("source", "")
        assert source.startswith(("https://", "docs/vtl.md#")), (
            f"{p.id}: source must be a public URL or docs/vtl.md#section"
        )
        if source.startswith("docs/vtl.md#"):
            anchor = source.split("#", 1)[1]
            assert anchor in DOC_ANCHORS, f"{p.id}: docs/vtl.md has no section #{anchor}"
        assert ("expected" in case) + ("error" in case) + ("expected_length" in case) == 1, p.id


def _anchors() -> set[str]:
    import re

    doc = Path(__file__).resolve().parents[2] / "docs" / "vtl.md"
    if not doc.exists():
        return set()
    out = set()
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^a-z0-9 -]", "", title).replace(" ", "-"))
    return out


DOC_ANCHORS = _anchors()


@pytest.mark.parametrize("case", CASES)
def test_case(case: dict) -> None:
    if "template_repeat" in case:
        template = case["template_repeat"]["text"] * case["template_repeat"]["times"]
    else:
        template = case["template"]
    request = request_from_json(case.get("request", {}))
    assert isinstance(request, Request), request
    limits = Limits(**case.get("limits", {}))
    result = render(template, request, limits=limits, now=case.get("now", 1_700_000_000))
    if "error" in case:
        want = case["error"]
        assert isinstance(result, TemplateError), f"expected an error, rendered {result!r}"
        assert result.kind == want["kind"], result
        assert want["contains"] in result.message, result
        if "line" in want:
            assert (result.line, result.col) == (want["line"], want["col"]), result
        return
    assert not isinstance(result, TemplateError), f"unexpected error {result}"
    if "expected_length" in case:
        assert len(result.body) == case["expected_length"]
        return
    assert result.body == case["expected"]
    if "request_override" in case:
        assert result.request_override == case["request_override"]
    if "response_override" in case:
        assert result.response_override == case["response_override"]
