"""Build the integration request: what API Gateway sends to the backend (reference §4.2 step 10).

Non-proxy integrations (HTTP, AWS, MOCK), in order:

1. ``requestParameters`` fill ``integration.request.{path,querystring,header}.*``
   (`apigwc.runtime.parameters`); only mapped parameters reach the backend;
2. the request template is chosen by the Content-Type's MIME part (absent means
   ``application/json``) and the passthrough behaviour decides what happens without one
   (table below); the template renders, and what it wrote to
   ``$context.requestOverride.*`` replaces the mapped headers, query parameters and path
   parameters;
3. ``contentHandling`` converts the payload (`apigwc.runtime.content`);
4. ``${AWS::Region}``-style import variables get the local values (us-east-1,
   123456789012, aws), ``${stageVariables.x}`` is filled in the URI, credentials and
   connection id, and ``{x}`` placeholders of the URI take
   ``integration.request.path.x`` (percent-encoded, ``/`` kept).

Proxy integrations (HTTP_PROXY, AWS_PROXY) pass the method request through: every
header and query parameter, the raw body; mappings add to them (``{proxy}`` in an
HTTP_PROXY URI usually comes from ``integration.request.path.proxy``).

Passthrough [Doc]:

=====================  ======================  =============  =================  =====
templates              request Content-Type    WHEN_NO_MATCH  WHEN_NO_TEMPLATES  NEVER
=====================  ======================  =============  =================  =====
none                   any                     pass through   pass through       415
some, one matches      that type               transform      transform          transform
some, none matches     another type            pass through   415                415
=====================  ======================  =============  =================  =====
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping, NamedTuple
from urllib.parse import quote, urlencode

from .. import gateway as gw
from ..intrinsics import Intrinsic, Value, fill_variables
from ..mapping import parse_request_target
from ..value_text import log_map
from .content import decode, encode, is_binary, request_conversion
from .context import LOCAL_AWS_VARIABLES
from .endpoint import EndpointRequest
from .errors import GatewayError, ResponseType
from .http import Headers, media_type
from .log import Step
from .mapping_templates import TemplateRef
from .parameters import apply_mappings

if TYPE_CHECKING:
    from .exchange import Exchange

#: The content type of a request without a Content-Type header [Doc].
DEFAULT_CONTENT_TYPE = "application/json"
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
#: RFC 3986 path characters kept as they are when a path parameter fills a URI placeholder.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


class TemplateChoice(NamedTuple):
    """The outcome of template selection: a template to render, or the payload passing through."""

    content_type: str  # the request's MIME type (or the default)
    key: str | None  # the template's content type; None: pass through
    template: Value | None = None


def choose_template(integration: gw.Integration, content_type: str | None) -> TemplateChoice | GatewayError:
    """Select the request template by MIME type, applying the passthrough behaviour."""
    mime = media_type(content_type) or DEFAULT_CONTENT_TYPE
    templates = integration.request_templates
    behavior = integration.passthrough_behavior
    if not templates:
        if behavior is gw.PassthroughBehavior.NEVER:
            return _unsupported(
                f"no request template is defined and passthroughBehavior is NEVER (Content-Type {mime})"
            )
        return TemplateChoice(mime, None)
    for key, template in templates.items():
        if key.lower() == mime:
            return TemplateChoice(mime, key, template)
    if behavior is gw.PassthroughBehavior.WHEN_NO_MATCH:
        return TemplateChoice(mime, None)
    return _unsupported(
        f"no request template for Content-Type {mime} (templates: {', '.join(templates)}) "
        f"and passthroughBehavior is {behavior.value}"
    )


def _unsupported(why: str) -> GatewayError:
    return GatewayError(type=ResponseType.UNSUPPORTED_MEDIA_TYPE, log=f"Request rejected: {why}")


def fill_path(uri: str, path: Mapping[str, str]) -> tuple[str, list[str]]:
    """``{x}`` placeholders replaced by ``integration.request.path.x`` (percent-encoded); also the names that had none."""
    missing: list[str] = []

    def sub(m: re.Match[str]) -> str:
        value = path.get(m.group(1))
        if value is None:
            missing.append(m.group(1))
            return m.group(0)
        return quote(value, safe=_PATH_SAFE)

    return _PLACEHOLDER.sub(sub, uri), missing


@dataclass(slots=True)
class _Parts:
    """The integration request's path parameters, query string and headers, as the steps fill them."""

    path: dict[str, str] = field(default_factory=dict)
    #: lower name -> (name, values)
    headers: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    query: dict[str, list[str]] = field(default_factory=dict)


def build(ex: "Exchange", method: gw.Method, integration: gw.Integration) -> EndpointRequest | GatewayError:
    """The integration request for the method request in ``ex``: parameters, then body, then URI."""
    proxy = integration.type.is_proxy
    parts = map_parameters(ex, integration, proxy)
    body, template_key = ex.request.body, None
    if not proxy:
        transformed = transform_body(ex, method, integration, parts)
        if isinstance(transformed, GatewayError):
            return transformed
        body, template_key = transformed
    path, headers, query = parts.path, parts.headers, parts.query
    variables = ex.stage_variables
    uri, url = endpoint_uri(ex, integration, parts)
    http_method = integration.http_method or ex.verb
    if http_method.upper() == "ANY":
        http_method = ex.verb
    return EndpointRequest(
        integration=integration,
        http_method=http_method.upper(),
        uri=uri,
        url=url,
        path=path,
        query=tuple((k, v) for k, vs in query.items() for v in vs),
        headers=Headers((name, v) for name, values in headers.values() for v in values),
        body=body,
        timeout_seconds=integration.timeout_in_millis / 1000,
        credentials=_filled(integration.credentials, variables),
        connection_id=_filled(integration.connection_id, variables),
        template=template_key,
    )


def map_parameters(ex: "Exchange", integration: gw.Integration, proxy: bool) -> _Parts:
    """The request parameter mappings applied (a proxy integration starts from the method request's own)."""
    parts = _Parts()
    path, headers, query = parts.path, parts.headers, parts.query
    if proxy:
        for name, value in ex.request.headers:
            headers.setdefault(name.lower(), (name, []))[1].append(value)
        for name, value in ex.request.query:
            query.setdefault(name, []).append(value)
    for target, values in apply_mappings(
        ex,
        integration.request_parameters,
        parse_request_target,
        step=Step.INTEGRATION_REQUEST,
        ignored="Request parameter mapping {key} ignored: not an integration.request.* target",
        unset="Request parameter {key} not set: {expression} has no value",
    ):
        # a multi-value source (multivaluequerystring, multivalueheader) keeps every value
        where = target.location
        if where == "path":
            path[target.name] = values[-1]
        elif where in ("querystring", "multivaluequerystring"):
            query[target.name] = list(values)
        else:
            headers[target.name.lower()] = (target.name, list(values))
    return parts


def transform_body(
    ex: "Exchange", method: gw.Method, integration: gw.Integration, parts: _Parts
) -> tuple[bytes, str | None] | GatewayError:
    """A non-proxy integration's body: the template by Content-Type, its overrides, content handling.

    Returns the body and the key of the template used (None when the payload passed through).
    """
    body = ex.request.body
    template_key: str | None = None
    path, headers, query = parts.path, parts.headers, parts.query
    choice = choose_template(integration, ex.request.headers.get("Content-Type"))
    if isinstance(choice, GatewayError):
        return choice
    binary = is_binary(choice.content_type, ex.view.gateway.rest_api.binary_media_types)
    conversion = request_conversion(binary, integration.content_handling)
    if conversion.encode_first:
        body = encode(body)
    if choice.key is not None and choice.template:
        template_key = choice.key
        ref = TemplateRef(method.label, choice.key)
        variables = ex.template_variables(body)
        rendered = ex.view.templates.render(choice.template, ref, variables)
        if isinstance(rendered, GatewayError):
            return rendered
        if rendered.response_override:  # kept for the integration response [Obs]
            ex.response_override = variables["context"]["responseOverride"]
        body = rendered.body.encode("utf-8")
        overrides = ex.request_override = rendered.request_override
        for name, value in overrides.get("header", {}).items():
            headers[name.lower()] = (name, [value])
        for name, value in overrides.get("querystring", {}).items():
            query[name] = [value]
        path.update(overrides.get("path", {}))
        if overrides:
            ex.note(Step.INTEGRATION_REQUEST, f"Request overrides from the template: {log_map(_flatten(overrides))}")
    elif choice.key is not None:
        ex.note(Step.INTEGRATION_REQUEST, f"The request template {choice.key} is empty: the payload passes through")
    else:
        ex.note(
            Step.INTEGRATION_REQUEST,
            f"No request template for Content-Type {choice.content_type}: the payload passes through",
        )
    if conversion.decode_last:
        decoded = decode(body)
        if decoded is None:
            return GatewayError(
                type=ResponseType.API_CONFIGURATION_ERROR,
                log="Execution failed due to configuration error: Unable to base64-decode the request body for CONVERT_TO_BINARY",
            )
        body = decoded
    if conversion.encode_first or conversion.decode_last:
        ex.note(
            Step.INTEGRATION_REQUEST,
            f"contentHandling {integration.content_handling}: the payload was {conversion.describe()}",
        )
    return body, template_key


def endpoint_uri(ex: "Exchange", integration: gw.Integration, parts: _Parts) -> tuple[str | None, str | None]:
    """The endpoint URI (stage and AWS variables, then ``{x}`` path placeholders filled) and the URL with the query."""
    path, query = parts.path, parts.query
    variables = ex.stage_variables
    uri = url = None
    if isinstance(integration.uri, Intrinsic):
        # a Lambda backend finds its function through integration.lambda_function; others need a URI
        fn = integration.lambda_function
        ex.note(
            Step.INTEGRATION_REQUEST,
            f"The integration URI is a CloudFormation intrinsic ({integration.uri}); the local Lambda function "
            "is the one it refers to"
            if fn is not None
            else f"The integration URI is a CloudFormation intrinsic ({integration.uri}), which apigwc cannot evaluate locally",
        )
    elif integration.uri is not None:
        filled = fill_variables(integration.uri, variables, LOCAL_AWS_VARIABLES)
        uri, missing = filled.text, filled.missing
        for name in missing:
            ex.note(
                Step.INTEGRATION_REQUEST,
                f"Stage variable {name} is not defined: ${{stageVariables.{name}}} is empty in the endpoint URI",
            )
        uri, unfilled = fill_path(uri, path)
        for name in unfilled:
            ex.note(
                Step.INTEGRATION_REQUEST, f"URI placeholder {{{name}}} has no integration.request.path.{name} value"
            )
        pairs = [(k, v) for k, vs in query.items() for v in vs]
        url = uri + ("&" if "?" in uri else "?") + urlencode(pairs) if pairs else uri
    return uri, url


def _filled(value: Value | None, variables: Mapping[str, str]) -> str | None:
    if value is None or isinstance(value, Intrinsic):
        return None
    return fill_variables(value, variables, LOCAL_AWS_VARIABLES).text


def _flatten(overrides: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    return {f"{where}.{name}": value for where, values in overrides.items() for name, value in values.items()}
