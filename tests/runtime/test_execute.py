"""The whole pipeline: the Users example, template failures, the authorization hook, backend failures, every spec."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from apigwc import gateway as gw
from apigwc.runtime import (
    Deployment,
    EndpointRequest,
    EndpointResponse,
    Exchange,
    GatewayError,
    Headers,
    ResponseType,
    offline_backends,
)
from apigwc.runtime.backends import within_deadline
from apigwc.runtime.mapping_templates import TemplateRef, Templates
from runtime_helpers import (  # noqa: F401 - api is a fixture
    IDS,
    MOCK_SERVICE_HEADERS,
    NOW,
    SERVICE_HEADERS,
    api,
    call,
    compile_spec,
    messages,
)

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.yaml"))


def deploy(spec: Path, **options) -> Deployment:
    deployment = Deployment.create(compile_spec(spec), None, ids=lambda now: IDS, clock=lambda: NOW, **options)
    assert not isinstance(deployment, str)
    return deployment


USERS_5 = (
    "[\n"
    '  {"id": "1", "name": "User 1"},  {"id": "2", "name": "User 2"},  {"id": "3", "name": "User 3"},'
    '  {"id": "4", "name": "User 4"},  {"id": "5", "name": "User 5"}]\n'
)


def test_users_example() -> None:
    deployment = deploy(ROOT / "specs" / "users.yaml")
    result = call(deployment, "GET", "/users?count=5")
    assert result.response.status == 200
    assert result.response.text == USERS_5
    assert list(result.response.headers) == [("Content-Type", "application/json"), *MOCK_SERVICE_HEADERS]
    assert [(e.step.value, e.message) for e in result.log] == [
        ("request", f"Starting execution for request: {IDS.request_id}"),
        ("request", "HTTP Method: GET, Resource Path: /users"),
        ("route", "Method: GET /users"),
        ("method-request", "Method request path: {}"),
        ("method-request", "Method request query string: {count=5}"),
        ("method-request", "Method request headers: {}"),
        ("method-request", "Method request body before transformations: "),
        ("authorization", "Authorization: NONE"),
        ("validation", "Request validation succeeded (validator params-only)"),
        ("integration-request", "Endpoint request headers: {}"),
        ("integration-request", 'Endpoint request body after transformations: {"statusCode": 200}\n'),
        ("endpoint", "Mock integration: statusCode 200"),
        ("endpoint", "Received response. Status: 200, Integration latency: 0 ms"),
        ("endpoint", "Endpoint response headers: {}"),
        ("endpoint", "Endpoint response body before transformations: "),
        (
            "integration-response",
            "Integration response selected: default -> 200, because no selection pattern matches the status code '200': the default response",
        ),
        ("method-response", f"Method response body after transformations: {USERS_5}"),
        (
            "method-response",
            f"Method response headers: {{Content-Type=application/json, x-amzn-RequestId={IDS.request_id}, x-amz-apigw-id={IDS.extended_request_id}}}",
        ),
        ("method-response", "Successfully completed execution"),
        ("method-response", "Method completed with status: 200"),
    ]
    result = call(deployment, "GET", "/users?count=50")
    assert (result.response.status, result.response.text) == (
        500,
        '{"message": "count must be a number from 1 to 10, got \'50\'"}\n',
    )
    assert (
        "Integration response selected: 5\\d{2} -> 500, because the selection pattern 5\\d{2} matches the status code '500'"
        in messages(result)
    )
    result = call(deployment, "GET", "/users/u%2D7")
    assert (result.response.status, result.response.text) == (200, '{"id": "u-7", "name": "User u-7"}\n')


def test_context_values_seen_by_templates(api) -> None:
    deployment = api(
        """
paths:
  /ctx/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default:
            statusCode: '200'
            responseTemplates:
              application/json: '$context.requestId|$context.extendedRequestId|$context.requestTime|$context.requestTimeEpoch|$context.path|$context.resourcePath|$context.resourceId|$context.httpMethod|$context.stage|$context.identity.sourceIp|$context.identity.userAgent|$context.domainName|$context.domainPrefix|$context.apiId|$context.accountId|$stageVariables.v'
""",
        stage="beta",
        stage_variables={"v": "1"},
    )
    result = call(deployment, "GET", "/ctx/7", [("User-Agent", "curl/8"), ("Host", "api.example.com")])
    assert result.response.text == (
        f"{IDS.request_id}|{IDS.extended_request_id}|14/Nov/2023:22:13:20 +0000|1700000000000|/beta/ctx/7|/ctx/{{id}}|ResourceCtxId|GET|beta"
        f"|127.0.0.1|curl/8|api.example.com|api|{deployment.api_id}|123456789012|1"
    )
    assert re.fullmatch(r"[0-9a-z]{10}", deployment.api_id)


TEMPLATE_FAILS = """
paths:
  /t:
    get:
      parameters: [{name: x, in: query, schema: {type: string}}]
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: |-
            #set($n = $util.parseJson($input.params('x')))
            {"statusCode": 200}
        responses:
          default:
            statusCode: '200'
            responseTemplates:
              application/json: |-
                {
                  "v": $util.base64Decode($input.params('x'))
                }
"""


def test_template_failure_is_a_500_naming_template_line_and_column(api) -> None:
    deployment = api(TEMPLATE_FAILS)
    result = call(deployment, "GET", "/t?x=%7Bbad")
    assert (result.response.status, result.response.text) == (500, '{"message":"Internal server error"}')
    assert messages(result, "integration-request")[-1] == (
        "Execution failed due to configuration error: the request template application/json of GET /t failed at line 1, column 1: "
        "$util.parseJson: not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"
    )
    result = call(deployment, "GET", "/t?x=1")
    assert result.response.status == 500
    assert messages(result, "integration-response")[-1] == (
        "Execution failed due to configuration error: the 200 response template application/json of GET /t failed at line 2, column 8: "
        "$util.base64Decode: not valid base64 (Invalid base64-encoded string: number of data characters (1) cannot be 1 more than a multiple of 4)"
    )


def test_template_syntax_error_and_intrinsic() -> None:
    from apigwc.intrinsics import Intrinsic

    templates = Templates()
    ref = TemplateRef("GET /x", "application/json")
    failed = templates.render("{\n  #if($x\n}", ref, {})
    assert isinstance(failed, GatewayError)
    assert failed.log == (
        "Execution failed due to configuration error: the request template application/json of GET /x failed at line 2, column 9: "
        "syntax error in parenthesized expression: expected ), found the end of the template"
    )
    failed = templates.render(Intrinsic("Fn::Sub", "x"), ref, {})
    assert isinstance(failed, GatewayError)
    assert failed.log == (
        'Execution failed due to configuration error: the request template application/json of GET /x is a CloudFormation intrinsic ({"Fn::Sub":"x"}), '
        "which apigwc cannot evaluate locally"
    )


def test_templates_compile_once() -> None:
    gateway = compile_spec(ROOT / "specs" / "users.yaml")
    templates = Templates()
    assert templates.precompile(gateway) == 5  # two request and three response templates
    first = templates.compiled('{"statusCode": 200}')
    assert templates.compiled('{"statusCode": 200}') is first


class Authorize:
    """A guard like the local gateway's authorizers: refuses without a token, else fills $context.authorizer."""

    async def check(self, ex: Exchange, method: gw.Method) -> GatewayError | None:
        token = ex.request.headers.get("Authorization")
        if not token:
            return GatewayError(type=ResponseType.UNAUTHORIZED, log="Unauthorized request: no token")
        ex.context["authorizer"] = {"principalId": token.removeprefix("Bearer ")}
        return None


class Broken:
    async def check(self, ex: Exchange, method: gw.Method) -> GatewayError | None:
        raise RuntimeError("boom")


PRINCIPAL = """
paths:
  /me:
    get:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: '200', responseTemplates: {application/json: '{"me": "$context.authorizer.principalId"}'}}}
"""


def test_authorization_hook(api) -> None:
    deployment = api(PRINCIPAL, guards=[Authorize()])
    result = call(deployment, "GET", "/me", [("Authorization", "Bearer ada")])
    assert (result.response.status, result.response.text) == (200, '{"me": "ada"}')
    result = call(deployment, "GET", "/me")
    assert (result.response.status, result.response.text) == (401, '{"message":"Unauthorized"}')
    assert messages(result, "authorization") == ["Unauthorized request: no token"]
    result = call(api(PRINCIPAL, guards=[Broken()]), "GET", "/me")
    assert (result.response.status, result.response.text) == (500, '{"message":null}')
    assert messages(result, "authorization") == ["Execution failed: Broken raised RuntimeError('boom')"]


def test_iam_and_authorizers_are_logged_as_not_emulated() -> None:
    result = call(deploy(ROOT / "specs" / "http-backend.yaml"), "GET", "/orders/1")
    assert messages(result, "authorization") == [
        "AWS_IAM authorization is not emulated by apigwc invoke: the request is not checked for a SigV4 signature"
    ]
    result = call(deploy(ROOT / "specs" / "secure-api.yaml"), "GET", "/notes")
    assert messages(result, "authorization") == [
        "The TOKEN authorizer 'bearer' is not run by apigwc invoke (like the console's Test): the request continues unauthenticated",
        "API key required: not checked by apigwc invoke (like the console's Test)",
    ]


HTTP = """
paths:
  /h:
    get:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: 'http://backend.local/h', timeoutInMillis: 50}
"""


class Slow:
    """A backend that keeps the integration timeout the way the local gateway's backends will."""

    async def invoke(self, request: EndpointRequest, ex: Exchange) -> EndpointResponse | GatewayError:
        return await within_deadline(self.answer(), request)

    async def answer(self) -> EndpointResponse:
        await asyncio.sleep(5)
        return EndpointResponse(status=200)


class Crashes:
    async def invoke(self, request: EndpointRequest, ex: Exchange) -> EndpointResponse:
        raise ConnectionError("refused")


class Upstream:
    async def invoke(self, request: EndpointRequest, ex: Exchange) -> EndpointResponse:
        return EndpointResponse(
            status=418,
            headers=Headers(
                [("Content-Type", "text/plain"), ("x-amzn-ErrorType", "Teapot"), ("x-amzn-RequestId", "spoofed")]
            ),
            body=b"short and stout",
        )


def with_backend(api, backend):
    backends = offline_backends()
    backends[gw.IntegrationType.HTTP_PROXY] = backend
    return api(HTTP, backends=backends)


def test_backend_timeout_failure_and_proxy_response(api) -> None:
    result = call(with_backend(api, Slow()), "GET", "/h")
    assert (result.response.status, result.response.text) == (504, '{"message":"Endpoint request timed out"}')
    assert (
        messages(result, "endpoint")[-1]
        == "Execution failed due to a timeout error: the endpoint did not answer within 50 ms"
    )
    result = call(with_backend(api, Crashes()), "GET", "/h")
    assert (result.response.status, result.response.text) == (504, '{"message":"Internal server error"}')
    assert (
        messages(result, "endpoint")[-1] == "Execution failed: the HTTP_PROXY backend raised ConnectionError('refused')"
    )
    result = call(with_backend(api, Upstream()), "GET", "/h")
    assert (result.response.status, result.response.body) == (418, b"short and stout")
    # the integration's x-amzn-ErrorType passes through; the gateway's own ids replace spoofed ones
    assert list(result.response.headers) == [
        ("Content-Type", "text/plain"),
        ("x-amzn-ErrorType", "Teapot"),
        *SERVICE_HEADERS,
    ]


def test_integrations_without_a_backend_say_so(api) -> None:
    """A Deployment made without backends (the library default) runs MOCK only, and says so for the rest."""
    result = call(api(HTTP), "GET", "/h")
    assert (result.response.status, result.response.text) == (
        500,
        '{"message":"HTTP_PROXY integrations have no backend in this deployment"}',
    )
    assert messages(result, "endpoint") == [
        "Sending request to http://backend.local/h",
        "Execution failed: HTTP_PROXY integrations have no backend in this deployment; create the Deployment with "
        "backends=LocalGateway.create(gateway, spec_dir).backends (apigwc.local), as apigwc invoke and apigwc serve do",
    ]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\+\}", "a/b", re.sub(r"\{[^}+]+\}", "x1", path))


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_every_example_routes_and_mock_methods_answer(spec: Path) -> None:
    deployment = deploy(spec)
    assert deployment.gateway.methods
    for method in deployment.gateway.methods:
        verb = "PATCH" if method.http_method is gw.HttpMethod.ANY else method.http_method.value
        query = "?" + "&".join(f"{k.rsplit('.', 1)[1]}=5" for k in method.request_parameters if ".querystring." in k)
        headers = [(k.rsplit(".", 1)[1], "v") for k in method.request_parameters if ".header." in k]
        result = call(
            deployment, verb, concrete(method.path) + query, headers + [("Content-Type", "application/json")], "{}"
        )
        assert f"Method: {method.label}" in messages(result, "route")[0], messages(result)
        assert result.error_type is not ResponseType.MISSING_AUTHENTICATION_TOKEN
        if method.integration is not None and method.integration.type is gw.IntegrationType.MOCK:
            assert result.response.status == 200, messages(result)


def test_data_trace_off_keeps_one_line_per_step() -> None:
    deployment = deploy(ROOT / "specs" / "users.yaml", data_trace=False)
    result = call(deployment, "GET", "/users?count=5")
    assert result.response.text == USERS_5
    assert [(e.step.value, e.message) for e in result.log] == [
        ("request", f"Starting execution for request: {IDS.request_id}"),
        ("request", "HTTP Method: GET, Resource Path: /users"),
        ("route", "Method: GET /users"),
        ("authorization", "Authorization: NONE"),
        ("validation", "Request validation succeeded (validator params-only)"),
        ("endpoint", "Mock integration: statusCode 200"),
        ("endpoint", "Received response. Status: 200, Integration latency: 0 ms"),
        (
            "integration-response",
            "Integration response selected: default -> 200, because no selection pattern matches the status code '200': the default response",
        ),
        ("method-response", "Successfully completed execution"),
        ("method-response", "Method completed with status: 200"),
    ]


def test_intrinsic_uri_reaches_the_backend_without_a_uri(api) -> None:
    deployment = api(
        """
paths:
  /pets:
    get:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: {'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${PetsFunction.Arn}/invocations'}
"""
    )
    result = call(deployment, "GET", "/pets")
    assert (result.response.status, result.response.text) == (
        500,
        '{"message":"AWS_PROXY integrations have no backend in this deployment"}',
    )
    log = messages(result, "integration-request")
    assert log[0].startswith('The integration URI is a CloudFormation intrinsic ({"Fn::Sub":')
    assert log[0].endswith("; the local Lambda function is the one it refers to")


def test_an_informational_status_is_a_configuration_error(api) -> None:
    deployment = api(
        """
paths:
  /s:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 101}'}
        responses: {default: {statusCode: "101"}}
      responses: {"101": {description: switching}}
"""
    )
    result = call(deployment, "GET", "/s")
    assert (result.response.status, result.response.text) == (500, '{"message":"Internal server error"}')
    assert (
        "Execution failed due to configuration error: the response status 101 is informational (1xx) and cannot end a response"
        in messages(result)
    )
