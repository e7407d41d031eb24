"""The backend for integrations that invoke Lambda: AWS_PROXY, and AWS (custom) with a Lambda URI.

**AWS_PROXY** (reference §4.3): the function receives the REST "1.0" proxy event built
from the method request (`proxy_event`) and answers ``{statusCode, headers,
multiValueHeaders, body, isBase64Encoded}``, which becomes the response as is.  Anything
else is 502 ``Malformed Lambda proxy response`` [Doc+Obs]; a function error or timeout is
502 too [Doc, Lambda guide].

**AWS with a Lambda URI** (reference §4.5): the function receives the integration
request body (the mapping template's output) parsed as JSON; its result, serialized to
JSON, is the endpoint response body with status 200.  A function error is also a 200,
with the body ``{errorMessage, errorType, stackTrace}`` and ``X-Amz-Function-Error:
Unhandled``; integration responses are then selected by ``errorMessage`` [Doc].

A function without a local handler is an invoke the Lambda service rejects: 500 [Doc],
with a log line saying how to map one.  The integration timeout (``timeoutInMillis``)
bounds the whole call (504, `within_deadline`); the handler's own limit (3 s unless
``lambdaTimeoutSeconds``) gives a function timeout.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from .. import gateway as gw
from ..runtime.backends import Backend, within_deadline
from ..runtime.content import is_binary
from ..runtime.endpoint import EndpointRequest, EndpointResponse
from ..runtime.errors import GatewayError, ResponseType
from ..runtime.http import Headers, first_accept, media_type
from ..runtime.log import Step, body_text
from ..value_text import proxy_header_text
from .lambdas import Handlers, Invocation

if TYPE_CHECKING:
    from ..runtime.exchange import Exchange

MALFORMED = "Execution failed due to configuration error: Malformed Lambda proxy response"
#: The keys a proxy response may have; any other key makes it malformed [Doc+Obs].
PROXY_RESPONSE_KEYS = frozenset(("statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"))

#: ``requestContext.identity`` keys, in the order of the AWS documentation's example event.
_IDENTITY_KEYS = (
    "cognitoIdentityPoolId",
    "accountId",
    "cognitoIdentityId",
    "caller",
    "apiKey",
    "apiKeyId",
    "principalOrgId",
    "sourceIp",
    "cognitoAuthenticationType",
    "cognitoAuthenticationProvider",
    "userArn",
    "userAgent",
    "user",
)


def request_context(ex: "Exchange") -> dict[str, Any]:
    """``requestContext`` of a proxy (or REQUEST authorizer) event, from ``$context``."""
    c = ex.context
    identity_in = c.get("identity") or {}
    identity: dict[str, Any] = {"accessKey": None}
    for key in _IDENTITY_KEYS:
        value = identity_in.get(key)
        if value is None and key in ("apiKey", "apiKeyId"):
            continue  # AWS-recorded: absent when the method uses no API key (docs/conformance.md)
        identity[key] = value
    if identity_in.get("clientCert") is not None:
        identity["clientCert"] = identity_in["clientCert"]
    out: dict[str, Any] = {
        "resourceId": c.get("resourceId"),
        "resourcePath": c.get("resourcePath"),
        "httpMethod": c.get("httpMethod"),
        "extendedRequestId": c.get("extendedRequestId"),
        "requestTime": c.get("requestTime"),
        "path": c.get("path"),
        "accountId": c.get("accountId"),
        "protocol": c.get("protocol"),
        "stage": c.get("stage"),
        "domainPrefix": c.get("domainPrefix"),
        "requestTimeEpoch": c.get("requestTimeEpoch"),
        "requestId": c.get("requestId"),
        "identity": identity,
        "domainName": c.get("domainName"),
        "deploymentId": c.get("deploymentId"),
        "apiId": c.get("apiId"),
    }
    authorizer = {k: v for k, v in (c.get("authorizer") or {}).items() if v is not None}
    if authorizer:
        # principalId and the Lambda authorizer's context keys, or claims (Cognito) [Doc]
        out["authorizer"] = authorizer
    return out


def proxy_event(ex: "Exchange", *, with_body: bool = True, as_integration: bool = True) -> dict[str, Any]:
    """The REST payload-1.0 event of the method request in ``ex`` (reference §4.3).

    Single-value views take the last value of a repeated header or query parameter
    [Inf]; empty maps are null [Obs]; ``path`` is the request path without the stage
    (``requestContext.path`` has it) [Doc].  The body is base64-encoded, with
    ``isBase64Encoded`` true, when the request's Content-Type is a binary media type
    [Doc]; other bodies are decoded as UTF-8 (invalid bytes replaced) [Inf].
    """
    # the integration's event carries the headers as API Gateway forwards them; a REQUEST
    # authorizer's event the headers as sent (not recorded: unchanged)
    headers = event_headers(ex) if as_integration else ex.headers
    query = ex.query
    route = ex.route
    path_params = dict(ex.path_params)
    if route is not None:
        path_params.update(route.raw_greedy)
    event: dict[str, Any] = {
        "resource": route.resource.path if route is not None else ex.context.get("resourcePath"),
        # AWS-recorded: leading slashes collapse (//a -> /a); inner ones stay (a//b)
        "path": "/" + ex.request.path.lstrip("/"),
        "httpMethod": ex.verb,
        "headers": {k: v[-1] for k, v in headers.items()} or None,
        "multiValueHeaders": {k: list(v) for k, v in headers.items()} or None,
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": {k: list(v) for k, v in query.items()} or None,
        "pathParameters": path_params or None,
        "stageVariables": dict(ex.stage_variables) or None,
        "requestContext": request_context(ex),
    }
    if with_body:
        body = ex.request.body
        binary = is_binary(
            media_type(ex.request.headers.get("Content-Type")), ex.view.gateway.rest_api.binary_media_types
        )
        if not body:
            event["body"] = None
            event["isBase64Encoded"] = False
        elif binary:
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
        else:
            event["body"] = body.decode("utf-8", "replace")
            event["isBase64Encoded"] = False
    return event


#: Request headers the proxy event does not carry [Obs: docs/conformance.md].
_EVENT_DROPPED = frozenset(("connection", "content-length"))


def event_headers(ex: "Exchange") -> dict[str, tuple[str, ...]]:
    """The request headers as a Lambda proxy event carries them.

    AWS-recorded (localstack's AWS-validated test_lambda_aws_proxy_integration,
    docs/conformance.md): names keep the client's spelling except ``Authorization``;
    ``Connection`` and ``Content-Length`` are dropped; API Gateway adds
    ``X-Amzn-Trace-Id`` and ``X-Forwarded-For`` / ``-Port`` / ``-Proto`` (the client's
    address; port 443 and https, the only way into an API Gateway endpoint [Inf]).
    """
    out: dict[str, tuple[str, ...]] = {}
    for name, values in ex.headers.items():
        lowered = name.lower()
        if lowered in _EVENT_DROPPED:
            continue
        if lowered == "authorization":
            name = "Authorization"
        out[name] = out.get(name, ()) + tuple(values)
    present = {name.lower(): name for name in out}
    forwarded = present.get("x-forwarded-for")
    if forwarded is None:
        out["X-Forwarded-For"] = (ex.request.source_ip,)
    else:
        out[forwarded] = (f"{out[forwarded][-1]}, {ex.request.source_ip}",)
    for name, value in (
        ("X-Amzn-Trace-Id", ex.ids.trace_id),
        ("X-Forwarded-Port", "443"),
        ("X-Forwarded-Proto", "https"),
    ):
        if name.lower() not in present:
            out[name] = (value,)
    return out


def parse_proxy_response(result: Any, ex: "Exchange") -> tuple[int, list[tuple[str, str]], bytes] | str:
    """The status, headers and body of a Lambda proxy response, or why it is malformed.

    ``statusCode`` must be an integer from 100 to 599 (a string of digits is accepted
    [Obs]), and is 200 when absent from a non-empty answer [Obs]; ``multiValueHeaders``
    and ``headers`` of the same name are both sent, multi-values first [Obs: localstack's
    AWS-validated test_aws_proxy_response_payload_format_validation, docs/conformance.md]; ``body`` must be a string or null [Doc]; ``isBase64Encoded``
    a boolean.  A base64 body is decoded when the first Accept type, or the response's
    Content-Type, is a binary media type [Doc: binary support needs binaryMediaTypes];
    otherwise it is returned as the base64 text [Inf].
    """
    if not isinstance(result, dict):
        return f"the function returned {type(result).__name__ if result is not None else 'null'}, not a JSON object"
    unknown = sorted(set(result) - PROXY_RESPONSE_KEYS)
    if unknown:
        return f"unexpected key(s) {', '.join(unknown)} (allowed: body, headers, isBase64Encoded, multiValueHeaders, statusCode)"
    if not result:
        return "the function returned an empty object"
    status = result.get("statusCode", 200)  # AWS-recorded: an answer with only headers is a 200
    if isinstance(status, str) and status.isascii() and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool):
        return f"statusCode is {json.dumps(status)}, not an integer"
    if not 100 <= status <= 599:
        return f"statusCode {status} is not an HTTP status (100-599)"
    # AWS-recorded: multiValueHeaders first, then the headers value of the same name
    # (matched without regard to case, spelled as multiValueHeaders spells it)
    merged: dict[str, tuple[str, list[str]]] = {}
    multi = result.get("multiValueHeaders")
    if multi is not None:
        if not isinstance(multi, dict):
            return "multiValueHeaders is not an object"
        for name, values in multi.items():
            if values is None:
                continue
            if not isinstance(values, list):
                return f"multiValueHeaders.{name} is not a list"
            texts = [proxy_header_text(v) for v in values if v is not None]
            if any(t is None for t in texts):
                return f"multiValueHeaders.{name} holds a value that is not a string"
            merged[name.lower()] = (name, [t for t in texts if t is not None])
    single = result.get("headers")
    if single is not None:
        if not isinstance(single, dict):
            return "headers is not an object"
        for name, value in single.items():
            text = proxy_header_text(value)
            if value is None:
                continue
            if text is None:
                return f"the value of header {name} is not a string"
            spelled, values = merged.get(name.lower(), (name, []))
            merged[name.lower()] = (spelled, [*values, text])
    headers = [(name, v) for name, values in merged.values() for v in values]
    body_value = result.get("body")
    if body_value is not None and not isinstance(body_value, str):
        return f"body is {type(body_value).__name__}, not a string"
    encoded = result.get("isBase64Encoded", False)
    if encoded is None:
        encoded = False
    if not isinstance(encoded, bool):
        return "isBase64Encoded is not a boolean"
    text = body_value or ""
    body = text.encode("utf-8")
    if encoded and text:
        binary_types = ex.view.gateway.rest_api.binary_media_types
        content_type = next((v for n, v in headers if n.lower() == "content-type"), None)
        wanted = first_accept(ex.request.headers.get("Accept"))
        if is_binary(wanted, binary_types) or is_binary(media_type(content_type), binary_types):
            try:
                body = base64.b64decode("".join(text.split()), validate=True)
            except (binascii.Error, ValueError):
                return "isBase64Encoded is true but body is not base64"
            ex.note(
                Step.ENDPOINT, "The Lambda proxy response body was base64-decoded (isBase64Encoded, binary media type)"
            )
        else:
            ex.note(
                Step.ENDPOINT,
                "The Lambda proxy response is isBase64Encoded but neither the Accept type nor its Content-Type is a binary media type: the body is returned as base64 text",
            )
    return status, headers, body


class LambdaBackend:
    """Invokes local handlers for AWS_PROXY integrations and Lambda custom (AWS) integrations.

    ``services`` answers AWS integrations that do not invoke Lambda (DynamoDB, SQS...);
    without it they are a configuration error (500) explained in the log.
    """

    __slots__ = ("handlers", "services")

    def __init__(self, handlers: Handlers, *, services: Backend | None = None) -> None:
        self.handlers = handlers
        self.services = services

    async def invoke(self, request: EndpointRequest, ex: "Exchange") -> EndpointResponse | GatewayError:
        """Answer one integration request by calling the function's local handler."""
        integration = request.integration
        fn = integration.lambda_function
        if fn is None:
            if integration.type is gw.IntegrationType.AWS and self.services is not None:
                return await self.services.invoke(request, ex)
            return GatewayError(
                type=ResponseType.API_CONFIGURATION_ERROR,
                log=f"Execution failed due to configuration error: the {integration.type.value} integration URI does not invoke a Lambda function apigwc can run locally ({request.uri or integration.uri})",
            )
        return await within_deadline(self._call(request, ex, fn), request)

    async def _call(
        self, request: EndpointRequest, ex: "Exchange", fn: gw.LambdaFunction
    ) -> EndpointResponse | GatewayError:
        handlers = self.handlers
        variables = ex.stage_variables
        name = handlers.resolve(fn, variables)
        if name is None:
            return no_handler(handlers, fn, variables)
        proxy = request.integration.type is gw.IntegrationType.AWS_PROXY
        if proxy:
            event: Any = proxy_event(ex)
        else:
            event = _custom_event(request.body)
            if isinstance(event, GatewayError):
                return event
        context = handlers.context(name, qualifier=handlers.qualifier(fn, variables))
        ex.context["awsEndpointRequestId"] = context.aws_request_id  # the Lambda request id [Doc]
        if ex.view.data_trace and proxy:
            ex.note(
                Step.ENDPOINT,
                f"Endpoint request body after transformations: {json.dumps(event, separators=(',', ':'))}",
            )
        invocation = await handlers.invoke(name, event, context=context)
        for line in invocation.log:
            ex.note(Step.ENDPOINT, line)
        if invocation.rejected:
            # the Lambda service refused the invoke (no such runtime here, payload too large, throttled) [Inf: 500]
            error = invocation.error or {}
            return GatewayError(
                type=ResponseType.API_CONFIGURATION_ERROR,
                log=f"Execution failed due to configuration error: Lambda function {name} could not be invoked: {error.get('errorType')}: {error.get('errorMessage')}",
            )
        if proxy:
            return _proxy_answer(invocation, context.aws_request_id, ex)
        return _custom_answer(invocation)


def no_handler(
    handlers: Handlers,
    fn: gw.LambdaFunction | None,
    variables: Any,
    *,
    kind: ResponseType = ResponseType.API_CONFIGURATION_ERROR,
) -> GatewayError:
    """The Lambda service rejects the invoke of a function without a local handler: 500 [Doc], with how to map one."""
    described = handlers.describe(fn, variables)
    key = handlers.suggested_key(fn, variables)
    return GatewayError(
        type=kind,
        log=(
            f"Execution failed due to configuration error: Lambda function {described} has no local handler; "
            f"configure it in x-apigwc.local.functions ({key}: {{runtime, handler, codeUri}}) or x-apigwc.local.lambdas ({key}: module:callable), "
            f"or with --lambda {key}=HANDLER"
        ),
    )


def _custom_event(body: bytes) -> Any:
    """The event of a Lambda custom integration: the integration request body as JSON (empty: ``{}``) [Inf]."""
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        # Lambda refuses a payload that is not JSON (InvalidRequestContentException) [Doc]
        return GatewayError(
            type=ResponseType.API_CONFIGURATION_ERROR,
            log=f"Execution failed due to configuration error: Could not parse request body into json: {exc} (body: {body_text(body)[:200]})",
        )


def _proxy_answer(invocation: Invocation, request_id: str, ex: "Exchange") -> EndpointResponse | GatewayError:
    if invocation.error is not None:
        ex.note(Step.ENDPOINT, f"Endpoint response body before transformations: {json.dumps(invocation.error)}")
        return GatewayError(
            type=ResponseType.API_CONFIGURATION_ERROR,
            status=502,
            # the service's wording [Obs]
            log=f"Lambda execution failed with status 200 due to customer function error: {invocation.error.get('errorMessage')}. Lambda request id: {request_id}",
        )
    parsed = parse_proxy_response(invocation.result, ex)
    if isinstance(parsed, str):
        ex.note(Step.ENDPOINT, f"Endpoint response body before transformations: {json.dumps(invocation.result)}")
        ex.note(Step.ENDPOINT, f"Malformed Lambda proxy response: {parsed}")
        return GatewayError(type=ResponseType.API_CONFIGURATION_ERROR, status=502, log=MALFORMED)
    status, headers, body = parsed
    return EndpointResponse(status=status, headers=Headers(headers), body=body, latency_ms=invocation.latency_ms)


def _custom_answer(invocation: Invocation) -> EndpointResponse:
    headers = [("Content-Type", "application/json"), ("X-Amz-Executed-Version", "$LATEST")]
    if invocation.error is not None:
        headers.append(("X-Amz-Function-Error", "Unhandled"))
        # the runtime's JSON (json.dumps defaults: ", " and ": " separators) [Obs]
        return EndpointResponse(
            status=200,
            headers=Headers(headers),
            body=json.dumps(invocation.error).encode("utf-8"),
            error_message=invocation.error_message,
            latency_ms=invocation.latency_ms,
        )
    # the payload as the function's runtime serialized it (Python's json.dumps, Node's JSON.stringify) [Obs]
    body = invocation.raw if invocation.raw is not None else json.dumps(invocation.result).encode("utf-8")
    return EndpointResponse(status=200, headers=Headers(headers), body=body, latency_ms=invocation.latency_ms)
