"""AGW3xx: authorizers and how operations use them."""

from __future__ import annotations

import re
from typing import Iterator

from .. import ir
from ..diagnostics import Severity
from ..intrinsics import Intrinsic
from ..source import join
from .integrations import invoke_uri_for
from .registry import Finding, rule

A = ir.AuthorizerType


def authorizer_schemes(api: ir.Api, op: ir.Operation) -> list[ir.SecurityScheme]:
    """The schemes with an x-amazon-apigateway-authorizer that an operation uses."""
    out = []
    for req in op.security or ():
        for name in req.names:
            scheme = api.security_schemes.get(name)
            if scheme is not None and scheme.authorizer is not None and scheme not in out:
                out.append(scheme)
    return out


@rule("AGW301", name="authorizer-ttl-range", severity=Severity.ERROR)
def authorizer_ttl_range(api: ir.Api) -> Iterator[Finding]:
    """authorizerResultTtlInSeconds is outside 0-3600.

    What it checks: the authorizer result cache TTL is an integer from 0 (caching off) to
    3600 seconds.

    Why: API Gateway rejects other values on import.

    Example:
        authorizerResultTtlInSeconds: 7200

    Fix: 3600 or less; 0 turns caching off.
    """
    for scheme in api.security_schemes.values():
        a = scheme.authorizer
        if a is None or a.result_ttl_raw is None:
            continue
        ttl = a.result_ttl_in_seconds
        if ttl is None or not 0 <= ttl <= 3600:
            yield Finding(
                pointer=join(a.pointer, "authorizerResultTtlInSeconds"),
                message=f"authorizerResultTtlInSeconds must be an integer from 0 to 3600, found {a.result_ttl_raw!r}",
                hint="300 is the default; 0 disables caching",
            )


@rule("AGW302", name="authorizer-scheme-type", severity=Severity.ERROR)
def authorizer_scheme_type(api: ir.Api) -> Iterator[Finding]:
    """A security scheme with an authorizer is not `type: apiKey`.

    What it checks: security schemes that carry `x-amazon-apigateway-authorizer` (and IAM
    schemes marked `x-amazon-apigateway-authtype: awsSigv4`) are `type: apiKey` with `in`
    and `name` giving the identity header.

    Why: for REST APIs "the securitySchemes type, if used, must be apiKey"; other types
    (http bearer, oauth2, openIdConnect) are not turned into authorizers.

    Example:
        bearer:
          type: http
          scheme: bearer
          x-amazon-apigateway-authorizer: {...}

    Fix: `type: apiKey, name: Authorization, in: header`.
    """
    for scheme in api.security_schemes.values():
        if (scheme.authorizer is not None or scheme.is_iam) and scheme.type != "apiKey":
            yield Finding(
                pointer=join(scheme.pointer, "type"),
                message=f"security scheme '{scheme.name}' has an API Gateway authorizer but type {scheme.type!r}; REST APIs need type apiKey",
                hint="type: apiKey, name: Authorization, in: header",
            )


@rule("AGW303", name="cognito-provider-arns", severity=Severity.ERROR)
def cognito_provider_arns(api: ir.Api) -> Iterator[Finding]:
    """A Cognito authorizer lists no user pools, or a provider ARN that is not a user pool.

    What it checks: `cognito_user_pools` authorizers have `providerARNs`, each of the form
    `arn:aws:cognito-idp:{region}:{account}:userpool/{id}` (CloudFormation intrinsics and
    `${...}` substitutions are not checked).

    Why: a Cognito authorizer without user pools cannot be created; import fails.

    Example:
        x-amazon-apigateway-authorizer:
          type: cognito_user_pools

    Fix: `providerARNs: [arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf]`.
    """
    pool = re.compile(r"^arn:[a-z-]+:cognito-idp:[a-z0-9-]+:\d{12}:userpool/[\w-]+$")
    for scheme in api.security_schemes.values():
        a = scheme.authorizer
        if a is None:
            continue
        if a.type is A.COGNITO_USER_POOLS:
            if not a.provider_arns:
                yield Finding(
                    pointer=a.pointer,
                    at_key=True,
                    message=f"Cognito authorizer '{scheme.name}' has no providerARNs",
                    hint="providerARNs: [arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID]",
                )
            for i, arn in enumerate(a.provider_arns):
                if isinstance(arn, str) and "${" not in arn and not pool.match(arn):
                    yield Finding(
                        pointer=join(a.pointer, "providerARNs", i),
                        message=f"{arn!r} is not a Cognito user pool ARN",
                        hint="arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID",
                    )


@rule("AGW304", name="scopes-without-cognito", severity=Severity.WARNING)
def scopes_without_cognito(api: ir.Api) -> Iterator[Finding]:
    """OAuth scopes are listed for a scheme that is not a Cognito authorizer.

    What it checks: non-empty scope lists in `security` only appear for
    `cognito_user_pools` schemes.

    Why: API Gateway turns scopes into `authorizationScopes`, which only Cognito
    authorizers enforce; for other schemes they are ignored.

    Example:
        security:
          - lambdaAuth: [pets:read]

    Fix: remove the scopes, or check them in the Lambda authorizer.
    """
    for op in api.operations:
        for req in op.security or ():
            for name, scopes in req.schemes:
                scheme = api.security_schemes.get(name)
                if not scopes or scheme is None:
                    continue
                if scheme.authorizer is not None and scheme.authorizer.type is A.COGNITO_USER_POOLS:
                    continue
                yield Finding(
                    pointer=join(req.pointer, name),
                    message=f"scopes {list(scopes)} on '{name}' are ignored: only Cognito user pool authorizers check scopes",
                    hint="remove the scopes, or enforce them in your authorizer",
                )


_IDENTITY = re.compile(
    r"^(method\.request\.(header|querystring)\.[A-Za-z0-9._$-]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9._$-]+)$"
)


@rule("AGW305", name="identity-source-format", severity=Severity.ERROR)
def identity_source_format(api: ir.Api) -> Iterator[Finding]:
    """An authorizer identitySource is malformed.

    What it checks: `identitySource` is a comma-separated list of
    `method.request.header.X`, `method.request.querystring.X`, `stageVariables.X` or
    `context.X`; TOKEN authorizers take exactly one header; path parameters are not
    allowed.

    Why: import fails ("Invalid identity source").

    Example:
        identitySource: method.request.path.tenant

    Fix: read the identity from a header or query string:
    `identitySource: method.request.header.Authorization`.
    """
    for scheme in api.security_schemes.values():
        a = scheme.authorizer
        if a is None or not (a.identity_source or "").strip():
            continue  # absent or empty: API Gateway derives it from the scheme's header name
        ptr = join(a.pointer, "identitySource")
        sources = [s.strip() for s in a.identity_source.split(",") if s.strip()]
        for s in sources:
            if not _IDENTITY.match(s):
                hint = (
                    "path parameters cannot be identity sources"
                    if s.startswith("method.request.path.")
                    else (
                        "use method.request.header.NAME, method.request.querystring.NAME, stageVariables.NAME or context.NAME"
                    )
                )
                yield Finding(pointer=ptr, message=f"{s!r} is not a valid identity source", hint=hint)
        if a.type is A.TOKEN and (len(sources) != 1 or not sources[0].startswith("method.request.header.")):
            yield Finding(
                pointer=ptr,
                message=f"a TOKEN authorizer takes exactly one header as identity source, found {a.identity_source!r}",
                hint="write method.request.header.NAME, or use a REQUEST authorizer for query strings or several sources",
            )


@rule("AGW306", name="lambda-authorizer-uri", severity=Severity.ERROR)
def lambda_authorizer_uri(api: ir.Api) -> Iterator[Finding]:
    """A Lambda authorizer has no authorizerUri, or one that is not a Lambda invoke URI.

    What it checks: TOKEN and REQUEST authorizers have an `authorizerUri` of the form
    `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function-arn}/invocations`.

    Why: the authorizer cannot be created; import fails.

    Example:
        type: token
        authorizerUri: arn:aws:lambda:us-east-1:123456789012:function:Auth

    Fix: wrap the function ARN in the invoke URI form above.
    """
    lam = re.compile(r"^arn:[^:]+:apigateway:[^:]+:lambda:path/2015-03-31/functions/.+/invocations$")
    for scheme in api.security_schemes.values():
        a = scheme.authorizer
        if a is None or a.type not in (A.TOKEN, A.REQUEST):
            continue
        if a.authorizer_uri is None:
            yield Finding(
                pointer=a.pointer,
                at_key=True,
                message=f"Lambda authorizer '{scheme.name}' has no authorizerUri",
                hint="authorizerUri: arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations",
            )
            continue
        text = a.authorizer_uri.referenced_text() if isinstance(a.authorizer_uri, Intrinsic) else a.authorizer_uri
        if text and not text.startswith("${") and not lam.match(re.sub(r"\$\{[^}]*\}", "x", text)):
            wrapped = invoke_uri_for(text)
            yield Finding(
                pointer=join(a.pointer, "authorizerUri"),
                message=f"authorizerUri of '{scheme.name}' is not a Lambda invoke URI: {text!r}",
                hint=f"wrap the function ARN: {wrapped}"
                if wrapped
                else "arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations",
            )


@rule("AGW307", name="multiple-authorizers", severity=Severity.ERROR)
def multiple_authorizers(api: ir.Api) -> Iterator[Finding]:
    """An operation asks for more than one authorizer (or an authorizer and IAM).

    What it checks: across all of an operation's security requirements, at most one scheme
    is a Lambda/Cognito authorizer or IAM.  API keys may be combined with any of them.

    Why: a REST API method has a single `authorizationType`/`authorizerId`; API Gateway
    keeps one and drops the rest, so the alternative you meant as "either" is not there.

    Example:
        security:
          - cognito: []
          - lambdaAuth: []

    Fix: pick one authorizer per method (a REQUEST authorizer can accept several token kinds).
    """
    for op in api.operations:
        kinds: list[str] = []
        for req in op.security or ():
            for name in req.names:
                scheme = api.security_schemes.get(name)
                if scheme is None:
                    continue
                if scheme.authorizer is not None or scheme.is_iam:
                    if name not in kinds:
                        kinds.append(name)
        if len(kinds) > 1:
            yield Finding(
                pointer=join(op.pointer, "security"),
                message=f"{op.label} uses several authorizers ({', '.join(kinds)}); a REST API method can have only one",
                hint="keep one authorizer per method; API keys may be added to it",
            )


@rule("AGW308", name="api-key-source-without-authorizer", severity=Severity.WARNING)
def api_key_source_without_authorizer(api: ir.Api) -> Iterator[Finding]:
    """API keys come from the authorizer, but no method has a Lambda authorizer.

    What it checks: with `x-amazon-apigateway-api-key-source: AUTHORIZER`, every method that
    requires an API key also uses a Lambda authorizer.

    Why: the key is taken from the authorizer's `usageIdentifierKey`; without an authorizer
    there is no key and every call gets 403 Forbidden.

    Example:
        x-amazon-apigateway-api-key-source: AUTHORIZER
        # methods use only api_key

    Fix: add a Lambda authorizer that returns usageIdentifierKey, or use HEADER.
    """
    from .security import requires_api_key

    if api.api_key_source is not ir.ApiKeySource.AUTHORIZER:
        return
    for op in api.operations:
        if requires_api_key(api, op) and not any(
            s.authorizer.type in (A.TOKEN, A.REQUEST) for s in authorizer_schemes(api, op) if s.authorizer
        ):
            yield Finding(
                pointer=op.pointer,
                at_key=True,
                message=f"{op.label} requires an API key from the authorizer (api-key-source AUTHORIZER) but has no Lambda authorizer",
                hint="add a Lambda authorizer returning usageIdentifierKey, or set x-amazon-apigateway-api-key-source: HEADER",
            )


@rule("AGW309", name="auth-type-conflict", severity=Severity.WARNING)
def auth_type_conflict(api: ir.Api) -> Iterator[Finding]:
    """x-amazon-apigateway-auth contradicts the operation's security.

    What it checks: an operation with `x-amazon-apigateway-auth: {type: AWS_IAM}` or
    `{type: NONE}` does not also list an authorizer in `security`, and one with `{type: NONE}`
    does not list an IAM (`x-amazon-apigateway-authtype: awsSigv4`) scheme either.

    Why: a method has one authorization type; one of the two settings is dropped on import.

    Example:
        security: [{lambdaAuth: []}]
        x-amazon-apigateway-auth: {type: NONE}

    Fix: keep one of them.
    """
    for op in api.operations:
        if op.auth_type_raw is None:
            continue
        conflicts = [(s.name, "authorizer") for s in authorizer_schemes(api, op)]
        if op.auth_type_raw.upper() == "NONE":
            for req in op.security or ():
                for name in req.names:
                    scheme = api.security_schemes.get(name)
                    if scheme is not None and scheme.is_iam and (name, "IAM scheme") not in conflicts:
                        conflicts.append((name, "IAM scheme"))
        if conflicts:
            name, kind = conflicts[0]
            yield Finding(
                pointer=join(op.pointer, "x-amazon-apigateway-auth"),
                at_key=True,
                message=f"{op.label} sets x-amazon-apigateway-auth {op.auth_type_raw} but its security also uses {kind} '{name}'",
                hint="a method has one authorization type: remove x-amazon-apigateway-auth or the security entry",
            )


@rule("AGW310", name="identity-validation-on-request-authorizer", severity=Severity.WARNING)
def identity_validation_on_request_authorizer(api: ir.Api) -> Iterator[Finding]:
    """identityValidationExpression on an authorizer that is not TOKEN.

    What it checks: `identityValidationExpression` only appears on TOKEN authorizers, and
    compiles as a Java regex.

    Why: API Gateway applies the expression to TOKEN authorizers only; elsewhere it is
    ignored and requests you meant to reject reach your Lambda.

    Example:
        type: request
        identityValidationExpression: "^Bearer .+$"

    Fix: remove it, or validate in the Lambda.
    """
    from ..java_regex import check

    for scheme in api.security_schemes.values():
        a = scheme.authorizer
        if a is None or a.identity_validation_expression is None or a.type is None:
            continue  # an unknown type is reported by AGW012
        ptr = join(a.pointer, "identityValidationExpression")
        if a.type is not A.TOKEN:
            yield Finding(
                pointer=ptr,
                at_key=True,
                message=f"identityValidationExpression is ignored on a {a.type_raw} authorizer ('{scheme.name}'); only TOKEN authorizers use it",
                hint="remove it and validate the identity in the Lambda, or use a TOKEN authorizer",
            )
        elif (err := check(a.identity_validation_expression)) is not None:
            yield Finding(
                pointer=ptr,
                message=f"identityValidationExpression {a.identity_validation_expression!r} of '{scheme.name}' is not a valid Java regex: {err}",
                hint="e.g. ^Bearer [-0-9A-Za-z._~+/]+=*$",
            )
