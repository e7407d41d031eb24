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
import sys
from pathlib import Path
from typing import Any

from apigwc.vtl import (
    TemplateError,
    TemplateRequest,
    compile_template,
    overrides_of,
    render_compiled,
)
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
    request = TemplateRequest(
        method="POST",
        body=case["body"],
        headers={"Content-Type": ("application/json",)},
    )
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
    variables = bind(TemplateRequest(method="POST"))
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
    request = TemplateRequest(method="POST", body=req["body"], headers=headers)
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


#: Headers the recordings carry from CloudFront and the HTTP connection, not from API Gateway's
#: pipeline: not compared (apigwc's server adds Content-Length, Date and Connection itself).
TRANSPORT_HEADERS = frozenset(
    {
        "via",
        "x-cache",
        "x-amz-cf-id",
        "x-amz-cf-pop",
        "connection",
        "date",
        "content-length",
        "transfer-encoding",
    }
)
FUNCTIONS_DIR = Path(__file__).parent / "functions"


def run_request_case(case: dict, tmp_path: Path) -> dict:
    """Compile the case's API, send its request through `apigwc.runtime.execute`: status, headers, body."""
    server = None
    paths = case["paths"]
    if case.get("upstream") == "status-echo":  # a real server on 127.0.0.1 stands in for the recorded backend
        sys.path.insert(0, str(FUNCTIONS_DIR))
        from recorded_functions import status_echo_server

        server = status_echo_server()
        paths = json.loads(json.dumps(paths).replace("{upstream}", f"http://127.0.0.1:{server.server_port}"))
    try:
        return _run_request(case, paths, tmp_path)
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()


def _run_request(case: dict, paths: dict, tmp_path: Path) -> dict:
    from apigwc import gateway as gw
    from apigwc.local.http_backend import HttpBackend
    from apigwc.local.lambda_backend import LambdaBackend
    from apigwc.local.lambdas import Handlers
    from apigwc.pipeline import compile_file
    from apigwc.runtime import Deployment, execute, offline_backends
    from apigwc.runtime import Request as HttpRequest

    spec: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "recording", "version": "1"},
        "paths": paths,
        **case.get("extra", {}),
    }
    if case.get("lambdas"):
        spec["x-apigwc"] = {"local": {"pythonPath": [str(FUNCTIONS_DIR)], "lambdas": case["lambdas"]}}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    compiled = compile_file(path, path.name)
    if compiled.gateway is None:
        return {
            "status": None,
            "headers": {},
            "body": "; ".join(str(d) for d in compiled.lint.diagnostics),
        }
    http = HttpBackend()
    backends = {
        **offline_backends(),
        gw.IntegrationType.HTTP: http,
        gw.IntegrationType.HTTP_PROXY: http,
    }
    if case.get("lambdas"):
        backend = LambdaBackend(Handlers.create(compiled.gateway.local, tmp_path, None))
        backends.update({gw.IntegrationType.AWS_PROXY: backend, gw.IntegrationType.AWS: backend})
    options: dict[str, Any] = {"backends": backends}
    deployment = Deployment.create(compiled.gateway, case.get("stage"), **options)
    assert not isinstance(deployment, str), deployment
    req = case["request"]
    body = req.get("body", "")
    if "json" in req:
        body = json.dumps(req["json"])
    request = HttpRequest.build(
        req.get("method", "GET"),
        req.get("path", "/"),
        [tuple(h) for h in req.get("headers", [])],
        body.encode("utf-8"),
    )

    async def run() -> Any:
        try:
            return await execute(deployment, request)
        finally:
            await http.aclose()

    result = asyncio.run(run())
    headers: dict[str, str] = {}
    for name, value in result.response.headers:
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return {
        "status": result.response.status,
        "headers": headers,
        "body": result.response.body.decode("utf-8", "replace"),
    }


def request_differences(case: dict, actual: dict) -> list[str]:
    """What differs from the recording: status, body (as JSON when recorded parsed), headers."""
    expected = case["expected"]
    out = []
    if "status" in expected and actual["status"] != expected["status"]:
        out.append(f"status {actual['status']} != {expected['status']}: {actual['body'][:200]}")
    if "body" in expected and not matches({"expected": expected["body"]}, actual["body"]):
        out.append(f"body {actual['body']!r} != {expected['body']!r}")
    if "body_json" in expected or "body_json_subset" in expected or "body_json_keys" in expected:
        try:
            document = json.loads(actual["body"])
        except ValueError:
            document = None
            out.append(f"body is not JSON: {actual['body'][:200]!r}")
        if "body_json" in expected and document != expected["body_json"]:
            out.append(f"body {document!r} != {expected['body_json']!r}")
        if isinstance(document, dict):
            for name, value in expected.get("body_json_subset", {}).items():
                if document.get(name) != value:
                    out.append(f"body.{name}: {document.get(name)!r} != {value!r}")
            if "body_json_keys" in expected and sorted(document) != expected["body_json_keys"]:
                out.append(f"body keys {sorted(document)} != {expected['body_json_keys']}")
    for name, part in expected.get("header_contains", {}).items():
        got_value = next((v for k, v in actual["headers"].items() if k.lower() == name.lower()), None)
        if got_value is None or part not in got_value:
            out.append(f"header {name}: {got_value!r} does not contain {part!r}")
    if "event" in expected:
        out.extend(_event_differences(expected["event"], actual["body"]))
    for name, value in expected.get("headers_subset", {}).items():
        got_value = next((v for k, v in actual["headers"].items() if k.lower() == name.lower()), None)
        if got_value != value:
            out.append(f"header {name}: {got_value!r} != {value!r}")
    if "headers" in expected:
        want = {k.lower(): v for k, v in expected["headers"].items() if k.lower() not in TRANSPORT_HEADERS}
        got = {k.lower(): v for k, v in actual["headers"].items() if k.lower() not in TRANSPORT_HEADERS}
        for name in sorted(want.keys() - got.keys()):
            out.append(f"header {name} missing")
        for name in sorted(got.keys() - want.keys()):
            out.append(f"header {name} not sent by AWS")
        for name in sorted(want.keys() & got.keys()):
            value = want[name]
            if not (value.startswith("<") and value.endswith(">")) and got[name] != value:
                out.append(f"header {name}: {got[name]!r} != {value!r}")
    return out


def _placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("<") and value.endswith(">")


def _event_differences(want: dict, body: str) -> list[str]:
    """The Lambda proxy event the function received (it answers it as its body) against the recorded one."""
    try:
        event = json.loads(body)
    except ValueError:
        return [f"the function did not answer an event: {body[:200]!r}"]
    out = []
    for dotted, value in want["fields"].items():
        got: Any = event
        for part in dotted.split("."):
            got = got.get(part) if isinstance(got, dict) else None
        if isinstance(value, (dict, list)) and isinstance(got, str):
            try:
                got = json.loads(got)  # the recording stores a JSON body parsed
            except ValueError:
                pass
        if got != value:
            out.append(f"event {dotted}: {got!r} != {value!r}")
    context = event.get("requestContext") or {}
    if sorted(context) != want["requestContext_keys"]:
        out.append(
            f"requestContext keys: extra {sorted(set(context) - set(want['requestContext_keys']))}, missing {sorted(set(want['requestContext_keys']) - set(context))}"
        )
    identity = context.get("identity") or {}
    if sorted(identity) != want["identity_keys"]:
        out.append(
            f"identity keys: extra {sorted(set(identity) - set(want['identity_keys']))}, missing {sorted(set(want['identity_keys']) - set(identity))}"
        )
    edge = {"cloudfront-forwarded-proto", "cloudfront-is-desktop-viewer", "cloudfront-is-mobile-viewer", "cloudfront-is-smarttv-viewer",
            "cloudfront-is-tablet-viewer", "cloudfront-viewer-asn", "cloudfront-viewer-country", "via", "x-amz-cf-id", "host"}  # fmt: skip
    for field in ("headers", "multiValueHeaders"):
        got = {k: v for k, v in (event.get(field) or {}).items() if k.lower() not in edge}
        expected = want[field]
        for name in sorted(expected.keys() - got.keys()):
            out.append(f"event {field}.{name} missing")
        for name in sorted(got.keys() - expected.keys()):
            out.append(f"event {field}.{name} not sent by AWS ({got[name]!r})")
        for name in sorted(expected.keys() & got.keys()):
            value = expected[name]
            if (
                not (_placeholder(value) or (isinstance(value, list) and all(_placeholder(v) for v in value)))
                and got[name] != value
            ):
                out.append(f"event {field}.{name}: {got[name]!r} != {value!r}")
    return out


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


def passes(case: dict, tmp_path: Path) -> bool:
    if case.get("kind") == "request":
        return not request_differences(case, run_request_case(case, tmp_path))
    return matches(case, run_case(case))


def main() -> None:  # python tests/conformance/runner.py: the pass rate and the failing ids
    import tempfile

    cases = load_cases()
    failed = []
    for c in cases:
        with tempfile.TemporaryDirectory() as tmp:
            if not passes(c, Path(tmp)):
                failed.append(c["id"])
    print(f"{len(cases) - len(failed)}/{len(cases)} pass ({100 * (len(cases) - len(failed)) / len(cases):.1f}%)")
    for f in failed:
        print("FAIL", f)


if __name__ == "__main__":
    asyncio.run(asyncio.sleep(0))
    main()
