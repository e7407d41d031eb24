"""Gateway responses: defaults per type, DEFAULT_4XX/5XX fallback, customizations (not VTL), headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from apigwc.runtime import RESPONSE_TYPES, Deployment, GatewayError, ResponseType
from apigwc.runtime.gateway_responses import substitute
from runtime_helpers import IDS, NOW, SERVICE_HEADERS, api, call, compile_spec, messages  # noqa: F401 - api is a fixture

ROOT = Path(__file__).resolve().parents[2]
MOCK = "{responses: {'200': {description: ok}}, x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}, responses: {default: {statusCode: '200'}}}}"


def render(
    deployment: Deployment, error: GatewayError, headers: list[tuple[str, str]] | None = None, target: str = "/x?q=1"
):
    """Render a gateway error through the real pipeline: a guard raises it for GET ``target``."""

    class Raise:
        async def check(self, ex, method):
            return error

    deployment.guards = (Raise(),)
    return call(deployment, "GET", target, headers)


@pytest.mark.parametrize(
    "kind, status, body, error_type",
    [
        (
            ResponseType.MISSING_AUTHENTICATION_TOKEN,
            403,
            '{"message":"Missing Authentication Token"}',
            "MissingAuthenticationTokenException",
        ),
        (ResponseType.UNAUTHORIZED, 401, '{"message":"Unauthorized"}', "UnauthorizedException"),
        (
            ResponseType.ACCESS_DENIED,
            403,
            '{"message":"User is not authorized to access this resource"}',
            "AccessDeniedException",
        ),
        (ResponseType.INVALID_API_KEY, 403, '{"message":"Forbidden"}', "ForbiddenException"),
        (ResponseType.THROTTLED, 429, '{"message":"Too Many Requests"}', "TooManyRequestsException"),
        (ResponseType.QUOTA_EXCEEDED, 429, '{"message":"Limit Exceeded"}', "LimitExceededException"),
        (
            ResponseType.UNSUPPORTED_MEDIA_TYPE,
            415,
            '{"message":"Unsupported Media Type"}',
            "UnsupportedMediaTypeException",
        ),
        (ResponseType.REQUEST_TOO_LARGE, 413, '{"message":"Request Too Long"}', "RequestTooLargeException"),
        (ResponseType.RESOURCE_NOT_FOUND, 404, '{"message":"Not Found"}', "NotFoundException"),
        (
            ResponseType.API_CONFIGURATION_ERROR,
            500,
            '{"message":"Internal server error"}',
            "InternalServerErrorException",
        ),
        (ResponseType.INTEGRATION_FAILURE, 504, '{"message":"Internal server error"}', "InternalServerErrorException"),
        (
            ResponseType.INTEGRATION_TIMEOUT,
            504,
            '{"message":"Endpoint request timed out"}',
            "InternalServerErrorException",
        ),
        # a null message is JSON null
        (ResponseType.AUTHORIZER_CONFIGURATION_ERROR, 500, '{"message":null}', "AuthorizerConfigurationException"),
        (ResponseType.AUTHORIZER_FAILURE, 500, '{"message":null}', "AuthorizerFailureException"),
    ],
)
def test_uncustomized_defaults(api, kind, status, body, error_type) -> None:
    result = render(api(f"paths:\n  /x:\n    get: {MOCK}\n"), GatewayError(type=kind))
    assert (result.response.status, result.response.text) == (status, body)
    assert list(result.response.headers) == [
        ("Content-Type", "application/json"),
        SERVICE_HEADERS[0],
        ("x-amzn-ErrorType", error_type),
        *SERVICE_HEADERS[1:],
    ]
    assert f"Gateway response type: {kind.value} with status code: {status}" in messages(result, "gateway-response")


def test_every_type_has_a_default() -> None:
    assert set(RESPONSE_TYPES) == set(ResponseType) - {ResponseType.DEFAULT_4XX, ResponseType.DEFAULT_5XX}


CUSTOM = f"""
x-amazon-apigateway-gateway-responses:
  DEFAULT_4XX:
    statusCode: '418'
    responseParameters:
      gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
      gatewayresponse.header.X-Query: method.request.querystring.q
      gatewayresponse.header.X-Stage: stageVariables.env
      gatewayresponse.header.X-Missing: method.request.header.X-Nope
    responseTemplates:
      application/json: '{{"type": "$context.error.responseType", "msg": $context.error.messageString, "id": "${{context.requestId}}", "env": "$stageVariables.env", "raw": "$context.error.message"}}'
      text/plain: '$context.error.message'
  DEFAULT_5XX:
    responseTemplates:
      application/json: '{{"oops": $context.error.messageString}}'
  THROTTLED:
    statusCode: '503'
    responseTemplates:
      application/json: '{{"slow": "down", "input": "$input.params(''q'')", "vtl": "#if(true)x#end"}}'
paths:
  /x:
    get:
      parameters:
        - {{name: q, in: query, schema: {{type: string}}}}
        - {{name: X-Nope, in: header, schema: {{type: string}}}}
      responses: {{'200': {{description: ok}}}}
      x-amazon-apigateway-integration: {{type: mock, requestTemplates: {{application/json: '{{"statusCode": 200}}'}}, responses: {{default: {{statusCode: '200'}}}}}}
"""


def test_default_4xx_customization_applies_to_uncustomized_4xx_types(api) -> None:
    deployment = api(CUSTOM, stage_variables={"env": "dev"})
    result = render(deployment, GatewayError(type=ResponseType.INVALID_API_KEY))
    assert result.response.status == 418  # DEFAULT_4XX's status code changes every 4XX type without its own
    assert result.response.text == (
        '{"type": "INVALID_API_KEY", "msg": "Forbidden", "id": "'
        + IDS.request_id
        + '", "env": "dev", "raw": "Forbidden"}'
    )
    assert list(result.response.headers) == [
        ("Content-Type", "application/json"),
        ("Access-Control-Allow-Origin", "*"),
        ("X-Query", "1"),
        ("X-Stage", "dev"),
        SERVICE_HEADERS[0],
        ("x-amzn-ErrorType", "ForbiddenException"),
        *SERVICE_HEADERS[1:],
    ]
    log = messages(result, "gateway-response")
    assert log[0] == "Gateway response type: INVALID_API_KEY with status code: 418 (customized as DEFAULT_4XX)"
    assert "Gateway response header X-Missing not set: method.request.header.X-Nope has no value" in log


def test_unauthorized_falls_back_to_default_4xx_too(api) -> None:
    result = render(api(CUSTOM), GatewayError(type=ResponseType.UNAUTHORIZED))
    assert result.response.status == 418
    assert result.response.headers.get("Access-Control-Allow-Origin") == "*"


def test_template_by_accept(api) -> None:
    result = render(
        api(CUSTOM),
        GatewayError(type=ResponseType.UNAUTHORIZED, message="Unauthorized: no token"),
        [("Accept", "text/plain")],
    )
    assert (result.response.text, result.response.headers.get("Content-Type")) == (
        "Unauthorized: no token",
        "text/plain",
    )


def test_own_customization_wins_and_is_not_vtl(api) -> None:
    result = render(api(CUSTOM), GatewayError(type=ResponseType.THROTTLED))
    assert result.response.status == 503
    # only $context and $stageVariables are substituted: $input and directives stay as written
    assert result.response.text == '{"slow": "down", "input": "$input.params(\'q\')", "vtl": "#if(true)x#end"}'
    assert result.response.headers.get("Access-Control-Allow-Origin") is None  # its own headers only


def test_default_5xx_keeps_the_default_status(api) -> None:
    result = render(api(CUSTOM), GatewayError(type=ResponseType.INTEGRATION_TIMEOUT))
    assert (result.response.status, result.response.text) == (504, '{"oops": "Endpoint request timed out"}')


def test_error_status_and_default_template_overrides(api) -> None:
    deployment = api(f"paths:\n  /x:\n    get: {MOCK}\n")
    result = render(deployment, GatewayError(type=ResponseType.API_CONFIGURATION_ERROR, status=502))
    assert (result.response.status, result.response.text) == (502, '{"message":"Internal server error"}')
    denied = GatewayError(
        type=ResponseType.ACCESS_DENIED,
        message="User is not authorized to access this resource with an explicit deny",
        default_template='{"Message":$context.error.messageString}',
    )
    result = render(deployment, denied)
    assert result.response.text == '{"Message":"User is not authorized to access this resource with an explicit deny"}'


def test_secure_api_customizations() -> None:
    gateway = compile_spec(ROOT / "specs" / "secure-api.yaml")
    deployment = Deployment.create(gateway, None, ids=lambda now: IDS, clock=lambda: NOW)
    assert not isinstance(deployment, str)
    # DEFAULT_4XX: the API's error shape and a CORS header
    result = call(deployment, "GET", "/nowhere")
    assert result.response.status == 403
    assert result.response.text == (
        '{"error": {"type": "MISSING_AUTHENTICATION_TOKEN", "message": "Missing Authentication Token"}, "requestId": "'
        + IDS.request_id
        + '"}'
    )
    assert result.response.headers.get("Access-Control-Allow-Origin") == "https://notes.example.com"
    # BAD_REQUEST_BODY: its own template with the validation detail
    result = call(deployment, "POST", "/notes", [("Content-Type", "application/json")], '{"body": "no title"}')
    assert result.response.status == 400
    assert (
        result.response.text
        == '{"error": {"type": "BAD_REQUEST_BODY", "message": "[object has missing required properties (["title"])]"}}'
    )
    assert result.response.headers.get("Access-Control-Allow-Origin") is None
    # UNAUTHORIZED: its own header and template
    result = render(deployment, GatewayError(type=ResponseType.UNAUTHORIZED), target="/notes")
    assert result.response.status == 401
    assert result.response.text == '{"error": {"type": "UNAUTHORIZED", "message": "a valid bearer token is required"}}'
    assert result.response.headers.get("WWW-Authenticate") == 'Bearer realm="notes"'
    # DEFAULT_5XX
    deployment = Deployment.create(gateway, None, ids=lambda now: IDS, clock=lambda: NOW)
    assert not isinstance(deployment, str)
    result = call(deployment, "GET", "/notes")
    assert result.response.status == 500
    assert result.response.text == (
        '{"error": {"type": "API_CONFIGURATION_ERROR", "message": "AWS integrations have no backend in this deployment"}, "requestId": "'
        + IDS.request_id
        + '"}'
    )


def test_substitute() -> None:
    context = {
        "requestId": "r",
        "error": {"messageString": '"m"', "message": None},
        "identity": {"sourceIp": "1.2.3.4"},
    }
    assert substitute(
        "$context.requestId ${context.identity.sourceIp} [$context.error.message] $stageVariables.a $context.nope $x",
        context,
        {"a": "A"},
    ) == ("r 1.2.3.4 [] A  $x")
