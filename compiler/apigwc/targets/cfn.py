"""The CloudFormation target: a template that deploys the gateway right the first time.

Two styles, never mixed for one API:

* ``explicit`` (default): one ``AWS::ApiGateway::*`` resource per gateway node: RestApi,
  Resource, Method (with its Integration and MethodResponses), Model, RequestValidator,
  Authorizer, GatewayResponse.
* ``body``: ``RestApi.Body`` holds the OpenAPI document of the openapi target, imported
  with ``Mode: overwrite`` (deleted routes disappear) and ``FailOnWarnings: true``
  (import warnings fail the stack instead of vanishing).

Both add the deployment side, which OpenAPI cannot hold: a Deployment whose logical id
carries a hash of everything it snapshots (so a changed API is really redeployed) and
which depends on every Method, one Stage per declared stage, API keys (``Enabled:
true``), usage plans and their keys, an ``AWS::Lambda::Permission`` for every Lambda
integration and authorizer (SourceArn scoped to the API), and the invoke URL of each
stage as an Output.  docs/cloudformation.md explains each trap and how it is avoided.

Values: CloudFormation intrinsics found in the spec pass through; strings holding
``${AWS::Region}``-style import variables become ``Fn::Sub`` (other ``${...}`` such as
stage variables are escaped as ``${!...}``); names an intrinsic refers to that the
template does not define become template Parameters (``${PetsFunction.Arn}`` becomes
the Parameter ``PetsFunctionArn``), so the template stands alone.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Callable

from .. import gateway as gw
from ..diagnostics import Code, Diagnostics
from ..intrinsics import AWS_VARIABLE, INTRINSIC_KEYS, Intrinsic, Value
from ..logical_ids import allocate_ids, getatt_parameter, pascal
from ..source import join
from ..target_codes import (
    BUILTIN_MODEL_NAME,
    CFN_CODES,
    NOT_EXPRESSIBLE,
    PERMISSION_UNRESOLVED,
    RECURSIVE_MODELS,
    RESOURCE_LIMIT,
    TEMPLATE_SIZE,
    UNKNOWN_MAPPING,
)
from .base import Artifact, CfnStyle, EmitOptions, report_nothing_to_deploy, serialize
from .openapi import export_document

MAX_RESOURCES = 500
MAX_TEMPLATE_BYTES = 1_000_000
REST_API = "RestApi"
_SUB_ESCAPE = re.compile(r"\$\{(?!AWS::)")
_ARN_ESCAPE = re.compile(r"\$\{(?!AWS::|[A-Za-z][A-Za-z0-9_]*\})")
_TEMPLATE_VAR = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")
_SUB_NAME = re.compile(r"\$\{([^}!][^}]*)\}")
_PSEUDO = frozenset(
    "AWS::AccountId AWS::NotificationARNs AWS::NoValue AWS::Partition AWS::Region AWS::StackId AWS::StackName AWS::URLSuffix".split()
)
_EXECUTE_API = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/"
#: the nodes a Deployment snapshots (explicit style)
_SNAPSHOT_TYPES = frozenset(
    (
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Resource",
        "AWS::ApiGateway::Method",
        "AWS::ApiGateway::Model",
        "AWS::ApiGateway::RequestValidator",
        "AWS::ApiGateway::Authorizer",
        "AWS::ApiGateway::GatewayResponse",
    )
)


def cfn_value(value: Value | None, arn: bool = False) -> Any:
    """A gateway value as template data: intrinsics as is, ``${AWS::...}`` strings in Fn::Sub.

    In ARN-like fields (``arn=True``: URIs, credentials, function names...) a
    ``${name}`` placeholder left by another templating tool (Terraform's templatefile,
    a deploy script) also becomes a Sub variable, which `_resolve_references` turns into
    a template Parameter; a value that is only ``${name}`` becomes ``{"Ref": name}``.
    """
    if value is None:
        return None
    if isinstance(value, Intrinsic):
        return value.to_json()
    if arn:
        whole = _TEMPLATE_VAR.fullmatch(value)
        if whole is not None:
            return _ref(_parameter_name(whole.group(1)))
        if AWS_VARIABLE.search(value) or _TEMPLATE_VAR.search(value):
            text = _ARN_ESCAPE.sub("${!", value)
            return {"Fn::Sub": _TEMPLATE_VAR.sub(lambda m: "${" + _parameter_name(m.group(1)) + "}", text)}
        return value
    if AWS_VARIABLE.search(value):
        # API Gateway's import resolves ${AWS::Region}; in a template Fn::Sub does, and any
        # other ${...} (stage variables, VTL) must be escaped as ${!...} to stay literal
        return {"Fn::Sub": _SUB_ESCAPE.sub("${!", value)}
    return value


def _parameter_name(name: str) -> str:
    """Parameter names are alphanumeric: ``lambda_arn`` -> ``LambdaArn``; ``lambdaArn`` stays."""
    return name if name.isalnum() else pascal(name)


#: fields of the OpenAPI document (body style) that hold ARNs or URIs
_ARN_KEYS = frozenset(
    (
        "uri",
        "credentials",
        "connectionId",
        "integrationTarget",
        "authorizerUri",
        "authorizerCredentials",
        "providerARNs",
        "vpcEndpointIds",
    )
)


def _substitute(node: Any, arn: bool, t: "_Template") -> Any:
    """The OpenAPI document for RestApi.Body, its strings rendered like every other value.

    The import would resolve ``${AWS::Region}`` too, but CloudFormation (and cfn-lint,
    E1029) reject it outside Fn::Sub; both give the same value.  Intrinsics stay as they are.
    """
    if isinstance(node, str):
        return t.arn(node) if arn else t.value(node)
    if isinstance(node, list):
        return [_substitute(v, arn, t) for v in node]
    if isinstance(node, dict):
        if len(node) == 1 and next(iter(node)) in INTRINSIC_KEYS:
            return node
        return {k: _substitute(v, k in _ARN_KEYS, t) for k, v in node.items()}
    return node


def _put(props: dict, key: str, value: Any) -> None:
    if value is None or value == {} or value == [] or value == ():
        return
    props[key] = value


def _ref(logical_id: str) -> dict:
    return {"Ref": logical_id}


def _escape_path(path: str) -> str:
    """A resource path as a MethodSetting ResourcePath: ``/pets/{id}`` -> ``/~1pets~1{id}``."""
    if path == "/*":
        return path
    return "/" + path.replace("~", "~0").replace("/", "~1")


# ----------------------------------------------------------------------------------------


class _Template:
    """The template under construction plus what handlers need to know."""

    def __init__(self, gateway: gw.Gateway, options: EmitOptions, diags: Diagnostics) -> None:
        self.gw = gateway
        self.options = options
        self.diags = diags
        self.body = options.cfn_style is CfnStyle.body
        self.resources: dict[str, dict] = {}
        self.outputs: dict[str, dict] = {}
        self.parameters: dict[str, dict] = {}
        self.conditions: dict[str, Any] = {}
        self.handlers = BODY_HANDLERS if self.body else EXPLICIT_HANDLERS
        self.model_names: dict[str, str] = {}
        self.back_edges: set[tuple[str, str]] = set()
        self.lambda_arn_params: dict[str, str] = {}
        self.deployment_id = ""
        self.usage_plan_keys: list[tuple[gw.UsagePlan, gw.ApiKey]] = []
        self.enclosing = Enclosing()
        #: logical id -> pointer of the spec node it came from (to locate diagnostics)
        self.origins: dict[str, str] = {}

    def render(self, node: Any) -> Any:
        return self.handlers[type(node)](node, self)

    def add(
        self, logical_id: str, type_: str, props: dict, depends_on: list[str] | None = None, origin: str | None = None
    ) -> None:
        resource: dict[str, Any] = {"Type": type_}
        if origin:
            self.origins[logical_id] = origin
        if depends_on:
            resource["DependsOn"] = depends_on
        resource["Properties"] = dict(sorted(props.items()))
        self.resources[logical_id] = resource

    def value(self, value: Value | None) -> Any:
        return cfn_value(value)

    def arn(self, value: Value | None) -> Any:
        """An ARN or URI value (see `cfn_value`), with --lambda-params substitutions."""
        if self.lambda_arn_params and isinstance(value, str):
            if value in self.lambda_arn_params:
                return _ref(self.lambda_arn_params[value])
            for arn, param in self.lambda_arn_params.items():
                if arn in value:
                    return {"Fn::Sub": _ARN_ESCAPE.sub("${!", value).replace(arn, "${" + param + "}")}
        return cfn_value(value, arn=True)

    def resource_ref(self, path: str) -> Any:
        res = self.gw.resource(path)
        if res is None or res.is_root:
            return {"Fn::GetAtt": [REST_API, "RootResourceId"]}
        return _ref(res.id)

    def model_value(self, name: str) -> Any:
        model = self.gw.model(name)
        if model is None or name not in self.model_names:
            return name  # a built-in model (Empty, Error)
        return _ref(model.id)

    def warn(self, code: Code, message: str, pointer: str, hint: str | None = None) -> None:
        """Report at the key of the spec node (``Error:``, ``x-amazon-apigateway-integration:``)."""
        self.diags.add(code, message, pointer=pointer, at_key=True, hint=hint)


# ----------------------------------------------------------------------------------------
# Handlers (dispatch on the gateway node type)


def _rest_api(api: gw.RestApi, t: _Template) -> None:
    props: dict[str, Any] = {"Name": t.value(api.name)}
    endpoint: dict[str, Any] = {"Types": [e.value for e in api.endpoint_types]}
    _put(endpoint, "VpcEndpointIds", [t.arn(v) for v in api.vpc_endpoint_ids])
    _put(endpoint, "IpAddressType", api.ip_address_type)
    props["EndpointConfiguration"] = endpoint
    if t.body:
        props["Body"] = _substitute(export_document(t.gw, include_apigwc=False), False, t)
        props["Mode"] = "overwrite"  # not merge: routes deleted from the spec disappear
        props["FailOnWarnings"] = True  # import warnings fail the stack instead of vanishing
    else:
        _put(props, "Description", t.value(api.description))
        props["ApiKeySourceType"] = api.api_key_source.value
        _put(props, "BinaryMediaTypes", list(api.binary_media_types))
        _put(props, "MinimumCompressionSize", api.minimum_compression_size)
        _put(props, "Policy", api.policy)
        _put(props, "SecurityPolicy", api.security_policy)
        _put(props, "EndpointAccessMode", api.endpoint_access_mode)
        if api.documentation:
            t.warn(
                NOT_EXPRESSIBLE,
                "x-amazon-apigateway-documentation is not emitted in the explicit style (no AWS::ApiGateway::DocumentationPart resources)",
                join(api.pointer, "x-amazon-apigateway-documentation"),
                "use --cfn-style body, which imports the documentation with the API",
            )
    if api.disable_execute_api_endpoint:
        props["DisableExecuteApiEndpoint"] = True
    t.add(REST_API, "AWS::ApiGateway::RestApi", props)


def _resource(res: gw.Resource, t: _Template) -> None:
    if res.is_root:
        return  # created with the RestApi (RootResourceId)
    assert res.parent is not None
    t.add(
        res.id,
        "AWS::ApiGateway::Resource",
        {"RestApiId": _ref(REST_API), "ParentId": t.resource_ref(res.parent), "PathPart": res.path_part},
    )


def _method(m: gw.Method, t: _Template) -> None:
    props: dict[str, Any] = {
        "RestApiId": _ref(REST_API),
        "ResourceId": t.resource_ref(m.path),
        "HttpMethod": m.http_method.value,
        "AuthorizationType": m.authorization_type.value,
    }
    authorizer = t.gw.authorizer(m.authorizer)
    if authorizer is not None:
        props["AuthorizerId"] = _ref(authorizer.id)
    _put(props, "AuthorizationScopes", list(m.authorization_scopes))
    if m.api_key_required:
        props["ApiKeyRequired"] = True
    _put(props, "OperationName", m.operation_name)
    _put(props, "RequestParameters", dict(m.request_parameters))
    _put(props, "RequestModels", {mime: t.model_value(name) for mime, name in m.request_models.items()})
    validator = t.gw.request_validator(m.request_validator)
    if validator is not None:
        props["RequestValidatorId"] = _ref(validator.id)
    _put(props, "MethodResponses", [t.render(r) for r in m.method_responses])
    if m.integration is not None:
        props["Integration"] = t.render(m.integration)
    t.add(m.id, "AWS::ApiGateway::Method", props, origin=m.integration.pointer if m.integration else m.pointer)


def _method_response(r: gw.MethodResponse, t: _Template) -> dict:
    out: dict[str, Any] = {"StatusCode": r.status_code}
    _put(out, "ResponseParameters", dict(r.response_parameters))
    _put(out, "ResponseModels", {mime: t.model_value(name) for mime, name in r.response_models.items()})
    return out


def _integration(i: gw.Integration, t: _Template) -> dict:
    out: dict[str, Any] = {"Type": i.type.value}
    _put(out, "IntegrationHttpMethod", i.http_method)
    _put(out, "Uri", t.arn(i.uri))
    _put(out, "Credentials", t.arn(i.credentials))
    _put(out, "RequestParameters", {k: t.value(v) for k, v in i.request_parameters.items()})
    # a template without a body (null) is stored as an empty template [Inf]
    _put(out, "RequestTemplates", {k: t.value(v) if v is not None else "" for k, v in i.request_templates.items()})
    out["PassthroughBehavior"] = i.passthrough_behavior.value
    _put(out, "ContentHandling", i.content_handling.value if i.content_handling else None)
    out["TimeoutInMillis"] = i.timeout_in_millis
    _put(out, "CacheNamespace", i.cache_namespace)
    _put(out, "CacheKeyParameters", list(i.cache_key_parameters))
    out["ConnectionType"] = i.connection_type.value
    _put(out, "ConnectionId", t.arn(i.connection_id))
    _put(out, "IntegrationTarget", t.arn(i.integration_target))
    if i.response_transfer_mode != gw.DEFAULT_RESPONSE_TRANSFER_MODE:
        out["ResponseTransferMode"] = i.response_transfer_mode
    if i.tls_insecure_skip_verification is not None:
        t.warn(
            NOT_EXPRESSIBLE,
            "tlsConfig.insecureSkipVerification has no CloudFormation property (AWS::ApiGateway::Method); it is left out",
            i.pointer,
            "use --cfn-style body to keep it",
        )
    _put(out, "IntegrationResponses", [t.render(r) for r in i.responses])
    return dict(sorted(out.items()))


def _integration_response(r: gw.IntegrationResponse, t: _Template) -> dict:
    out: dict[str, Any] = {"StatusCode": r.status_code}
    _put(out, "SelectionPattern", r.selection_pattern)
    _put(out, "ResponseParameters", {k: t.value(v) for k, v in r.response_parameters.items()})
    _put(out, "ResponseTemplates", {k: t.value(v) if v is not None else "" for k, v in r.response_templates.items()})
    _put(out, "ContentHandling", r.content_handling.value if r.content_handling else None)
    return dict(sorted(out.items()))


def _model(m: gw.Model, t: _Template) -> None:
    name = t.model_names[m.name]
    if name != m.name:
        t.warn(
            BUILTIN_MODEL_NAME,
            f"model '{m.name}' clashes with API Gateway's built-in '{m.name}' model; the template creates it as '{name}'",
            m.pointer,
            "rename the schema, or use --cfn-style body to keep the name",
        )
    props: dict[str, Any] = {
        "RestApiId": _ref(REST_API),
        "Name": name,
        "ContentType": m.content_type,
        "Schema": _schema(m.schema, m.name, t),
    }
    _put(props, "Description", m.description)
    t.add(m.id, "AWS::ApiGateway::Model", props)


def _schema(schema: Any, owner: str, t: _Template) -> Any:
    """A model schema with model references as Fn::Sub URLs (their Ref gives the dependency)."""
    if isinstance(schema, dict):
        out = {}
        for k, v in schema.items():
            target = gw.model_ref_name(v) if k == "$ref" else None
            if target is None:
                out[k] = _schema(v, owner, t)
                continue
            model = t.gw.model(target)
            if model is None or target not in t.model_names or (owner, target) in t.back_edges:
                # a built-in model, or the back edge of a cycle: the literal name, no dependency
                out[k] = {
                    "Fn::Sub": "https://apigateway.amazonaws.com/restapis/${RestApi}/models/"
                    + t.model_names.get(target, target)
                }
            else:
                out[k] = {"Fn::Sub": "https://apigateway.amazonaws.com/restapis/${RestApi}/models/${" + model.id + "}"}
        return out
    if isinstance(schema, list):
        return [_schema(v, owner, t) for v in schema]
    return schema


def _request_validator(v: gw.RequestValidator, t: _Template) -> None:
    t.add(
        v.id,
        "AWS::ApiGateway::RequestValidator",
        {
            "RestApiId": _ref(REST_API),
            "Name": v.name,
            "ValidateRequestBody": v.validate_request_body,
            "ValidateRequestParameters": v.validate_request_parameters,
        },
    )


def _authorizer(a: gw.Authorizer, t: _Template) -> None:
    props: dict[str, Any] = {"RestApiId": _ref(REST_API), "Name": a.name, "Type": a.type.value}
    _put(props, "AuthorizerUri", t.arn(a.authorizer_uri))
    _put(props, "AuthorizerCredentials", t.arn(a.authorizer_credentials))
    _put(props, "IdentitySource", a.identity_source)
    _put(props, "IdentityValidationExpression", a.identity_validation_expression)
    props["AuthorizerResultTtlInSeconds"] = a.result_ttl_in_seconds
    _put(props, "ProviderARNs", [t.arn(p) for p in a.provider_arns])
    _put(props, "AuthType", a.auth_type)
    t.add(a.id, "AWS::ApiGateway::Authorizer", props, origin=a.pointer)


def _gateway_response(r: gw.GatewayResponse, t: _Template) -> None:
    props: dict[str, Any] = {"RestApiId": _ref(REST_API), "ResponseType": r.response_type}
    _put(props, "StatusCode", r.status_code)
    _put(props, "ResponseParameters", {k: t.value(v) for k, v in r.response_parameters.items()})
    _put(props, "ResponseTemplates", {k: t.value(v) for k, v in r.response_templates.items()})
    t.add(r.id, "AWS::ApiGateway::GatewayResponse", props)


def _stage(s: gw.Stage, t: _Template) -> None:
    deployment = t.deployment_id
    props: dict[str, Any] = {"RestApiId": _ref(REST_API), "StageName": s.name, "DeploymentId": _ref(deployment)}
    _put(props, "Description", s.description)
    _put(props, "Variables", dict(s.variables))
    _put(props, "MethodSettings", [t.render(ms) for ms in s.method_settings])
    if s.access_log is not None:
        props["AccessLogSetting"] = t.render(s.access_log)
    if s.tracing_enabled:
        props["TracingEnabled"] = True
    if s.cache_cluster_enabled:
        props["CacheClusterEnabled"] = True
    _put(props, "CacheClusterSize", s.cache_cluster_size)
    _put(props, "Tags", [{"Key": k, "Value": v} for k, v in s.tags.items()])
    t.add(s.id, "AWS::ApiGateway::Stage", props)
    output = s.id + "InvokeUrl"
    t.outputs[output] = {
        "Description": f"Invoke URL of stage {s.name}",
        "Value": {"Fn::Sub": "https://${RestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${" + s.id + "}/"},
    }


def _method_setting(ms: gw.MethodSetting, t: _Template) -> dict:
    out: dict[str, Any] = {"ResourcePath": _escape_path(ms.resource_path), "HttpMethod": ms.http_method}
    for key, value in (
        ("MetricsEnabled", ms.metrics_enabled),
        ("LoggingLevel", ms.logging_level),
        ("DataTraceEnabled", ms.data_trace_enabled),
        ("ThrottlingBurstLimit", ms.throttling_burst_limit),
        ("ThrottlingRateLimit", ms.throttling_rate_limit),
        ("CachingEnabled", ms.caching_enabled),
        ("CacheTtlInSeconds", ms.cache_ttl_in_seconds),
        ("CacheDataEncrypted", ms.cache_data_encrypted),
    ):
        _put(out, key, value)
    for setting, value in (
        ("requireAuthorizationForCacheControl", ms.require_authorization_for_cache_control),
        ("unauthorizedCacheControlHeaderStrategy", ms.unauthorized_cache_control_header_strategy),
    ):
        if value is not None:
            t.warn(
                NOT_EXPRESSIBLE,
                f"method setting {setting} of {ms.key} has no CloudFormation property (AWS::ApiGateway::Stage); it is left out",
                ms.pointer,
                "set it after the deploy with aws apigateway update-stage",
            )
    return dict(sorted(out.items()))


def _access_log(log: gw.AccessLogSetting, t: _Template) -> dict:
    out: dict[str, Any] = {"Format": log.format}
    _put(out, "DestinationArn", t.arn(log.destination_arn))
    return dict(sorted(out.items()))


def _throttle(th: gw.Throttle, t: _Template) -> dict:
    out: dict[str, Any] = {}
    _put(out, "BurstLimit", th.burst_limit)
    _put(out, "RateLimit", th.rate_limit)
    return out


def _quota(q: gw.Quota, t: _Template) -> dict:
    return {"Limit": q.limit, "Offset": q.offset, "Period": q.period}


def _usage_plan_stage(s: gw.UsagePlanStage, t: _Template) -> dict | None:
    stage = t.gw.stage(s.stage)
    if stage is None:
        return None  # AGW112 reports plans naming undeclared stages
    # the Ref makes the plan depend on the Stage, which must exist first
    out: dict[str, Any] = {"ApiId": _ref(REST_API), "Stage": _ref(stage.id)}
    _put(out, "Throttle", {k: t.render(th) for k, th in s.throttle.items()})
    return out


def _usage_plan(p: gw.UsagePlan, t: _Template) -> None:
    props: dict[str, Any] = {"UsagePlanName": p.name}
    _put(props, "Description", p.description)
    _put(props, "ApiStages", [x for x in (t.render(s) for s in p.api_stages) if x is not None])
    if p.throttle is not None:
        _put(props, "Throttle", t.render(p.throttle))
    if p.quota is not None:
        props["Quota"] = t.render(p.quota)
    t.add(p.id, "AWS::ApiGateway::UsagePlan", props)
    for key_name in p.api_keys:
        key = t.gw.api_key(key_name)
        if key is None:
            continue  # AGW112 reports unknown keys
        t.usage_plan_keys.append((p, key))


def _api_key(k: gw.ApiKey, t: _Template) -> None:
    # Enabled defaults to false in CloudFormation's schema: say true explicitly
    props: dict[str, Any] = {"Name": k.name, "Enabled": k.enabled}
    _put(props, "Value", k.value)
    _put(props, "Description", k.description)
    _put(props, "CustomerId", k.customer_id)
    t.add(k.id, "AWS::ApiGateway::ApiKey", props)


def _lambda_permission(p: gw.LambdaPermission, t: _Template) -> None:
    t.add(
        p.id,
        "AWS::Lambda::Permission",
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": t.arn(p.function_name),
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": t.render(p.source),
        },
    )


def _execute_api_source(s: gw.ExecuteApiSource, t: _Template) -> dict:
    return {"Fn::Sub": _EXECUTE_API + s.suffix}


def _authorizer_source(s: gw.AuthorizerSource, t: _Template) -> dict:
    authorizer = t.gw.authorizer(s.authorizer)
    if t.body or authorizer is None:
        # the import creates the authorizer: its id is not known to the template
        return {"Fn::Sub": _EXECUTE_API + "authorizers/*"}
    return {"Fn::Sub": _EXECUTE_API + "authorizers/${" + authorizer.id + "}"}


def _lambda_function(f: gw.LambdaFunction, t: _Template) -> Any:
    return t.arn(f.arn)


def _local(local: gw.LocalSettings | gw.LocalFunction, t: _Template) -> None:
    """x-apigwc.local (and its functions) configures the local gateway only; nothing is deployed for it."""
    return None


def _in_body(node: Any, t: _Template) -> None:
    """Body style: the node is part of RestApi.Body (the OpenAPI document)."""
    return None


EXPLICIT_HANDLERS: dict[type, Callable[[Any, _Template], Any]] = {
    gw.RestApi: _rest_api,
    gw.Resource: _resource,
    gw.Method: _method,
    gw.MethodResponse: _method_response,
    gw.Integration: _integration,
    gw.IntegrationResponse: _integration_response,
    gw.LambdaFunction: _lambda_function,
    gw.Model: _model,
    gw.RequestValidator: _request_validator,
    gw.Authorizer: _authorizer,
    gw.GatewayResponse: _gateway_response,
    gw.Stage: _stage,
    gw.MethodSetting: _method_setting,
    gw.AccessLogSetting: _access_log,
    gw.Throttle: _throttle,
    gw.Quota: _quota,
    gw.UsagePlan: _usage_plan,
    gw.UsagePlanStage: _usage_plan_stage,
    gw.ApiKey: _api_key,
    gw.LambdaPermission: _lambda_permission,
    gw.ExecuteApiSource: _execute_api_source,
    gw.AuthorizerSource: _authorizer_source,
    gw.LocalSettings: _local,
    gw.LocalFunction: _local,
}

BODY_HANDLERS: dict[type, Callable[[Any, _Template], Any]] = {
    **EXPLICIT_HANDLERS,
    gw.Resource: _in_body,
    gw.Method: _in_body,
    gw.MethodResponse: _in_body,
    gw.Integration: _in_body,
    gw.IntegrationResponse: _in_body,
    gw.Model: _in_body,
    gw.RequestValidator: _in_body,
    gw.Authorizer: _in_body,
    gw.GatewayResponse: _in_body,
}


# ----------------------------------------------------------------------------------------
# Assembly


def _model_names(t: _Template) -> None:
    """CloudFormation names of the spec's models (Empty and Error are taken in a new API)."""
    names = {m.name for m in t.gw.models}
    for m in t.gw.models:
        name = m.name
        if not t.body and name in gw.BUILTIN_MODELS:
            candidate, n = name + "Model", 2
            while candidate in names:
                candidate, n = f"{name}Model{n}", n + 1
            name = candidate
        t.model_names[m.name] = name


def _model_cycles(t: _Template) -> None:
    """Find references that close a cycle; they are written without a dependency."""
    refs = {m.name: [r for r in m.references if t.gw.model(r) is not None and r in t.model_names] for m in t.gw.models}
    state: dict[str, int] = {}
    cyclic: list[gw.Model] = []

    for start in sorted(refs):
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        state[start] = 1
        while stack:
            name, i = stack[-1]
            if i < len(refs[name]):
                stack[-1] = (name, i + 1)
                nxt = refs[name][i]
                if state.get(nxt) == 1:
                    t.back_edges.add((name, nxt))
                elif not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, 0))
            else:
                state[name] = 2
                stack.pop()
    for m in t.gw.models:
        if any(owner == m.name for owner, _ in t.back_edges):
            cyclic.append(m)
    if not t.body:
        for m in cyclic:
            targets = sorted(target for owner, target in t.back_edges if owner == m.name)
            t.warn(
                RECURSIVE_MODELS,
                f"model '{m.name}' references {', '.join(repr(x) for x in targets)} in a cycle; CloudFormation cannot create "
                "the models of a cycle in an order CreateModel accepts",
                m.pointer,
                "use --cfn-style body (an import creates all models at once)",
            )


def _snapshot_hash(resources: dict[str, dict]) -> str:
    snapshot = {k: v for k, v in resources.items() if v["Type"] in _SNAPSHOT_TYPES}
    text = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def _check_permissions(t: _Template) -> None:
    covered = {c for p in t.gw.lambda_permissions for c in p.covers}
    for m in t.gw.methods:
        i = m.integration
        if i is None or i.lambda_function is None or i.credentials is not None or m.id in covered:
            continue
        t.warn(
            PERMISSION_UNRESOLVED,
            f"cannot tell which Lambda function {m.label} invokes, so the template grants API Gateway no permission to call it",
            i.pointer,
            "declare the stages that define its stage variables, set credentials, or add the permission yourself",
        )
    for a in t.gw.authorizers:
        if a.lambda_function is None or a.authorizer_credentials is not None or a.id in covered:
            continue
        t.warn(
            PERMISSION_UNRESOLVED,
            f"cannot tell which Lambda function authorizer '{a.name}' invokes, so the template grants API Gateway no permission to call it",
            a.pointer,
            "declare the stages that define its stage variables, set authorizerCredentials, or add the permission yourself",
        )


def _lambda_params(t: _Template) -> None:
    """--lambda-params: literal function ARNs become Parameters (default: the ARN)."""
    arns: dict[str, gw.LambdaFunction] = {}
    for m in t.gw.methods:
        f = m.integration.lambda_function if m.integration else None
        if f is not None and isinstance(f.arn, str) and not f.stage_variables:
            arns.setdefault(f.arn, f)
    for a in t.gw.authorizers:
        f = a.lambda_function
        if f is not None and isinstance(f.arn, str) and not f.stage_variables:
            arns.setdefault(f.arn, f)
    ids = allocate_ids(
        [
            (arn, (pascal(f.name) if f.name else "LambdaFunction") + pascal(f.qualifier or "") + "Arn")
            for arn, f in sorted(arns.items())
        ],
        set(t.resources) | {REST_API},
    )
    for arn in sorted(arns):
        param: dict[str, Any] = {
            "Type": "String",
            "Description": f"ARN of the Lambda function the API invokes ({arns[arn].name or arn})",
        }
        if "${" not in arn:
            param["Default"] = arn
        t.parameters[ids[arn]] = param
        t.lambda_arn_params[arn] = ids[arn]


@dataclass(frozen=True)
class Enclosing:
    """What the stack around the API defines (`apigwc.targets.stack`): names its intrinsics may use.

    Refs, GetAtts and Sub variables naming these resources or parameters, conditions and
    mappings stay as they are instead of becoming template Parameters (or AGW906).
    """

    names: frozenset[str] = frozenset()
    conditions: frozenset[str] = frozenset()
    mappings: frozenset[str] = frozenset()


def build_template(
    gateway: gw.Gateway, options: EmitOptions, diags: Diagnostics, enclosing: Enclosing | None = None
) -> dict:
    """The CloudFormation template (JSON-shaped) for a gateway.

    With ``enclosing``, the template is meant to be merged into a stack that defines those
    names (resources stay where they are referenced, no Parameters are invented for them).
    """
    t = _Template(gateway, options, diags)
    t.enclosing = enclosing or Enclosing()
    if options.lambda_params:
        _lambda_params(t)
    _model_names(t)
    _model_cycles(t)
    api_nodes = (
        gateway.rest_api,
        *gateway.resources,
        *gateway.models,
        *gateway.request_validators,
        *gateway.authorizers,
        *gateway.methods,
        *gateway.gateway_responses,
    )
    for node in api_nodes:
        t.render(node)
    if gateway.local is not None:
        t.render(gateway.local)

    deployable = report_nothing_to_deploy(gateway, diags, "the template")
    if deployable:
        digest = _snapshot_hash(t.resources)
        t.deployment_id = "Deployment" + digest
        # explicit style: the snapshot must see every Method (else "The REST API doesn't
        # contain any methods") and every GatewayResponse; the body style has one RestApi
        depends = (
            None if t.body else sorted([m.id for m in gateway.methods] + [r.id for r in gateway.gateway_responses])
        )
        t.add(
            t.deployment_id,
            "AWS::ApiGateway::Deployment",
            {"RestApiId": _ref(REST_API), "Description": f"apigwc snapshot {digest}"},
            depends_on=depends,
        )
        for stage in gateway.stages:
            t.render(stage)
        for key in gateway.api_keys:
            t.render(key)
        for plan in gateway.usage_plans:
            t.render(plan)
        taken = set(t.resources)
        entries = [
            (f"{p.id} {k.id}", "UsagePlanKey" + p.id.removeprefix("UsagePlan") + k.id.removeprefix("ApiKey"))
            for p, k in t.usage_plan_keys
        ]
        ids = allocate_ids(entries, taken)
        for p, k in t.usage_plan_keys:
            t.add(
                ids[f"{p.id} {k.id}"],
                "AWS::ApiGateway::UsagePlanKey",
                {"KeyId": _ref(k.id), "KeyType": "API_KEY", "UsagePlanId": _ref(p.id)},
            )
    else:
        for key in gateway.api_keys:
            t.render(key)
    for perm in gateway.lambda_permissions:
        t.render(perm)
    _check_permissions(t)

    t.outputs["RestApiId"] = {"Description": "The REST API id", "Value": _ref(REST_API)}
    template: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": _description(gateway),
    }
    resources = dict(sorted(t.resources.items()))
    outputs = dict(sorted(t.outputs.items()))
    _resolve_references(resources, outputs, t)
    if t.parameters:
        template["Parameters"] = dict(sorted(t.parameters.items()))
    if t.conditions:
        template["Conditions"] = dict(sorted(t.conditions.items()))
    template["Resources"] = resources
    template["Outputs"] = outputs
    if not t.body and len(resources) > MAX_RESOURCES:
        diags.add(
            RESOURCE_LIMIT,
            f"the template has {len(resources)} resources; CloudFormation allows {MAX_RESOURCES} per stack",
            pointer=gateway.rest_api.pointer,
            hint="use --cfn-style body (the API becomes one RestApi resource)",
        )
    return template


def _description(gateway: gw.Gateway) -> str:
    name = gateway.rest_api.name
    title = name if isinstance(name, str) else "REST API"
    return f"{title}: Amazon API Gateway REST API compiled by apigwc from {PurePath(gateway.source).name}"[:1024]


# ----------------------------------------------------------------------------------------
# Intrinsics copied from the spec: make every name they use resolvable in this template


def _resolve_references(resources: dict, outputs: dict, t: _Template) -> None:
    """Make every name the copied intrinsics use resolvable: unknown Refs, GetAtts and ``${X}``
    become Parameters, ``Fn::If`` conditions get a Condition; ``Fn::FindInMap`` is reported."""
    refs = _References(resources, t)
    for store in (resources, outputs):
        for k in list(store):
            refs.origin = t.origins.get(k, t.gw.rest_api.pointer)
            store[k] = refs.walk(store[k])


class _References:
    """The walk of `_resolve_references`: one method per kind of reference."""

    def __init__(self, resources: dict, t: _Template) -> None:
        self.resources = resources
        self.t = t
        self.defined = set(resources) | set(t.parameters) | t.enclosing.names
        #: the spec pointer of the resource being walked (for findings)
        self.origin = t.gw.rest_api.pointer

    def param(self, name: str, what: str) -> str:
        """A Parameter for ``name`` unless the template defines it."""
        if name not in self.defined:
            self.t.parameters[name] = {"Type": "String", "Description": f"{what}, referenced by the OpenAPI spec"}
            self.defined.add(name)
        return name

    def attr_param(self, resource: str, attr: str) -> str:
        return self.param(getatt_parameter(resource, attr), f"{resource}.{attr}")

    def condition(self, name: str) -> None:
        """A Condition (and its 'true'/'false' Parameter) for ``name``."""
        t = self.t
        if name not in t.conditions and name not in t.enclosing.conditions:
            p = self.param(name + "Value", f"'true' to enable condition {name}")
            t.parameters[p].update({"AllowedValues": ["true", "false"], "Default": "false"})
            t.conditions[name] = {"Fn::Equals": [{"Ref": p}, "true"]}

    def sub_text(self, text: str, variables: dict) -> str:
        """``${X}`` and ``${R.Attr}`` of an ``Fn::Sub`` string, each resolvable."""

        def fix(m: re.Match) -> str:
            name = m.group(1)
            if name in variables or name in _PSEUDO or name in self.defined:
                return m.group(0)
            if "." in name:
                res, _, attr = name.partition(".")
                if res in self.resources or res in self.t.enclosing.names:
                    return m.group(0)
                return "${" + self.attr_param(res, attr) + "}"
            return "${" + self.param(name, name) + "}"

        return _SUB_NAME.sub(fix, text)

    def walk(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.walk(v) for v in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, args),) = node.items()
            if key in INTRINSIC_KEYS:
                return self.intrinsic(key, args)
        return {k: self.walk(v) for k, v in node.items()}

    def intrinsic(self, key: str, args: Any) -> Any:
        resources = self.resources
        if key == "Ref" and isinstance(args, str):
            if args not in _PSEUDO:
                self.param(args, args)
            return {"Ref": args}
        if key == "Fn::GetAtt":
            res, attr = (
                (args.split(".", 1) + [""])[:2]
                if isinstance(args, str)
                else (args + ["", ""])[:2]
                if isinstance(args, list)
                else ("", "")
            )
            if (
                isinstance(res, str)
                and res
                and res not in resources
                and res not in self.t.enclosing.names
                and isinstance(attr, str)
            ):
                return {"Ref": self.attr_param(res, attr)}
            return {key: args}
        if key == "Fn::Sub":
            if isinstance(args, str):
                return {key: self.sub_text(args, {})}
            if isinstance(args, list) and args and isinstance(args[0], str):
                variables = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
                return {key: [self.sub_text(args[0], variables), self.walk(variables)]}
        if key in ("Fn::If", "Condition"):
            name = args[0] if key == "Fn::If" and isinstance(args, list) and args else args
            if isinstance(name, str):
                self.condition(name)
            if key == "Fn::If" and isinstance(args, list):
                return {key: [args[0], *(self.walk(a) for a in args[1:])]}
            return {key: args}
        if (
            key == "Fn::FindInMap"
            and isinstance(args, list)
            and args
            and isinstance(args[0], str)
            and args[0] not in self.t.enclosing.mappings
        ):
            self.t.diags.add(
                UNKNOWN_MAPPING,
                f"Fn::FindInMap reads the Mappings table '{args[0]}', which the template does not have",
                pointer=self.origin,
                hint="use a Ref to a parameter or a literal instead",
            )
        return {key: self.walk(args)}


class CfnTarget:
    """``apigwc emit --target cfn``: template.yaml (or template.json)."""

    name = "cfn"
    folder = None
    codes = CFN_CODES
    handlers = EXPLICIT_HANDLERS
    body_handlers = BODY_HANDLERS
    unsupported: dict[type, Code] = {}

    def emit(self, gateway: gw.Gateway, options: EmitOptions, diags: Diagnostics) -> Artifact:
        template = build_template(gateway, options, diags)
        text = serialize(template, options.format)
        size = len(text.encode("utf-8"))
        if size > MAX_TEMPLATE_BYTES:
            diags.add(
                TEMPLATE_SIZE,
                f"the template is {size:,} bytes; CloudFormation accepts at most {MAX_TEMPLATE_BYTES:,} (from S3)",
                pointer=gateway.rest_api.pointer,
                hint="use YAML and --cfn-style body, or split the API",
            )
        return {f"template.{options.format.value}": text}
