"""The gateway model: one REST API as API Gateway holds it, in API Gateway's words.

`apigwc.lower.lower_api` builds it from the IR; every target (CloudFormation, the
OpenAPI export, the local gateway, the deploy planner) reads it and nothing else, so
they cannot disagree about the resource tree, defaults or names.

* Values are what the service stores after an import: enums upper-case, defaults filled
  (``passthroughBehavior`` WHEN_NO_MATCH, ``timeoutInMillis`` 29000, authorizer TTL 300,
  ``connectionType`` INTERNET, ...).  docs/lowering.md lists every default and choice.
* Every node has a stable ``id`` where API Gateway would assign one (resources, methods,
  models, authorizers...): derived from content (path, method, names), never from a
  counter, alphanumeric so that it is a valid CloudFormation logical ID as is.
* ``pointer`` locates the node's origin in the spec (for diagnostics); it does not take
  part in equality, so two lowerings of equivalent documents compare equal.
* Node sequences are sorted (resources by path, methods by path and verb, the rest by
  name): the order of the source does not change the model.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Iterator, Mapping

from . import intrinsics
from .intrinsics import Value
from .ir import (
    ApiKeySource,
    AuthorizerType,
    ConnectionType,
    ContentHandling,
    HttpMethod,
    IntegrationType,
    PassthroughBehavior,
)

Json = Any

_SLUG = re.compile(r"[^a-z0-9]+")

__all__ = [
    "ApiKeySource",
    "AuthorizerType",
    "ConnectionType",
    "ContentHandling",
    "HttpMethod",
    "IntegrationType",
    "PassthroughBehavior",
]


def node(cls: type) -> type:
    """Decorator: a frozen, slotted, keyword-only gateway node."""
    return dataclass(frozen=True, slots=True, kw_only=True)(cls)


def _pointer() -> Any:
    return field(default="", compare=False, repr=False)


class EndpointType(enum.StrEnum):
    EDGE = "EDGE"
    REGIONAL = "REGIONAL"
    PRIVATE = "PRIVATE"


class AuthorizationType(enum.StrEnum):
    NONE = "NONE"
    AWS_IAM = "AWS_IAM"
    CUSTOM = "CUSTOM"
    COGNITO_USER_POOLS = "COGNITO_USER_POOLS"


# ----------------------------------------------------------------------------------------
# Defaults as the service stores them [AWS API reference; docs/lowering.md]

DEFAULT_TIMEOUT_MILLIS = 29_000
DEFAULT_PASSTHROUGH = PassthroughBehavior.WHEN_NO_MATCH
DEFAULT_CONNECTION_TYPE = ConnectionType.INTERNET
DEFAULT_AUTHORIZER_TTL = 300
DEFAULT_RESPONSE_TRANSFER_MODE = "BUFFERED"
DEFAULT_ENDPOINT_TYPE = EndpointType.EDGE  # ImportRestApi's endpointConfigurationTypes default
MODEL_CONTENT_TYPE = "application/json"

#: How one model references another inside a schema [AWS docs: "Models"]; ``{restapi_id}``
#: is filled by each target (CloudFormation: ``Fn::Sub`` with the RestApi's Ref).
MODEL_REF_PREFIX = "https://apigateway.amazonaws.com/restapis/{restapi_id}/models/"
_MODEL_REF = re.compile(r"^https://apigateway\.amazonaws\.com/restapis/\{restapi_id\}/models/([A-Za-z0-9]+)$")


def model_ref(name: str) -> str:
    """The `$ref` value that points at model ``name`` inside another model's schema."""
    return MODEL_REF_PREFIX + name


def model_ref_name(ref: Any) -> str | None:
    """The model name of a `$ref` written by `model_ref`, or None."""
    if not isinstance(ref, str):
        return None
    m = _MODEL_REF.match(ref)
    return m.group(1) if m else None


# ----------------------------------------------------------------------------------------
# The REST API and its resource tree


@node
class RestApi:
    name: Value
    description: Value | None
    version: str | None
    endpoint_types: tuple[EndpointType, ...]
    vpc_endpoint_ids: tuple[Value, ...]
    ip_address_type: str | None
    disable_execute_api_endpoint: bool
    binary_media_types: tuple[str, ...]
    api_key_source: ApiKeySource
    #: None: compression off; 0: compress every response
    minimum_compression_size: int | None
    #: the IAM resource policy (a JSON object) as written; ``execute-api:/*`` resources are
    #: expanded by the service
    policy: Json | None
    security_policy: str | None
    endpoint_access_mode: str | None
    #: ``x-amazon-apigateway-documentation`` as written (documentation parts and version)
    documentation: Json | None = None
    pointer: str = _pointer()


class ResourceKind(enum.Enum):
    ROOT = "root"
    LITERAL = "literal"
    PARAM = "param"  # {name}
    GREEDY = "greedy"  # {name+}


@node
class Resource:
    """One path segment: API Gateway creates a resource per segment, intermediate ones included."""

    id: str
    path: str  # "/pets/{petId}"
    path_part: str  # "{petId}"; "" for the root
    parent: str | None  # the parent's path; None for the root
    kind: ResourceKind
    #: the parameter name of a {param} or {param+} segment
    param: str | None = None
    pointer: str = _pointer()

    @property
    def is_root(self) -> bool:
        return self.kind is ResourceKind.ROOT


# ----------------------------------------------------------------------------------------
# Methods and integrations


@node
class MethodResponse:
    status_code: str
    #: "method.response.header.X" -> required
    response_parameters: Mapping[str, bool]
    #: content type -> model name
    response_models: Mapping[str, str]
    pointer: str = _pointer()


@node
class IntegrationResponse:
    status_code: str
    #: None for the default response (the OpenAPI key "default")
    selection_pattern: str | None
    response_parameters: Mapping[str, Value]
    response_templates: Mapping[str, Value | None]
    content_handling: ContentHandling | None
    pointer: str = _pointer()


@node
class LambdaFunction:
    """The Lambda function behind a Lambda invoke URI (integration or authorizer)."""

    #: the function ARN as written: may hold ``${AWS::Region}``-style import variables or
    #: ``${stageVariables.x}``, or be a CloudFormation intrinsic
    arn: Value
    #: the function name when the ARN spells it out ("PetsFunction"), else None
    name: str | None
    #: the alias or version after the name ("live", "3"), if any
    qualifier: str | None
    #: stage variables the ARN reads (the function differs per stage)
    stage_variables: tuple[str, ...] = ()


@node
class Integration:
    type: IntegrationType
    #: ``integrationHttpMethod``: the verb used to call the backend (POST for Lambda)
    http_method: str | None
    uri: Value | None
    credentials: Value | None
    request_parameters: Mapping[str, Value]
    request_templates: Mapping[str, Value | None]
    passthrough_behavior: PassthroughBehavior
    content_handling: ContentHandling | None
    timeout_in_millis: int
    #: None: the service uses the resource id
    cache_namespace: str | None
    cache_key_parameters: tuple[str, ...]
    connection_type: ConnectionType
    connection_id: Value | None
    integration_target: Value | None
    tls_insecure_skip_verification: bool | None
    response_transfer_mode: str
    #: sorted by status code; one per status code (the service keys them by status)
    responses: tuple[IntegrationResponse, ...]
    #: set for AWS / AWS_PROXY integrations whose uri invokes Lambda
    lambda_function: LambdaFunction | None
    pointer: str = _pointer()

    @property
    def is_proxy(self) -> bool:
        return self.type.is_proxy

    def response_for_status(self, status: str) -> IntegrationResponse | None:
        for r in self.responses:
            if r.status_code == status:
                return r
        return None


@node
class Method:
    id: str
    resource_id: str
    path: str
    http_method: HttpMethod
    authorization_type: AuthorizationType
    #: the Authorizer's name (CUSTOM and COGNITO_USER_POOLS only)
    authorizer: str | None
    authorization_scopes: tuple[str, ...]
    api_key_required: bool
    operation_name: str | None
    #: "method.request.{path|querystring|header}.X" -> required
    request_parameters: Mapping[str, bool]
    #: content type -> model name
    request_models: Mapping[str, str]
    #: the RequestValidator's name
    request_validator: str | None
    method_responses: tuple[MethodResponse, ...]
    integration: Integration | None
    pointer: str = _pointer()

    @property
    def label(self) -> str:
        return f"{self.http_method} {self.path}"

    def method_response(self, status: str) -> MethodResponse | None:
        for r in self.method_responses:
            if r.status_code == status:
                return r
        return None


# ----------------------------------------------------------------------------------------
# Models, validators, authorizers, gateway responses


@node
class Model:
    id: str
    name: str
    content_type: str
    #: a JSON Schema draft 4 document; references to other models are `model_ref` URLs
    schema: Json
    #: names of the models the schema references, sorted
    references: tuple[str, ...]
    description: str | None = None
    #: True for a model apigwc generated for an inline schema (named ``MODEL<hash>``);
    #: provenance only, so not part of equality
    generated: bool = field(default=False, compare=False)
    pointer: str = _pointer()


#: The models every new REST API starts with [AWS docs: "Data models"]; a spec model of
#: the same name replaces them.
BUILTIN_MODELS: Mapping[str, Model] = {
    "Empty": Model(
        id="ModelEmpty",
        name="Empty",
        content_type=MODEL_CONTENT_TYPE,
        schema={"$schema": "http://json-schema.org/draft-04/schema#", "title": "Empty Schema", "type": "object"},
        references=(),
    ),
    "Error": Model(
        id="ModelError",
        name="Error",
        content_type=MODEL_CONTENT_TYPE,
        schema={
            "$schema": "http://json-schema.org/draft-04/schema#",
            "title": "Error Schema",
            "type": "object",
            "properties": {"message": {"type": "string"}},
        },
        references=(),
    ),
}


@node
class RequestValidator:
    id: str
    name: str
    validate_request_body: bool
    validate_request_parameters: bool
    pointer: str = _pointer()


@node
class Authorizer:
    id: str
    name: str
    type: AuthorizerType
    authorizer_uri: Value | None
    authorizer_credentials: Value | None
    #: always filled: derived from the security scheme's header or query name when absent
    identity_source: str | None
    identity_validation_expression: str | None
    result_ttl_in_seconds: int
    provider_arns: tuple[Value, ...]
    #: ``x-amazon-apigateway-authtype`` (free text; stored as ``authType``)
    auth_type: str | None
    lambda_function: LambdaFunction | None
    pointer: str = _pointer()


@node
class GatewayResponse:
    id: str
    response_type: str
    #: None: the type's default status code
    status_code: str | None
    response_parameters: Mapping[str, Value]
    response_templates: Mapping[str, Value]
    pointer: str = _pointer()


# ----------------------------------------------------------------------------------------
# Stages, usage plans, API keys (from x-apigwc)


@node
class Throttle:
    burst_limit: int | None
    rate_limit: float | None


@node
class MethodSetting:
    """Settings for ``resource_path``/``http_method``; ``/*`` and ``*`` mean every one.

    None means "not set" (the service's or the account's default applies).
    """

    resource_path: str  # "/pets/{petId}" or "/*"
    http_method: str  # "GET" or "*"
    metrics_enabled: bool | None = None
    logging_level: str | None = None
    data_trace_enabled: bool | None = None
    throttling_burst_limit: int | None = None
    throttling_rate_limit: float | None = None
    caching_enabled: bool | None = None
    cache_ttl_in_seconds: int | None = None
    cache_data_encrypted: bool | None = None
    require_authorization_for_cache_control: bool | None = None
    unauthorized_cache_control_header_strategy: str | None = None
    pointer: str = _pointer()

    @property
    def key(self) -> str:
        """The ``methodSettings`` map key: ``/pets/GET`` or ``*/*``."""
        path = "*" if self.resource_path == "/*" else self.resource_path
        return f"{path}/{self.http_method}"


@node
class AccessLogSetting:
    format: str
    destination_arn: Value | None
    pointer: str = _pointer()


@node
class Stage:
    id: str
    name: str
    description: str | None
    variables: Mapping[str, str]
    method_settings: tuple[MethodSetting, ...]
    access_log: AccessLogSetting | None
    tracing_enabled: bool
    cache_cluster_enabled: bool
    cache_cluster_size: str | None
    tags: Mapping[str, str]
    pointer: str = _pointer()


@node
class Quota:
    limit: int
    offset: int
    period: str


@node
class UsagePlanStage:
    stage: str
    #: "/pets/GET" -> throttle
    throttle: Mapping[str, Throttle]


@node
class UsagePlan:
    id: str
    name: str
    description: str | None
    throttle: Throttle | None
    quota: Quota | None
    api_stages: tuple[UsagePlanStage, ...]
    #: names of the API keys in the plan
    api_keys: tuple[str, ...]
    pointer: str = _pointer()


@node
class ApiKey:
    id: str
    name: str
    #: None: the service generates one
    value: str | None
    enabled: bool
    description: str | None
    customer_id: str | None
    pointer: str = _pointer()


# ----------------------------------------------------------------------------------------
# Lambda permissions (Lambda state that API Gateway needs to invoke functions)


@node
class ExecuteApiSource:
    """``arn:{partition}:execute-api:{region}:{account}:{api}/{stage}/{verb}/{path}``."""

    stage: str  # a stage name or "*"
    http_method: str  # "GET" or "*"
    path: str  # "pets/*" (no leading slash; parameters as *), "" for the root, "*" for all

    @property
    def suffix(self) -> str:
        return f"{self.stage}/{self.http_method}/{self.path}"


@node
class AuthorizerSource:
    """``arn:{partition}:execute-api:{region}:{account}:{api}/authorizers/{authorizer id}``."""

    authorizer: str  # the Authorizer's name


@node
class LambdaPermission:
    """``lambda:InvokeFunction`` for principal apigateway.amazonaws.com on one function."""

    id: str
    function_name: Value
    source: ExecuteApiSource | AuthorizerSource
    #: ids of the methods (or the authorizer) the permission covers
    covers: tuple[str, ...]
    pointer: str = _pointer()


# ----------------------------------------------------------------------------------------
# Local gateway settings (x-apigwc.local)


@node
class LocalSettings:
    lambdas: Mapping[str, str]
    jwks: Mapping[str, str]
    endpoints: Mapping[str, str]
    python_path: tuple[str, ...]
    lambda_timeout_seconds: float | None
    pointer: str = _pointer()


# ----------------------------------------------------------------------------------------
# The whole API


@dataclass(frozen=True, slots=True, kw_only=True)
class Gateway:
    """Everything one REST API deployment holds, plus lookups the targets need."""

    source: str = field(compare=False)
    rest_api: RestApi
    #: parents before children (sorted by path); the root first
    resources: tuple[Resource, ...]
    #: sorted by path, then verb
    methods: tuple[Method, ...]
    models: tuple[Model, ...]
    request_validators: tuple[RequestValidator, ...]
    authorizers: tuple[Authorizer, ...]
    gateway_responses: tuple[GatewayResponse, ...]
    stages: tuple[Stage, ...]
    usage_plans: tuple[UsagePlan, ...]
    api_keys: tuple[ApiKey, ...]
    lambda_permissions: tuple[LambdaPermission, ...]
    local: LocalSettings | None
    # lookups (built by `Gateway.create`; not part of equality)
    _resources: Mapping[str, Resource] = field(default_factory=dict, compare=False, repr=False)
    _children: Mapping[str, tuple[Resource, ...]] = field(default_factory=dict, compare=False, repr=False)
    _methods: Mapping[tuple[str, str], Method] = field(default_factory=dict, compare=False, repr=False)
    _methods_by_path: Mapping[str, tuple[Method, ...]] = field(default_factory=dict, compare=False, repr=False)
    _models: Mapping[str, Model] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def create(cls, **parts: Any) -> "Gateway":
        """Build a Gateway and its lookups."""
        resources = parts["resources"]
        children: dict[str, list[Resource]] = {}
        for r in resources:
            if r.parent is not None:
                children.setdefault(r.parent, []).append(r)
        by_path: dict[str, list[Method]] = {}
        for m in parts["methods"]:
            by_path.setdefault(m.path, []).append(m)
        return cls(
            **parts,
            _resources={r.path: r for r in resources},
            _children={k: tuple(v) for k, v in children.items()},
            _methods={(m.path, m.http_method.value): m for m in parts["methods"]},
            _methods_by_path={k: tuple(v) for k, v in by_path.items()},
            _models={m.name: m for m in parts["models"]},
        )

    # -- lookups -------------------------------------------------------------------------

    @property
    def root(self) -> Resource:
        return self.resources[0]

    @property
    def slug(self) -> str:
        """The API's identity in apigwc: its title as a slug ("Pet Store" -> "pet-store"), else the
        spec file's stem.  The output folder, the ``apigwc:api`` tag of a deploy and the stack
        name are made of it."""
        title = self.rest_api.name
        slug = _SLUG.sub("-", title.lower()).strip("-") if not isinstance(title, intrinsics.Intrinsic) else ""
        if not slug:
            slug = _SLUG.sub("-", PurePath(self.source).stem.lower()).strip("-") or "api"
        return slug

    def resource(self, path: str) -> Resource | None:
        return self._resources.get(path)

    def children(self, path: str) -> tuple[Resource, ...]:
        return self._children.get(path, ())

    def method(self, path: str, http_method: str) -> Method | None:
        return self._methods.get((path, http_method))

    def methods_of(self, path: str) -> tuple[Method, ...]:
        return self._methods_by_path.get(path, ())

    def model(self, name: str) -> Model | None:
        """A model by name: the spec's, else a built-in (Empty, Error)."""
        return self._models.get(name) or BUILTIN_MODELS.get(name)

    def authorizer(self, name: str | None) -> Authorizer | None:
        return next((a for a in self.authorizers if a.name == name), None) if name else None

    def request_validator(self, name: str | None) -> RequestValidator | None:
        return next((v for v in self.request_validators if v.name == name), None) if name else None

    def stage(self, name: str) -> Stage | None:
        return next((s for s in self.stages if s.name == name), None)

    def api_key(self, name: str) -> ApiKey | None:
        return next((k for k in self.api_keys if k.name == name), None)

    def usage_plans_of(self, stage: str) -> tuple[UsagePlan, ...]:
        return tuple(p for p in self.usage_plans if any(s.stage == stage for s in p.api_stages))

    def nodes(self) -> Iterator[Any]:
        """Every top-level node, in a fixed order (the API, then each collection)."""
        yield self.rest_api
        for seq in (
            self.resources,
            self.models,
            self.request_validators,
            self.authorizers,
            self.methods,
            self.gateway_responses,
            self.stages,
            self.api_keys,
            self.usage_plans,
            self.lambda_permissions,
        ):
            yield from seq
        if self.local is not None:
            yield self.local


#: Every node type of the model; the targets' meta-test checks each one is handled.
NODE_TYPES: tuple[type, ...] = (
    RestApi,
    Resource,
    Method,
    MethodResponse,
    Integration,
    IntegrationResponse,
    LambdaFunction,
    Model,
    RequestValidator,
    Authorizer,
    GatewayResponse,
    Stage,
    MethodSetting,
    AccessLogSetting,
    Throttle,
    Quota,
    UsagePlan,
    UsagePlanStage,
    ApiKey,
    LambdaPermission,
    ExecuteApiSource,
    AuthorizerSource,
    LocalSettings,
)
