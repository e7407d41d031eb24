"""Gateway responses: how API Gateway answers the errors it raises itself.

Every error the pipeline raises is a `GatewayError` value naming its response type
(`ResponseType`).  `GatewayResponses.render` turns it into the HTTP response the client
gets, with the API's customizations (``x-amazon-apigateway-gateway-responses``):

* a customized type uses its own status, headers and templates; an uncustomized one
  uses ``DEFAULT_4XX`` or ``DEFAULT_5XX`` by its default status class, and a
  ``statusCode`` set there changes the status of every type of that class without its
  own [Doc].  (The reference's claim that UNAUTHORIZED does not fall back is not
  followed: docs/runtime.md explains why.)
* templates are NOT VTL: only ``$context.*`` and ``$stageVariables.*`` are substituted;
  ``$context.error.messageString`` is the message as a JSON string (``"Forbidden"``, or
  ``null``) [Doc];
* ``gatewayresponse.header.*`` take ``method.request.*``, ``stageVariables.*``,
  ``context.*`` and ``'static'`` values;
* every answer carries ``x-amzn-ErrorType`` (table below) and ``Content-Type``.

Integration responses are never wrapped: only errors of the gateway itself are.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from .. import gateway as gw
from ..intrinsics import Intrinsic
from ..mapping import Target, parse_gateway_response_target
from ..value_text import substitution_text
from .errors import GatewayError, ResponseType
from .http import first_accept
from .log import Step

if TYPE_CHECKING:
    from .exchange import Exchange


#: The template of every uncustomized gateway response [Obs].
DEFAULT_TEMPLATE = '{"message":$context.error.messageString}'
DEFAULT_CONTENT_TYPE = "application/json"
_VARIABLE = re.compile(
    r"\$\{(context|stageVariables)((?:\.[A-Za-z0-9_$-]+)+)\}|\$(context|stageVariables)((?:\.[A-Za-z0-9_$]+)+)"
)


def substitute(template: str, context: Mapping[str, Any], stage_variables: Mapping[str, str], missing: str = "") -> str:
    """Replace ``$context.x.y`` / ``${context.x}`` and ``$stageVariables.x``; nothing else is evaluated.

    A variable without a value prints ``missing``: nothing in gateway responses, ``-`` in
    access logs [Doc: "Customize access logs": null values are logged as -].
    """

    def value(m: re.Match[str]) -> str:
        root = m.group(1) or m.group(3)
        path = (m.group(2) or m.group(4))[1:]
        if root == "stageVariables":
            found: Any = stage_variables.get(path)
        else:
            found = context
            for part in path.split("."):
                found = found.get(part) if isinstance(found, Mapping) else None
        return substitution_text(found, missing)

    return _VARIABLE.sub(value, template)


@dataclass(frozen=True, slots=True)
class _Resolved:
    status: int
    headers: Mapping[str, Any]
    templates: Mapping[str, Any]
    customized_as: ResponseType | None


class GatewayResponses:
    """The gateway responses of one API (customizations indexed once)."""

    __slots__ = ("_custom",)

    def __init__(self, gateway: gw.Gateway) -> None:
        self._custom: dict[str, gw.GatewayResponse] = {r.response_type: r for r in gateway.gateway_responses}

    def resolve(self, error: GatewayError) -> _Resolved:
        """Status, header mappings and templates for an error, after customizations."""
        default_status = error.status if error.status is not None else error.info.status
        own = self._custom.get(error.type.value)
        fallback_type = ResponseType.DEFAULT_4XX if default_status < 500 else ResponseType.DEFAULT_5XX
        fallback = self._custom.get(fallback_type.value)
        if own is not None:
            status = own.status_code or (fallback.status_code if fallback is not None else None)
            return _Resolved(
                _status(status, default_status), own.response_parameters, own.response_templates, error.type
            )
        if fallback is not None:
            return _Resolved(
                _status(fallback.status_code, default_status),
                fallback.response_parameters,
                fallback.response_templates,
                fallback_type,
            )
        return _Resolved(default_status, {}, {}, None)

    def render(self, error: GatewayError, ex: "Exchange") -> tuple[int, list[tuple[str, str]], bytes]:
        """The status, headers and body of a gateway response for ``error``."""
        from .parameters import apply_mappings

        resolved = self.resolve(error)
        message = error.error_message
        errors = {
            "message": message,
            "messageString": json.dumps(message),
            "responseType": error.type.value,
            "validationErrorString": error.validation_error,
        }
        ex.context["error"] = errors
        customized = f" (customized as {resolved.customized_as.value})" if resolved.customized_as is not None else ""
        ex.note(
            Step.GATEWAY_RESPONSE,
            f"Gateway response type: {error.type.value} with status code: {resolved.status}{customized}",
        )
        headers: list[tuple[str, str]] = []
        for target, values in apply_mappings(
            ex,
            resolved.headers,
            _header_target,
            step=Step.GATEWAY_RESPONSE,
            ignored="Gateway response parameter {key} ignored: only gatewayresponse.header.* sets anything",
            unset="Gateway response header {name} not set: {expression} has no value",
        ):
            headers.extend((target.name, v) for v in values)
        content_type, template = _choose(resolved.templates, ex.request.headers.get("Accept"), error.default_template)
        if isinstance(template, Intrinsic):
            ex.note(
                Step.GATEWAY_RESPONSE,
                f"Gateway response template {content_type} is a CloudFormation intrinsic ({template}); using the default template",
            )
            template = DEFAULT_TEMPLATE
        body = substitute(template or "", ex.context, ex.stage_variables)
        if not any(name.lower() == "content-type" for name, _ in headers):
            headers.insert(0, ("Content-Type", content_type))
        return resolved.status, headers, body.encode("utf-8")


def _header_target(key: str) -> "Target | None":
    """``gatewayresponse.header.NAME`` (the only kind of gateway response parameter that sets anything)."""
    target = parse_gateway_response_target(key)
    return target if target is not None and target.location == "header" else None


def _status(value: str | None, default: int) -> int:
    if value is not None and value.isdigit():
        return int(value)
    return default


def _choose(templates: Mapping[str, Any], accept: str | None, default_template: str | None) -> tuple[str, Any]:
    """The template by the first Accept type, else application/json, else the first defined."""
    if not templates:
        return DEFAULT_CONTENT_TYPE, default_template or DEFAULT_TEMPLATE
    wanted = first_accept(accept) or DEFAULT_CONTENT_TYPE
    lowered = {k.lower(): k for k in templates}
    key = lowered.get(wanted) or lowered.get(DEFAULT_CONTENT_TYPE) or next(iter(templates))
    return key, templates[key]
