"""The plan from nothing: the calls that create the API, its stages, keys, plans and permissions.

`desired_state` turns the gateway model into `Desired`: for every node, the parameters
of the call that creates it (plan values: text, `Ref`, `Join`).  `plan_create` orders
those calls for an account where nothing exists yet; `diff.plan_changes` compares the
same `Desired` with the live API (read into the same parameters by `read.py`) and reuses
the call constructors below for whatever must be created or replaced.

Order (each step needs the ids of the previous ones):
STS (when a value needs the account id), the RestApi, models (referenced ones first),
request validators, authorizers, resources (parents first), methods with their method
responses, integration and integration responses, gateway responses, a deployment
(whose description carries the content hash of everything above), the stages, API keys,
usage plans and their keys, and the Lambda permissions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .. import gateway as gw
from ..logical_ids import short_hash
from .calls import (
    ACCOUNT,
    DEPLOYMENT,
    PARTITION,
    REGION,
    REST_API,
    ApiCall,
    Join,
    Plan,
    Ref,
    api_key_var,
    authorizer_var,
    resource_var,
    to_data,
    usage_plan_var,
    validator_var,
)
from .refs import Values

#: The tag apigwc puts on the RestApi, API keys and usage plans: ``apigwc:api=<slug>``
API_TAG = "apigwc:api"
#: Deployments apigwc creates are described ``apigwc <hash of the API's content>``
DEPLOYMENT_PREFIX = "apigwc "
#: Lambda permission statement ids: ``apigwc-<rest api id>-<permission id>`` (max 100 chars)
SID_PREFIX = "apigwc-"
_MAX_SID = 100

#: Method settings: the service's value when a field is not set [Doc: MethodSetting].
#: Throttling is absent: its default is the account's limit, which apigwc cannot know.
METHOD_SETTING_DEFAULTS: Mapping[str, Any] = {
    "metrics/enabled": False,
    "logging/loglevel": "OFF",
    "logging/dataTrace": False,
    "caching/enabled": False,
    "caching/ttlInSeconds": 300,
    "caching/dataEncrypted": False,
    "caching/requireAuthorizationForCacheControl": True,
    "caching/unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
}
#: patch path suffix -> gateway.MethodSetting field
METHOD_SETTING_FIELDS: Mapping[str, str] = {
    "metrics/enabled": "metrics_enabled",
    "logging/loglevel": "logging_level",
    "logging/dataTrace": "data_trace_enabled",
    "throttling/burstLimit": "throttling_burst_limit",
    "throttling/rateLimit": "throttling_rate_limit",
    "caching/enabled": "caching_enabled",
    "caching/ttlInSeconds": "cache_ttl_in_seconds",
    "caching/dataEncrypted": "cache_data_encrypted",
    "caching/requireAuthorizationForCacheControl": "require_authorization_for_cache_control",
    "caching/unauthorizedCacheControlHeaderStrategy": "unauthorized_cache_control_header_strategy",
}
#: patch path suffix -> the key in get_stage's methodSettings entries
METHOD_SETTING_KEYS: Mapping[str, str] = {
    "metrics/enabled": "metricsEnabled",
    "logging/loglevel": "loggingLevel",
    "logging/dataTrace": "dataTraceEnabled",
    "throttling/burstLimit": "throttlingBurstLimit",
    "throttling/rateLimit": "throttlingRateLimit",
    "caching/enabled": "cachingEnabled",
    "caching/ttlInSeconds": "cacheTtlInSeconds",
    "caching/dataEncrypted": "cacheDataEncrypted",
    "caching/requireAuthorizationForCacheControl": "requireAuthorizationForCacheControl",
    "caching/unauthorizedCacheControlHeaderStrategy": "unauthorizedCacheControlHeaderStrategy",
}


def escape(text: str) -> str:
    """JSON-Pointer escaping for patch paths: ``~`` -> ``~0``, ``/`` -> ``~1``."""
    return text.replace("~", "~0").replace("/", "~1")


def method_setting_key(ms: gw.MethodSetting) -> str:
    """The key of a method setting in patch paths and get_stage: ``*/*`` or ``~1pets~1{id}/GET``."""
    if ms.resource_path == "/*":
        return f"*/{ms.http_method}"
    return f"{escape(ms.resource_path)}/{ms.http_method}"


# ----------------------------------------------------------------------------------------
# The desired state, in call parameters


@dataclass(slots=True)
class MethodState:
    path: str
    verb: str
    #: put_method parameters (without restApiId, resourceId, httpMethod)
    method: dict
    #: status -> put_method_response parameters (without the ids)
    responses: dict[str, dict]
    #: put_integration parameters, or None
    integration: dict | None
    #: status -> put_integration_response parameters
    integration_responses: dict[str, dict]

    @property
    def label(self) -> str:
        return f"{self.verb} {self.path}"


@dataclass(slots=True)
class StageState:
    name: str
    #: create_stage parameters besides restApiId, stageName, deploymentId
    params: dict
    #: method setting key -> patch path suffix -> value
    method_settings: dict[str, dict[str, Any]]
    #: {"format": ..., "destinationArn": ...} or None
    access_log: dict | None


@dataclass(slots=True)
class PermissionState:
    id: str
    function: Any
    statement_id: Any
    source_arn: Any
    #: the stage it serves ("*" for every stage or an authorizer)
    stage: str


@dataclass(slots=True)
class Desired:
    """What the deploy converges to, as the parameters of the calls that create each node."""

    name: str
    tag: str
    rest_api: dict
    models: dict[str, dict]
    #: models that reference each other in a cycle: created with a placeholder schema first
    cyclic_models: set[str]
    validators: dict[str, dict]
    authorizers: dict[str, dict]
    #: path -> (parent path, path part), root excluded, parents first
    resources: dict[str, tuple[str, str]]
    methods: dict[tuple[str, str], MethodState]
    gateway_responses: dict[str, dict]
    stages: dict[str, StageState]
    api_keys: dict[str, dict]
    usage_plans: dict[str, dict]
    #: usage plan -> its API keys (declared ones only)
    plan_keys: dict[str, tuple[str, ...]]
    #: every permission of the spec (all stages); `permissions_for` picks a stage's
    permissions: dict[str, PermissionState]
    #: names of the API keys the spec declares (the only ones apigwc adds or removes from plans)
    declared_keys: frozenset[str] = field(default_factory=frozenset)
    #: the content hash a deployment of this API carries
    digest: str = ""

    def permissions_for(self, stages: Iterable[str]) -> dict[str, PermissionState]:
        names = set(stages)
        return {k: p for k, p in self.permissions.items() if p.stage == "*" or p.stage in names}

    @property
    def deployment_description(self) -> str:
        return DEPLOYMENT_PREFIX + self.digest


def _put(out: dict, key: str, value: Any) -> None:
    if value is None or value == {} or value == [] or value == ():
        return
    out[key] = value


def desired_state(gateway: gw.Gateway, values: Values, tag: str, stages: tuple[gw.Stage, ...]) -> Desired:
    """The gateway model as call parameters, for the given stages."""
    b = _Builder(gateway, values, tag, {s.name for s in stages})
    api = gateway.rest_api
    plans = {p.name: b.render(p) for p in gateway.usage_plans if any(s.stage in b.deployed for s in p.api_stages)}
    plan_keys = {name: tuple(k for k in p.pop("_keys") if gateway.api_key(k) is not None) for name, p in plans.items()}
    methods: dict[tuple[str, str], MethodState] = {(m.path, m.http_method.value): b.render(m) for m in gateway.methods}
    for r in gateway.resources:
        b.render(r)
    if gateway.local is not None:
        b.render(gateway.local)
    desired = Desired(
        name=api.name if isinstance(api.name, str) else tag,
        tag=tag,
        rest_api=b.render(api),
        models={m.name: b.render(m) for m in _model_order(gateway)},
        cyclic_models=_cyclic_models(gateway),
        validators={v.name: b.render(v) for v in gateway.request_validators},
        authorizers={a.name: b.render(a) for a in gateway.authorizers},
        resources=dict(b.resources),
        methods=methods,
        gateway_responses={r.response_type: b.render(r) for r in gateway.gateway_responses},
        stages={s.name: b.render(s) for s in stages},
        api_keys={k.name: b.render(k) for k in gateway.api_keys},
        usage_plans=plans,
        plan_keys=plan_keys,
        permissions={p.id: b.render(p) for p in gateway.lambda_permissions},
        declared_keys=frozenset(k.name for k in gateway.api_keys),
    )
    desired.digest = api_digest(desired)
    return desired


def api_digest(d: Desired) -> str:
    """A hash of everything a deployment snapshots (the API, not stages, keys or permissions)."""
    snapshot = {
        "restApi": d.rest_api,
        "models": d.models,
        "validators": d.validators,
        "authorizers": d.authorizers,
        "resources": d.resources,
        "methods": {
            f"{k[1]} {k[0]}": [m.method, m.responses, m.integration, m.integration_responses]
            for k, m in sorted(d.methods.items())
        },
        "gatewayResponses": d.gateway_responses,
    }
    text = json.dumps(to_data(snapshot), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _model_order(gateway: gw.Gateway) -> list[gw.Model]:
    """Models with the ones they reference first (depth-first; cycles broken by name order)."""
    by_name = {m.name: m for m in gateway.models}
    done: set[str] = set()
    out: list[gw.Model] = []

    def visit(name: str, path: set[str]) -> None:
        if name in done or name in path or name not in by_name:
            return
        path.add(name)
        for ref in by_name[name].references:
            visit(ref, path)
        path.discard(name)
        done.add(name)
        out.append(by_name[name])

    for name in sorted(by_name):
        visit(name, set())
    return out


def _cyclic_models(gateway: gw.Gateway) -> set[str]:
    """Models that reference a model created after them (a reference cycle)."""
    order = {m.name: i for i, m in enumerate(_model_order(gateway))}
    return {
        m.name for m in gateway.models if any(order.get(r, -1) > order[m.name] or r == m.name for r in m.references)
    }


class _Builder:
    """Renders gateway nodes as call parameters; dispatches on the node type (`HANDLERS`)."""

    def __init__(self, gateway: gw.Gateway, values: Values, tag: str, deployed: set[str]) -> None:
        self.gw = gateway
        self.values = values
        self.tag = tag
        self.deployed = deployed
        self.label = ""  # the method being rendered, for messages
        self.resources: dict[str, tuple[str, str]] = {}
        self.star: gw.MethodSetting | None = None

    def render(self, node: Any) -> Any:
        return HANDLERS[type(node)](self, node)

    def text(self, value: gw.Value | None, where: str, pointer: str) -> Any:
        return self.values.text(value, where, pointer)

    def texts(self, values: Mapping[str, gw.Value | None], what: str, pointer: str) -> dict[str, Any]:
        """A map of parameters or templates, each value as `text` (a template without a body,
        null in the spec, is an empty template [Inf])."""
        return {k: self.text(v, what, pointer) if v is not None else "" for k, v in values.items()}

    def rest_api(self, api: gw.RestApi) -> dict:
        rest: dict[str, Any] = {"name": self.text(api.name, "the API name", api.pointer)}
        _put(rest, "description", self.text(api.description, "the API description", api.pointer))
        _put(rest, "version", api.version)
        _put(rest, "binaryMediaTypes", list(api.binary_media_types))
        _put(rest, "minimumCompressionSize", api.minimum_compression_size)
        rest["apiKeySource"] = api.api_key_source.value
        endpoint: dict[str, Any] = {"types": [t.value for t in api.endpoint_types]}
        _put(endpoint, "vpcEndpointIds", [self.text(v, "a VPC endpoint id", api.pointer) for v in api.vpc_endpoint_ids])
        _put(endpoint, "ipAddressType", api.ip_address_type)
        rest["endpointConfiguration"] = endpoint
        if api.policy is not None:
            rest["policy"] = json.dumps(api.policy, separators=(",", ":"), ensure_ascii=False)
        if api.disable_execute_api_endpoint:
            rest["disableExecuteApiEndpoint"] = True
        _put(rest, "securityPolicy", api.security_policy)
        _put(rest, "endpointAccessMode", api.endpoint_access_mode)
        return rest

    def resource(self, r: gw.Resource) -> None:
        if not r.is_root:
            self.resources[r.path] = (r.parent or "/", r.path_part)

    def model(self, m: gw.Model) -> dict:
        text = json.dumps(m.schema, ensure_ascii=False, separators=(",", ":"))
        parts: list[Any] = []
        for i, piece in enumerate(text.split("{restapi_id}")):
            if i:
                parts.append(REST_API)
            parts.append(piece)
        out: dict[str, Any] = {"name": m.name, "contentType": m.content_type, "schema": Join.of(*parts)}
        _put(out, "description", m.description)
        return out

    def validator(self, v: gw.RequestValidator) -> dict:
        return {
            "name": v.name,
            "validateRequestBody": v.validate_request_body,
            "validateRequestParameters": v.validate_request_parameters,
        }

    def authorizer(self, a: gw.Authorizer) -> dict:
        out: dict[str, Any] = {"name": a.name, "type": a.type.value}
        _put(
            out, "authorizerUri", self.text(a.authorizer_uri, f"the authorizerUri of authorizer '{a.name}'", a.pointer)
        )
        _put(
            out,
            "authorizerCredentials",
            self.text(a.authorizer_credentials, f"the credentials of authorizer '{a.name}'", a.pointer),
        )
        _put(out, "identitySource", a.identity_source)
        _put(out, "identityValidationExpression", a.identity_validation_expression)
        out["authorizerResultTtlInSeconds"] = a.result_ttl_in_seconds
        _put(
            out,
            "providerARNs",
            [self.text(p, f"a provider ARN of authorizer '{a.name}'", a.pointer) for p in a.provider_arns],
        )
        _put(out, "authType", a.auth_type)
        return out

    def method(self, m: gw.Method) -> MethodState:
        self.label = m.label
        params: dict[str, Any] = {"authorizationType": m.authorization_type.value}
        if m.authorizer is not None and self.gw.authorizer(m.authorizer) is not None:
            params["authorizerId"] = Ref(authorizer_var(m.authorizer))
        if m.api_key_required:
            params["apiKeyRequired"] = True
        _put(params, "operationName", m.operation_name)
        _put(params, "requestParameters", dict(m.request_parameters))
        _put(params, "requestModels", dict(m.request_models))
        if m.request_validator is not None and self.gw.request_validator(m.request_validator) is not None:
            params["requestValidatorId"] = Ref(validator_var(m.request_validator))
        _put(params, "authorizationScopes", list(m.authorization_scopes))
        i = m.integration
        return MethodState(
            path=m.path,
            verb=m.http_method.value,
            method=params,
            responses={r.status_code: self.render(r) for r in m.method_responses},
            integration=self.render(i) if i is not None else None,
            integration_responses={r.status_code: self.render(r) for r in i.responses} if i is not None else {},
        )

    def method_response(self, r: gw.MethodResponse) -> dict:
        out: dict[str, Any] = {"statusCode": r.status_code}
        _put(out, "responseParameters", dict(r.response_parameters))
        _put(out, "responseModels", dict(r.response_models))
        return out

    def integration(self, i: gw.Integration) -> dict:
        where = f"the integration of {self.label}"
        out: dict[str, Any] = {"type": i.type.value}
        _put(out, "integrationHttpMethod", i.http_method)
        if i.lambda_function is not None:
            self.render(i.lambda_function)
        _put(out, "uri", self.text(i.uri, f"the uri of {where}", i.pointer))
        out["connectionType"] = i.connection_type.value
        _put(out, "connectionId", self.text(i.connection_id, f"the connectionId of {where}", i.pointer))
        _put(out, "credentials", self.text(i.credentials, f"the credentials of {where}", i.pointer))
        _put(out, "requestParameters", self.texts(i.request_parameters, f"a request parameter of {where}", i.pointer))
        _put(out, "requestTemplates", self.texts(i.request_templates, f"a request template of {where}", i.pointer))
        out["passthroughBehavior"] = i.passthrough_behavior.value
        _put(out, "cacheNamespace", i.cache_namespace)
        _put(out, "cacheKeyParameters", list(i.cache_key_parameters))
        _put(out, "contentHandling", i.content_handling.value if i.content_handling else None)
        out["timeoutInMillis"] = i.timeout_in_millis
        if i.tls_insecure_skip_verification:
            out["tlsConfig"] = {"insecureSkipVerification": True}
        if i.response_transfer_mode != gw.DEFAULT_RESPONSE_TRANSFER_MODE:
            out["responseTransferMode"] = i.response_transfer_mode
        _put(out, "integrationTarget", self.text(i.integration_target, f"the integrationTarget of {where}", i.pointer))
        return out

    def integration_response(self, r: gw.IntegrationResponse) -> dict:
        where = f"integration response {r.status_code} of {self.label}"
        out: dict[str, Any] = {"statusCode": r.status_code}
        _put(out, "selectionPattern", r.selection_pattern)
        _put(
            out, "responseParameters", self.texts(r.response_parameters, f"a response parameter of {where}", r.pointer)
        )
        _put(out, "responseTemplates", self.texts(r.response_templates, f"a response template of {where}", r.pointer))
        _put(out, "contentHandling", r.content_handling.value if r.content_handling else None)
        return out

    def lambda_function(self, f: gw.LambdaFunction) -> None:
        """The function itself is not deployed; its permission is (`permission`)."""
        return None

    def gateway_response(self, r: gw.GatewayResponse) -> dict:
        where = f"gateway response {r.response_type}"
        out: dict[str, Any] = {"responseType": r.response_type}
        _put(out, "statusCode", r.status_code)
        _put(
            out, "responseParameters", self.texts(r.response_parameters, f"a response parameter of {where}", r.pointer)
        )
        _put(out, "responseTemplates", self.texts(r.response_templates, f"a response template of {where}", r.pointer))
        return out

    def stage(self, s: gw.Stage) -> StageState:
        params: dict[str, Any] = {}
        _put(params, "description", s.description)
        _put(params, "variables", dict(s.variables))
        if s.tracing_enabled:
            params["tracingEnabled"] = True
        if s.cache_cluster_enabled:
            params["cacheClusterEnabled"] = True
            _put(params, "cacheClusterSize", s.cache_cluster_size)
        _put(params, "tags", dict(s.tags))
        self.star = next((ms for ms in s.method_settings if ms.resource_path == "/*" and ms.http_method == "*"), None)
        settings = {method_setting_key(ms): self.render(ms) for ms in s.method_settings}
        log = self.render(s.access_log) if s.access_log is not None else None
        return StageState(name=s.name, params=params, method_settings=settings, access_log=log)

    def method_setting(self, ms: gw.MethodSetting) -> dict[str, Any]:
        """Every field, explicitly: a method's override starts from the stage's (``*/*``) values."""
        fields: dict[str, Any] = {}
        star = self.star
        for suffix, attr in METHOD_SETTING_FIELDS.items():
            value = getattr(ms, attr)
            if value is None and star is not None and ms is not star:
                value = getattr(star, attr)
            if value is None:
                value = METHOD_SETTING_DEFAULTS.get(suffix)
            if value is not None:
                fields[suffix] = value
        return fields

    def access_log(self, log: gw.AccessLogSetting) -> dict:
        out = {"format": log.format}
        _put(out, "destinationArn", self.text(log.destination_arn, "the access log destination", log.pointer))
        return out

    def api_key(self, k: gw.ApiKey) -> dict:
        out: dict[str, Any] = {"name": k.name, "enabled": k.enabled}
        _put(out, "value", k.value)
        _put(out, "description", k.description)
        _put(out, "customerId", k.customer_id)
        out["tags"] = {API_TAG: self.tag}
        return out

    def usage_plan(self, p: gw.UsagePlan) -> dict:
        out: dict[str, Any] = {"name": p.name}
        _put(out, "description", p.description)
        out["apiStages"] = [self.render(s) for s in p.api_stages if s.stage in self.deployed]
        if p.throttle is not None:
            _put(out, "throttle", self.render(p.throttle))
        if p.quota is not None:
            out["quota"] = self.render(p.quota)
        out["tags"] = {API_TAG: self.tag}
        out["_keys"] = p.api_keys
        return out

    def usage_plan_stage(self, s: gw.UsagePlanStage) -> dict:
        entry: dict[str, Any] = {"apiId": REST_API, "stage": s.stage}
        _put(entry, "throttle", {k: self.render(t) for k, t in s.throttle.items()})
        return entry

    def throttle(self, t: gw.Throttle) -> dict:
        out: dict[str, Any] = {}
        _put(out, "burstLimit", t.burst_limit)
        _put(out, "rateLimit", t.rate_limit)
        return out

    def quota(self, q: gw.Quota) -> dict:
        return {"limit": q.limit, "offset": q.offset, "period": q.period}

    def permission(self, p: gw.LambdaPermission) -> PermissionState:
        function = self.text(p.function_name, f"the function of Lambda permission {p.id}", p.pointer)
        stage = p.source.stage if isinstance(p.source, gw.ExecuteApiSource) else "*"
        return PermissionState(
            id=p.id,
            function=function,
            statement_id=Join.of(SID_PREFIX, REST_API, "-", sid_suffix(p.id)),
            source_arn=self.render(p.source),
            stage=stage,
        )

    def execute_api_source(self, s: gw.ExecuteApiSource) -> Any:
        return Join.of(_EXECUTE_API, s.suffix)

    def authorizer_source(self, s: gw.AuthorizerSource) -> Any:
        return Join.of(_EXECUTE_API, "authorizers/", Ref(authorizer_var(s.authorizer)))

    def local(self, local: gw.LocalSettings | gw.LocalFunction) -> None:
        """x-apigwc.local (and its functions) configures the local gateway only; nothing is deployed for it."""
        return None


_EXECUTE_API = Join.of("arn:", PARTITION, ":execute-api:", REGION, ":", ACCOUNT, ":", REST_API, "/")

#: gateway node type -> how the planner renders it; the meta-test checks every type is here
HANDLERS: dict[type, Any] = {
    gw.RestApi: _Builder.rest_api,
    gw.Resource: _Builder.resource,
    gw.Method: _Builder.method,
    gw.MethodResponse: _Builder.method_response,
    gw.Integration: _Builder.integration,
    gw.IntegrationResponse: _Builder.integration_response,
    gw.LambdaFunction: _Builder.lambda_function,
    gw.Model: _Builder.model,
    gw.RequestValidator: _Builder.validator,
    gw.Authorizer: _Builder.authorizer,
    gw.GatewayResponse: _Builder.gateway_response,
    gw.Stage: _Builder.stage,
    gw.MethodSetting: _Builder.method_setting,
    gw.AccessLogSetting: _Builder.access_log,
    gw.Throttle: _Builder.throttle,
    gw.Quota: _Builder.quota,
    gw.UsagePlan: _Builder.usage_plan,
    gw.UsagePlanStage: _Builder.usage_plan_stage,
    gw.ApiKey: _Builder.api_key,
    gw.LambdaPermission: _Builder.permission,
    gw.ExecuteApiSource: _Builder.execute_api_source,
    gw.AuthorizerSource: _Builder.authorizer_source,
    gw.LocalSettings: _Builder.local,
    gw.LocalFunction: _Builder.local,
}


def sid_suffix(permission_id: str) -> str:
    """The permission id, cut (with a hash) so that the statement id fits in 100 characters."""
    room = _MAX_SID - len(SID_PREFIX) - 11  # a REST API id is 10 characters, plus "-"
    if len(permission_id) <= room:
        return permission_id
    return permission_id[: room - 8] + short_hash(permission_id, 8)


# ----------------------------------------------------------------------------------------
# Call constructors (shared with the differ)


def call(
    service: str, operation: str, target: str, params: Mapping[str, Any], outputs: Mapping[str, str] | None = None
) -> ApiCall:
    return ApiCall(
        service=service, operation=operation, params=dict(params), outputs=dict(outputs or {}), target=target
    )


def apigw(operation: str, target: str, params: Mapping[str, Any], outputs: Mapping[str, str] | None = None) -> ApiCall:
    return call("apigateway", operation, target, params, outputs)


def create_rest_api(d: Desired) -> ApiCall:
    params = dict(d.rest_api)
    params["tags"] = {API_TAG: d.tag}
    return apigw("create_rest_api", f"API {d.name}", params, {REST_API.name: "id", resource_var("/"): "rootResourceId"})


def create_model(m: dict, placeholder: bool = False) -> ApiCall:
    params = {"restApiId": REST_API, **m}
    if placeholder:
        params["schema"] = '{"type":"object"}'
    return apigw("create_model", f"model {m['name']}", params)


def update_model(m: dict, live: dict | None = None) -> ApiCall:
    ops = [{"op": "replace", "path": "/schema", "value": m["schema"]}]
    if live is None or live.get("description") != m.get("description"):
        ops.append({"op": "replace", "path": "/description", "value": m.get("description", "")})
    return apigw(
        "update_model", f"model {m['name']}", {"restApiId": REST_API, "modelName": m["name"], "patchOperations": ops}
    )


def create_validator(v: dict) -> ApiCall:
    return apigw(
        "create_request_validator",
        f"request validator {v['name']}",
        {"restApiId": REST_API, **v},
        {validator_var(v["name"]): "id"},
    )


def create_authorizer(a: dict) -> ApiCall:
    return apigw(
        "create_authorizer", f"authorizer {a['name']}", {"restApiId": REST_API, **a}, {authorizer_var(a["name"]): "id"}
    )


def create_resource(path: str, parent: str, part: str) -> ApiCall:
    return apigw(
        "create_resource",
        path,
        {"restApiId": REST_API, "parentId": Ref(resource_var(parent)), "pathPart": part},
        {resource_var(path): "id"},
    )


def _method_ids(m: MethodState) -> dict:
    return {"restApiId": REST_API, "resourceId": Ref(resource_var(m.path)), "httpMethod": m.verb}


def put_method(m: MethodState) -> ApiCall:
    return apigw("put_method", m.label, {**_method_ids(m), **m.method})


def put_method_response(m: MethodState, status: str) -> ApiCall:
    return apigw("put_method_response", f"{m.label} {status}", {**_method_ids(m), **m.responses[status]})


def put_integration(m: MethodState) -> ApiCall:
    assert m.integration is not None
    return apigw("put_integration", m.label, {**_method_ids(m), **m.integration})


def put_integration_response(m: MethodState, status: str) -> ApiCall:
    return apigw(
        "put_integration_response", f"{m.label} {status}", {**_method_ids(m), **m.integration_responses[status]}
    )


def method_calls(m: MethodState) -> list[ApiCall]:
    """Every call that creates one method: the method, its responses, its integration."""
    out = [put_method(m)]
    out += [put_method_response(m, s) for s in sorted(m.responses)]
    if m.integration is not None:
        out.append(put_integration(m))
        out += [put_integration_response(m, s) for s in sorted(m.integration_responses)]
    return out


def put_gateway_response(r: dict) -> ApiCall:
    return apigw("put_gateway_response", f"gateway response {r['responseType']}", {"restApiId": REST_API, **r})


def create_deployment(d: Desired) -> ApiCall:
    return apigw(
        "create_deployment",
        f"API {d.name}",
        {"restApiId": REST_API, "description": d.deployment_description},
        {DEPLOYMENT.name: "id"},
    )


def stage_arn(stage: str) -> Any:
    return Join.of("arn:", PARTITION, ":apigateway:", REGION, "::/restapis/", REST_API, "/stages/", stage)


def create_stage(s: StageState) -> list[ApiCall]:
    out = [
        apigw(
            "create_stage",
            f"stage {s.name}",
            {"restApiId": REST_API, "stageName": s.name, "deploymentId": DEPLOYMENT, **s.params},
        )
    ]
    ops = stage_setting_ops(s, {}, None)
    if ops:
        out.append(update_stage(s.name, ops))
    return out


def update_stage(stage: str, ops: list[dict]) -> ApiCall:
    return apigw("update_stage", f"stage {stage}", {"restApiId": REST_API, "stageName": stage, "patchOperations": ops})


def _patch_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return value


def stage_setting_ops(
    s: StageState, live_settings: Mapping[str, Mapping[str, Any]], live_log: Mapping[str, Any] | None
) -> list[dict]:
    """Patch operations for method settings and the access log (compared with live values)."""
    ops: list[dict] = []
    for key, fields in s.method_settings.items():
        live = live_settings.get(key, {})
        for suffix, value in fields.items():
            if live.get(suffix) != value:
                ops.append({"op": "replace", "path": f"/{key}/{suffix}", "value": _patch_value(value)})
    for key in sorted(set(live_settings) - set(s.method_settings)):
        # [Inf] removing an override: `remove` on the setting's key
        ops.append({"op": "remove", "path": f"/{key}"})
    if s.access_log is not None:
        for k in ("format", "destinationArn"):
            if k in s.access_log and (live_log or {}).get(k) != s.access_log[k]:
                ops.append({"op": "replace", "path": f"/accessLogSettings/{k}", "value": s.access_log[k]})
    elif live_log:
        ops.append({"op": "remove", "path": "/accessLogSettings"})
    return ops


def create_api_key(k: dict) -> ApiCall:
    return apigw("create_api_key", f"API key {k['name']}", dict(k), {api_key_var(k["name"]): "id"})


def create_usage_plan(p: dict) -> ApiCall:
    return apigw("create_usage_plan", f"usage plan {p['name']}", dict(p), {usage_plan_var(p["name"]): "id"})


def create_usage_plan_key(plan: str, key: str) -> ApiCall:
    return apigw(
        "create_usage_plan_key",
        f"usage plan {plan} key {key}",
        {"usagePlanId": Ref(usage_plan_var(plan)), "keyId": Ref(api_key_var(key)), "keyType": "API_KEY"},
    )


def add_permission(p: PermissionState) -> ApiCall:
    return call(
        "lambda",
        "add_permission",
        f"Lambda permission {p.id}",
        {
            "FunctionName": p.function,
            "StatementId": p.statement_id,
            "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": p.source_arn,
        },
    )


def remove_permission(function: Any, statement_id: str, target: str) -> ApiCall:
    return call("lambda", "remove_permission", target, {"FunctionName": function, "StatementId": statement_id})


def get_caller_identity() -> ApiCall:
    return call("sts", "get_caller_identity", "the account id", {}, {ACCOUNT.name: "Account"})


# ----------------------------------------------------------------------------------------


def plan_create(d: Desired) -> Plan:
    """Every call that creates the API and the desired stages from nothing."""
    calls: list[ApiCall] = [create_rest_api(d)]
    calls += api_calls_from_nothing(d)
    if d.methods and d.stages:
        calls.append(create_deployment(d))
        for s in d.stages.values():
            calls += create_stage(s)
    calls += account_calls_from_nothing(d)
    calls += [add_permission(p) for p in d.permissions_for(d.stages).values()]
    return with_identity(calls)


def api_calls_from_nothing(d: Desired) -> list[ApiCall]:
    """Everything inside a new, empty RestApi (which already has the Empty and Error models)."""
    calls: list[ApiCall] = []
    for name, m in d.models.items():
        if name in gw.BUILTIN_MODELS:
            calls.append(update_model(m))  # every new API has Empty and Error already
        else:
            calls.append(create_model(m, placeholder=name in d.cyclic_models))
    calls += [update_model(d.models[n]) for n in sorted(d.cyclic_models) if n not in gw.BUILTIN_MODELS]
    calls += [create_validator(v) for v in d.validators.values()]
    calls += [create_authorizer(a) for a in d.authorizers.values()]
    calls += [create_resource(path, parent, part) for path, (parent, part) in d.resources.items()]
    for m in d.methods.values():
        calls += method_calls(m)
    calls += [put_gateway_response(r) for r in d.gateway_responses.values()]
    return calls


def account_calls_from_nothing(d: Desired) -> list[ApiCall]:
    calls = [create_api_key(k) for k in d.api_keys.values()]
    for name, p in d.usage_plans.items():
        calls.append(create_usage_plan(p))
        calls += [create_usage_plan_key(name, k) for k in d.plan_keys.get(name, ()) if k in d.api_keys]
    return calls


def with_identity(calls: list[ApiCall]) -> Plan:
    """Prepend STS get_caller_identity when a call needs the account id."""
    if any(ACCOUNT.name in c.refs() for c in calls):
        return (get_caller_identity(), *calls)
    return tuple(calls)
