"""From the endpoint's answer to the method response (reference §4.2 step 12, non-proxy integrations).

1. **Selection.**  Each integration response with a ``selectionPattern`` is a Java regex
   that must match the WHOLE input (``String.matches``) [Doc/Obs]: the status code for
   HTTP, AWS-service and MOCK integrations, the function's ``errorMessage`` for Lambda
   custom (AWS) integrations (null when the function succeeded, matched as "", so only
   patterns such as ``.*`` match it).  Patterns are tried in status-code order (how the
   service lists integration responses) [Inf]; none matching selects the default
   response (no pattern); no default is a configuration error (500).
2. The selected status must be a method response, else a configuration error (500).
3. ``responseParameters`` set ``method.response.header.*``.
4. The template is chosen by the **first** Accept value (absent: ``application/json``),
   else the first defined template (in the content-type order the model keeps); no
   template, or an empty one, passes the body through [Doc].
5. ``contentHandling`` (`apigwc.runtime.content`), then ``$context.responseOverride``:
   ``status`` replaces the status, ``header.X`` the header [Doc].
6. Content-Type: a mapped or overridden header, else the template's content type, else
   the endpoint's, else ``application/json`` [Doc].
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Mapping, NamedTuple

from .. import gateway as gw
from ..bounded_regex import RegexTimeout, matches
from ..intrinsics import Value
from ..java_regex import JavaRegexError
from ..mapping import parse_response_target
from ..value_text import log_map
from ..vtl import overrides_of
from .content import decode, encode, is_binary, response_conversion
from .endpoint import EndpointResponse
from .errors import GatewayError, ResponseType
from .http import first_accept, media_type
from .log import Step
from .mapping_templates import TemplateRef
from .parameters import apply_mappings

if TYPE_CHECKING:
    from .exchange import Exchange

DEFAULT_CONTENT_TYPE = "application/json"
NO_MATCH = "Execution failed due to configuration error: No match for output mapping and no default output mapping"


class Selection(NamedTuple):
    """The integration response chosen for an endpoint response, and why."""

    response: gw.IntegrationResponse | None
    #: what the patterns were matched against (None: a Lambda function that succeeded)
    input: str | None
    reason: str


def selects_by_error_message(integration: gw.Integration) -> bool:
    """True for Lambda custom integrations: their responses are selected by the ``errorMessage`` [Doc]."""
    return integration.type is gw.IntegrationType.AWS and integration.lambda_function is not None


def selection_input(integration: gw.Integration, endpoint: EndpointResponse) -> str | None:
    """The status code, or the Lambda ``errorMessage`` for Lambda custom integrations [Doc]."""
    if selects_by_error_message(integration):
        return endpoint.error_message
    return str(endpoint.status)


def select(integration: gw.Integration, endpoint: EndpointResponse) -> Selection:
    """Pick the integration response for an endpoint response."""
    text = selection_input(integration, endpoint)
    subject = "the Lambda errorMessage" if selects_by_error_message(integration) else "the status code"
    shown = "null" if text is None else repr(text)
    default: gw.IntegrationResponse | None = None
    skipped: list[str] = []
    for r in integration.responses:
        pattern = r.selection_pattern
        if not pattern:
            default = default or r
            continue
        try:
            hit = matches(pattern, text or "")  # bounded: the text may echo the client's input
        except (JavaRegexError, re.error, RegexTimeout) as exc:
            skipped.append(f"{pattern} ({exc})")
            continue
        if hit:
            return Selection(r, text, f"the selection pattern {pattern} matches {subject} {shown}")
    note = f"; patterns apigwc cannot evaluate: {', '.join(skipped)}" if skipped else ""
    if default is not None:
        return Selection(default, text, f"no selection pattern matches {subject} {shown}: the default response{note}")
    return Selection(
        None, text, f"no selection pattern matches {subject} {shown} and there is no default response{note}"
    )


class MethodResponse(NamedTuple):
    """The method response built from an integration response."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


def respond(
    ex: "Exchange", method: gw.Method, integration: gw.Integration, endpoint: EndpointResponse
) -> MethodResponse | GatewayError:
    """Select the integration response and build the method response: selection, header mappings, body."""
    chosen = select_response(ex, method, integration, endpoint)
    if isinstance(chosen, GatewayError):
        return chosen
    headers = map_response_parameters(ex, chosen, endpoint)
    transformed = transform_response_body(ex, method, chosen, endpoint, headers)
    if isinstance(transformed, GatewayError):
        return transformed
    status, content_type, body = transformed
    out: list[tuple[str, str]] = []
    if "content-type" not in headers:
        out.append(("Content-Type", content_type))
    out.extend((name, v) for name, values in headers.values() for v in values)
    return MethodResponse(status=status, headers=out, body=body)


def select_response(
    ex: "Exchange", method: gw.Method, integration: gw.Integration, endpoint: EndpointResponse
) -> gw.IntegrationResponse | GatewayError:
    """The integration response for the endpoint's answer; it must name a method response."""
    selection = select(integration, endpoint)
    chosen = selection.response
    if chosen is None:
        ex.note(Step.INTEGRATION_RESPONSE, selection.reason)
        return GatewayError(type=ResponseType.API_CONFIGURATION_ERROR, log=NO_MATCH)
    label = "default" if not chosen.selection_pattern else chosen.selection_pattern
    ex.note(
        Step.INTEGRATION_RESPONSE,
        f"Integration response selected: {label} -> {chosen.status_code}, because {selection.reason}",
    )
    if method.method_response(chosen.status_code) is None:
        return GatewayError(
            type=ResponseType.API_CONFIGURATION_ERROR,
            log=f"Execution failed due to configuration error: Output mapping refers to an invalid method response: {chosen.status_code}",
        )
    return chosen


def map_response_parameters(
    ex: "Exchange", chosen: gw.IntegrationResponse, endpoint: EndpointResponse
) -> dict[str, tuple[str, list[str]]]:
    """The response parameter mappings applied: lower name -> (name, values)."""
    headers: dict[str, tuple[str, list[str]]] = {}
    for target, values in apply_mappings(
        ex,
        chosen.response_parameters,
        parse_response_target,
        step=Step.INTEGRATION_RESPONSE,
        ignored="Response parameter mapping {key} ignored: not a method.response.header.* target",
        unset="Response header {name} not set: {expression} has no value",
        endpoint=endpoint,
    ):
        headers[target.name.lower()] = (target.name, list(values))
    return headers


def transform_response_body(
    ex: "Exchange",
    method: gw.Method,
    chosen: gw.IntegrationResponse,
    endpoint: EndpointResponse,
    headers: dict[str, tuple[str, list[str]]],
) -> tuple[int, str, bytes] | GatewayError:
    """Status, Content-Type and body: the template by Accept, its overrides (headers too), content handling."""
    status = int(chosen.status_code)
    accept = ex.request.headers.get("Accept")
    wanted = first_accept(accept) or DEFAULT_CONTENT_TYPE
    binary_types = ex.view.gateway.rest_api.binary_media_types
    endpoint_type = media_type(endpoint.headers.get("Content-Type"))
    conversion = response_conversion(
        is_binary(endpoint_type, binary_types), is_binary(wanted, binary_types), chosen.content_handling
    )
    body = endpoint.body
    if conversion.encode_first:
        body = encode(body)
    key, template = choose_template(chosen.response_templates, wanted)
    content_type = endpoint.headers.get("Content-Type") or DEFAULT_CONTENT_TYPE
    if key is not None and template:
        ref = TemplateRef(method.label, key, chosen.status_code)
        rendered = ex.view.templates.render(template, ref, ex.template_variables(body))
        if isinstance(rendered, GatewayError):
            return rendered
        body = rendered.body.encode("utf-8")
        content_type = key
        override = rendered.response_override
        where = ref.describe()
    else:
        where = f"the request template of {method.label}"
        override = overrides_of({"context": {"responseOverride": ex.response_override}})[1]
        if key is not None:
            ex.note(Step.INTEGRATION_RESPONSE, f"The response template {key} is empty: the body passes through")
            content_type = key
    if override:
        if "status" in override:
            text = override["status"]
            if not (text.isascii() and text.isdigit() and 100 <= int(text) <= 599):
                return GatewayError(
                    type=ResponseType.API_CONFIGURATION_ERROR,
                    log=f"Execution failed due to configuration error: {where} set $context.responseOverride.status to {text!r}, which is not an HTTP status code",
                )
            status = int(text)
        for name, value in override.get("header", {}).items():
            headers[name.lower()] = (name, [value])
        ex.note(Step.INTEGRATION_RESPONSE, f"Response overrides from the template: {log_map(_flatten(override))}")
    if conversion.decode_last:
        decoded = decode(body)
        if decoded is None:
            return GatewayError(
                type=ResponseType.API_CONFIGURATION_ERROR,
                log="Execution failed due to configuration error: Unable to base64-decode the response body for a binary response",
            )
        body = decoded
    if conversion.encode_first or conversion.decode_last:
        ex.note(Step.INTEGRATION_RESPONSE, f"Content handling: the body was {conversion.describe()}")
    return status, content_type, body


def choose_template(templates: Mapping[str, Value | None], wanted: str) -> tuple[str | None, Value | None]:
    """The response template for the first Accept type, else the first defined one; (None, None) without templates."""
    if not templates:
        return None, None
    for key, template in templates.items():
        if key.lower() == wanted:
            return key, template
    key = next(iter(templates))
    return key, templates[key]


def _flatten(override: Mapping[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for where, value in override.items():
        if isinstance(value, Mapping):
            out.update({f"{where}.{name}": v for name, v in value.items()})
        else:
            out[where] = value
    return out
