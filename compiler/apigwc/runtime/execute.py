"""The execution path of one request (reference §4.2), shared by ``apigwc invoke`` and the local gateway.

    execute(deployment, request) -> Execution(response, log)

Order (docs/runtime.md):

1. method: the request's verb, or ``X-HTTP-Method-Override`` [Doc per reference §4.2];
2. route: resource, then method (403 MISSING_AUTHENTICATION_TOKEN when either is missing);
3. method request: path parameters (URL-decoded), query string, headers, body (logged);
4. authorization: the deployment's guards (IAM, authorizers, API keys, throttling);
5. request validation (400 BAD_REQUEST_PARAMETERS / BAD_REQUEST_BODY);
6. integration request: parameter mappings, template by Content-Type, passthrough (415),
   contentHandling, URI (`apigwc.runtime.integration_request`);
7. the backend registered for the integration type, which answers within the
   integration timeout or with 504 INTEGRATION_TIMEOUT (`backends.within_deadline`);
8. proxy integrations: the backend's response as is; others: integration response
   selection, response parameters, template by Accept, responseOverride, method
   response (`apigwc.runtime.integration_response`);
9. every error raised by the gateway itself becomes a gateway response
   (`apigwc.runtime.gateway_responses`);
10. service headers on every response: ``x-amzn-RequestId``, ``x-amz-apigw-id``,
    ``X-Amzn-Trace-Id``, ``x-amzn-ErrorType`` on gateway errors, and ``Content-Type``
    (``application/json`` when nothing set one) [Doc].

Templates and selection patterns run in a worker thread (`off_the_loop`): a render may
take up to its time limit, and the other requests go on meanwhile.  Only a light
template (`Templates.light`: small, one loop at most, no regex) on a body under 64 KB is
rendered inline, where a thread hop would cost more than the render.  Rendering is pure
CPU work on the request's own values, and the request's task waits for it, so nothing
else touches the `Exchange` in between.

No exception escapes: a guard or backend that raises is logged and answered with a
gateway response (a bug in a local handler must not kill the server).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from .. import gateway as gw
from ..value_text import log_map
from . import integration_request, integration_response
from .backends import NotAvailable
from .context import RequestIds, request_context
from .deployment import Deployment
from .endpoint import EndpointResponse
from .errors import GatewayError, ResponseType
from .exchange import Exchange
from .http import Headers, Request, Response
from .log import LogEntry, Step, body_text
from .router import METHOD_OVERRIDE_HEADER

DEFAULT_CONTENT_TYPE = "application/json"

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Execution:
    """The outcome of one request: the response and the execution log."""

    response: Response
    log: tuple[LogEntry, ...]
    request_id: str
    #: the gateway response type when the gateway answered an error itself
    error_type: ResponseType | None = None
    #: ``$context`` after the response, with ``status``, ``responseLength``,
    #: ``responseLatency``, ``integrationStatus`` and ``integrationLatency`` filled (for
    #: the stage's access log format)
    context: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """``{"status", "headers", "body", "log"}``: repeated headers are joined with ", "."""
        headers: dict[str, str] = {}
        for name, value in self.response.headers:
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        return {
            "status": self.response.status,
            "headers": headers,
            "body": self.response.text,
            "log": [e.to_json() for e in self.log],
        }


async def execute(deployment: Deployment, request: Request, *, refused: GatewayError | None = None) -> Execution:
    """Run one request through the gateway and return the response and the execution log.

    ``refused``: the server already refused the request before routing (a body over the
    payload limit: 413 REQUEST_TOO_LARGE); the gateway response is rendered and logged
    like any other, and the pipeline does not run.
    """
    started = time.perf_counter()
    now = deployment.clock()
    ids = _traced(deployment.ids(now), request.headers.get("X-Amzn-Trace-Id"))
    verb = request.method.upper()
    override = request.headers.get(METHOD_OVERRIDE_HEADER)
    if override and override.strip():
        verb = override.strip().upper()
    context = request_context(
        api=deployment.api_id, stage=deployment.stage_name, request=request, verb=verb, ids=ids, now=now
    )
    ex = Exchange(deployment.view, request, verb, ids, now, context)
    ex.note(Step.REQUEST, f"Starting execution for request: {ids.request_id}")
    if verb != request.method.upper():
        ex.note(Step.REQUEST, f"{METHOD_OVERRIDE_HEADER}: {verb} replaces the request method {request.method.upper()}")
    ex.note(Step.REQUEST, f"HTTP Method: {verb}, Resource Path: {request.path}")
    result = refused if refused is not None else await _run(deployment, ex)
    if not isinstance(result, GatewayError) and result[0] < 200:
        # an informational status cannot end an HTTP response [Inf: a configuration error]
        result = GatewayError(
            type=ResponseType.API_CONFIGURATION_ERROR,
            log=f"Execution failed due to configuration error: the response status {result[0]} is informational (1xx) and cannot end a response",
        )
    error_type: ResponseType | None = None
    if isinstance(result, GatewayError):
        if result.log:
            ex.note(ex.step, result.log)
        status, headers, body = deployment.gateway_responses.render(result, ex)
        error_type = result.type
        final = _finish(ex, status, headers, body, result.info.error_type)
    else:
        status, headers, body = result
        final = _finish(ex, status, headers, body, None)
        if deployment.data_trace:
            ex.note(Step.METHOD_RESPONSE, f"Method response body after transformations: {body_text(final.body)}")
            ex.note(Step.METHOD_RESPONSE, f"Method response headers: {log_map(final.headers.items())}")
        ex.note(Step.METHOD_RESPONSE, "Successfully completed execution")
    ex.note(Step.METHOD_RESPONSE, f"Method completed with status: {final.status}")
    context = ex.context
    context["status"] = final.status
    context["responseLength"] = len(final.body)
    context["responseLatency"] = round((time.perf_counter() - started) * 1000)
    return Execution(
        response=final, log=ex.log.freeze(), request_id=ids.request_id, error_type=error_type, context=context
    )


async def _run(deployment: Deployment, ex: Exchange) -> tuple[int, list[tuple[str, str]], bytes] | GatewayError:
    request = ex.request
    ex.step = Step.ROUTE
    match = deployment.router.match(ex.verb, request.path)
    if match is None:
        return GatewayError(
            type=ResponseType.MISSING_AUTHENTICATION_TOKEN, log=f"No resource matches the path {request.path}"
        )
    ex.route = match
    ex.path_params = dict(match.path_params)
    ex.context["resourcePath"] = match.resource.path
    ex.context["resourceId"] = match.resource.id
    method = match.method
    if method is None:
        has = ", ".join(match.verbs) if match.verbs else "none"
        return GatewayError(
            type=ResponseType.MISSING_AUTHENTICATION_TOKEN,
            log=f"The resource {match.resource.path} has no {ex.verb} method (methods: {has})",
        )
    ex.method = method
    ex.note(
        Step.ROUTE, f"Method: {method.label}" + (f" (for {ex.verb})" if method.http_method is gw.HttpMethod.ANY else "")
    )

    ex.step = Step.METHOD_REQUEST
    if deployment.data_trace:
        ex.note(Step.METHOD_REQUEST, f"Method request path: {log_map(ex.path_params)}")
        ex.note(Step.METHOD_REQUEST, f"Method request query string: {log_map({k: v[-1] for k, v in ex.query.items()})}")
        ex.note(Step.METHOD_REQUEST, f"Method request headers: {log_map({k: v[-1] for k, v in ex.headers.items()})}")
        ex.note(Step.METHOD_REQUEST, f"Method request body before transformations: {body_text(request.body)}")

    ex.step = Step.AUTHORIZATION
    for guard in deployment.guards:
        try:
            refused = await guard.check(ex, method)
        except Exception as exc:  # noqa: BLE001 - a guard's bug must not escape the pipeline
            return GatewayError(
                type=ResponseType.AUTHORIZER_FAILURE, log=f"Execution failed: {type(guard).__name__} raised {exc!r}"
            )
        if refused is not None:
            return refused

    ex.step = Step.VALIDATION
    invalid = deployment.validators.check(ex, method)
    if invalid is not None:
        return invalid

    integration = method.integration
    ex.step = Step.INTEGRATION_REQUEST
    if integration is None:
        return GatewayError(
            type=ResponseType.API_CONFIGURATION_ERROR,
            log=f"Execution failed due to configuration error: No integration defined for method {method.label}",
        )
    built = await off_the_loop(
        integration_request.build, ex, method, integration, _heavy_request(deployment, integration, request)
    )
    if isinstance(built, GatewayError):
        return built
    if built.url is not None:
        ex.note(Step.INTEGRATION_REQUEST, f"Endpoint request URI: {built.url}")
    if deployment.data_trace:
        ex.note(Step.INTEGRATION_REQUEST, f"Endpoint request headers: {log_map(built.headers.items())}")
        ex.note(Step.INTEGRATION_REQUEST, f"Endpoint request body after transformations: {body_text(built.body)}")

    ex.step = Step.ENDPOINT
    backend = deployment.backends.get(integration.type) or NotAvailable(integration.type)
    if built.url is not None:
        ex.note(Step.ENDPOINT, f"Sending request to {built.url}")
    try:
        answer = await backend.invoke(built, ex)  # the backend keeps the integration timeout (Backend)
    except Exception as exc:  # noqa: BLE001 - a backend's bug must not escape the pipeline
        return GatewayError(
            type=ResponseType.INTEGRATION_FAILURE,
            log=f"Execution failed: the {integration.type.value} backend raised {exc!r}",
        )
    if isinstance(answer, GatewayError):
        return answer
    _log_endpoint(ex, answer)
    ex.context["integrationStatus"] = answer.status
    ex.context["integrationLatency"] = round(answer.latency_ms)

    if integration.type.is_proxy:
        return answer.status, list(answer.headers.items()), answer.body
    ex.step = Step.INTEGRATION_RESPONSE
    mapped = await off_the_loop(
        integration_response.respond, ex, method, integration, answer, _heavy_response(deployment, integration, answer)
    )
    if isinstance(mapped, GatewayError):
        return mapped
    ex.step = Step.METHOD_RESPONSE
    return mapped.status, mapped.headers, mapped.body


#: renders and selection patterns run here: never on the event loop (module docstring)
_WORKERS = ThreadPoolExecutor(max_workers=16, thread_name_prefix="apigwc-render")

#: a body this large is parsed in a worker thread even without a template
_LARGE_BODY = 64 * 1024


async def off_the_loop(step: Callable[..., T], *args: Any) -> T:
    """``step(*args[:-1])`` in a worker thread when ``args[-1]`` (it has CPU work to do), else inline."""
    *call, heavy = args
    if not heavy:
        return step(*call)
    return await asyncio.get_running_loop().run_in_executor(_WORKERS, functools.partial(step, *call))


def _heavy_request(deployment: Deployment, integration: gw.Integration, request: Request) -> bool:
    if len(request.body) > _LARGE_BODY:
        return True
    light = deployment.templates.light
    return not all(light(t) for t in integration.request_templates.values())


def _heavy_response(deployment: Deployment, integration: gw.Integration, answer: EndpointResponse) -> bool:
    if len(answer.body) > _LARGE_BODY:
        return True
    light = deployment.templates.light
    return any(
        r.selection_pattern or not all(light(t) for t in r.response_templates.values()) for r in integration.responses
    )


def _log_endpoint(ex: Exchange, answer: EndpointResponse) -> None:
    ex.note(
        Step.ENDPOINT, f"Received response. Status: {answer.status}, Integration latency: {answer.latency_ms:.0f} ms"
    )
    if ex.view.data_trace:
        ex.note(Step.ENDPOINT, f"Endpoint response headers: {log_map(answer.headers.items())}")
        ex.note(Step.ENDPOINT, f"Endpoint response body before transformations: {body_text(answer.body)}")


def _finish(ex: Exchange, status: int, headers: list[tuple[str, str]], body: bytes, error_type: str | None) -> Response:
    """Add Content-Type (when none) and the service headers."""
    # the gateway sets these; an integration's x-amzn-ErrorType passes through [Doc] unless the gateway answers an error
    replaced = _SERVICE_HEADERS if error_type is None else _SERVICE_HEADERS | {"x-amzn-errortype"}
    out = []
    for n, v in headers:
        if n.lower() in replaced:
            continue
        v = v.strip(" \t")  # leading and trailing whitespace is not part of a field value (RFC 9110)
        if not _TOKEN.match(n) or not _FIELD_VALUE.match(v):
            # a name that is not an HTTP token, or a value with CR, LF or another control
            # character, cannot be sent [Inf: dropped and logged, never a broken response]
            ex.note(
                Step.METHOD_RESPONSE,
                f"Response header {n!r} dropped: {'the value' if _TOKEN.match(n) else 'the name'} is not valid in HTTP ({v!r})",
            )
            continue
        out.append((n, v))
    if not any(n.lower() == "content-type" for n, _ in out):
        out.insert(0, ("Content-Type", DEFAULT_CONTENT_TYPE))
    ids = ex.ids
    out.append(("x-amzn-RequestId", ids.request_id))
    if error_type is not None:
        out.append(("x-amzn-ErrorType", error_type))
    out.append(("x-amz-apigw-id", ids.extended_request_id))
    method = ex.method
    mock = (
        error_type is None
        and method is not None
        and method.integration is not None
        and method.integration.type is gw.IntegrationType.MOCK
    )
    if not mock:
        # AWS-recorded: a MOCK integration's answer has no X-Amzn-Trace-Id (docs/conformance.md);
        # gateway errors keep it [Inf]
        out.append(("X-Amzn-Trace-Id", ids.trace_id))
    return Response(status=status, headers=Headers(out), body=body)


def _traced(ids: RequestIds, incoming: str | None) -> RequestIds:
    """The client's ``X-Amzn-Trace-Id`` continues the trace: kept as sent, with a Parent added when it has none.

    AWS-recorded (docs/conformance.md): ``Root=...;Parent=...;Sampled=1`` comes back as
    sent; ``Root=...`` alone comes back with a generated ``Parent``.
    """
    if not incoming or "Root=" not in incoming:
        return ids
    trace = incoming.strip()
    if "Parent=" not in trace:
        parent = hashlib.sha256(ids.request_id.encode("ascii")).hexdigest()[:16]
        trace = f"{trace};Parent={parent}"
    return ids._replace(trace_id=trace)


_SERVICE_HEADERS = frozenset(("x-amzn-requestid", "x-amz-apigw-id", "x-amzn-trace-id"))
#: RFC 9110 field names (tokens) and field values (visible characters, spaces, tabs, obs-text)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e\x80-\U0010ffff]*\Z")
