"""The authorization step of the local gateway: Lambda (TOKEN, REQUEST) and Cognito user pool authorizers.

`Authorizers` is a `Guard` (apigwc.runtime.authorization), one per `Deployment`
(it holds the authorizer cache).  Per method (reference §1.5):

* ``NONE`` passes; ``AWS_IAM`` passes with a log line saying SigV4 is not checked.
* ``CUSTOM`` TOKEN: the identity source header must be present, not blank and match
  ``identityValidationExpression`` (the whole token, a Java regex), else 401 without
  calling the function [Doc].  REQUEST: with caching on, every identity source must be
  present and not empty, else 401 [Doc].  The function's answer is an IAM policy
  evaluated against the method ARN: an explicit Deny is 403 ``{"Message": "... with an
  explicit deny"}``, no matching Allow 403 ``{"Message": "User is not authorized to
  access this resource"}``; ``Unauthorized`` is 401; any other error, a malformed
  answer or a timeout is 500 AUTHORIZER_CONFIGURATION_ERROR [Doc+Obs].
* Results are cached for ``authorizerResultTtlInSeconds`` keyed on the token or the
  identity-source values; the cached **policy** is evaluated again for each method, so
  a policy that allowed only the first method ARN denies the others, as on AWS [Doc/Obs].
* ``COGNITO_USER_POOLS``: the JWT is verified offline (RS256) against the JWKS file
  configured for the user pool in ``x-apigwc.local.jwks``; ``exp``, ``iss`` and
  ``token_use`` are checked, and with method scopes an access token carrying one of
  them is required [Doc].  Failures are 401.

On success ``$context.authorizer`` holds ``principalId`` and the (stringified) context
values, or ``claims`` for Cognito; a Lambda authorizer's ``usageIdentifierKey`` becomes
``$context.identity.apiKey`` (read by the API key guard when apiKeySource is
AUTHORIZER).
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from .. import gateway as gw
from ..bounded_regex import RegexTimeout, matches
from ..intrinsics import Intrinsic, fill_variables
from ..java_regex import JavaRegexError
from ..runtime.context import LOCAL_AWS_VARIABLES, LOCAL_PARTITION, LOCAL_REGION
from ..runtime.errors import GatewayError, ResponseType
from ..runtime.http import normalized_path
from ..runtime.log import Step
from ..runtime.parameters import evaluate
from ..value_text import authorizer_text, claim_text
from . import jwt
from .lambda_backend import no_handler, proxy_event
from .lambdas import Handlers, intrinsic_names

if TYPE_CHECKING:
    from ..runtime.exchange import Exchange

#: The bodies of the two policy denials (capital M) [Obs].
EXPLICIT_DENY = "User is not authorized to access this resource with an explicit deny"
IMPLICIT_DENY = "User is not authorized to access this resource"
DENY_TEMPLATE = '{"Message":$context.error.messageString}'
AUTHORIZER_ERROR = "Execution failed due to configuration error: Authorizer error"
#: At most this many cached authorizer results per deployment (the oldest go first) [Inf].
CACHE_LIMIT = 10_000
DEFAULT_COGNITO_SOURCE = "method.request.header.Authorization"
_USER_POOL = re.compile(r"^arn:[^:]+:cognito-idp:(?P<region>[^:]+):[^:]*:userpool/(?P<pool>[^/]+)$")
_COGNITO_ISSUER = re.compile(r"^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/[^/]+$")


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of an authorizer's policy."""

    effect: str  # "Allow" | "Deny"
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_actions: bool = False
    not_resources: bool = False

    def applies(self, method_arn: str) -> bool:
        action = any(_wildcard(a, "execute-api:Invoke", True) for a in self.actions) != self.not_actions
        resource = any(_wildcard(r, method_arn, False) for r in self.resources) != self.not_resources
        return action and resource


@dataclass(frozen=True, slots=True)
class Decision:
    """A Lambda authorizer's answer, parsed: what the cache keeps."""

    principal_id: str
    statements: tuple[Statement, ...]
    #: ``context`` values as ``$context.authorizer.<key>`` shows them (strings)
    context: Mapping[str, str | None]
    usage_identifier_key: str | None = None

    def evaluate(self, method_arn: str) -> str | None:
        """None when the policy allows ``method_arn``, else the denial message."""
        applicable = [s for s in self.statements if s.applies(method_arn)]
        if any(s.effect == "Deny" for s in applicable):
            return EXPLICIT_DENY
        if any(s.effect == "Allow" for s in applicable):
            return None
        return IMPLICIT_DENY


@dataclass(frozen=True, slots=True)
class _Pool:
    provider: str  # as written (for messages)
    issuer: str | None  # None: the ARN is an intrinsic, any Cognito issuer
    jwks: jwt.JwksFile | None


def method_arn(ex: "Exchange") -> str:
    """``arn:aws:execute-api:{region}:{account}:{api}/{stage}/{VERB}/{path}`` of the request.

    The path is the called path without the stage and the leading slash (``pets/1`` for
    ``/pets/{id}``) [Obs: authorizer events carry the called path], in the router's
    normalized form (`normalized_path`: ``/admin/``, ``/admin//`` and ``/%61dmin`` are
    ``admin``), so a policy judges the resource the request is routed to [Inf].  The verb
    is the one the router used (``X-HTTP-Method-Override`` applied, upper-cased).
    """
    c = ex.context
    path = normalized_path(ex.request.path).lstrip("/")
    return f"arn:{LOCAL_PARTITION}:execute-api:{LOCAL_REGION}:{c.get('accountId')}:{c.get('apiId')}/{c.get('stage')}/{ex.verb}/{path}"


class Authorizers:
    """The authorizers of one deployment: runs them for each method and caches their results."""

    __slots__ = ("gateway", "handlers", "_jwks", "_cache")

    def __init__(self, gateway: gw.Gateway, handlers: Handlers, *, jwks: Mapping[str, Path] | None = None) -> None:
        self.gateway = gateway
        self.handlers = handlers
        #: user pool ARN (or ``*``, or a CloudFormation logical id) -> JWKS file
        self._jwks = {key: jwt.JwksFile(Path(path)) for key, path in (jwks or {}).items()}
        #: (authorizer name, identity key) -> (expires at, decision)
        self._cache: dict[tuple[str, tuple], tuple[float, Decision]] = {}

    async def check(self, ex: "Exchange", method: gw.Method) -> GatewayError | None:
        """None when the method's authorization lets the request through, else the error to answer."""
        kind = method.authorization_type
        if kind is gw.AuthorizationType.NONE:
            ex.note(Step.AUTHORIZATION, "Authorization: NONE")
            return None
        if kind is gw.AuthorizationType.AWS_IAM:
            ex.note(
                Step.AUTHORIZATION,
                "AWS_IAM authorization is not emulated by apigwc serve: the request is not checked for a SigV4 signature",
            )
            return None
        authorizer = self.gateway.authorizer(method.authorizer)
        if authorizer is None:
            return GatewayError(
                type=ResponseType.AUTHORIZER_CONFIGURATION_ERROR,
                log=f"Execution failed due to configuration error: the method {method.label} names the authorizer {method.authorizer!r}, which the API does not define",
            )
        ex.note(
            Step.AUTHORIZATION,
            f"Starting authorizer: {authorizer.id} ({authorizer.name}, {authorizer.type.value}) for request: {ex.ids.request_id}",
        )
        if authorizer.type is gw.AuthorizerType.COGNITO_USER_POOLS:
            return self._cognito(ex, method, authorizer)
        return await self._lambda(ex, authorizer)

    # -- Lambda authorizers ---------------------------------------------------------------------

    async def _lambda(self, ex: "Exchange", authorizer: gw.Authorizer) -> GatewayError | None:
        token_type = authorizer.type is gw.AuthorizerType.TOKEN
        sources = _identity_sources(authorizer.identity_source)
        ttl = authorizer.result_ttl_in_seconds
        arn = method_arn(ex)
        key: tuple | None
        if token_type:
            if len(sources) != 1 or not sources[0].startswith("method.request.header."):
                return GatewayError(
                    type=ResponseType.AUTHORIZER_CONFIGURATION_ERROR,
                    log=f"Execution failed due to configuration error: the TOKEN authorizer {authorizer.name} needs one identity source method.request.header.X (it has {authorizer.identity_source!r})",
                )
            values = evaluate(sources[0], ex)
            token = values[-1] if values else None
            if token is None or not token.strip():
                ex.note(
                    Step.AUTHORIZATION,
                    f"The identity source {sources[0]} is missing or empty: 401 without calling the authorizer",
                )
                return _unauthorized(ex)
            ex.note(Step.AUTHORIZATION, f"Incoming identity: {_masked(token)}")
            expression = authorizer.identity_validation_expression
            if expression:
                try:
                    # the client's token: matched in a worker thread, within a time bound
                    valid = await asyncio.to_thread(matches, expression, token)
                except RegexTimeout as exc:
                    ex.note(
                        Step.AUTHORIZATION, f"identityValidationExpression {expression}: {exc}; the token is refused"
                    )
                    valid = False
                except (JavaRegexError, re.error) as exc:
                    return GatewayError(
                        type=ResponseType.AUTHORIZER_CONFIGURATION_ERROR,
                        log=f"Execution failed due to configuration error: identityValidationExpression {expression} is not a valid regex ({exc})",
                    )
                if not valid:
                    ex.note(
                        Step.AUTHORIZATION,
                        f"The token does not match the identityValidationExpression {expression}: 401 without calling the authorizer",
                    )
                    return _unauthorized(ex)
            key = (token,)
            event: dict[str, Any] = {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}
        else:
            found: list[tuple[str, ...]] = []
            for source in sources:
                values = evaluate(source, ex)
                if ttl > 0 and (not values or not values[-1]):
                    ex.note(
                        Step.AUTHORIZATION,
                        f"The identity source {source} is missing or empty (caching is on): 401 without calling the authorizer",
                    )
                    return _unauthorized(ex)
                found.append(tuple(values or ()))
            key = tuple(found) if sources else None
            if ttl > 0 and key is None:
                ex.note(
                    Step.AUTHORIZATION,
                    f"The REQUEST authorizer {authorizer.name} has no identity sources: its result is not cached",
                )
            base = proxy_event(ex, with_body=False, as_integration=False)
            event = {"type": "REQUEST", "methodArn": arn, **base}
        cache_key = (authorizer.name, key) if key is not None else None
        now = ex.view.clock()
        decision: Decision | None = None
        if ttl > 0 and cache_key is not None:
            cached = self._cache.get(cache_key)
            if cached is not None and cached[0] > now:
                decision = cached[1]
                ex.note(
                    Step.AUTHORIZATION,
                    f"Authorizer result from the cache (TTL {ttl} s, {cached[0] - now:.0f} s left): the cached policy is evaluated for {arn}",
                )
            elif cached is not None:
                del self._cache[cache_key]
        if decision is None:
            outcome = await self._invoke(ex, authorizer, event)
            if isinstance(outcome, GatewayError):
                return outcome
            decision = outcome
            if ttl > 0 and cache_key is not None:
                self._store(cache_key, now, now + ttl, decision)
        denied = decision.evaluate(arn)
        if denied is not None:
            ex.note(
                Step.AUTHORIZATION,
                f"The authorizer's policy for principal {decision.principal_id} {'denies' if denied == EXPLICIT_DENY else 'does not allow'} {arn}",
            )
            return GatewayError(
                type=ResponseType.ACCESS_DENIED,
                message=denied,
                default_template=DENY_TEMPLATE,
                log=f"User is not authorized to access this resource: {arn}",
            )
        ex.context["authorizer"] = {"principalId": decision.principal_id, **decision.context}
        if decision.usage_identifier_key is not None:
            ex.context["identity"]["apiKey"] = decision.usage_identifier_key
        ex.note(Step.AUTHORIZATION, f"Using valid authorizer policy for principal: {decision.principal_id}")
        ex.note(Step.AUTHORIZATION, "Successfully completed authorizer execution")
        return None

    async def _invoke(
        self, ex: "Exchange", authorizer: gw.Authorizer, event: dict[str, Any]
    ) -> Decision | GatewayError:
        handlers = self.handlers
        fn = authorizer.lambda_function
        variables = ex.stage_variables
        name = handlers.resolve(fn, variables)
        if name is None:
            return no_handler(handlers, fn, variables, kind=ResponseType.AUTHORIZER_CONFIGURATION_ERROR)
        context = handlers.context(name, qualifier=handlers.qualifier(fn, variables))
        if ex.view.data_trace:
            ex.note(Step.AUTHORIZATION, f"Authorizer request body: {json.dumps(event, separators=(',', ':'))}")
        invocation = await handlers.invoke(name, event, context=context)
        for line in invocation.log:
            ex.note(Step.AUTHORIZATION, line)
        ex.note(Step.AUTHORIZATION, f"Authorizer latency: {invocation.latency_ms:.0f} ms")
        if invocation.error is not None:
            if invocation.error.get("errorMessage") == "Unauthorized":
                ex.note(Step.AUTHORIZATION, "The authorizer answered Unauthorized")
                return _unauthorized(ex)
            return GatewayError(type=ResponseType.AUTHORIZER_CONFIGURATION_ERROR, log=AUTHORIZER_ERROR)
        if ex.view.data_trace:
            ex.note(
                Step.AUTHORIZATION,
                f"Authorizer result body before parsing: {json.dumps(invocation.result, separators=(',', ':'))}",
            )
        parsed = parse_authorizer_output(invocation.result)
        if isinstance(parsed, str):
            ex.note(Step.AUTHORIZATION, f"Invalid authorizer response: {parsed}")
            return GatewayError(type=ResponseType.AUTHORIZER_CONFIGURATION_ERROR, log=AUTHORIZER_ERROR)
        return parsed

    def _store(self, key: tuple[str, tuple], now: float, expires: float, decision: Decision) -> None:
        cache = self._cache
        if len(cache) >= CACHE_LIMIT:
            for k in [k for k, (t, _) in cache.items() if t <= now]:
                del cache[k]
            while len(cache) >= CACHE_LIMIT:
                del cache[next(iter(cache))]
        cache[key] = (expires, decision)

    # -- Cognito user pools ---------------------------------------------------------------------

    def _cognito(self, ex: "Exchange", method: gw.Method, authorizer: gw.Authorizer) -> GatewayError | None:
        source = (_identity_sources(authorizer.identity_source) or [DEFAULT_COGNITO_SOURCE])[0]
        values = evaluate(source, ex)
        token = values[-1].strip() if values else ""
        if not token:
            ex.note(Step.AUTHORIZATION, f"The identity source {source} is missing or empty")
            return _unauthorized(ex)
        pools = [self._pool(p) for p in authorizer.provider_arns]
        if not any(p.jwks is not None for p in pools):
            providers = ", ".join(p.provider for p in pools) or "(none)"
            return GatewayError(
                type=ResponseType.AUTHORIZER_CONFIGURATION_ERROR,
                log=(
                    f"Execution failed due to configuration error: no JWKS is configured for the user pool(s) of the Cognito authorizer {authorizer.name} ({providers}); "
                    "add x-apigwc.local.jwks: {<user pool ARN or *>: <JWKS file>} to verify its tokens offline"
                ),
            )
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
            ex.note(Step.AUTHORIZATION, "The Authorization value starts with 'Bearer ': the prefix is ignored")
        try:
            issuer = jwt.decode(token).claims.get("iss")
        except jwt.JwtError as exc:
            ex.note(Step.AUTHORIZATION, f"Invalid Cognito token: {exc}")
            return _unauthorized(ex)
        pool = next((p for p in pools if p.issuer is not None and p.issuer == issuer), None)
        if pool is None and isinstance(issuer, str) and _COGNITO_ISSUER.match(issuer):
            pool = next((p for p in pools if p.issuer is None), None)
        if pool is None:
            expected = ", ".join(p.issuer or f"(any, for {p.provider})" for p in pools)
            ex.note(
                Step.AUTHORIZATION,
                f"Invalid Cognito token: iss {issuer!r} is not the issuer of the authorizer's user pool(s): {expected}",
            )
            return _unauthorized(ex)
        if pool.jwks is None:
            return GatewayError(
                type=ResponseType.AUTHORIZER_CONFIGURATION_ERROR,
                log=f"Execution failed due to configuration error: no JWKS is configured for the user pool {pool.provider}; add it to x-apigwc.local.jwks",
            )
        try:
            keys = pool.jwks.keys()
        except jwt.JwksError as exc:
            return GatewayError(
                type=ResponseType.AUTHORIZER_CONFIGURATION_ERROR,
                log=f"Execution failed due to configuration error: the JWKS for {pool.provider}: {exc}",
            )
        try:
            claims = jwt.verify(token, keys, now=ex.view.clock(), issuer=issuer)
        except jwt.JwtError as exc:
            ex.note(Step.AUTHORIZATION, f"Invalid Cognito token: {exc}")
            return _unauthorized(ex)
        use = claims.get("token_use")
        if use not in ("id", "access"):
            ex.note(Step.AUTHORIZATION, f"Invalid Cognito token: token_use {use!r} is neither id nor access")
            return _unauthorized(ex)
        scopes = method.authorization_scopes
        if scopes:
            granted = set(claims.get("scope").split()) if isinstance(claims.get("scope"), str) else set()
            if use != "access" or not granted & set(scopes):
                ex.note(
                    Step.AUTHORIZATION,
                    f"The method requires an access token with one of the scopes {', '.join(scopes)}; the token is an {use} token with scopes: {', '.join(sorted(granted)) or '(none)'}",
                )
                return _unauthorized(ex)
        ex.context["authorizer"] = {"claims": {k: claim_text(k, v) for k, v in claims.items()}}
        ex.note(
            Step.AUTHORIZATION,
            f"Cognito user pool token accepted: {use} token of {claims.get('sub') or claims.get('username') or '?'}",
        )
        return None

    def _pool(self, provider: Any) -> _Pool:
        if isinstance(provider, Intrinsic):
            files = [self._jwks[n] for n in intrinsic_names(provider) if n in self._jwks]
            return _Pool(str(provider), None, files[0] if files else self._jwks.get("*"))
        text = fill_variables(provider, aws=LOCAL_AWS_VARIABLES).text
        m = _USER_POOL.match(text)
        issuer = f"https://cognito-idp.{m.group('region')}.amazonaws.com/{m.group('pool')}" if m else None
        jwks = self._jwks.get(provider) or self._jwks.get(text) or self._jwks.get("*")
        return _Pool(provider, issuer, jwks)


# ----------------------------------------------------------------------------------------
# Authorizer output


def parse_authorizer_output(result: Any) -> Decision | str:
    """A Lambda authorizer's answer as a `Decision`, or why it is malformed.

    Required: ``principalId`` (a string; a number is accepted as text [Inf]) and
    ``policyDocument`` with ``Statement`` (a list or one object) [Doc].  Each statement
    needs ``Effect`` Allow or Deny, ``Action``/``NotAction`` and ``Resource``/``NotResource``
    (a string or a list).  ``context`` values must be strings, numbers or booleans
    (objects and arrays are refused [Doc]); they are stringified [Doc].
    """
    if not isinstance(result, dict):
        return "the answer is not a JSON object"
    principal = result.get("principalId")
    if isinstance(principal, (int, float)) and not isinstance(principal, bool):
        principal = authorizer_text(principal)
    if not isinstance(principal, str):
        return "principalId is missing or not a string"
    policy = result.get("policyDocument")
    if not isinstance(policy, dict):
        return "policyDocument is missing or not an object"
    raw = policy.get("Statement")
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        return "policyDocument.Statement is missing or not a list"
    statements: list[Statement] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            return f"Statement[{i}] is not an object"
        effect = item.get("Effect")
        if effect not in ("Allow", "Deny"):
            return f"Statement[{i}].Effect is {effect!r}, not Allow or Deny"
        actions, not_actions = _strings(item, "Action", "NotAction")
        resources, not_resources = _strings(item, "Resource", "NotResource")
        if actions is None:
            return f"Statement[{i}] has no Action (a string or a list of strings)"
        if resources is None:
            return f"Statement[{i}] has no Resource (a string or a list of strings)"
        statements.append(Statement(effect, actions, resources, not_actions, not_resources))
    context_in = result.get("context")
    context: dict[str, str | None] = {}
    if context_in is not None:
        if not isinstance(context_in, dict):
            return "context is not an object"
        for key, value in context_in.items():
            if isinstance(value, (dict, list)):
                return f"context.{key} is an {'object' if isinstance(value, dict) else 'array'}: only strings, numbers and booleans are allowed"
            context[key] = None if value is None else authorizer_text(value)
    usage = result.get("usageIdentifierKey")
    return Decision(principal, tuple(statements), context, usage if isinstance(usage, str) else None)


def _strings(item: Mapping[str, Any], key: str, negated: str) -> tuple[tuple[str, ...] | None, bool]:
    value, negative = (item[key], False) if key in item else (item.get(negated), True)
    if isinstance(value, str):
        return (value,), negative
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value), negative
    return None, False


@functools.lru_cache(maxsize=1024)
def _pattern(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.S | (re.I if ignore_case else 0))


def _wildcard(pattern: str, text: str, ignore_case: bool) -> bool:
    """IAM matching: ``*`` any run of characters (``/`` included), ``?`` one character [Doc]."""
    return _pattern(pattern, ignore_case).fullmatch(text) is not None


def _identity_sources(text: str | None) -> list[str]:
    return [s.strip() for s in (text or "").split(",") if s.strip()]


def _masked(token: str) -> str:
    return "*" * 3 + token[-4:] if len(token) > 8 else "***"


def _unauthorized(ex: "Exchange") -> GatewayError:
    return GatewayError(type=ResponseType.UNAUTHORIZED, log=f"Unauthorized request: {ex.ids.request_id}")
