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

import enum
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from .. import gateway as gw
from ..intrinsics import Intrinsic
from ..mapping import parse_gateway_response_target
from .http import first_accept
from .log import Step

if TYPE_CHECKING:
    from .exchange import Exchange


class ResponseType(enum.StrEnum):
    ACCESS_DENIED = "ACCESS_DENIED"
    API_CONFIGURATION_ERROR = "API_CONFIGURATION_ERROR"
    AUTHORIZER_CONFIGURATION_ERROR = "AUTHORIZER_CONFIGURATION_ERROR"
    AUTHORIZER_FAILURE = "AUTHORIZER_FAILURE"
    BAD_REQUEST_BODY = "BAD_REQUEST_BODY"
    BAD_REQUEST_PARAMETERS = "BAD_REQUEST_PARAMETERS"
    DEFAULT_4XX = "DEFAULT_4XX"
    DEFAULT_5XX = "DEFAULT_5XX"
    EXPIRED_TOKEN = "EXPIRED_TOKEN"
    INTEGRATION_FAILURE = "INTEGRATION_FAILURE"
    INTEGRATION_TIMEOUT = "INTEGRATION_TIMEOUT"
    INVALID_API_KEY = "INVALID_API_KEY"
    INVALID_SIGNATURE = "INVALID_SIGNATURE"
    MISSING_AUTHENTICATION_TOKEN = "MISSING_AUTHENTICATION_TOKEN"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND"
    THROTTLED = "THROTTLED"
    UNAUTHORIZED = "UNAUTHORIZED"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    WAF_FILTERED = "WAF_FILTERED"


@dataclass(frozen=True, slots=True)
class ResponseTypeInfo:
    status: int
    #: the default ``$context.error.message`` (None prints as JSON null)
    message: str | None
    #: the ``x-amzn-ErrorType`` header
    error_type: str


#: Default status, message and x-amzn-ErrorType of each type (reference §1.6; [Inf]
#: entries are listed in docs/runtime.md).
RESPONSE_TYPES: Mapping[ResponseType, ResponseTypeInfo] = {
    ResponseType.ACCESS_DENIED: ResponseTypeInfo(
        403, "User is not authorized to access this resource", "AccessDeniedException"
    ),
    ResponseType.API_CONFIGURATION_ERROR: ResponseTypeInfo(
        500, "Internal server error", "InternalServerErrorException"
    ),
    ResponseType.AUTHORIZER_CONFIGURATION_ERROR: ResponseTypeInfo(500, None, "AuthorizerConfigurationException"),
    ResponseType.AUTHORIZER_FAILURE: ResponseTypeInfo(500, None, "AuthorizerFailureException"),
    ResponseType.BAD_REQUEST_BODY: ResponseTypeInfo(400, "Invalid request body", "BadRequestException"),
    ResponseType.BAD_REQUEST_PARAMETERS: ResponseTypeInfo(
        400, "Missing required request parameters", "BadRequestException"
    ),
    ResponseType.EXPIRED_TOKEN: ResponseTypeInfo(403, "Signature expired", "InvalidSignatureException"),
    ResponseType.INTEGRATION_FAILURE: ResponseTypeInfo(504, "Internal server error", "InternalServerErrorException"),
    ResponseType.INTEGRATION_TIMEOUT: ResponseTypeInfo(
        504, "Endpoint request timed out", "InternalServerErrorException"
    ),
    ResponseType.INVALID_API_KEY: ResponseTypeInfo(403, "Forbidden", "ForbiddenException"),
    ResponseType.INVALID_SIGNATURE: ResponseTypeInfo(
        403,
        "The request signature we calculated does not match the signature you provided.",
        "InvalidSignatureException",
    ),
    ResponseType.MISSING_AUTHENTICATION_TOKEN: ResponseTypeInfo(
        403, "Missing Authentication Token", "MissingAuthenticationTokenException"
    ),
    ResponseType.QUOTA_EXCEEDED: ResponseTypeInfo(429, "Limit Exceeded", "LimitExceededException"),
    ResponseType.REQUEST_TOO_LARGE: ResponseTypeInfo(413, "Request Too Long", "RequestTooLargeException"),
    ResponseType.RESOURCE_NOT_FOUND: ResponseTypeInfo(404, "Not Found", "NotFoundException"),
    ResponseType.THROTTLED: ResponseTypeInfo(429, "Too Many Requests", "TooManyRequestsException"),
    ResponseType.UNAUTHORIZED: ResponseTypeInfo(401, "Unauthorized", "UnauthorizedException"),
    ResponseType.UNSUPPORTED_MEDIA_TYPE: ResponseTypeInfo(
        415, "Unsupported Media Type", "UnsupportedMediaTypeException"
    ),
    ResponseType.WAF_FILTERED: ResponseTypeInfo(403, "Forbidden", "ForbiddenException"),
}

#: The template of every uncustomized gateway response [Obs].
DEFAULT_TEMPLATE = '{"message":$context.error.messageString}'
DEFAULT_CONTENT_TYPE = "application/json"
#: ``$context.error.message`` as the type's default (see `GatewayError.message`).
DEFAULT_MESSAGE: Any = object()


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayError:
    """An error API Gateway raises itself: rendered as a gateway response.

    ``message`` is ``$context.error.message`` (the type's default unless given; None is
    JSON null).  ``log`` explains the failure in the execution log, in the service's
    words where it has them (``Execution failed due to configuration error: ...``).
    ``status`` replaces the type's default status before customizations apply (for
    answers such as a malformed Lambda proxy response's 502).  ``default_template``
    replaces `DEFAULT_TEMPLATE` when the type is not customized (for bodies such as the
    authorizer's ``{"Message": ...}``).
    """

    type: ResponseType
    message: Any = DEFAULT_MESSAGE
    log: str | None = None
    validation_error: str | None = None
    status: int | None = None
    default_template: str | None = None

    @property
    def info(self) -> ResponseTypeInfo:
        return RESPONSE_TYPES[self.type]

    @property
    def error_message(self) -> str | None:
        return self.info.message if self.message is DEFAULT_MESSAGE else self.message


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
        if found is None:
            return missing
        if isinstance(found, bool):
            return "true" if found else "false"
        if isinstance(found, (dict, list)):
            return json.dumps(found, separators=(",", ":"))
        return str(found)

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
        from .parameters import evaluate

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
        for key, expr in resolved.headers.items():
            target = parse_gateway_response_target(key)
            if target is None or target.location != "header":
                ex.note(
                    Step.GATEWAY_RESPONSE,
                    f"Gateway response parameter {key} ignored: only gatewayresponse.header.* sets anything",
                )
                continue
            values = evaluate(expr, ex)
            if values is None:
                ex.note(Step.GATEWAY_RESPONSE, f"Gateway response header {target.name} not set: {expr} has no value")
                continue
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
