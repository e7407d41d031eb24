"""The OpenAPI target: the document API Gateway would export, so users can diff what it will hold.

It is the shape of ``get-export --export-type oas30 --parameters extensions=apigateway``:
methods as operations (parameters typed ``string``, responses described "200 response"),
models under ``components.schemas``, authorizers, validators and gateway responses as
extensions, enum values of integrations lower-cased, defaults the export omits left
out.  Two additions make it a complete description of the gateway model: the ``x-apigwc``
section (stages, usage plans, API keys, local settings, which an export cannot hold) and
empty path items for leaf resources without methods.  Lowering the exported document
gives the same gateway model (the round-trip test pins that).

The CloudFormation target's ``body`` style reuses `export_document` as ``RestApi.Body``.
"""

from __future__ import annotations

from typing import Any, Callable

from .. import gateway as gw
from ..diagnostics import Code, Diagnostics
from ..intrinsics import Intrinsic, Value
from .base import Artifact, EmitOptions, serialize

OPENAPI_VERSION = "3.0.1"
_IAM_SCHEME = "sigv4"
_API_KEY_SCHEME = "api_key"
_WHERE = {"path": "path", "querystring": "query", "header": "header"}


def _v(value: Value | None) -> Any:
    return value.to_json() if isinstance(value, Intrinsic) else value


def _put(out: dict, key: str, value: Any) -> None:
    """Set ``key`` unless the value is None or an empty collection."""
    if value is None or value == {} or value == [] or value == ():
        return
    out[key] = value


class _Export:
    def __init__(self, gateway: gw.Gateway, include_apigwc: bool) -> None:
        self.gw = gateway
        self.include_apigwc = include_apigwc
        names = {a.name for a in gateway.authorizers}
        self.iam_scheme = _free_name(_IAM_SCHEME, names)
        self.api_key_scheme = _free_name(_API_KEY_SCHEME, names | {self.iam_scheme})

    def render(self, node: Any) -> Any:
        return HANDLERS[type(node)](node, self)

    def document(self) -> dict:
        g = self.gw
        doc: dict[str, Any] = {"openapi": OPENAPI_VERSION}
        doc["info"] = self.render(g.rest_api)
        server = self._server()
        if server is not None:
            doc["servers"] = [server]
        paths: dict[str, dict] = {}
        for res in g.resources:
            methods = g.methods_of(res.path)
            if methods:
                paths[res.path] = {_verb_key(m): self.render(m) for m in methods}
            elif not g.children(res.path) and not res.is_root:
                paths[res.path] = {}  # a leaf without methods still exists in the gateway
        doc["paths"] = paths
        components: dict[str, Any] = {}
        _put(components, "schemas", {m.name: self.render(m) for m in g.models})
        _put(components, "securitySchemes", self._security_schemes())
        doc["components"] = components
        api = g.rest_api
        if api.api_key_source is not gw.ApiKeySource.HEADER:
            doc["x-amazon-apigateway-api-key-source"] = api.api_key_source.value
        _put(doc, "x-amazon-apigateway-binary-media-types", list(api.binary_media_types))
        _put(doc, "x-amazon-apigateway-minimum-compression-size", api.minimum_compression_size)
        _put(doc, "x-amazon-apigateway-policy", api.policy)
        _put(doc, "x-amazon-apigateway-security-policy", api.security_policy)
        _put(doc, "x-amazon-apigateway-endpoint-access-mode", api.endpoint_access_mode)
        _put(doc, "x-amazon-apigateway-request-validators", {v.name: self.render(v) for v in g.request_validators})
        _put(
            doc, "x-amazon-apigateway-gateway-responses", {r.response_type: self.render(r) for r in g.gateway_responses}
        )
        _put(doc, "x-amazon-apigateway-documentation", api.documentation)
        if self.include_apigwc:
            apigwc: dict[str, Any] = {}
            implied = (gw.EndpointType.PRIVATE,) if api.vpc_endpoint_ids else (gw.DEFAULT_ENDPOINT_TYPE,)
            if api.endpoint_types != implied:
                apigwc["endpointType"] = api.endpoint_types[0].value
            _put(apigwc, "stages", {s.name: self.render(s) for s in g.stages})
            _put(apigwc, "usagePlans", {p.name: self.render(p) for p in g.usage_plans})
            _put(apigwc, "apiKeys", {k.name: self.render(k) for k in g.api_keys})
            if g.local is not None:
                apigwc["local"] = self.render(g.local)
            _put(doc, "x-apigwc", apigwc)
        return doc

    def _server(self) -> dict | None:
        api = self.gw.rest_api
        config: dict[str, Any] = {}
        if api.disable_execute_api_endpoint:
            config["disableExecuteApiEndpoint"] = True
        _put(config, "vpcEndpointIds", [_v(v) for v in api.vpc_endpoint_ids])
        _put(config, "ipAddressType", api.ip_address_type)
        if not config:
            return None
        # OpenAPI 3 keeps the endpoint configuration on a server entry
        return {"url": "/", "x-amazon-apigateway-endpoint-configuration": config}

    def _security_schemes(self) -> dict:
        out: dict[str, Any] = {a.name: self.render(a) for a in self.gw.authorizers}
        if any(m.authorization_type is gw.AuthorizationType.AWS_IAM for m in self.gw.methods):
            out[self.iam_scheme] = {
                "type": "apiKey",
                "name": "Authorization",
                "in": "header",
                "x-amazon-apigateway-authtype": "awsSigv4",
            }
        if any(m.api_key_required for m in self.gw.methods):
            out[self.api_key_scheme] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
        return dict(sorted(out.items()))


def _free_name(name: str, used: set[str]) -> str:
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}{n}", n + 1
    return candidate


def _verb_key(m: gw.Method) -> str:
    return "x-amazon-apigateway-any-method" if m.http_method is gw.HttpMethod.ANY else m.http_method.value.lower()


def _schema_ref(name: str) -> dict:
    return {"$ref": "#/components/schemas/" + name}


def _local_refs(schema: Any) -> Any:
    """A model schema with `gateway.model_ref` URLs turned back into local references."""
    if isinstance(schema, dict):
        out = {}
        for k, v in schema.items():
            name = gw.model_ref_name(v) if k == "$ref" else None
            out[k] = "#/components/schemas/" + name if name is not None else _local_refs(v)
        return out
    if isinstance(schema, list):
        return [_local_refs(v) for v in schema]
    return schema


# ----------------------------------------------------------------------------------------
# Handlers, one per gateway node type


def _rest_api(api: gw.RestApi, ex: _Export) -> dict:
    info: dict[str, Any] = {"title": _v(api.name)}
    _put(info, "description", _v(api.description))
    # an API without a version has none in the gateway either (the service's export
    # would print a timestamp there); OpenAPI wants one, API Gateway does not
    _put(info, "version", api.version)
    return info


def _method(m: gw.Method, ex: _Export) -> dict:
    op: dict[str, Any] = {}
    _put(op, "operationId", m.operation_name)
    params = []
    for key, required in m.request_parameters.items():
        _, _, where, name = key.split(".", 3)
        p: dict[str, Any] = {"name": name, "in": _WHERE[where]}
        if required:
            p["required"] = True
        p["schema"] = {"type": "string"}
        params.append(p)
    _put(op, "parameters", params)
    if m.request_models:
        op["requestBody"] = {
            "content": {mime: {"schema": _schema_ref(name)} for mime, name in m.request_models.items()},
            "required": True,
        }
    op["responses"] = {r.status_code: ex.render(r) for r in m.method_responses}
    requirement: dict[str, list[str]] = {}
    if m.authorizer is not None:
        requirement[m.authorizer] = list(m.authorization_scopes)
    elif m.authorization_type is gw.AuthorizationType.AWS_IAM:
        requirement[ex.iam_scheme] = []
    if m.api_key_required:
        requirement[ex.api_key_scheme] = []
    if requirement:
        op["security"] = [requirement]
    _put(op, "x-amazon-apigateway-request-validator", m.request_validator)
    if m.integration is not None:
        op["x-amazon-apigateway-integration"] = ex.render(m.integration)
    return op


def _method_response(r: gw.MethodResponse, ex: _Export) -> dict:
    out: dict[str, Any] = {"description": f"{r.status_code} response"}
    headers = {k.removeprefix("method.response.header."): {"schema": {"type": "string"}} for k in r.response_parameters}
    _put(out, "headers", headers)
    out["content"] = {mime: {"schema": _schema_ref(name)} for mime, name in r.response_models.items()}
    return out


def _integration(i: gw.Integration, ex: _Export) -> dict:
    out: dict[str, Any] = {"type": i.type.value.lower()}
    _put(out, "httpMethod", i.http_method)
    _put(out, "uri", _v(i.uri))
    _put(out, "credentials", _v(i.credentials))
    _put(out, "requestParameters", {k: _v(v) for k, v in i.request_parameters.items()})
    _put(out, "requestTemplates", {k: _v(v) for k, v in i.request_templates.items()})
    out["passthroughBehavior"] = i.passthrough_behavior.value.lower()
    _put(out, "contentHandling", i.content_handling.value if i.content_handling else None)
    if i.timeout_in_millis != gw.DEFAULT_TIMEOUT_MILLIS:
        out["timeoutInMillis"] = i.timeout_in_millis
    _put(out, "cacheNamespace", i.cache_namespace)
    _put(out, "cacheKeyParameters", list(i.cache_key_parameters))
    if i.connection_type is not gw.DEFAULT_CONNECTION_TYPE:
        out["connectionType"] = i.connection_type.value
    _put(out, "connectionId", _v(i.connection_id))
    _put(out, "integrationTarget", _v(i.integration_target))
    if i.tls_insecure_skip_verification is not None:
        out["tlsConfig"] = {"insecureSkipVerification": i.tls_insecure_skip_verification}
    if i.response_transfer_mode != gw.DEFAULT_RESPONSE_TRANSFER_MODE:
        out["responseTransferMode"] = i.response_transfer_mode
    _put(
        out,
        "responses",
        {r.selection_pattern if r.selection_pattern is not None else "default": ex.render(r) for r in i.responses},
    )
    return out


def _integration_response(r: gw.IntegrationResponse, ex: _Export) -> dict:
    out: dict[str, Any] = {"statusCode": r.status_code}
    _put(out, "responseParameters", {k: _v(v) for k, v in r.response_parameters.items()})
    _put(out, "responseTemplates", {k: _v(v) for k, v in r.response_templates.items()})
    _put(out, "contentHandling", r.content_handling.value if r.content_handling else None)
    return out


def _model(m: gw.Model, ex: _Export) -> Any:
    return _local_refs(m.schema)


def _request_validator(v: gw.RequestValidator, ex: _Export) -> dict:
    return {"validateRequestBody": v.validate_request_body, "validateRequestParameters": v.validate_request_parameters}


def _authorizer(a: gw.Authorizer, ex: _Export) -> dict:
    first = (a.identity_source or "").split(",")[0].strip()
    where, name = "header", "Unused"
    if first.startswith("method.request.header."):
        name = first.removeprefix("method.request.header.")
    elif first.startswith("method.request.querystring."):
        where, name = "query", first.removeprefix("method.request.querystring.")
    out: dict[str, Any] = {"type": "apiKey", "name": name, "in": where}
    _put(out, "x-amazon-apigateway-authtype", a.auth_type)
    auth: dict[str, Any] = {"type": a.type.value.lower()}
    _put(auth, "authorizerUri", _v(a.authorizer_uri))
    _put(auth, "authorizerCredentials", _v(a.authorizer_credentials))
    _put(auth, "identitySource", a.identity_source)
    _put(auth, "identityValidationExpression", a.identity_validation_expression)
    auth["authorizerResultTtlInSeconds"] = a.result_ttl_in_seconds
    _put(auth, "providerARNs", [_v(p) for p in a.provider_arns])
    out["x-amazon-apigateway-authorizer"] = auth
    return out


def _gateway_response(r: gw.GatewayResponse, ex: _Export) -> dict:
    out: dict[str, Any] = {}
    _put(out, "statusCode", r.status_code)
    _put(out, "responseParameters", {k: _v(v) for k, v in r.response_parameters.items()})
    _put(out, "responseTemplates", {k: _v(v) for k, v in r.response_templates.items()})
    return out


def _throttle(t: gw.Throttle, ex: _Export) -> dict:
    out: dict[str, Any] = {}
    _put(out, "burstLimit", t.burst_limit)
    _put(out, "rateLimit", t.rate_limit)
    return out


def _method_setting(ms: gw.MethodSetting, ex: _Export) -> dict:
    out: dict[str, Any] = {}
    if ms.throttling_burst_limit is not None or ms.throttling_rate_limit is not None:
        out["throttling"] = ex.render(
            gw.Throttle(burst_limit=ms.throttling_burst_limit, rate_limit=ms.throttling_rate_limit)
        )
    for key, value in (
        ("loggingLevel", ms.logging_level),
        ("dataTraceEnabled", ms.data_trace_enabled),
        ("metricsEnabled", ms.metrics_enabled),
        ("cachingEnabled", ms.caching_enabled),
        ("cacheTtlInSeconds", ms.cache_ttl_in_seconds),
        ("cacheDataEncrypted", ms.cache_data_encrypted),
        ("requireAuthorizationForCacheControl", ms.require_authorization_for_cache_control),
        ("unauthorizedCacheControlHeaderStrategy", ms.unauthorized_cache_control_header_strategy),
    ):
        _put(out, key, value)
    return out


def _access_log(log: gw.AccessLogSetting, ex: _Export) -> dict:
    out: dict[str, Any] = {"format": log.format}
    _put(out, "destinationArn", _v(log.destination_arn))
    return out


def _stage(s: gw.Stage, ex: _Export) -> dict:
    out: dict[str, Any] = {}
    _put(out, "description", s.description)
    _put(out, "variables", dict(s.variables))
    _put(out, "methodSettings", {ms.key: ex.render(ms) for ms in s.method_settings})
    if s.access_log is not None:
        out["accessLog"] = ex.render(s.access_log)
    if s.tracing_enabled:
        out["tracingEnabled"] = True
    if s.cache_cluster_enabled:
        out["cacheClusterEnabled"] = True
    _put(out, "cacheClusterSize", s.cache_cluster_size)
    _put(out, "tags", dict(s.tags))
    return out


def _quota(q: gw.Quota, ex: _Export) -> dict:
    return {"limit": q.limit, "offset": q.offset, "period": q.period}


def _usage_plan_stage(s: gw.UsagePlanStage, ex: _Export) -> dict:
    return {k: ex.render(t) for k, t in s.throttle.items()}


def _usage_plan(p: gw.UsagePlan, ex: _Export) -> dict:
    out: dict[str, Any] = {}
    _put(out, "description", p.description)
    if p.throttle is not None:
        out["throttle"] = ex.render(p.throttle)
    if p.quota is not None:
        out["quota"] = ex.render(p.quota)
    if p.api_stages:
        # the plan's method throttles apply to each of its stages alike
        _put(out, "methodThrottle", ex.render(p.api_stages[0]))
    _put(out, "stages", [s.stage for s in p.api_stages])
    _put(out, "apiKeys", list(p.api_keys))
    return out


def _api_key(k: gw.ApiKey, ex: _Export) -> dict:
    out: dict[str, Any] = {}
    _put(out, "value", k.value)
    out["enabled"] = k.enabled
    _put(out, "description", k.description)
    _put(out, "customerId", k.customer_id)
    return out


def _local(local: gw.LocalSettings, ex: _Export) -> dict:
    out: dict[str, Any] = {}
    _put(out, "lambdas", dict(local.lambdas))
    _put(out, "jwks", dict(local.jwks))
    _put(out, "endpoints", dict(local.endpoints))
    _put(out, "pythonPath", list(local.python_path))
    _put(out, "lambdaTimeoutSeconds", local.lambda_timeout_seconds)
    return out


def _derived(node: Any, ex: _Export) -> None:
    """Nodes an export does not carry because lowering derives them again from the document.

    Resources come from the paths, Lambda functions from integration URIs, and Lambda
    permissions (Lambda state, not API Gateway state) from the integrations.
    """
    return None


HANDLERS: dict[type, Callable[[Any, _Export], Any]] = {
    gw.RestApi: _rest_api,
    gw.Resource: _derived,
    gw.Method: _method,
    gw.MethodResponse: _method_response,
    gw.Integration: _integration,
    gw.IntegrationResponse: _integration_response,
    gw.LambdaFunction: _derived,
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
    gw.LambdaPermission: _derived,
    gw.ExecuteApiSource: _derived,
    gw.AuthorizerSource: _derived,
    gw.LocalSettings: _local,
}


def export_document(gateway: gw.Gateway, *, include_apigwc: bool = True) -> dict:
    """The OpenAPI 3.0 document API Gateway would export for this gateway (JSON-shaped)."""
    return _Export(gateway, include_apigwc).document()


class OpenApiTarget:
    """``apigwc emit --target openapi``: the normalized export (openapi.yaml / openapi.json)."""

    name = "openapi"
    folder = None
    codes: tuple[Code, ...] = ()
    handlers = HANDLERS
    unsupported: dict[type, Code] = {}

    def emit(self, gateway: gw.Gateway, options: EmitOptions, diags: Diagnostics) -> Artifact:
        return {f"openapi.{options.format.value}": serialize(export_document(gateway), options.format)}
