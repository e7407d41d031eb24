"""Integration request: passthrough behaviour (415), template choice, mappings, overrides, URI, content handling."""

from __future__ import annotations

import pytest

from apigwc import gateway as gw
from apigwc.intrinsics import fill_variables
from apigwc.runtime import Backend, EndpointRequest, EndpointResponse, Exchange, offline_backends
from apigwc.runtime.integration_request import fill_path
from runtime_helpers import SERVICE_HEADERS, api, call, messages  # noqa: F401 - api is a fixture

# The MOCK answers the statusCode of its integration request body: 201 when the client's
# payload passed through, 202 when a request template transformed it.
RESPONSES = "{'200': {description: ok}, '201': {description: passed}, '202': {description: transformed}}"
ANSWERS = "{'201': {statusCode: '201'}, '202': {statusCode: '202'}, default: {statusCode: '200'}}"
PASSED, TRANSFORMED = 201, 202


def spec(templates: str | None, behavior: str) -> str:
    request_templates = f"requestTemplates: {templates}, " if templates else ""
    return f"""
paths:
  /t:
    post:
      responses: {RESPONSES}
      x-amazon-apigateway-integration: {{type: mock, passthroughBehavior: {behavior}, {request_templates}responses: {ANSWERS}}}
"""


JSON_ONLY = "{application/json: '{\"statusCode\": 202}'}"
XML_ONLY = "{application/xml: '{\"statusCode\": 202}'}"


@pytest.mark.parametrize(
    "templates, content_type, expected",
    [
        # no templates at all
        (None, None, {"when_no_match": PASSED, "when_no_templates": PASSED, "never": 415}),
        (None, "application/xml", {"when_no_match": PASSED, "when_no_templates": PASSED, "never": 415}),
        # an application/json template; an absent Content-Type means application/json
        (JSON_ONLY, None, {"when_no_match": TRANSFORMED, "when_no_templates": TRANSFORMED, "never": TRANSFORMED}),
        (
            JSON_ONLY,
            "application/json",
            {"when_no_match": TRANSFORMED, "when_no_templates": TRANSFORMED, "never": TRANSFORMED},
        ),
        (
            JSON_ONLY,
            "application/json; charset=UTF-8",
            {"when_no_match": TRANSFORMED, "when_no_templates": TRANSFORMED, "never": TRANSFORMED},
        ),
        (
            JSON_ONLY,
            "Application/JSON",
            {"when_no_match": TRANSFORMED, "when_no_templates": TRANSFORMED, "never": TRANSFORMED},
        ),
        (JSON_ONLY, "application/xml", {"when_no_match": PASSED, "when_no_templates": 415, "never": 415}),
        # an application/xml template only
        (XML_ONLY, None, {"when_no_match": PASSED, "when_no_templates": 415, "never": 415}),
        (XML_ONLY, "application/json", {"when_no_match": PASSED, "when_no_templates": 415, "never": 415}),
        (
            XML_ONLY,
            "application/xml",
            {"when_no_match": TRANSFORMED, "when_no_templates": TRANSFORMED, "never": TRANSFORMED},
        ),
    ],
)
@pytest.mark.parametrize("behavior", ["when_no_match", "when_no_templates", "never"])
def test_passthrough_table(api, templates, content_type, expected, behavior) -> None:
    deployment = api(spec(templates, behavior))
    headers = [("Content-Type", content_type)] if content_type else []
    result = call(deployment, "POST", "/t", headers, '{"statusCode": 201}')
    assert result.response.status == expected[behavior]
    if expected[behavior] == 415:
        assert result.response.body == b'{"message":"Unsupported Media Type"}'
        assert ("x-amzn-ErrorType", "UnsupportedMediaTypeException") in list(result.response.headers)
        assert any(m.startswith("Request rejected: ") for m in messages(result, "integration-request"))


def test_415_message_names_the_content_type_and_templates(api) -> None:
    result = call(api(spec(JSON_ONLY, "when_no_templates")), "POST", "/t", [("Content-Type", "text/csv")], "a,b")
    assert messages(result, "integration-request") == [
        "Request rejected: no request template for Content-Type text/csv (templates: application/json) and passthroughBehavior is WHEN_NO_TEMPLATES"
    ]


class Capture:
    """A backend that records the integration request and answers 200 (a real Backend, used in place of HTTP)."""

    def __init__(self) -> None:
        self.seen: list[EndpointRequest] = []

    async def invoke(self, request: EndpointRequest, ex: Exchange) -> EndpointResponse:
        self.seen.append(request)
        return EndpointResponse(status=200)


def http_api(api, integration: str, extra: str = "", stage_vars: dict | None = None, head_extra: str = ""):
    capture = Capture()
    backends: dict[gw.IntegrationType, Backend] = offline_backends()
    backends[gw.IntegrationType.HTTP] = capture
    backends[gw.IntegrationType.HTTP_PROXY] = capture
    body = f"""
paths:
  /orders/{{orderId}}:
    post:
      parameters:
        - {{name: orderId, in: path, required: true, schema: {{type: string}}}}
        - {{name: X-Trace, in: header, schema: {{type: string}}}}
        - {{name: tags, in: query, schema: {{type: string}}}}
        - {{name: X-Nope, in: header, schema: {{type: string}}}}
{extra}
      responses: {{'200': {{description: ok}}}}
      x-amazon-apigateway-integration: {integration}
"""
    head = 'openapi: 3.0.3\ninfo: {title: T, version: "1"}\n' + head_extra
    return api(body, head=head, backends=backends, stage_variables=stage_vars or {}), capture


def test_mappings_template_and_overrides_build_the_endpoint_request(api) -> None:
    integration = """
        type: http
        httpMethod: PUT
        uri: https://${stageVariables.host}/v1/orders/{id}/{kind}
        timeoutInMillis: 5000
        requestParameters:
          integration.request.path.id: method.request.path.orderId
          integration.request.path.kind: "'full'"
          integration.request.header.X-Trace: method.request.header.X-Trace
          integration.request.header.X-Stage: stageVariables.env
          integration.request.header.X-Req: context.requestId
          integration.request.querystring.tag: method.request.multivaluequerystring.tags
          integration.request.querystring.source: method.request.body.meta.source
          integration.request.header.X-Absent: method.request.header.X-Nope
        requestTemplates:
          application/json: |-
            #set($context.requestOverride.header.X-Override = "yes")
            #set($context.requestOverride.path.kind = "brief")
            {"order": "$input.params('orderId')", "n": $input.json('$.n')}
        responses: {default: {statusCode: '200'}}
"""
    deployment, capture = http_api(api, integration, stage_vars={"host": "backend.local:8080", "env": "test"})
    result = call(
        deployment,
        "POST",
        "/orders/a%20b?tags=x&tags=y",
        [("x-trace", "t-1"), ("Content-Type", "application/json")],
        '{"n": 3, "meta": {"source": "web"}}',
    )
    assert result.response.status == 200, messages(result)
    (sent,) = capture.seen
    assert sent.http_method == "PUT"
    assert sent.uri == "https://backend.local:8080/v1/orders/a%20b/brief"
    assert sent.url == "https://backend.local:8080/v1/orders/a%20b/brief?source=web&tag=x&tag=y"
    assert dict(sent.path) == {"id": "a b", "kind": "brief"}
    assert sent.query == (("source", "web"), ("tag", "x"), ("tag", "y"))
    # in the order of the (sorted) requestParameters, then the template's overrides
    assert list(sent.headers) == [
        ("X-Req", SERVICE_HEADERS[0][1]),
        ("X-Stage", "test"),
        ("X-Trace", "t-1"),
        ("X-Override", "yes"),
    ]
    assert sent.body == b'{"order": "a b", "n": 3}'
    assert sent.template == "application/json"
    assert sent.timeout_seconds == 5.0
    log = messages(result, "integration-request")
    assert (
        "Request parameter integration.request.header.X-Absent not set: method.request.header.X-Nope has no value"
        in log
    )
    assert "Request overrides from the template: {header.X-Override=yes, path.kind=brief}" in log
    assert f"Endpoint request URI: {sent.url}" in log


def test_missing_stage_variable_is_logged_and_empty(api) -> None:
    deployment, capture = http_api(
        api,
        "{type: http, httpMethod: GET, uri: 'http://${stageVariables.host}/x', responses: {default: {statusCode: '200'}}}",
    )
    result = call(deployment, "POST", "/orders/1")
    assert capture.seen[0].uri == "http:///x"
    assert "Stage variable host is not defined: ${stageVariables.host} is empty in the endpoint URI" in messages(result)


def test_proxy_integration_passes_the_method_request_through(api) -> None:
    integration = """
        type: http_proxy
        httpMethod: ANY
        uri: http://legacy.local/{id}
        requestParameters:
          integration.request.path.id: method.request.path.orderId
          integration.request.header.X-Added: "'1'"
"""
    deployment, capture = http_api(api, integration)
    result = call(
        deployment, "POST", "/orders/7?tags=a", [("X-Trace", "t"), ("Content-Type", "text/plain")], "raw body"
    )
    (sent,) = capture.seen
    assert (sent.http_method, sent.url, sent.body, sent.template) == (
        "POST",
        "http://legacy.local/7?tags=a",
        b"raw body",
        None,
    )
    assert list(sent.headers) == [("X-Trace", "t"), ("Content-Type", "text/plain"), ("X-Added", "1")]
    # a proxy response goes back as is (plus Content-Type and the service headers)
    assert (result.response.status, list(result.response.headers)) == (
        200,
        [("Content-Type", "application/json"), *SERVICE_HEADERS],
    )


@pytest.mark.parametrize(
    "handling, content_type, body, sent",
    [
        # text payload, CONVERT_TO_BINARY: base64-decoded
        ("CONVERT_TO_BINARY", "text/plain", b"aGVsbG8=", b"hello"),
        # binary payload (image/png is a binary media type), CONVERT_TO_TEXT: base64-encoded
        ("CONVERT_TO_TEXT", "image/png", b"\x89PNG", b"iVBORw=="),
        # binary payload, CONVERT_TO_BINARY: unchanged; text payload, CONVERT_TO_TEXT: unchanged
        ("CONVERT_TO_BINARY", "image/png", b"\x89PNG", b"\x89PNG"),
        ("CONVERT_TO_TEXT", "text/plain", b"plain", b"plain"),
    ],
)
def test_content_handling(api, handling, content_type, body, sent) -> None:
    integration = f"{{type: http, httpMethod: POST, uri: 'http://b.local/', contentHandling: {handling}, responses: {{default: {{statusCode: '200'}}}}}}"
    deployment, capture = http_api(api, integration, head_extra="x-amazon-apigateway-binary-media-types: [image/png]\n")
    result = call(deployment, "POST", "/orders/1", [("Content-Type", content_type)], body)
    assert result.response.status == 200, messages(result)
    assert capture.seen[0].body == sent


def test_base64_decode_failure_is_a_500(api) -> None:
    integration = "{type: http, httpMethod: POST, uri: 'http://b.local/', contentHandling: CONVERT_TO_BINARY, responses: {default: {statusCode: '200'}}}"
    deployment, capture = http_api(api, integration)
    result = call(deployment, "POST", "/orders/1", [("Content-Type", "text/plain")], "not base64!")
    assert (result.response.status, result.response.body, capture.seen) == (
        500,
        b'{"message":"Internal server error"}',
        [],
    )


def test_fill_helpers() -> None:
    filled = fill_variables("https://${stageVariables.a}/${stageVariables.b}", {"a": "h"})
    assert (filled.text, list(filled.missing)) == ("https://h/", ["b"])
    assert fill_path("/x/{a}/{b}/{c}", {"a": "1 2", "b": "p/q"}) == ("/x/1%202/p/q/{c}", ["c"])
