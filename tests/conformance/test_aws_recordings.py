"""The conformance suite: cases recorded on real API Gateway, run through apigwc (tests/conformance/runner.py).

Every case cites its recording (``source``: repository, commit, snapshot file and key).
A case apigwc does not yet answer like AWS is listed in docs/conformance.md under
"Known differences" with the reason; it runs as ``xfail(strict=True)`` so a fix shows up.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from runner import load_cases, matches, request_differences, run_case, run_request_case  # noqa: E402

DOC = Path(__file__).resolve().parents[2] / "docs" / "conformance.md"
_ROW = re.compile(r"^\| `([^`]+)` \| (.+) \|$")


def known_differences() -> dict[str, str]:
    """``case id -> reason`` from the table in docs/conformance.md."""
    out: dict[str, str] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


CASES = load_cases()
KNOWN = known_differences()


def _param(case: dict):
    marks = [pytest.mark.xfail(reason=KNOWN[case["id"]], strict=True)] if case["id"] in KNOWN else []
    return pytest.param(case, id=case["id"], marks=marks)


def test_suite_is_sourced() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    for case in CASES:
        source = case["source"]
        assert source["repo"] in {"localstack/airspeed", "localstack/localstack"}, case["id"]
        assert re.fullmatch(r"[0-9a-f]{40}", source["commit"]), case["id"]
        assert source["file"].endswith(".snapshot.json") and source["key"] and source["recorded"], case["id"]
    assert set(KNOWN) <= set(ids), f"docs/conformance.md lists unknown cases: {sorted(set(KNOWN) - set(ids))}"


def test_pass_rate_is_at_least_97_percent() -> None:
    assert len(KNOWN) <= 0.03 * len(CASES), f"{len(KNOWN)} known differences out of {len(CASES)} cases"


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: dict, tmp_path: Path) -> None:
    if case.get("kind") == "request":
        differences = request_differences(case, run_request_case(case, tmp_path))
        assert not differences, differences
        return
    actual = run_case(case)
    assert matches(case, actual), f"apigwc answered {actual!r}, AWS recorded {case['expected']!r}"


#: Recorded renders replayed through the whole gateway (MOCK integration, request and
#: integration response templates exactly as the recording deployed them).
THROUGH_GATEWAY = [
    "airspeed_templates::parser_substitutes_string_added_to_the_context-1",
    "airspeed_templates::dict_assign_item_via_brackets-1",
    "airspeed_templates::if_statement_considers_None_to_be_truthy-2",
    "airspeed_templates::recursive_macro-1",
    "airspeed_templates::use_define_with_no_parameters-1",
]


@pytest.mark.parametrize("case", [c for c in CASES if c["id"] in THROUGH_GATEWAY], ids=lambda c: c["id"])
def test_case_through_the_gateway(case: dict, tmp_path: Path) -> None:
    import asyncio
    import json

    from apigwc.pipeline import compile_file
    from apigwc.runtime import Deployment, Request, execute

    integration = {
        "type": "mock",
        "requestTemplates": {"application/json": case["request_template"]},
        "responses": {
            "default": {
                "statusCode": "200",
                "responseTemplates": {"application/json": case["response_template"]},
            }
        },
    }
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "recording", "version": "1"},
        "paths": {
            "/": {
                "post": {
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": integration,
                }
            }
        },
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    compiled = compile_file(path, path.name)
    assert compiled.gateway is not None, [str(d) for d in compiled.lint.diagnostics]
    deployment = Deployment.create(compiled.gateway, None)
    assert not isinstance(deployment, str), deployment
    request = Request.build(
        "POST",
        "/",
        [("Content-Type", "application/json")],
        case["body"].encode("utf-8"),
    )
    result = asyncio.run(execute(deployment, request))
    assert result.response.status == 200
    assert matches(case, result.response.text), (
        f"apigwc answered {result.response.text!r}, AWS recorded {case['expected']!r}"
    )
