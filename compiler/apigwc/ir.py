"""The API IR: what an OpenAPI document with API Gateway extensions says, in OpenAPI's words.

Built once by `apigwc.build` (the only reader of raw OpenAPI dicts) and read by lint
rules and by lowering.  Every node is frozen and carries ``pointer``: the location of
the node in the source (a JSON Pointer into the spec, or ``file#pointer`` for a node that
came through a `$ref` into another file), so any node can be located through the source map.

Values that OpenAPI types as strings may be CloudFormation intrinsics (`Intrinsic`);
enum-valued fields keep the raw text next to the parsed enum (``None`` when the text is
not a member), so rules can report bad values and lowering never guesses.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from .intrinsics import Intrinsic, Value

Json = Any


class HttpMethod(enum.StrEnum):
    """Methods API Gateway supports; ANY is ``x-amazon-apigateway-any-method``."""

    GET = "GET"
    PUT = "PUT"
    POST = "POST"
    PATCH = "PATCH"
    DELETE = "DELETE"
    HEAD = "HEAD"
    OPTIONS = "OPTIONS"
    ANY = "ANY"


class IntegrationType(enum.StrEnum):
    AWS = "AWS"
    AWS_PROXY = "AWS_PROXY"
    HTTP = "HTTP"
    HTTP_PROXY = "HTTP_PROXY"
    MOCK = "MOCK"

    @property
    def is_proxy(self) -> bool:
        return self in (IntegrationType.AWS_PROXY, IntegrationType.HTTP_PROXY)


class PassthroughBehavior(enum.StrEnum):
    WHEN_NO_MATCH = "WHEN_NO_MATCH"
    WHEN_NO_TEMPLATES = "WHEN_NO_TEMPLATES"
    NEVER = "NEVER"


class ContentHandling(enum.StrEnum):
    CONVERT_TO_TEXT = "CONVERT_TO_TEXT"
    CONVERT_TO_BINARY = "CONVERT_TO_BINARY"


class ConnectionType(enum.StrEnum):
    INTERNET = "INTERNET"
    VPC_LINK = "VPC_LINK"


class ParamLocation(enum.StrEnum):
    """OpenAPI parameter locations (API Gateway maps path, query and header)."""

    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    COOKIE = "cookie"
    BODY = "body"  # OpenAPI 2.0
    FORM_DATA = "formData"  # OpenAPI 2.0


class AuthorizerType(enum.StrEnum):
    TOKEN = "TOKEN"
    REQUEST = "REQUEST"
    COGNITO_USER_POOLS = "COGNITO_USER_POOLS"


class ApiKeySource(enum.StrEnum):
    HEADER = "HEADER"
    AUTHORIZER = "AUTHORIZER"


def parse_enum(cls: type[enum.StrEnum], raw: Any) -> Any:
    """The enum member for raw text (case-insensitive), or None."""
    if not isinstance(raw, str):
        return None
    try:
        return cls(raw.upper() if cls is not ParamLocation else raw)
    except ValueError:
        return None


def node(cls: type) -> type:
    """Decorator: a frozen, slotted, keyword-only IR node."""
    return dataclass(frozen=True, slots=True, kw_only=True)(cls)


# ----------------------------------------------------------------------------------------
# Schemas and models


@node
class SchemaRef:
    """A schema used by a parameter, body or response.

    ``name`` is the model name when the schema is a `$ref` to a named schema
    (``#/definitions/Pet``, ``#/components/schemas/Pet`` or a named schema in another
    file); inline schemas have ``name=None``.  ``schema`` is the resolved schema.
    """

    name: str | None
    schema: Json
    pointer: str
    ref: str | None = None


@node
class Model:
    """A named schema (``definitions`` / ``components.schemas`` or a `$ref`'d file schema)."""

    name: str
    schema: Json
    pointer: str
    content_type: str = "application/json"


# ----------------------------------------------------------------------------------------
# Operations


@node
class Parameter:
    name: str
    location_raw: str
    location: ParamLocation | None
    required: bool
    schema: Json
    pointer: str
    description: str | None = None
    #: OpenAPI 2.0 `in: body` parameters carry their schema here
    body_schema: SchemaRef | None = None


@node
class MediaType:
    media_type: str
    schema: SchemaRef | None
    pointer: str


@node
class RequestBody:
    required: bool
    content: tuple[MediaType, ...]
    pointer: str


@node
class Header:
    name: str
    required: bool
    schema: Json
    pointer: str


@node
class Response:
    """An OpenAPI response: becomes a MethodResponse."""

    status: str
    description: str | None
    headers: tuple[Header, ...]
    content: tuple[MediaType, ...]
    pointer: str
    #: True when the response object was a `$ref` to ``#/responses/X`` (OAS2) or ``#/components/responses/X``
    via_ref: str | None = None

    def header(self, name: str) -> Header | None:
        for h in self.headers:
            if h.name == name:
                return h
        return None


@node
class SecurityRequirement:
    """One alternative of an operation's `security`: schemes that must all pass (AND)."""

    schemes: tuple[tuple[str, tuple[str, ...]], ...]
    pointer: str

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.schemes)


@node
class IntegrationResponse:
    """One entry of ``x-amazon-apigateway-integration.responses``."""

    key: str  # selection pattern, or "default"
    status_code: str | None
    response_parameters: Mapping[str, Value]
    response_templates: Mapping[str, Value | None]
    content_handling_raw: str | None
    content_handling: ContentHandling | None
    pointer: str

    @property
    def is_default(self) -> bool:
        return self.key == "default"

    @property
    def selection_pattern(self) -> str | None:
        return None if self.is_default else self.key


@node
class Integration:
    """``x-amazon-apigateway-integration`` of one operation."""

    type_raw: str | None
    type: IntegrationType | None
    http_method: str | None
    uri: Value | None
    credentials: Value | None
    request_parameters: Mapping[str, Value]
    request_templates: Mapping[str, Value | None]
    passthrough_behavior_raw: str | None
    passthrough_behavior: PassthroughBehavior | None
    content_handling_raw: str | None
    content_handling: ContentHandling | None
    timeout_in_millis: int | None
    cache_namespace: str | None
    cache_key_parameters: tuple[str, ...]
    connection_type_raw: str | None
    connection_type: ConnectionType | None
    connection_id: Value | None
    integration_target: Value | None
    tls_insecure_skip_verification: bool | None
    responses: tuple[IntegrationResponse, ...]
    response_transfer_mode: str | None
    pointer: str

    @property
    def is_proxy(self) -> bool:
        return self.type is not None and self.type.is_proxy

    @property
    def is_lambda(self) -> bool:
        """AWS/AWS_PROXY integrations whose uri is a Lambda invoke URI."""
        from .intrinsics import text_of

        return self.type in (IntegrationType.AWS, IntegrationType.AWS_PROXY) and (
            ":lambda:path/" in text_of(self.uri) or (isinstance(self.uri, Intrinsic) and "lambda" in str(self.uri))
        )

    def response(self, key: str) -> IntegrationResponse | None:
        for r in self.responses:
            if r.key == key:
                return r
        return None


@node
class Operation:
    """One method on one path (``get`` ... ``patch``, or ``x-amazon-apigateway-any-method``)."""

    path: str
    method: HttpMethod
    operation_id: str | None
    summary: str | None
    description: str | None
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    request_body: RequestBody | None
    responses: tuple[Response, ...]
    security: tuple[SecurityRequirement, ...] | None  # None: not declared on the operation
    integration: Integration | None
    auth_type_raw: str | None  # x-amazon-apigateway-auth.type
    request_validator: str | None  # x-amazon-apigateway-request-validator on the operation
    consumes: tuple[str, ...]  # OpenAPI 2.0 (operation, else root)
    produces: tuple[str, ...]
    deprecated: bool
    pointer: str

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def param(self, location: ParamLocation, name: str) -> Parameter | None:
        for p in self.parameters:
            if p.location is location and p.name == name:
                return p
        return None

    def response(self, status: str) -> Response | None:
        for r in self.responses:
            if r.status == status:
                return r
        return None


# ----------------------------------------------------------------------------------------
# Security


@node
class Authorizer:
    """``x-amazon-apigateway-authorizer`` of a security scheme."""

    type_raw: str | None
    type: AuthorizerType | None
    authorizer_uri: Value | None
    authorizer_credentials: Value | None
    identity_source: str | None
    identity_validation_expression: str | None
    result_ttl_in_seconds: int | None
    result_ttl_raw: Any
    provider_arns: tuple[Value, ...]
    pointer: str


@node
class SecurityScheme:
    name: str
    type: str | None  # apiKey, http, oauth2, openIdConnect (OAS3); apiKey, basic, oauth2 (OAS2)
    location: str | None  # `in`
    param_name: str | None  # `name`
    auth_type: str | None  # x-amazon-apigateway-authtype
    authorizer: Authorizer | None
    pointer: str

    @property
    def is_api_key(self) -> bool:
        """A plain API key scheme (``x-api-key`` header), not an authorizer or IAM."""
        return (
            self.type == "apiKey"
            and self.authorizer is None
            and not (self.auth_type or "").lower().startswith("aws")
            and (self.auth_type or "").lower() != "cognito_user_pools"
        )

    @property
    def is_iam(self) -> bool:
        return (self.auth_type or "").lower().startswith("aws")


@node
class RequestValidator:
    name: str
    validate_body: bool
    validate_parameters: bool
    pointer: str


@node
class GatewayResponse:
    response_type: str
    status_code: str | None
    response_parameters: Mapping[str, Value]
    response_templates: Mapping[str, Value]
    pointer: str


@node
class EndpointConfiguration:
    disable_execute_api_endpoint: bool | None
    vpc_endpoint_ids: tuple[Value, ...]
    ip_address_type: str | None
    pointer: str


@node
class Server:
    url: str
    base_path: str  # the path part of the url (or the basePath variable), "/" if none
    pointer: str


# ----------------------------------------------------------------------------------------
# x-apigwc: stages, usage plans, API keys, local settings


@node
class Throttle:
    burst_limit: int | None
    rate_limit: float | None
    pointer: str


@node
class MethodSetting:
    """One ``methodSettings`` entry; ``key`` is ``/path/VERB`` or ``*/*``."""

    key: str
    resource_path: str  # "/pets" or "*"
    http_method: str  # "GET" or "*"
    throttle: Throttle | None
    logging_level: str | None
    data_trace_enabled: bool | None
    metrics_enabled: bool | None
    caching_enabled: bool | None
    cache_ttl_in_seconds: int | None
    cache_data_encrypted: bool | None
    require_authorization_for_cache_control: bool | None
    unauthorized_cache_control_header_strategy: str | None
    pointer: str


@node
class AccessLog:
    format: str
    destination_arn: Value | None
    pointer: str


@node
class Stage:
    name: str
    description: str | None
    variables: Mapping[str, str]
    throttle: Throttle | None
    method_settings: tuple[MethodSetting, ...]
    access_log: AccessLog | None
    tracing_enabled: bool
    cache_cluster_enabled: bool
    cache_cluster_size: str | None
    tags: Mapping[str, str]
    pointer: str


@node
class Quota:
    limit: int
    offset: int
    period: str
    pointer: str


@node
class UsagePlan:
    name: str
    description: str | None
    throttle: Throttle | None
    quota: Quota | None
    method_throttle: Mapping[str, Throttle]  # "/pets/GET" -> throttle
    stages: tuple[str, ...]
    api_keys: tuple[str, ...]
    pointer: str


@node
class ApiKey:
    name: str
    value: str | None
    enabled: bool
    description: str | None
    customer_id: str | None
    pointer: str


@node
class LocalFunction:
    """A Lambda function the local gateway runs: from x-apigwc.local.functions or a template's function."""

    name: str  # how integration URIs / authorizers name it (a template's: FunctionName or logical id)
    runtime: str  # "python3.12", "nodejs20.x", "provided.al2023", "java21", ...
    handler: str  # "app.lambda_handler", "index.handler", "bootstrap", "pkg.Class::method"
    code_uri: str  # the code folder: absolute, or relative to the source file's folder
    environment: Mapping[str, str]  # Globals.Function merged in, values resolved to strings
    timeout: float  # seconds; Lambda's default 3
    memory_size: int  # MB; Lambda's default 128
    layers: tuple[str, ...]  # local folders when known, else the ARNs as given
    reserved_concurrency: int | None
    pointer: str  # JSON Pointer of its origin (x-apigwc.local.functions/Name or /Resources/Fn)


@node
class LocalSettings:
    """``x-apigwc.local``: used only by the local gateway."""

    lambdas: Mapping[str, str]
    jwks: Mapping[str, str]
    endpoints: Mapping[str, str]
    python_path: tuple[str, ...]
    lambda_timeout_seconds: float | None
    pointer: str
    functions: Mapping[str, LocalFunction]


# ----------------------------------------------------------------------------------------
# The API


@node
class Api:
    """One REST API as its OpenAPI document declares it."""

    source: str  # display path of the spec file
    openapi_version: str  # "2.0" or "3.0.x"
    title: Value | None
    version: str | None
    description: Value | None
    servers: tuple[Server, ...]
    base_path: str  # OAS2 basePath / OAS3 servers base path; "/" if none
    operations: tuple[Operation, ...]
    paths: tuple[tuple[str, str], ...]  # (path, pointer), including paths without operations
    security_schemes: Mapping[str, SecurityScheme]
    root_security: tuple[SecurityRequirement, ...] | None
    models: Mapping[str, Model]
    request_validators: Mapping[str, RequestValidator]
    default_request_validator: str | None
    default_request_validator_pointer: str | None
    gateway_responses: Mapping[str, GatewayResponse]
    binary_media_types: tuple[str, ...]
    api_key_source_raw: str | None
    api_key_source: ApiKeySource | None
    minimum_compression_size: int | None
    policy: Json | None
    endpoint_configuration: EndpointConfiguration | None
    documentation: Json | None
    security_policy: str | None
    endpoint_access_mode: str | None
    consumes: tuple[str, ...]
    produces: tuple[str, ...]
    #: x-apigwc.endpointType (EDGE, REGIONAL or PRIVATE), None when not given
    endpoint_type: str | None
    stages: Mapping[str, Stage]
    usage_plans: Mapping[str, UsagePlan]
    api_keys: Mapping[str, ApiKey]
    local: LocalSettings | None
    #: ``x-apigwc-ignore`` lists: pointer -> codes or names suppressed at and under it
    suppressions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    pointer: str = ""

    @property
    def is_v2(self) -> bool:
        return self.openapi_version == "2.0"

    def integrations(self) -> Iterator[tuple[Operation, Integration]]:
        for op in self.operations:
            if op.integration is not None:
                yield op, op.integration

    def operation(self, method: str, path: str) -> Operation | None:
        for op in self.operations:
            if op.method == method and op.path == path:
                return op
        return None

    def effective_validator(self, op: Operation) -> str | None:
        return op.request_validator if op.request_validator is not None else self.default_request_validator
