"""Integration response: selection (whole-string Java regex), templates by Accept, parameters, responseOverride."""

from __future__ import annotations

import dataclasses

import pytest

from apigwc import gateway as gw
from apigwc.runtime import Deployment, EndpointRequest, EndpointResponse, Exchange, offline_backends, select_stage
from apigwc.runtime.integration_response import choose_template, select
from runtime_helpers import IDS, MOCK_SERVICE_HEADERS, SERVICE_HEADERS, api, call, messages  # noqa: F401 - api is a fixture


def integration(responses: list[tuple[str | None, str]], lambda_custom: bool = False) -> gw.Integration:
    return gw.Integration(
        type=gw.IntegrationType.AWS if lambda_custom else gw.IntegrationType.HTTP,
        http_method="POST",
        uri="arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:F/invocations",
        credentials=None,
        request_parameters={},
        request_templates={},
        passthrough_behavior=gw.PassthroughBehavior.WHEN_NO_MATCH,
        content_handling=None,
        timeout_in_millis=29000,
        cache_namespace=None,
        cache_key_parameters=(),
        connection_type=gw.ConnectionType.INTERNET,
        connection_id=None,
        integration_target=None,
        tls_insecure_skip_verification=None,
        response_transfer_mode="BUFFERED",
        responses=tuple(
            gw.IntegrationResponse(
                status_code=status,
                selection_pattern=pattern,
                response_parameters={},
                response_templates={},
                content_handling=None,
            )
            for pattern, status in sorted(responses, key=lambda r: r[1])
        ),
        lambda_function=gw.LambdaFunction(arn="arn:aws:lambda:us-east-1:1:function:F", name="F", qualifier=None)
        if lambda_custom
        else None,
    )


@pytest.mark.parametrize(
    "responses, status, chosen",
    [
        ([(r"2\d{2}", "200"), (r"5\d{2}", "500"), (None, "201")], 503, "500"),
        ([(r"2\d{2}", "200"), (r"5\d{2}", "500"), (None, "201")], 204, "200"),
        ([(r"2\d{2}", "200"), (r"5\d{2}", "500"), (None, "201")], 404, "201"),
        # the whole status must match: 4\d does not match 404
        ([(r"4\d", "400"), (None, "200")], 404, "200"),
        ([(r"400|404", "400"), (None, "200")], 404, "400"),
        # several patterns match: the first in status-code order wins
        ([(r"4.*", "499"), (r"40\d", "400"), (None, "200")], 404, "400"),
        # no default and no match
        ([(r"2\d{2}", "200")], 500, None),
    ],
)
def test_selection_by_status_code(responses, status, chosen) -> None:
    found = select(integration(responses), EndpointResponse(status=status))
    assert (found.response.status_code if found.response else None) == chosen
    assert found.input == str(status)


@pytest.mark.parametrize(
    "pattern, error_message, matched",
    [
        ("Invalid*", "Invalid input", False),  # the whole message must match [reference §0.1]
        ("Invalid.*", "Invalid input", True),
        (".*Not Found.*", "Item Not Found", True),
        # Java's . does not match a newline: a multi-line errorMessage needs (?s) or [\s\S]
        (".*Error.*", "Bad thing\nError: x", False),
        ("(?s).*Error.*", "Bad thing\nError: x", True),
        (r"[\s\S]*Error[\s\S]*", "Bad thing\nError: x", True),
        (r"\[400\].*", "[400] bad request", True),
        # a function that succeeded has a null errorMessage: only patterns matching "" select
        (".*", None, True),
        (".+", None, False),
    ],
)
def test_selection_by_lambda_error_message(pattern, error_message, matched) -> None:
    found = select(
        integration([(pattern, "400"), (None, "200")], lambda_custom=True),
        EndpointResponse(status=200, error_message=error_message),
    )
    assert found.response is not None
    assert found.response.status_code == ("400" if matched else "200")
    assert found.input == error_message


def test_selection_reason_names_the_input() -> None:
    found = select(
        integration([("Invalid.*", "400"), (None, "200")], lambda_custom=True),
        EndpointResponse(status=200, error_message="Invalid note: x"),
    )
    assert found.reason == "the selection pattern Invalid.* matches the Lambda errorMessage 'Invalid note: x'"
    found = select(integration([(r"5\d{2}", "500"), (None, "200")]), EndpointResponse(status=200))
    assert found.reason == "no selection pattern matches the status code '200': the default response"


def test_java_only_pattern_syntax_is_evaluated() -> None:
    """Class intersection (valid Java that Python's re lacked) selects as API Gateway would."""
    found = select(integration([("[0-9&&[^5]]+", "400"), (None, "200")]), EndpointResponse(status=404))
    assert found.response is not None and found.response.status_code == "400"
    found = select(integration([("[0-9&&[^5]]+", "400"), (None, "200")]), EndpointResponse(status=504))
    assert found.response is not None and found.response.status_code == "200"


@pytest.mark.parametrize(
    "accept, key",
    [
        (None, "application/json"),
        ("application/xml", "application/xml"),
        ("application/xml;q=0.9, application/json", "application/xml"),  # only the first type counts
        ("text/html", "application/json"),  # no match: the first defined template
        ("*/*", "application/json"),
    ],
)
def test_response_template_by_first_accept(accept, key) -> None:
    templates = {"application/json": "J", "application/xml": "X"}
    from apigwc.runtime.http import first_accept

    assert choose_template(templates, first_accept(accept) or "application/json") == (key, templates[key])


MOCK_WITH = """
paths:
  /items/{{id}}:
    get:
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
        - {{name: q, in: query, schema: {{type: string}}}}
        - {{name: status, in: query, schema: {{type: string}}}}
      responses:
        '200': {{description: ok, headers: {{X-Static: {{schema: {{type: string}}}}, X-Req: {{schema: {{type: string}}}}, X-Env: {{schema: {{type: string}}}}, X-Up: {{schema: {{type: string}}}}}}}}
        '404': {{description: missing}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: |-
            #if($input.params('status') != "")
            {{"statusCode": $input.params('status')}}
            #else
            {{"statusCode": 200}}
            #end
        responses:
{responses}
"""


def mock_api(api, responses: str, **options):
    return api(MOCK_WITH.format(responses=responses), **options)


def test_templates_by_accept_and_content_type(api) -> None:
    deployment = mock_api(
        api,
        """          default:
            statusCode: '200'
            responseTemplates:
              application/json: '{"id": "$input.params(''id'')", "q": "$input.params(''q'')"}'
              application/xml: '<item id="$input.params().path.id"/>'""",
    )
    result = call(deployment, "GET", "/items/7?q=x")
    assert (result.response.body, result.response.headers.get("Content-Type")) == (
        b'{"id": "7", "q": "x"}',
        "application/json",
    )
    result = call(deployment, "GET", "/items/7", [("Accept", "application/xml")])
    assert (result.response.body, result.response.headers.get("Content-Type")) == (b'<item id="7"/>', "application/xml")
    result = call(deployment, "GET", "/items/7", [("Accept", "text/html")])
    assert result.response.headers.get("Content-Type") == "application/json"


def test_response_parameters(api) -> None:
    deployment = mock_api(
        api,
        """          default:
            statusCode: '200'
            responseParameters:
              method.response.header.X-Static: "'fixed value'"
              method.response.header.X-Req: context.requestId
              method.response.header.X-Env: stageVariables.env
              method.response.header.X-Up: integration.response.header.X-Upstream
            responseTemplates: {application/json: '{}'}""",
        stage_variables={"env": "dev"},
    )
    result = call(deployment, "GET", "/items/1")
    assert list(result.response.headers) == [
        ("Content-Type", "application/json"),
        ("X-Env", "dev"),
        ("X-Req", SERVICE_HEADERS[0][1]),
        ("X-Static", "fixed value"),
        *MOCK_SERVICE_HEADERS,
    ]
    assert "Response header X-Up not set: integration.response.header.X-Upstream has no value" in messages(
        result, "integration-response"
    )


def test_response_override_status_and_headers(api) -> None:
    deployment = mock_api(
        api,
        """          default:
            statusCode: '200'
            responseParameters: {method.response.header.X-Static: "'mapped'"}
            responseTemplates:
              application/json: |-
                #set($context.responseOverride.status = 404)
                #set($context.responseOverride.header.X-Static = "overridden")
                #set($context.responseOverride.header.Content-Type = "application/problem+json")
                {"missing": "$input.params('id')"}""",
    )
    result = call(deployment, "GET", "/items/9")
    assert result.response.status == 404
    assert result.response.body == b'{"missing": "9"}'
    assert list(result.response.headers) == [
        ("X-Static", "overridden"),
        ("Content-Type", "application/problem+json"),
        *MOCK_SERVICE_HEADERS,
    ]
    assert (
        "Response overrides from the template: {header.X-Static=overridden, header.Content-Type=application/problem+json, status=404}"
        in messages(result)
    )


def test_response_override_with_a_bad_status_is_a_500(api) -> None:
    deployment = mock_api(
        api,
        """          default:
            statusCode: '200'
            responseTemplates:
              application/json: '#set($context.responseOverride.status = "teapot")x'""",
    )
    result = call(deployment, "GET", "/items/9")
    assert (result.response.status, result.response.body) == (500, b'{"message":"Internal server error"}')
    assert (
        "Execution failed due to configuration error: the 200 response template application/json of GET /items/{id} "
        "set $context.responseOverride.status to 'teapot', which is not an HTTP status code"
    ) in messages(result)


def test_no_match_and_no_default_is_a_configuration_error(api) -> None:
    deployment = mock_api(api, "          '404': {statusCode: '404'}")
    result = call(deployment, "GET", "/items/1")
    assert (result.response.status, result.response.body) == (500, b'{"message":"Internal server error"}')
    assert messages(result, "integration-response") == [
        "no selection pattern matches the status code '200' and there is no default response",
        "Execution failed due to configuration error: No match for output mapping and no default output mapping",
    ]
    assert ("x-amzn-ErrorType", "InternalServerErrorException") in list(result.response.headers)


def test_selected_status_without_method_response_is_a_configuration_error(api) -> None:
    deployment = mock_api(api, "          default: {statusCode: '200'}\n          '4\\d{2}': {statusCode: '404'}")
    assert call(deployment, "GET", "/items/1?status=404").response.status == 404
    # lint (AGW101) stops such a spec; a model edited after lowering can still reach the runtime
    gateway = deployment.gateway
    method = gateway.methods[0]
    edited = dataclasses.replace(
        method, method_responses=tuple(r for r in method.method_responses if r.status_code != "404")
    )
    parts = {f.name: getattr(gateway, f.name) for f in dataclasses.fields(gateway) if not f.name.startswith("_")}
    edited_gateway = gw.Gateway.create(**{**parts, "methods": (edited,)})
    result = call(
        Deployment(edited_gateway, select_stage(edited_gateway, None), ids=lambda now: IDS),
        "GET",
        "/items/1?status=404",
    )
    assert (result.response.status, result.response.body) == (500, b'{"message":"Internal server error"}')
    assert (
        "Execution failed due to configuration error: Output mapping refers to an invalid method response: 404"
        in messages(result)
    )


class LambdaErrors:
    """A Lambda custom backend stand-in: answers the errorMessage given in the request body (a real Backend)."""

    async def invoke(self, request: EndpointRequest, ex: Exchange) -> EndpointResponse:
        message = request.body.decode() or None
        body = b'{"errorMessage": "%s"}' % request.body if message else b'{"ok": true}'
        return EndpointResponse(status=200, body=body, error_message=message)


def test_lambda_custom_integration_selects_by_error_message(api) -> None:
    backends = offline_backends()
    backends[gw.IntegrationType.AWS] = LambdaErrors()
    deployment = api(
        """
paths:
  /notes:
    post:
      responses: {'200': {description: ok}, '400': {description: bad}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Notes/invocations
        responses:
          'Invalid note:.*':
            statusCode: '400'
            responseTemplates: {application/json: '{"error": "$util.escapeJavaScript($input.path(''$.errorMessage''))"}'}
          default: {statusCode: '200'}
""",
        backends=backends,
    )
    result = call(deployment, "POST", "/notes", [("Content-Type", "text/plain")], "Invalid note: empty title")
    assert (result.response.status, result.response.body) == (400, b'{"error": "Invalid note: empty title"}')
    # an errorMessage no pattern matches goes to the default response: the classic 200 surprise
    result = call(deployment, "POST", "/notes", [("Content-Type", "text/plain")], "Something else")
    assert result.response.status == 200
    assert (
        "Integration response selected: default -> 200, because no selection pattern matches the Lambda errorMessage 'Something else': the default response"
        in messages(result, "integration-response")
    )


def test_a_catastrophic_selection_pattern_is_skipped_in_bounded_time() -> None:
    """A Lambda errorMessage (which may echo the client) against ``(a|aa)+c``: stopped, logged, default."""
    import time

    started = time.perf_counter()
    found = select(
        integration([("(a|aa)+c", "400"), (None, "200")], lambda_custom=True),
        EndpointResponse(status=200, error_message="a" * 40),
    )
    assert time.perf_counter() - started < 10  # DEFAULT_SECONDS is 1; the machine is shared
    assert found.response is not None and found.response.status_code == "200"
    assert (
        "patterns apigwc cannot evaluate: (a|aa)+c (the regular expression '(a|aa)+c' ran longer than" in found.reason
    )
