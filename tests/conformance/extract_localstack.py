"""Derive conformance cases from LocalStack's AWS-validated API Gateway tests (run by hand; the output is committed data).

    python tests/conformance/extract_localstack.py /path/to/localstack/checkout

Writes tests/conformance/cases/localstack_templates.json (template round trips, replayed
through the engine) and localstack_requests.json (requests through the gateway).  The
expected values are the snapshot's recorded values (``tests/aws/services/apigateway/
test_apigateway_*.snapshot.json``, recorded on AWS); the APIs and requests are written
here from what each test did (its ``put_*`` calls and ``requests`` calls), as OpenAPI with
API Gateway extensions.  Statuses the snapshot does not hold come from the test's own
assertions (each such case says so in ``note``).  Lambda handlers and the status-code
echo server are written in tests/conformance/functions/ from the tests' descriptions.
"""

from __future__ import annotations

import ast
import base64
import json
import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).parent
REPO = ""
commit = ""
cases: list[dict] = []


def snapfile(name):
    f = f"tests/aws/services/apigateway/test_apigateway_{name}.snapshot.json"
    return f, json.loads(
        subprocess.run(["git", "-C", REPO, "show", f"HEAD:{f}"], capture_output=True, text=True).stdout
    )


def add(id, file, key, rec, paths, request, expected, lambdas=None, note=None):
    c = {
        "id": id,
        "kind": "request",
        "source": {
            "repo": "localstack/localstack",
            "commit": commit,
            "file": file,
            "key": key,
            "recorded": rec,
        },
        "paths": paths,
        "request": request,
        "expected": expected,
    }
    if lambdas:
        c["lambdas"] = lambdas
    if note:
        c["note"] = note
    cases.append(c)


LAMBDA_URI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111111111111:function:{}/invocations"


def mock_method(
    req_tpl,
    resp_tpl=None,
    status="200",
    selection=None,
    params=None,
    method_params=None,
    passthrough=None,
):
    integ = {
        "type": "mock",
        "requestTemplates": {"application/json": req_tpl},
        "responses": {"default" if selection is None else selection: {"statusCode": status}},
    }
    if resp_tpl is not None:
        integ["responses"]["default" if selection is None else selection]["responseTemplates"] = {
            "application/json": resp_tpl
        }
    if params:
        integ["requestParameters"] = params
    if passthrough:
        integ["passthroughBehavior"] = passthrough.lower()
    m = {
        "responses": {"200": {"description": "ok"}},
        "x-amazon-apigateway-integration": integ,
    }
    if method_params:
        m["parameters"] = method_params
    return m


def chain_cases():
    cases = []

    F = "tests/aws/services/apigateway/test_apigateway_common.snapshot.json"
    snap = json.loads(subprocess.run(["git", "-C", REPO, "show", f"HEAD:{F}"], capture_output=True, text=True).stdout)
    K = "tests/aws/services/apigateway/test_apigateway_common.py::TestApiGatewayCommon::"

    def src(test, rec):
        return {
            "repo": "localstack/localstack",
            "commit": commit,
            "file": F,
            "key": K + test,
            "recorded": rec,
        }

    # test_input_path_template_formatting: HTTP integration to an httpbin-style echo (/post), whose
    # JSON answer carries the request's JSON body under "json"; response template per route
    T = "test_input_path_template_formatting"
    routes = {
        "path": '#set($result = $input.path("$.json"))$result',
        "nested": '#set($result = $input.path("$.json"))$result.nested',
        "list": '#set($result = $input.path("$.json"))$result[0]',
        "to-string": '#set($result = $input.path("$.json"))$result.toString()',
        "invalid-path": '#set($result = $input.path("$.nonExisting")){"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}',
        "nested-list": '#set($result = $input.path("$.json.listValue")){"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}',
    }
    calls = [
        ("path", {"foo": "bar"}, "dict-response"),
        ("path", [{"foo": "bar"}], "json-list"),
        ("nested", {"nested": {"foo": "bar"}}, "nested-dict"),
        ("nested", {"nested": [{"foo": "bar"}]}, "nested-list"),
        ("list", [{"foo": "bar"}], "dict-in-list"),
        ("list", [[{"foo": "bar"}]], "list-with-nested-list"),
        ("path", {"foo": [{"nested": "bar"}]}, "dict-with-nested-list"),
        ("path", {"bigger": "dict", "to": "test", "with": "separators"}, "bigger-dict"),
        ("to-string", {"foo": "bar"}, "to-string"),
        ("to-string", {"list": [{"foo": "bar"}]}, "list-to-string"),
        ("invalid-path", None, "empty-body"),
        ("nested-list", {"listValue": []}, "nested-empty-list"),
        ("nested-list", {"listValue": None}, "nested-null-list"),
    ]
    for route, body, rec in calls:
        if rec not in snap[K + T]["recorded-content"]:
            continue
        cases.append(
            {
                "id": f"input_path_template_formatting-{rec}",
                "source": src(T, rec),
                "kind": "chain",
                "request": {
                    "body": "" if body is None else json.dumps(body),
                    "content_type": None if body is None else "application/json",
                },
                "request_template": None,
                "backend": "httpbin-post",
                "response_template": routes[route],
                "expected": snap[K + T]["recorded-content"][rec],
            }
        )
    # test_input_body_formatting: HTTP integration to a Lambda function URL that answers the body it got
    T = "test_input_body_formatting"
    raw_body = "#set($result = $input.body)$result"
    body_in_str = "Action=SendMessage&MessageBody=$input.body"
    attr = "#set($result = $input.body.testAccess)$result"
    url_encode = "EncodedBody=$util.urlEncode($input.body)&EncodedBodyAccess=$util.urlEncode($input.body.testAccess)"
    routes = {
        "raw-body": (raw_body, raw_body),
        "str-body-input": (body_in_str, raw_body),
        "str-body-output": (raw_body, body_in_str),
        "str-body-all": (body_in_str, body_in_str),
        "body-attr-access": (attr, raw_body),
        "url-encode": (url_encode, raw_body),
    }
    bodies = {
        "empty-body": ("", "application/json"),
        "json-body": (json.dumps({"some": "value"}), "application/json"),
        "str-body": ("some raw data", "application/json"),
    }
    for route, (req, resp) in routes.items():
        rec = f"response-{route}"
        for which, (body, ct) in bodies.items():
            expected = ast.literal_eval(snap[K + T]["recorded-content"][rec][which]).decode("utf-8")
            cases.append(
                {
                    "id": f"input_body_formatting-{route}-{which}",
                    "source": {**src(T, rec), "field": which},
                    "kind": "chain",
                    "request": {"body": body, "content_type": ct},
                    "request_template": req,
                    "backend": "echo-body",
                    "response_template": resp,
                    "expected": expected,
                }
            )
    return cases


def section_requests_basic():
    # --- lambda: proxy response payload format (client JSON = what the function answers)
    f, snap = snapfile("lambda")
    key = "tests/aws/services/apigateway/test_apigateway_lambda.py::test_aws_proxy_response_payload_format_validation"
    rc = snap[key]["recorded-content"]
    paths = {
        "/{proxy+}": {
            "x-amazon-apigateway-any-method": {
                "parameters": [
                    {
                        "name": "proxy",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {"200": {"description": "ok"}},
                "x-amazon-apigateway-integration": {
                    "type": "aws_proxy",
                    "httpMethod": "POST",
                    "uri": LAMBDA_URI.format("ResponseFromBody"),
                },
            }
        }
    }
    lam = {"ResponseFromBody": "recorded_functions:respond_with_body"}
    b64 = base64.b64encode(b"test-data").decode()
    calls = [
        ("invoke-api-no-body", {"statusCode": 200}, 200, False),
        (
            "invoke-api-with-headers",
            {
                "statusCode": 200,
                "headers": {"test-header": "value", "header-bool": True},
            },
            200,
            True,
        ),
        (
            "invoke-api-with-headers-null",
            {"statusCode": 200, "headers": None},
            200,
            True,
        ),
        (
            "invoke-api-wrong-format",
            {"statusCode": 200, "wrongValue": "value"},
            502,
            False,
        ),
        ("invoke-api-empty-response", {}, 502, False),
        (
            "invoke-api-b64-encoded-true",
            {"statusCode": 200, "body": b64, "isBase64Encoded": True},
            200,
            False,
        ),
        ("invoke-api-b64-encoded-false", {"statusCode": 200, "body": b64}, 200, False),
        (
            "invoke-api-multi-headers-valid",
            {
                "statusCode": 200,
                "multiValueHeaders": {"test-multi": ["value1", "value2"]},
            },
            200,
            True,
        ),
        (
            "invoke-api-multi-headers-overwrite",
            {
                "statusCode": 200,
                "multiValueHeaders": {"test-multi": ["value-multi"]},
                "headers": {"test-multi": "value-solo"},
            },
            200,
            True,
        ),
        (
            "invoke-api-multi-headers-overwrite-casing",
            {
                "statusCode": 200,
                "multiValueHeaders": {"tesT-Multi": ["value-multi"]},
                "headers": {"test-multi": "value-solo"},
            },
            200,
            True,
        ),
        (
            "invoke-api-multi-headers-invalid",
            {"statusCode": 200, "multiValueHeaders": {"test-multi-invalid": "value1"}},
            502,
            False,
        ),
        ("invoke-api-invalid-status-code", {"statusCode": "test"}, 502, False),
        ("invoke-api-status-code-str", {"statusCode": "201"}, 201, False),
        ("invoke-api-just-string", "justAString", 502, False),
        ("invoke-api-only-headers", {"headers": {"test-header": "value"}}, 200, False),
    ]
    for rec, body, status, with_headers in calls:
        exp = {"status": status, "body": rc[rec]["content"]}
        if with_headers:
            exp["headers"] = rc[rec]["headers"]
        # the client sent the document as JSON (requests' json=); {} is falsy there, so no body at all
        req = {
            "method": "POST",
            "path": "/test",
            "headers": [["User-Agent", "python/test"]],
        }
        if body:
            req["json"] = body
            req["headers"].append(["Content-Type", "application/json"])
        add(
            f"proxy_response_format-{rec}",
            f,
            key,
            rec,
            paths,
            req,
            exp,
            lam,
            note="status from the test's assertion (expected_status_code)",
        )

    # --- integrations: MOCK
    f, snap = snapfile("integrations")
    P = "tests/aws/services/apigateway/test_apigateway_integrations.py::"
    key = P + "test_integration_mock_with_path_param"
    add(
        "mock_with_path_param-invalid-json-template",
        f,
        key,
        "integration",
        {
            "/{testPath}": {
                "get": mock_method(
                    "{statusCode: 200}",
                    selection="2\\d{2}",
                    params={"integration.request.path.integrationPath": "method.request.path.testPath"},
                    method_params=[
                        {
                            "name": "testPath",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                )
            }
        },
        {"method": "GET", "path": "/test-path"},
        {"status": 200, "body": ""},
        note="status and empty body from the test's assertions; the recorded integration shows the template was accepted as is",
    )
    key = P + "test_integration_mock_with_request_overrides_in_response_template"
    req_tpl = textwrap.dedent("""#set($body = $util.base64Decode($input.params('testPath')))
    #set($context.requestOverride.path.body = $body)
    {
      "statusCode": 200
    }
    """)
    resp_tpl = textwrap.dedent("""
        #set($body = $util.parseJson($context.requestOverride.path.body))
        #set($inputBody = $body.message)
        #if($inputBody == "path1")
        {
           "response": "path was path one"
        }
        #elseif($inputBody == "path2")
        {
           "response": "path was path two"
        }
        #else
        {
          "response": "this is the else clause"
        }
        #end
        """)
    paths = {
        "/{testPath}": {
            "get": mock_method(
                req_tpl,
                resp_tpl,
                selection="2\\d{2}",
                method_params=[
                    {
                        "name": "testPath",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
            )
        }
    }
    for rec, msg in (
        ("invoke-path1", "path1"),
        ("invoke-path2", "path2"),
        ("invoke-path-else", "whatever"),
    ):
        seg = base64.b64encode(json.dumps({"message": msg}).encode()).decode()
        add(
            f"mock_request_overrides_in_response_template-{rec}",
            f,
            key,
            rec,
            paths,
            {"method": "GET", "path": "/" + seg},
            {"status": 200, "body": snap[key]["recorded-content"][rec]},
        )
    for flag in (True, False):
        key = P + f"test_integration_mock_with_response_override_in_request_template[{flag}]"
        req_tpl = textwrap.dedent("""
        #set($context.responseOverride.status = 444)
        #set($context.responseOverride.header.foo = "bar")
        #set($context.responseOverride.custom = "is also passed around")
        {
          "statusCode": 200
        }
        """)
        resp_tpl = textwrap.dedent("""
        #set($statusOverride = $context.responseOverride.status)
        #set($fooHeader = $context.responseOverride.header.foo)
        #set($custom = $context.responseOverride.custom)
        {
            "statusOverride": "$statusOverride",
            "fooHeader": "$fooHeader",
            "custom": "$custom"
        }
        """)
        rec = snap[key]["recorded-content"]["response"]
        body = rec["body"] if flag else ast.literal_eval(rec["body"]).decode()
        integ = mock_method(req_tpl, resp_tpl if flag else None, selection="2\\d{2}")
        if not flag:
            integ["x-amazon-apigateway-integration"]["responses"]["2\\d{2}"]["responseTemplates"] = {}
        add(
            f"mock_response_override_in_request_template-{'with' if flag else 'without'}-response-template",
            f,
            key,
            "response",
            {"/": {"get": integ}},
            {"method": "GET", "path": "/"},
            {
                "status": rec["status_code"],
                "body": body,
                "headers_subset": {"foo": "bar"},
            },
            note="the foo header from the test's assertion",
        )
    key = P + "test_integration_mock_with_vtl_map_assignation"
    req_tpl = textwrap.dedent("""
        #set($paramName = "foo")
        #set($context.requestOverride.querystring[$paramName] = "bar")
        #set($paramPutName = "putfoo")
        $context.requestOverride.querystring.put($paramPutName, "putBar")
        #set($context["requestOverride"].querystring["nestedfoo"] = "nestedFoo")
        {
          "statusCode": 200
        }
        """)
    resp_tpl = textwrap.dedent("""
        #set($value = $context.requestOverride.querystring["foo"])
        #set($value2 = $context.requestOverride.querystring["putfoo"])
        #set($value3 = $context.requestOverride.querystring["nestedfoo"])
        {
            "value": "$value",
            "value2": "$value2",
            "value3": "$value3"
        }
        """)
    rec = snap[key]["recorded-content"]["response"]
    add(
        "mock_vtl_map_assignation",
        f,
        key,
        "response",
        {"/": {"get": mock_method(req_tpl, resp_tpl, selection="2\\d{2}")}},
        {"method": "GET", "path": "/"},
        {"status": rec["status_code"], "body": rec["body"]},
    )

    # --- basic: MOCK integration response with $input.params().path.id, per passthrough behaviour and method
    f, snap = snapfile("basic")
    for pb in ("WHEN_NO_MATCH", "NEVER", "WHEN_NO_TEMPLATES"):
        for method in ("GET", "POST"):
            key = f"tests/aws/services/apigateway/test_apigateway_basic.py::TestIntegrations::test_mock_integration_response[{pb}-UrlType.PATH_BASED-{method}]"
            m = mock_method(
                '{"statusCode":200}',
                '{"statusCode": 200, "id": $input.params().path.id}',
                passthrough=pb,
                method_params=[
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
            )
            add(
                f"mock_integration_response-{pb}-{method}",
                f,
                key,
                "mock-response",
                {"/{id}": {method.lower(): m}},
                {
                    "method": method,
                    "path": "/42",
                    "headers": [["Content-Type", "application/json"]],
                },
                {"status": 200, "body": snap[key]["recorded-content"]["mock-response"]},
                note="status from the test's assertion",
            )

    # --- common: routing
    f, snap = snapfile("common")
    key = "tests/aws/services/apigateway/test_apigateway_common.py::TestApigatewayRouting::test_routing_not_found"
    rc = snap[key]["recorded-content"]
    paths = {
        "/existing": {
            "get": mock_method(
                '{"statusCode": 200}',
                json.dumps({"statusCode": 200, "message": "exists"}),
            )
        }
    }
    add(
        "routing-working-route",
        f,
        key,
        "working-route",
        paths,
        {"method": "GET", "path": "/existing"},
        {"status": 200, "body": rc["working-route"]},
    )
    add(
        "routing-not-found",
        f,
        key,
        "not-found",
        paths,
        {"method": "GET", "path": "/random-non-existing"},
        {
            "status": 403,
            "body": rc["not-found"]["content"],
            "headers_subset": {"x-amzn-ErrorType": rc["not-found"]["errorType"]},
        },
        note="403 from the service's documented answer; the test asserts not ok",
    )
    add(
        "routing-wrong-method",
        f,
        key,
        "wrong-method",
        paths,
        {"method": "POST", "path": "/existing"},
        {
            "status": 403,
            "body": rc["wrong-method"]["content"],
            "headers_subset": {"x-amzn-ErrorType": rc["wrong-method"]["errorType"]},
        },
        note="403 from the service's documented answer; the test asserts not ok",
    )


def section_events():
    start = len(cases)
    # --- common: trace id per integration type
    f, snap = snapfile("common")
    key = "tests/aws/services/apigateway/test_apigateway_common.py::TestApiGatewayCommon::test_invocation_trace_id"
    rc = snap[key]["recorded-content"]
    paths = {
        "/path": {"get": mock_method('{"statusCode": 200}', json.dumps({"statusCode": 200}))},
        "/{proxy+}": {
            "x-amazon-apigateway-any-method": {
                "parameters": [
                    {
                        "name": "proxy",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {"200": {"description": "ok"}},
                "x-amazon-apigateway-integration": {
                    "type": "aws_proxy",
                    "httpMethod": "POST",
                    "uri": LAMBDA_URI.format("Echo"),
                },
            }
        },
    }
    lam = {"Echo": "recorded_functions:echo_event"}
    full = "Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1"
    small = "Root=1-3152b799-8954dae64eda91bc9a23a7e8"
    for rec, path, sent, contains in (
        ("normal-req-headers-MOCK", "/path", None, None),
        ("trace-id-req-headers-MOCK", "/path", full, None),
        ("normal-req-headers-AWS_PROXY", "/proxy-value", None, None),
        ("trace-id-req-headers-AWS_PROXY", "/proxy-value", full, full),
        (
            "trace-id-small-req-headers-AWS_PROXY",
            "/proxy-value",
            small,
            small + ";Parent=",
        ),
    ):
        req = {
            "method": "GET",
            "path": path,
            "headers": [
                ["User-Agent", "python-requests/2.31"],
                ["Accept-Encoding", "gzip, deflate"],
                ["Accept", "*/*"],
                ["Connection", "keep-alive"],
            ],
        }
        if sent:
            req["headers"].append(["x-amzn-trace-id", sent])
        exp = {"status": 200, "headers": rc[rec]}
        if contains:
            exp["header_contains"] = {"x-amzn-trace-id": contains}
        add(
            f"trace_id-{rec}",
            f,
            key,
            rec,
            paths,
            req,
            exp,
            lam,
            note="trace header assertions from the test (full trace kept; a Root-only trace gets a generated Parent)",
        )
    # --- lambda: the proxy event for path and query forms
    f, snap = snapfile("lambda")
    key = "tests/aws/services/apigateway/test_apigateway_lambda.py::test_lambda_aws_proxy_integration"
    rc = snap[key]["recorded-content"]
    any_proxy = {
        "parameters": [
            {
                "name": "proxy",
                "in": "path",
                "required": True,
                "schema": {"type": "string"},
            }
        ],
        "responses": {"200": {"description": "ok"}},
        "x-amazon-apigateway-integration": {
            "type": "aws_proxy",
            "httpMethod": "POST",
            "uri": LAMBDA_URI.format("Echo"),
        },
    }
    hard = {
        "responses": {"200": {"description": "ok"}},
        "x-amazon-apigateway-integration": {
            "type": "aws_proxy",
            "httpMethod": "POST",
            "uri": LAMBDA_URI.format("Echo"),
        },
    }
    paths = {
        "/{proxy+}": {"x-amazon-apigateway-any-method": any_proxy},
        "/hardcoded": {"x-amazon-apigateway-any-method": hard},
    }
    base_headers = [
        ["User-Agent", "python-requests/testing"],
        ["Accept-Encoding", "gzip, deflate"],
        ["Accept", "*/*"],
        ["Connection", "keep-alive"],
        ["tEsT-HEADeR", "aValUE"],
        ["authorization", "random-value"],
    ]
    EDGE = {
        "cloudfront-forwarded-proto",
        "cloudfront-is-desktop-viewer",
        "cloudfront-is-mobile-viewer",
        "cloudfront-is-smarttv-viewer",
        "cloudfront-is-tablet-viewer",
        "cloudfront-viewer-asn",
        "cloudfront-viewer-country",
        "via",
        "x-amz-cf-id",
        "host",
    }

    def event_expect(ev):
        fields = {}
        for k in (
            "path",
            "resource",
            "pathParameters",
            "queryStringParameters",
            "multiValueQueryStringParameters",
            "httpMethod",
            "body",
            "isBase64Encoded",
            "stageVariables",
        ):
            fields[k] = ev[k]
        for k in (
            "path",
            "resourcePath",
            "httpMethod",
            "stage",
            "protocol",
        ):  # accountId: the recording normalized it
            fields["requestContext." + k] = ev["requestContext"][k]
        fields["requestContext.identity.userAgent"] = ev["requestContext"]["identity"]["userAgent"]
        return {
            "status": 200,
            "event": {
                "fields": fields,
                "requestContext_keys": sorted(ev["requestContext"]),
                "identity_keys": sorted(ev["requestContext"]["identity"]),
                "headers": {k: v for k, v in ev["headers"].items() if k.lower() not in EDGE},
                "multiValueHeaders": {k: v for k, v in ev["multiValueHeaders"].items() if k.lower() not in EDGE},
            },
        }

    q = "dateTimeOffset=2023-06-12T18:05:10.123456+00:00&email=test%2Balias@gmail.com&plus=test+alias@gmail.com&url=https://www.google.com/&whitespace=foo%20bar&zhash=abort/"
    for rec, target in (
        ("invocation-payload-without-trailing-slash", "/proxy-value"),
        ("invocation-payload-with-trailing-slash", "/proxy-value/"),
        ("invocation-payload-with-double-slash", "/proxy-value//double-slash"),
        ("invocation-payload-with-prepended-slash", "//proxy-value"),
        (
            "invocation-payload-without-trailing-slash-and-query-params",
            "/proxy-value?urlparam=test",
        ),
        (
            "invocation-payload-with-trailing-slash-and-query-params",
            "/proxy-value/?urlparam=test",
        ),
        (
            "invocation-payload-with-path-encoded-email",
            "/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
        ),
        ("invocation-payload-with-params-encoding", "/proxy-value/api?" + q),
        ("invocation-hardcoded", "//hardcoded"),
    ):
        add(
            f"proxy_event-{rec.removeprefix('invocation-')}",
            f,
            key,
            rec,
            paths,
            {"method": "GET", "path": target, "headers": base_headers},
            event_expect(rc[rec]),
            lam,
            note="the request as python-requests sent it (Accept, Accept-Encoding, Connection added; a '#' ends the URL); edge headers (CloudFront-*, Via, X-Amz-Cf-Id, Host) not compared",
        )
    rec = "invocation-payload-with-params-encoding-multi"
    add(
        "proxy_event-payload-with-params-encoding-multi",
        f,
        key,
        rec,
        paths,
        {
            "method": "POST",
            "path": "/proxy-value?category=electronics&category=books&price=10&price=20&price=30",
            "headers": [
                ["User-Agent", "python-requests/testing"],
                ["Accept-Encoding", "gzip, deflate"],
                ["Accept", "*/*"],
                ["Connection", "keep-alive"],
                ["Content-Type", "application/json;charset=utf-8"],
                ["aUThorization", "Bearer token123;API key456"],
                ["Content-Length", "28"],
            ],
            "body": json.dumps({"message": "hello world"}),
        },
        event_expect(rc[rec]),
        lam,
        note="the request as python-requests sent it",
    )
    for c in cases[start:]:
        c["stage"] = "stage" if c["id"].startswith("proxy_event") else "dev"


def section_validators():
    start = len(cases)
    f, snap = snapfile("common")
    P = "tests/aws/services/apigateway/test_apigateway_common.py::TestApiGatewayCommon::"
    validators = {
        "test-validator": {
            "validateRequestParameters": True,
            "validateRequestBody": True,
        }
    }
    test_schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "testSchema",
        "type": "object",
        "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
        "required": ["a", "b"],
    }
    # main validator test: /nested/{test}, GET and POST through AWS_PROXY to an echo function
    key = P + "test_api_gateway_request_validator"
    rc = snap[key]["recorded-content"]

    def vmethod():
        return {
            "x-amazon-apigateway-request-validator": "test-validator",
            "parameters": [
                {
                    "name": "test",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                },
                {
                    "name": "qs1",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string"},
                },
                {
                    "name": "x-header-param",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string"},
                },
            ],
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/testSchema"}}}},
            "responses": {"200": {"description": "ok"}},
            "x-amazon-apigateway-integration": {
                "type": "aws_proxy",
                "httpMethod": "POST",
                "uri": LAMBDA_URI.format("Echo"),
            },
        }

    paths = {"/nested/{test}": {"get": vmethod(), "post": vmethod()}}
    extra = {
        "components": {"schemas": {"testSchema": test_schema}},
        "x-amazon-apigateway-request-validators": validators,
    }
    lam = {"Echo": "recorded_functions:echo_event"}
    ua = [
        ["User-Agent", "python-requests/2.31"],
        ["Accept-Encoding", "gzip, deflate"],
        ["Accept", "*/*"],
        ["Connection", "keep-alive"],
    ]
    add(
        "request_validator-missing-required-headers-request-params-get",
        f,
        key,
        "missing-required-headers-request-params-get",
        paths,
        {"method": "GET", "path": "/nested/value?qs1=test", "headers": ua},
        {"status": 400, "body": rc["missing-required-headers-request-params-get"]},
        lam,
        note="status from the test's assertion",
    )
    add(
        "request_validator-missing-required-qs-request-params-get",
        f,
        key,
        "missing-required-qs-request-params-get",
        paths,
        {
            "method": "GET",
            "path": "/nested/value",
            "headers": ua + [["x-header-param", "test"]],
        },
        {"status": 400, "body": rc["missing-required-qs-request-params-get"]},
        lam,
        note="status from the test's assertion",
    )
    add(
        "request_validator-invalid-request-body",
        f,
        key,
        "invalid-request-body",
        paths,
        {
            "method": "POST",
            "path": "/nested/value?qs1=test",
            "headers": ua + [["x-header-param", "test"], ["Content-Type", "application/json"]],
            "json": {"test": "test"},
        },
        {"status": 400, "body": rc["invalid-request-body"]},
        lam,
        note="status from the test's assertion",
    )
    for c in cases[start:]:
        c["extra"] = extra
    n0 = len(cases) - start
    # $ref models: an array of testSchema
    key = P + "test_api_gateway_request_validator_with_ref_models"
    rc = snap[key]["recorded-content"]
    m = mock_method('{"statusCode": 200}', json.dumps({"data": "ok"}))
    m["x-amazon-apigateway-request-validator"] = "test-validator"
    m["requestBody"] = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/testSchemaList"}}}}
    extra2 = {
        "components": {
            "schemas": {
                "testSchema": test_schema,
                "testSchemaList": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/testSchema"},
                },
            }
        },
        "x-amazon-apigateway-request-validators": validators,
    }
    add(
        "request_validator_ref_models-successful",
        f,
        key,
        "successful",
        {"/path": {"post": m}},
        {
            "method": "POST",
            "path": "/path",
            "headers": [["Content-Type", "application/json"]],
            "json": [{"a": 1, "b": 2}],
        },
        {"status": 200, "body": rc["successful"]},
    )
    add(
        "request_validator_ref_models-failed-validation",
        f,
        key,
        "failed-validation",
        {"/path": {"post": m}},
        {"method": "POST", "path": "/path"},
        {"status": 400, "body": rc["failed-validation"]},
        note="no body and no Content-Type, as requests.post(url) sends",
    )
    # oneOf with a draft-4 {"type": "null"} branch
    key = P + "test_api_gateway_request_validator_with_ref_one_ofmodels"
    rc = snap[key]["recorded-content"]
    m = mock_method('{"statusCode": 200}', json.dumps({"data": "ok"}))
    m["x-amazon-apigateway-request-validator"] = "test-validator"
    m["requestBody"] = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/TestModel"}}}}
    extra3 = {
        "components": {
            "schemas": {
                "StatusModel": {
                    "type": "object",
                    "properties": {
                        "Status": {"type": "string"},
                        "Order": {"type": "integer"},
                    },
                    "required": ["Status", "Order"],
                },
                "TestModel": {
                    "type": "object",
                    "properties": {
                        "status": {
                            "oneOf": [
                                {"type": "null"},
                                {"$ref": "#/components/schemas/StatusModel"},
                            ]
                        }
                    },
                    "required": ["status"],
                },
            }
        },
        "x-amazon-apigateway-request-validators": validators,
    }
    for rec, req in (
        ("successful", {"json": {"status": None}}),
        ("successful-with-data", {"json": {"status": {"Status": "works", "Order": 1}}}),
        ("failed-validation-no-data", {}),
        ("failed-validation-bad-data", {"json": {"badFormat": "bla"}}),
    ):
        r = {"method": "POST", "path": "/path", **req}
        if "json" in req:
            r["headers"] = [["Content-Type", "application/json"]]
        add(
            f"request_validator_one_of_null-{rec}",
            f,
            key,
            rec,
            {"/path": {"post": m}},
            r,
            {"status": 400 if rec.startswith("failed") else 200, "body": rc[rec]},
            note="models as the test created them, with the AWS model URL $ref written as a local $ref",
        )
    for c in cases[start + n0 : start + n0 + 2]:
        c["extra"] = extra2
    for c in cases[start + n0 + 2 :]:
        c["extra"] = extra3
    for c in cases[start:]:
        c["stage"] = "local"


def section_lambda_custom():
    start = len(cases)
    f, snap = snapfile("lambda")
    P = "tests/aws/services/apigateway/test_apigateway_lambda.py::"
    key = P + "test_lambda_selection_patterns"
    rc = snap[key]["recorded-content"]
    integ = {
        "type": "aws",
        "httpMethod": "POST",
        "uri": LAMBDA_URI.format("Select"),
        "requestTemplates": {"application/json": '{"statusCode": "$input.params(\'statusCode\')"}'},
        "responses": {
            "default": {"statusCode": "200"},
            ".*four hundred.*": {"statusCode": "405"},
            ".+": {"statusCode": "502"},
            "200": {"statusCode": "504"},
        },
    }
    m = {
        "parameters": [
            {
                "name": "statusCode",
                "in": "path",
                "required": True,
                "schema": {"type": "string"},
            }
        ],
        "responses": {
            "200": {"description": "ok"},
            "405": {"description": "four"},
            "502": {"description": "five"},
            "504": {"description": "never"},
        },
        "x-amazon-apigateway-integration": integ,
    }
    paths = {"/{statusCode}": {"get": m}}
    lam = {"Select": "recorded_functions:select_by_status"}
    for code, status in ((200, 200), (400, 405), (500, 502)):
        rec = f"lambda-selection-pattern-{code}"
        v = rc[rec]
        exp = {"status": status}
        if isinstance(v, str):
            exp["body_json"] = v
        else:
            exp["body_json_subset"] = {
                "errorMessage": v["errorMessage"],
                "errorType": v["errorType"],
            }
            exp["body_json_keys"] = sorted(v)
        add(
            f"lambda_selection_pattern-{code}",
            f,
            key,
            rec,
            paths,
            {"method": "GET", "path": f"/{code}"},
            exp,
            lam,
            note="statuses from the test's assertions; requestId and stackTrace vary per run and per host and are compared by key only",
        )
    key = P + "test_lambda_aws_integration_response_with_mapping_templates"
    rc = snap[key]["recorded-content"]
    REPO_ = REPO
    req_vm = subprocess.run(
        ["git", "-C", REPO_, "show", "HEAD:tests/aws/files/request-template.vm"],
        capture_output=True,
        text=True,
    ).stdout
    resp_vm = subprocess.run(
        ["git", "-C", REPO_, "show", "HEAD:tests/aws/files/response-template.vm"],
        capture_output=True,
        text=True,
    ).stdout
    integ = {
        "type": "aws",
        "httpMethod": "POST",
        "uri": LAMBDA_URI.format("Answer"),
        "requestTemplates": {"application/json": req_vm},
        "responses": {
            "default": {
                "statusCode": "200",
                "responseTemplates": {"application/json": resp_vm},
            }
        },
    }
    m = {
        "responses": {"200": {"description": "ok"}, "400": {"description": "bad"}},
        "x-amazon-apigateway-integration": integ,
    }
    for rec, body in (
        ("response-template-202", {"httpStatus": "200"}),
        (
            "response-template-400",
            {"httpStatus": "400", "errorMessage": "Test Bad request"},
        ),
    ):
        add(
            f"lambda_response_mapping_templates-{rec}",
            f,
            key,
            rec,
            {"/test": {"post": m}},
            {
                "method": "POST",
                "path": "/test",
                "headers": [["Content-Type", "application/json"]],
                "body": json.dumps(body),
            },
            {"status": rc[rec]["statusCode"], "body": rc[rec]["body"]},
            {"Answer": "recorded_functions:answer_by_http_status"},
            note="templates: localstack's tests/aws/files/request-template.vm and response-template.vm, as the test deployed them",
        )
    for c in cases[start:]:
        c["stage"] = "dev" if "selection" in c["id"] else "api"


def section_http():
    start = len(cases)
    f, snap = snapfile("http")
    for itype in ("HTTP", "HTTP_PROXY"):
        key = f"tests/aws/services/apigateway/test_apigateway_http.py::test_http_integration_invoke_status_code_passthrough[{itype}]"
        rc = snap[key]["recorded-content"]
        integ = {
            "type": itype.lower(),
            "httpMethod": "POST",
            "uri": "{upstream}/{map}",
            "requestParameters": {"integration.request.path.map": "method.request.path.map"},
            "responses": {
                "default": {
                    "statusCode": "200",
                    "responseTemplates": {"application/json": "$input.json('$')"},
                }
            },
        }
        m = {
            "parameters": [
                {
                    "name": "map",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                }
            ],
            "responses": {"200": {"description": "ok"}},
            "x-amazon-apigateway-integration": integ,
        }
        for rec, code in (("matching-response", 200), ("non-matching-response", 400)):
            add(
                f"http_status_passthrough-{itype}-{rec}",
                f,
                key,
                rec,
                {"/{map+}": {"post": m}},
                {"method": "POST", "path": f"/status/{code}"},
                {"status": rc[rec]["status_code"], "body": rc[rec]["body"]},
                note="the status-code echo server is a local HTTP server answering the status named by the path",
            )
    for c in cases[start:]:
        c["upstream"] = "status-echo"
        c["stage"] = "test"


def section_lambda_template():
    f, snap = snapfile("lambda")
    key = "tests/aws/services/apigateway/test_apigateway_lambda.py::test_lambda_aws_integration_with_request_template"
    rc = snap[key]["recorded-content"]
    integ = {
        "type": "aws",
        "httpMethod": "POST",
        "uri": LAMBDA_URI.format("Echo"),
        "requestTemplates": {"application/json": '{"param1": "$input.params(\'param1\')"}'},
        "responses": {"default": {"statusCode": "200"}},
    }
    m = {
        "responses": {"200": {"description": "ok"}},
        "x-amazon-apigateway-integration": integ,
    }
    for rec, q in (
        ("lambda-aws-integration-1", "?param1=foobar"),
        ("lambda-aws-integration-2", "?param1=foobar&Signature=1"),
    ):
        add(
            f"lambda_custom_request_template-{rec.rsplit('-', 1)[1]}",
            f,
            key,
            rec,
            {"/test": {"get": m}},
            {"method": "GET", "path": "/test" + q},
            {"status": 200, "body": rc[rec]},
            {"Echo": "recorded_functions:echo_payload"},
            note="status from the test's assertion (ok)",
        )


def main(argv: list[str]) -> int:
    global REPO, commit
    if len(argv) != 1:
        print("usage: extract_localstack.py LOCALSTACK_CHECKOUT", file=sys.stderr)
        return 2
    REPO = argv[0]
    commit = subprocess.run(
        ["git", "-C", REPO, "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    templates = chain_cases()
    for section in (
        section_requests_basic,
        section_events,
        section_validators,
        section_lambda_custom,
        section_http,
        section_lambda_template,
    ):
        section()
    (HERE / "cases" / "localstack_templates.json").write_text(json.dumps(templates, indent=1) + "\n", encoding="utf-8")
    (HERE / "cases" / "localstack_requests.json").write_text(json.dumps(cases, indent=1) + "\n", encoding="utf-8")
    print(f"{len(templates)} template cases, {len(cases)} request cases")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
