"""Run one conformance case through apigwc and return what apigwc answers.

Template cases (``"integration": "MOCK"`` with a request and a response template) go
through the template engine API exactly as the recording's MOCK integration used them:
the request template renders with the payload as ``$input``; the MOCK answers with an
empty body; the response template renders with ``$input`` empty and sees the
``$context.requestOverride`` values the request template set (API Gateway carries them
from the integration request to the integration response, docs/conformance.md).

Request cases (``"kind": "request"``) compile an OpenAPI document through the real
pipeline and run the HTTP request through `apigwc.runtime.execute`.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

from apigwc.vtl import Request, TemplateError, compile_template, overrides_of, render_compiled
from apigwc.vtl.variables import UTIL, Input, bind

CASES_DIR = Path(__file__).parent / "cases"


def load_cases() -> list[dict]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            cases.append({**case, "id": f"{path.stem}::{case['id']}"})
    return cases


def normalize_whitespace(text: str) -> str:
    """What the recording did to both sides when it ignored whitespace."""
    return re.sub(r"\s+", " ", text.replace("\n", " ").strip())


def run_template_case(case: dict) -> str:
    """The response body apigwc renders for a recorded MOCK round trip; an error renders as AWS's 500 body."""
    request = Request(method="POST", body=case["body"], headers={"Content-Type": ("application/json",)})
    compiled = compile_template(case["request_template"])
    if isinstance(compiled, TemplateError):
        return INTERNAL_ERROR
    variables = bind(request)
    _, error = render_compiled(compiled, variables)
    if error is not None:
        return INTERNAL_ERROR
    request_override, _ = overrides_of(variables)
    compiled = compile_template(case["response_template"])
    if isinstance(compiled, TemplateError):
        return INTERNAL_ERROR
    variables = bind(Request(method="POST"))
    variables["input"] = Input(request, "")
    variables["util"] = UTIL
    context = variables["context"]
    context["requestOverride"] = {"header": {}, "path": {}, "querystring": {}}
    for part, values in request_override.items():
        context["requestOverride"][part].update(values)
    output, error = render_compiled(compiled, variables)
    if error is not None:
        return INTERNAL_ERROR
    if case.get("normalize_whitespace"):
        output = normalize_whitespace(output)
    return output


INTERNAL_ERROR = '{"message": "Internal server error"}'


def _backend(kind: str, body: str) -> str:
    """What the recording's backend answered for an integration request body.

    ``echo-body``: a Lambda function URL whose handler returns the body it got.
    ``httpbin-post``: an httpbin-style ``/post`` echo; the recorded templates read only its
    ``json`` field (the request body parsed as JSON, or null).
    """
    if kind == "echo-body":
        return body
    if kind == "httpbin-post":
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        return json.dumps({"json": parsed})
    raise ValueError(f"unknown backend {kind!r}")


def run_chain_case(case: dict) -> str:
    """Request template, recorded backend, response template: the response body apigwc renders."""
    req = case["request"]
    headers = {"Content-Type": (req["content_type"],)} if req.get("content_type") else {}
    request = Request(method="POST", body=req["body"], headers=headers)
    body = req["body"]
    request_override: dict = {}
    if case.get("request_template") is not None:
        compiled = compile_template(case["request_template"])
        if isinstance(compiled, TemplateError):
            return INTERNAL_ERROR
        variables = bind(request)
        body, error = render_compiled(compiled, variables)
        if error is not None:
            return INTERNAL_ERROR
        request_override, _ = overrides_of(variables)
    answer = _backend(case["backend"], body)
    compiled = compile_template(case["response_template"])
    if isinstance(compiled, TemplateError):
        return INTERNAL_ERROR
    variables = bind(request)
    variables["input"] = Input(request, answer)
    context = variables["context"]
    context["requestOverride"] = {"header": {}, "path": {}, "querystring": {}}
    for part, values in request_override.items():
        context["requestOverride"][part].update(values)
    output, error = render_compiled(compiled, variables)
    return INTERNAL_ERROR if error is not None else output


def matches(case: dict, actual: Any) -> bool:
    """The recording's snapshot stores a string that is JSON as the parsed value; compare likewise."""
    expected = case["expected"]
    if isinstance(expected, str) or not isinstance(actual, str):
        return actual == expected
    try:
        return json.loads(actual) == expected
    except ValueError:
        return False


def run_case(case: dict) -> Any:
    if case.get("kind", "template") == "template":
        return run_template_case(case)
    if case["kind"] == "chain":
        return run_chain_case(case)
    raise ValueError(f"unknown case kind {case.get('kind')!r}")


def main() -> None:  # python tests/conformance/runner.py: the pass rate and the failing ids
    cases = load_cases()
    failed = [c["id"] for c in cases if not matches(c, run_case(c))]
    print(f"{len(cases) - len(failed)}/{len(cases)} pass ({100 * (len(cases) - len(failed)) / len(cases):.1f}%)")
    for f in failed:
        print("FAIL", f)


if __name__ == "__main__":
    asyncio.run(asyncio.sleep(0))
    main()
