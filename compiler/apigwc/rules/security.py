"""AGW8xx: security posture (authorization, API keys, validation, logging, TLS)."""

from __future__ import annotations

from typing import Iterator

from .. import ir
from ..diagnostics import Severity
from ..intrinsics import Intrinsic
from ..source import join
from .registry import Finding, rule


def requires_api_key(api: ir.Api, op: ir.Operation) -> bool:
    """True when every security alternative of the operation includes a plain API key scheme."""
    if not op.security:
        return False
    return all(
        any(api.security_schemes.get(n) is not None and api.security_schemes[n].is_api_key for n in req.names)
        for req in op.security
    )


def has_authorization(api: ir.Api, op: ir.Operation) -> bool:
    """True when the method has IAM, a Lambda/Cognito authorizer, or requires an API key."""
    if op.auth_type_raw is not None and op.auth_type_raw.upper() == "AWS_IAM":
        return True
    for req in op.security or ():
        for name in req.names:
            scheme = api.security_schemes.get(name)
            if scheme is not None and (scheme.authorizer is not None or scheme.is_iam or scheme.is_api_key):
                return True
    return False


@rule("AGW801", name="no-authorization", severity=Severity.WARNING)
def no_authorization(api: ir.Api) -> Iterator[Finding]:
    """A method has no authorization and needs no API key: anyone can call it.

    What it checks: every method except OPTIONS (CORS preflight) has IAM authorization, a
    Lambda or Cognito authorizer, or requires an API key.

    Why: root-level `security` is ignored by API Gateway, so a method without its own
    `security` is open to the internet, often by accident.

    Example:
        /admin/users:
          delete:
            x-amazon-apigateway-integration: {...}     # no security

    Fix: add `security: [{myAuthorizer: []}]` (or `x-amazon-apigateway-auth: {type: AWS_IAM}`);
    for an intentionally public method, `x-apigwc-ignore: [no-authorization]`.
    """
    usable = [s.name for s in api.security_schemes.values() if s.authorizer is not None or s.is_iam or s.is_api_key]
    for op in api.operations:
        if op.method is ir.HttpMethod.OPTIONS or has_authorization(api, op):
            continue
        hint = (
            f"add security: [{{{usable[0]}: []}}] to the operation"
            if usable
            else "add x-amazon-apigateway-auth: {type: AWS_IAM}, or a security scheme and security: [{scheme: []}]"
        )
        if api.root_security:
            hint += " (root-level security is ignored by API Gateway)"
        yield Finding(
            pointer=op.pointer,
            at_key=True,
            message=f"{op.label} has no authorization and requires no API key: anyone can call it",
            hint=hint,
        )


@rule("AGW802", name="api-key-in-query", severity=Severity.WARNING)
def api_key_in_query(api: ir.Api) -> Iterator[Finding]:
    """An API key scheme sends the key in the query string.

    What it checks: plain API key schemes (no authorizer) are `in: header`.

    Why: keys in URLs end up in access logs, browser history and proxies; and with the
    default api-key-source HEADER API Gateway only reads the `x-api-key` header, so a
    key in the query string is never seen: every call gets 403 Forbidden.

    Example:
        api_key: {type: apiKey, name: api_key, in: query}

    Fix: `{type: apiKey, name: x-api-key, in: header}`.
    """
    for scheme in api.security_schemes.values():
        if scheme.is_api_key and scheme.location == "query":
            yield Finding(
                pointer=join(scheme.pointer, "in"),
                message=f"API key scheme '{scheme.name}' sends the key in the query string",
                hint="use in: header with name: x-api-key",
            )


@rule("AGW803", name="no-request-validation", severity=Severity.WARNING)
def no_request_validation(api: ir.Api) -> Iterator[Finding]:
    """A method declares required parameters or a body model but validates nothing.

    What it checks: methods with required query/header parameters or a request body schema
    have a request validator (on the operation or the API default) that validates them.

    Why: without a validator API Gateway does not check `required` or the body schema: the
    declarations are documentation only and malformed requests reach (and are billed to)
    the backend.

    Example:
        post:
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
          # no x-amazon-apigateway-request-validator

    Fix: define `x-amazon-apigateway-request-validators: {all: {validateRequestBody: true,
    validateRequestParameters: true}}` and `x-amazon-apigateway-request-validator: all`.
    """
    for op in api.operations:
        needs_params = any(
            p.required and p.location in (ir.ParamLocation.QUERY, ir.ParamLocation.HEADER) for p in op.parameters
        )
        needs_body = op.request_body is not None and any(m.schema is not None for m in op.request_body.content)
        if not needs_params and not needs_body:
            continue
        name = api.effective_validator(op)
        validator = api.request_validators.get(name) if name else None
        missing = []
        if needs_params and (validator is None or not validator.validate_parameters):
            missing.append("required parameters")
        if needs_body and (validator is None or not validator.validate_body):
            missing.append("the request body")
        if missing:
            fitting = sorted(
                v.name
                for v in api.request_validators.values()
                if (v.validate_parameters or not needs_params) and (v.validate_body or not needs_body)
            )
            yield Finding(
                pointer=op.pointer,
                at_key=True,
                message=f"{op.label} does not validate {' or '.join(missing)}"
                + (f" (validator '{name}' is off for it)" if validator is not None else ""),
                hint=f"set x-amazon-apigateway-request-validator: {fitting[0]} on the operation"
                if fitting
                else "define a validator in x-amazon-apigateway-request-validators that checks them, and name it "
                "in x-amazon-apigateway-request-validator",
            )


@rule("AGW804", name="data-trace-enabled", severity=Severity.WARNING)
def data_trace_enabled(api: ir.Api) -> Iterator[Finding]:
    """A stage logs full request and response data.

    What it checks: no stage method setting has `dataTraceEnabled: true`.

    Why: data tracing writes whole request and response bodies (tokens, personal data) to
    CloudWatch Logs; AWS recommends it only for short debugging sessions.

    Example:
        methodSettings: {"*/*": {dataTraceEnabled: true}}

    Fix: `dataTraceEnabled: false`; use access logs for production.
    """
    for stage in api.stages.values():
        for ms in stage.method_settings:
            if ms.data_trace_enabled:
                yield Finding(
                    pointer=join(ms.pointer, "dataTraceEnabled"),
                    message=f"stage '{stage.name}' logs full request/response data for {ms.key}",
                    hint="turn dataTraceEnabled off outside short debugging sessions",
                )


@rule("AGW805", name="no-access-log", severity=Severity.WARNING)
def no_access_log(api: ir.Api) -> Iterator[Finding]:
    """A stage has no access log.

    What it checks: every stage in `x-apigwc.stages` has an `accessLog`.

    Why: without access logs there is no record of who called what (security reviews and
    incident response need one); execution logs are not a substitute.

    Example:
        stages: {prod: {}}

    Fix: `accessLog: {format: '{"requestId":"$context.requestId", ...}', destinationArn: ...}`.
    """
    for stage in api.stages.values():
        if stage.access_log is None:
            yield Finding(
                pointer=stage.pointer,
                at_key=True,
                message=f"stage '{stage.name}' has no access log",
                hint="add accessLog: {format: ..., destinationArn: ...}",
            )


@rule("AGW806", name="tls-verification-disabled", severity=Severity.WARNING)
def tls_verification_disabled(api: ir.Api) -> Iterator[Finding]:
    """An HTTP integration skips TLS certificate verification.

    What it checks: no integration sets `tlsConfig.insecureSkipVerification: true`.

    Why: API Gateway then accepts any certificate from the backend, so a man in the middle
    can read and change traffic.

    Example:
        tlsConfig: {insecureSkipVerification: true}

    Fix: give the backend a certificate from a trusted CA and remove the setting.
    """
    for op, integ in api.integrations():
        if integ.tls_insecure_skip_verification:
            yield Finding(
                pointer=join(integ.pointer, "tlsConfig", "insecureSkipVerification"),
                message=f"the integration of {op.label} does not verify the backend's TLS certificate",
                hint="give the backend a certificate from a trusted CA and remove insecureSkipVerification",
            )


@rule("AGW807", name="plaintext-http-backend", severity=Severity.WARNING)
def plaintext_http_backend(api: ir.Api) -> Iterator[Finding]:
    """An HTTP integration calls its backend over plain http:// across the internet.

    What it checks: HTTP and HTTP_PROXY integrations that do not go through a VPC link use
    `https://`.

    Why: the request, including headers and tokens, travels unencrypted between API
    Gateway and the backend.

    Example:
        uri: http://backend.example.com/pets

    Fix: `https://backend.example.com/pets` (or a VPC link for private backends).
    """
    for op, integ in api.integrations():
        if integ.type not in (ir.IntegrationType.HTTP, ir.IntegrationType.HTTP_PROXY):
            continue
        if integ.connection_type is ir.ConnectionType.VPC_LINK or isinstance(integ.uri, Intrinsic):
            continue
        if isinstance(integ.uri, str) and integ.uri.startswith("http://"):
            yield Finding(
                pointer=join(integ.pointer, "uri"),
                message=f"the integration of {op.label} calls its backend over plain HTTP: {integ.uri!r}",
                hint="use https:// (or a VPC link for a private backend)",
            )


@rule("AGW808", name="api-key-header-name", severity=Severity.WARNING)
def api_key_header_name(api: ir.Api) -> Iterator[Finding]:
    """An API key scheme names a header other than x-api-key.

    What it checks: plain API key header schemes use `name: x-api-key`.

    Why: with the default api-key-source HEADER, API Gateway reads the key only from
    `x-api-key`; clients following the spec and sending another header get 403 Forbidden.

    Example:
        api_key: {type: apiKey, name: X-API-TOKEN, in: header}

    Fix: `name: x-api-key`.
    """
    for scheme in api.security_schemes.values():
        if scheme.is_api_key and scheme.location == "header" and (scheme.param_name or "").lower() != "x-api-key":
            if api.api_key_source is ir.ApiKeySource.AUTHORIZER:
                continue
            yield Finding(
                pointer=join(scheme.pointer, "name"),
                message=f"API key scheme '{scheme.name}' uses header {scheme.param_name!r}; API Gateway reads API keys only from x-api-key",
                hint="name: x-api-key",
            )
