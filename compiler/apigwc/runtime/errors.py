"""The errors API Gateway raises itself: `GatewayError` and its `ResponseType`.

A leaf of the runtime: every pipeline step and every local adapter raises a
`GatewayError` by returning it; `apigwc.runtime.gateway_responses` renders it as the
HTTP response the client gets (with the API's customizations).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Mapping


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
    replaces the default template (``gateway_responses.DEFAULT_TEMPLATE``) when the type is not customized (for bodies such as the
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
