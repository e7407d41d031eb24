"""What the local gateway emulates, route by route: nothing is silently ignored.

`route_capabilities` rates each method of a stage:

* **full**: every step the method takes on AWS runs locally;
* **partial**: the method is served, but something it relies on is not emulated (an IAM
  signature, a cache, a VPC link...): each such thing is named;
* **none**: the method cannot answer like AWS (no local handler for its Lambda function,
  an AWS service integration without an endpoint): it answers an error that says why.

`api_notes` lists what is not emulated for the API as a whole.  ``apigwc serve`` prints
both at start.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .. import gateway as gw
from ..intrinsics import Intrinsic, text_of
from ..local import LocalGateway
from ..local.aws_services import service_of


class Level(enum.Enum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class RouteCapability:
    """How far one method of one stage is emulated, and why not further."""

    method: gw.Method
    integration: str
    auth: str
    level: Level
    notes: tuple[str, ...]


def route_capabilities(local: LocalGateway, stage: str, variables: dict[str, str]) -> list[RouteCapability]:
    """One entry per method of the API, in the model's order (path, then verb)."""
    out = []
    for method in local.gateway.methods:
        partial: list[str] = []
        missing: list[str] = []
        integration = _integration(method.integration, local, variables, partial, missing)
        auth = _auth(method, local, variables, partial, missing)
        _stage_features(method, local.gateway.stage(stage), partial)
        level = Level.NONE if missing else Level.PARTIAL if partial else Level.FULL
        out.append(RouteCapability(method, integration, auth, level, tuple(missing + partial)))
    return out


def _integration(
    integration: gw.Integration | None,
    local: LocalGateway,
    variables: dict[str, str],
    partial: list[str],
    missing: list[str],
) -> str:
    if integration is None:
        missing.append("no integration: every call answers 500")
        return "-"
    kind = integration.type
    if integration.lambda_function is not None:
        fn = integration.lambda_function
        name = local.handlers.resolve(fn, variables)
        label = f"{kind.value} {name or fn.name or 'λ'}"
        if name is None:
            missing.append(
                f"no local handler for the Lambda function {fn.name or text_of(fn.arn)}: map it in x-apigwc.local.lambdas or with --lambda NAME=module:callable"
            )
        return label
    if kind is gw.IntegrationType.AWS:
        service = service_of(integration) or "aws"
        if service in local.endpoints:
            partial.append(f"{service} is called through boto3 at {local.endpoints[service]}, not AWS")
        else:
            missing.append(
                f"AWS service integration ({service}): answers 501 unless x-apigwc.local.endpoints.{service} names an endpoint"
            )
        return f"AWS {service}"
    if kind in (gw.IntegrationType.HTTP, gw.IntegrationType.HTTP_PROXY):
        if isinstance(integration.uri, Intrinsic):
            missing.append("the integration URI is a CloudFormation intrinsic that only a stack can resolve")
        if integration.connection_type is gw.ConnectionType.VPC_LINK:
            partial.append("VPC link not emulated: the URI is called directly")
        if integration.tls_insecure_skip_verification:
            partial.append("tlsConfig.insecureSkipVerification is ignored")
    if integration.cache_key_parameters:
        partial.append("integration caching (cacheKeyParameters) is not emulated")
    return kind.value


def _auth(
    method: gw.Method, local: LocalGateway, variables: dict[str, str], partial: list[str], missing: list[str]
) -> str:
    parts = []
    kind = method.authorization_type
    if kind is gw.AuthorizationType.AWS_IAM:
        parts.append("IAM")
        partial.append("AWS_IAM: the SigV4 signature is not checked")
    elif kind is gw.AuthorizationType.CUSTOM:
        authorizer = local.gateway.authorizer(method.authorizer)
        parts.append(f"{authorizer.type.value if authorizer else 'Lambda'} {method.authorizer}")
        fn = authorizer.lambda_function if authorizer else None
        if fn is None or local.handlers.resolve(fn, variables) is None:
            name = fn.name if fn is not None and fn.name else method.authorizer
            missing.append(f"no local handler for the authorizer function {name}: map it in x-apigwc.local.lambdas")
    elif kind is gw.AuthorizationType.COGNITO_USER_POOLS:
        authorizer = local.gateway.authorizer(method.authorizer)
        parts.append(f"Cognito {method.authorizer}")
        arns = [text_of(a) for a in authorizer.provider_arns] if authorizer else []
        if "*" not in local.jwks and not any(a in local.jwks for a in arns):
            missing.append("no JWKS file for the Cognito user pool: set x-apigwc.local.jwks (every token is refused)")
    if method.api_key_required:
        parts.append("API key")
    return " + ".join(parts) or "NONE"


def _stage_features(method: gw.Method, stage: gw.Stage | None, partial: list[str]) -> None:
    if stage is None:
        return
    if stage.cache_cluster_enabled and any(
        s.caching_enabled
        and s.resource_path in ("/*", method.path)
        and s.http_method in ("*", method.http_method.value)
        for s in stage.method_settings
    ):
        partial.append("response caching is not emulated (every request reaches the integration)")


def api_notes(gateway: gw.Gateway) -> list[str]:
    """What the local gateway does not emulate for this API as a whole."""
    notes = []
    if gateway.rest_api.policy is not None:
        notes.append("the resource policy (x-amazon-apigateway-policy) is not evaluated: every caller is allowed")
    if gateway.rest_api.endpoint_types and gw.EndpointType.PRIVATE in gateway.rest_api.endpoint_types:
        notes.append("a PRIVATE endpoint is served on the local address: no VPC endpoint is required")
    if gateway.rest_api.disable_execute_api_endpoint:
        notes.append("disableExecuteApiEndpoint is ignored: the API is served locally")
    for stage in gateway.stages:
        if stage.access_log is not None:
            notes.append(f"stage {stage.name}: access logs go to the terminal, not to CloudWatch or Firehose")
            break
    if any(s.tracing_enabled for s in gateway.stages):
        notes.append("X-Ray tracing is not emulated (X-Amzn-Trace-Id headers are generated)")
    notes.append(
        "not emulated for any API: WAF, mutual TLS, custom domain names, canary deployments, the account-level CloudWatch role"
    )
    return notes
