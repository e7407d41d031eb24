"""Lambda (TOKEN, REQUEST) and Cognito user pool authorizers, through the whole pipeline.

The Lambda authorizers are real handlers (tests/local/handlers/authorizer_cases.py);
the Cognito tokens are signed in the test with a fresh RSA key (the ``cryptography``
package, a test-only dependency) and verified by apigwc.local.jwt, which has none.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from handlers import authorizer_cases

from apigwc import gateway as gw
from apigwc.local import jwt
from apigwc.local.authorizers import Authorizers, parse_authorizer_output
from apigwc.local.lambda_backend import LambdaBackend
from apigwc.local.lambdas import Handlers
from apigwc.runtime import Deployment, Request, execute, offline_backends
from apigwc.runtime.context import api_id
from apigwc.value_text import claim_text
from runtime_helpers import HEAD, IDS, NOW, SERVICE_HEADERS, compile_spec

HERE = Path(__file__).resolve().parent
SPECS = HERE.parents[1] / "specs"
AUTH_URI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{}/invocations"


def mock(path: str, security: str, verb: str = "get") -> str:
    """A MOCK method that answers what the authorizer put in $context."""
    return f"""
  {path}:
    {verb}:
      security: {security}
      responses: {{"200": {{description: ok}}}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {{application/json: '{{"statusCode": 200}}'}}
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: 'principal=$context.authorizer.principalId plan=$context.authorizer.plan count=$context.authorizer.count ratio=$context.authorizer.ratio admin=$context.authorizer.admin key=$context.identity.apiKey email=$context.authorizer.claims.email'
"""


def schemes(
    ttl: int = 300,
    expression: str | None = None,
    request_sources: str = "method.request.header.X-Token, method.request.querystring.q",
) -> str:
    validation = f"        identityValidationExpression: '{expression}'\n" if expression else ""
    return f"""
components:
  securitySchemes:
    tok:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: {AUTH_URI.format("TokenAuth")}
        authorizerResultTtlInSeconds: {ttl}
{validation}    req:
      type: apiKey
      name: Unused
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: request
        authorizerUri: {AUTH_URI.format("RequestAuth")}
        identitySource: '{request_sources}'
        authorizerResultTtlInSeconds: {ttl}
    pool:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: cognito_user_pools
      x-amazon-apigateway-authorizer:
        type: cognito_user_pools
        providerARNs: ['{POOL_ARN}']
    orphan:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: {AUTH_URI.format("Nobody")}
    iam:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: awsSigv4
x-apigwc:
  local:
    pythonPath: ['{HERE}']
    lambdas:
      TokenAuth: handlers.authorizer_cases:token
      RequestAuth: handlers.authorizer_cases:request
      Echo: handlers.lambda_cases:echo
      Sleepy: handlers.authorizer_cases:token
"""


POOL_ID = "us-east-1_TestPool1"
POOL_ARN = f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{POOL_ID}"
ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def deploy(
    tmp_path: Path, paths: str, components: str, *, jwks=None, clock=None, timeout: float | None = None
) -> Deployment:
    text = HEAD + "paths:" + paths + components
    gateway = compile_spec(tmp_path / "spec.yaml", text)
    local = gateway.local
    if timeout is not None:
        local = gw.LocalSettings(
            lambdas=local.lambdas,
            jwks=local.jwks,
            endpoints=local.endpoints,
            python_path=local.python_path,
            lambda_timeout_seconds=timeout,
            functions={},
        )
    handlers = Handlers.create(local, tmp_path)
    backend = LambdaBackend(handlers)
    deployment = Deployment.create(
        gateway,
        None,
        backends={**offline_backends(), gw.IntegrationType.AWS_PROXY: backend, gw.IntegrationType.AWS: backend},
        guards=[Authorizers(gateway, handlers, jwks=jwks)],
        ids=lambda now: IDS,
        clock=clock or (lambda: NOW),
    )
    assert not isinstance(deployment, str), deployment
    return deployment


def run(deployment: Deployment, method: str, target: str, headers=(), body: bytes = b""):
    return asyncio.run(execute(deployment, Request.build(method, target, list(headers), body)))


def log(execution) -> list[str]:
    return [e.message for e in execution.log]


def arn(deployment: Deployment, rest: str) -> str:
    return f"arn:aws:execute-api:us-east-1:123456789012:{api_id(deployment.gateway)}/local/{rest}"


@pytest.fixture
def token_api(tmp_path: Path) -> Deployment:
    paths = mock("/a", "[{tok: []}]") + mock("/b", "[{tok: []}]") + mock("/b/{id}", "[{tok: []}]", "post")
    return deploy(tmp_path, paths, schemes(ttl=0))


# ----------------------------------------------------------------------------------------
# TOKEN


def test_token_allow_fills_context_authorizer(token_api: Deployment) -> None:
    before = len(authorizer_cases.EVENTS)
    execution = run(token_api, "GET", "/a", [("Authorization", "allow")])
    assert execution.response.status == 200
    assert execution.response.body == b"principal=user-1 plan=gold count=3 ratio=1.5 admin=true key= email="
    assert authorizer_cases.EVENTS[before:] == [
        {"type": "TOKEN", "authorizationToken": "allow", "methodArn": arn(token_api, "GET/a")}
    ]
    messages = log(execution)
    assert "Using valid authorizer policy for principal: user-1" in messages
    assert "Successfully completed authorizer execution" in messages


def test_the_method_arn_has_the_request_path(token_api: Deployment) -> None:
    run(token_api, "POST", "/b/42", [("Authorization", "allow")])
    assert authorizer_cases.EVENTS[-1]["methodArn"] == arn(token_api, "POST/b/42")


@pytest.mark.parametrize("token", ["allow-all", "allow-list", "allow-get", "allow-one-char", "statement-object", "key"])
def test_policies_that_allow(token_api: Deployment, token: str) -> None:
    assert run(token_api, "GET", "/a", [("Authorization", token)]).response.status == 200


def test_usage_identifier_key_becomes_the_api_key(token_api: Deployment) -> None:
    execution = run(token_api, "GET", "/a", [("Authorization", "key")])
    assert execution.response.body.endswith(b"key=key-from-authorizer email=")


@pytest.mark.parametrize(
    "token, body",
    [
        ("deny", b'{"Message":"User is not authorized to access this resource with an explicit deny"}'),
        ("deny-and-allow", b'{"Message":"User is not authorized to access this resource with an explicit deny"}'),
        ("other-resource", b'{"Message":"User is not authorized to access this resource"}'),
        ("other-action", b'{"Message":"User is not authorized to access this resource"}'),
    ],
)
def test_policies_that_deny(token_api: Deployment, token: str, body: bytes) -> None:
    execution = run(token_api, "GET", "/a", [("Authorization", token)])
    assert execution.response.status == 403
    assert execution.response.body == body
    assert list(execution.response.headers) == [
        ("Content-Type", "application/json"),
        ("x-amzn-RequestId", IDS.request_id),
        ("x-amzn-ErrorType", "AccessDeniedException"),
        *SERVICE_HEADERS[1:],
    ]


def test_allow_for_get_does_not_allow_post(token_api: Deployment) -> None:
    assert run(token_api, "POST", "/b/1", [("Authorization", "allow-get")]).response.status == 403


@pytest.mark.parametrize("headers", [[], [("Authorization", "")], [("Authorization", "   ")]])
def test_a_missing_token_is_401_without_calling(token_api: Deployment, headers) -> None:
    before = len(authorizer_cases.EVENTS)
    execution = run(token_api, "GET", "/a", headers)
    assert (execution.response.status, execution.response.body) == (401, b'{"message":"Unauthorized"}')
    assert execution.response.headers.get("x-amzn-ErrorType") == "UnauthorizedException"
    assert len(authorizer_cases.EVENTS) == before
    assert (
        "The identity source method.request.header.Authorization is missing or empty: 401 without calling the authorizer"
        in log(execution)
    )


def test_the_validation_expression_must_match_the_whole_token(tmp_path: Path) -> None:
    deployment = deploy(tmp_path, mock("/a", "[{tok: []}]"), schemes(ttl=0, expression="^Bearer [a-z-]+$"))
    before = len(authorizer_cases.EVENTS)
    for token in ("allow", "Bearer allow!", "xBearer allow"):
        assert run(deployment, "GET", "/a", [("Authorization", token)]).response.status == 401
    assert len(authorizer_cases.EVENTS) == before
    assert run(deployment, "GET", "/a", [("Authorization", "Bearer allow")]).response.status == 200


def test_a_catastrophic_validation_expression_refuses_the_token_in_bounded_time(tmp_path: Path) -> None:
    """The client's token against ``(a|aa)+c``: 401 within the regex budget, the authorizer not called."""
    deployment = deploy(tmp_path, mock("/a", "[{tok: []}]"), schemes(ttl=0, expression="(a|aa)+c"))
    before = len(authorizer_cases.EVENTS)
    started = time.perf_counter()
    execution = run(deployment, "GET", "/a", [("Authorization", "a" * 40)])
    assert execution.response.status == 401
    assert time.perf_counter() - started < 10  # DEFAULT_SECONDS is 1; the machine is shared
    assert any(
        "identityValidationExpression (a|aa)+c: the regular expression '(a|aa)+c' ran longer than" in line
        for line in log(execution)
    )
    assert len(authorizer_cases.EVENTS) == before
    run(deployment, "GET", "/a", [("Authorization", "aac")])  # matches: the authorizer is called
    assert len(authorizer_cases.EVENTS) == before + 1


@pytest.mark.parametrize(
    "token, status, body, error_type",
    [
        ("unauthorized", 401, b'{"message":"Unauthorized"}', "UnauthorizedException"),
        ("boom", 500, b'{"message":null}', "AuthorizerConfigurationException"),
        ("no-principal", 500, b'{"message":null}', "AuthorizerConfigurationException"),
        ("no-policy", 500, b'{"message":null}', "AuthorizerConfigurationException"),
        ("context-object", 500, b'{"message":null}', "AuthorizerConfigurationException"),
        ("context-array", 500, b'{"message":null}', "AuthorizerConfigurationException"),
        ("bad-effect", 500, b'{"message":null}', "AuthorizerConfigurationException"),
        # a returned string is a malformed answer, not an error [Inf]
        ("returns-unauthorized", 500, b'{"message":null}', "AuthorizerConfigurationException"),
    ],
)
def test_authorizer_failures(token_api: Deployment, token: str, status: int, body: bytes, error_type: str) -> None:
    execution = run(token_api, "GET", "/a", [("Authorization", token)])
    assert (execution.response.status, execution.response.body) == (status, body)
    assert execution.response.headers.get("x-amzn-ErrorType") == error_type
    if status == 500:
        assert "Execution failed due to configuration error: Authorizer error" in log(execution)


def test_an_authorizer_past_its_limit_is_500(tmp_path: Path) -> None:
    deployment = deploy(tmp_path, mock("/a", "[{tok: []}]"), schemes(ttl=0), timeout=0.2)
    execution = run(deployment, "GET", "/a", [("Authorization", "slow")])
    assert (execution.response.status, execution.response.body) == (500, b'{"message":null}')
    assert any("Task timed out after 0.20 seconds" in m for m in log(execution))


def test_an_authorizer_without_a_handler(tmp_path: Path) -> None:
    deployment = deploy(tmp_path, mock("/a", "[{orphan: []}]"), schemes())
    execution = run(deployment, "GET", "/a", [("Authorization", "x")])
    assert (execution.response.status, execution.response.body) == (500, b'{"message":null}')
    assert (
        "Execution failed due to configuration error: Lambda function Nobody has no local handler; "
        "configure it in x-apigwc.local.functions (Nobody: {runtime, handler, codeUri}) or x-apigwc.local.lambdas (Nobody: module:callable), "
        "or with --lambda Nobody=HANDLER"
    ) in log(execution)


def test_none_and_iam(tmp_path: Path) -> None:
    deployment = deploy(tmp_path, mock("/open", "[]") + mock("/iam", "[{iam: []}]"), schemes())
    execution = run(deployment, "GET", "/open")
    assert execution.response.status == 200 and "Authorization: NONE" in log(execution)
    execution = run(deployment, "GET", "/iam")
    assert execution.response.status == 200
    assert (
        "AWS_IAM authorization is not emulated by apigwc serve: the request is not checked for a SigV4 signature"
        in log(execution)
    )


# ----------------------------------------------------------------------------------------
# Caching


def test_the_cached_policy_is_reused_for_other_methods(tmp_path: Path) -> None:
    clock = Clock()
    paths = mock("/a", "[{tok: []}]") + mock("/b", "[{tok: []}]")
    deployment = deploy(tmp_path, paths, schemes(ttl=300), clock=clock)
    before = len(authorizer_cases.EVENTS)
    assert run(deployment, "GET", "/a", [("Authorization", "allow")]).response.status == 200
    # the policy allowed only GET /a; it is cached for the token: GET /b is denied [Doc/Obs]
    second = run(deployment, "GET", "/b", [("Authorization", "allow")])
    assert second.response.status == 403
    assert any(m.startswith("Authorizer result from the cache (TTL 300 s, 300 s left)") for m in log(second))
    assert run(deployment, "GET", "/a", [("Authorization", "allow")]).response.status == 200
    assert len(authorizer_cases.EVENTS) == before + 1
    # another token is another cache entry
    assert run(deployment, "GET", "/b", [("Authorization", "allow-all")]).response.status == 200
    assert run(deployment, "GET", "/a", [("Authorization", "allow-all")]).response.status == 200
    assert len(authorizer_cases.EVENTS) == before + 2
    # after the TTL the function runs again
    clock.now += 301
    assert run(deployment, "GET", "/b", [("Authorization", "allow")]).response.status == 200
    assert len(authorizer_cases.EVENTS) == before + 3


def test_errors_are_not_cached(tmp_path: Path) -> None:
    deployment = deploy(tmp_path, mock("/a", "[{tok: []}]"), schemes(ttl=300))
    before = len(authorizer_cases.EVENTS)
    for _ in range(2):
        assert run(deployment, "GET", "/a", [("Authorization", "unauthorized")]).response.status == 401
    assert len(authorizer_cases.EVENTS) == before + 2


def test_ttl_zero_calls_every_time(token_api: Deployment) -> None:
    before = len(authorizer_cases.EVENTS)
    for _ in range(3):
        run(token_api, "GET", "/a", [("Authorization", "allow")])
    assert len(authorizer_cases.EVENTS) == before + 3


# ----------------------------------------------------------------------------------------
# REQUEST


def test_request_authorizer_event(tmp_path: Path) -> None:
    paths = mock("/r/{id}", "[{req: []}]")
    deployment = deploy(tmp_path, paths, schemes(ttl=0))
    execution = run(deployment, "GET", "/r/7?q=1&q=2", [("X-Token", "allow"), ("Host", "h.example.com")])
    assert execution.response.status == 200
    event = authorizer_cases.EVENTS[-1]
    context = event.pop("requestContext")
    assert event == {
        "type": "REQUEST",
        "methodArn": arn(deployment, "GET/r/7"),
        "resource": "/r/{id}",
        "path": "/r/7",
        "httpMethod": "GET",
        "headers": {"X-Token": "allow", "Host": "h.example.com"},
        "multiValueHeaders": {"X-Token": ["allow"], "Host": ["h.example.com"]},
        "queryStringParameters": {"q": "2"},
        "multiValueQueryStringParameters": {"q": ["1", "2"]},
        "pathParameters": {"id": "7"},
        "stageVariables": None,
    }
    assert (context["resourcePath"], context["path"], context["requestId"]) == ("/r/{id}", "/local/r/7", IDS.request_id)
    assert "authorizer" not in context


def test_request_sources_are_required_only_with_caching(tmp_path: Path) -> None:
    cached = deploy(tmp_path, mock("/r", "[{req: []}]"), schemes(ttl=60))
    before = len(authorizer_cases.EVENTS)
    for target, headers in [("/r", [("X-Token", "allow")]), ("/r?q=", [("X-Token", "allow")]), ("/r?q=1", [])]:
        execution = run(cached, "GET", target, headers)
        assert execution.response.status == 401, target
    assert len(authorizer_cases.EVENTS) == before
    assert run(cached, "GET", "/r?q=1", [("X-Token", "allow")]).response.status == 200
    # the identity-source values are the cache key
    assert run(cached, "GET", "/r?q=1", [("X-Token", "allow")]).response.status == 200
    assert run(cached, "GET", "/r?q=2", [("X-Token", "allow")]).response.status == 200
    assert len(authorizer_cases.EVENTS) == before + 2
    uncached = deploy(tmp_path, mock("/r", "[{req: []}]"), schemes(ttl=0))
    assert run(uncached, "GET", "/r").response.status == 200  # X-Token defaults to allow in the handler


def test_the_proxy_event_carries_the_authorizer(tmp_path: Path) -> None:
    paths = """
  /p:
    get:
      security: [{tok: []}]
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: URI
""".replace("URI", AUTH_URI.format("Echo"))
    deployment = deploy(tmp_path, paths, schemes(ttl=0))
    execution = run(deployment, "GET", "/p", [("Authorization", "allow")])
    event = json.loads(execution.response.body)["event"]
    # context values are strings [Obs]; a null one is left out
    assert event["requestContext"]["authorizer"] == {
        "principalId": "user-1",
        "plan": "gold",
        "count": "3",
        "ratio": "1.5",
        "admin": "true",
    }


# ----------------------------------------------------------------------------------------
# Cognito user pools


@pytest.fixture(scope="module")
def keys():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048), rsa.generate_private_key(
        public_exponent=65537, key_size=2048
    )


def jwk(private, kid: str) -> dict:
    numbers = private.public_key().public_numbers()

    def b64(n: int) -> str:
        return jwt.b64url_encode(n.to_bytes((n.bit_length() + 7) // 8, "big"))

    return {"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig", "n": b64(numbers.n), "e": b64(numbers.e)}


def sign(private, claims: dict, kid: str = "k1", alg: str = "RS256") -> str:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    header = jwt.b64url_encode(json.dumps({"kid": kid, "alg": alg}).encode())
    payload = jwt.b64url_encode(json.dumps(claims).encode())
    signature = private.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{jwt.b64url_encode(signature)}"


def id_claims(**changes) -> dict:
    claims = {
        "sub": "aaaa-bbbb",
        "email": "ana@example.com",
        "email_verified": True,
        "cognito:groups": ["admin", "users"],
        "iss": ISSUER,
        "aud": "client1",
        "token_use": "id",
        "auth_time": int(NOW) - 60,
        "iat": int(NOW) - 60,
        "exp": int(NOW) + 3600,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.fixture
def cognito(tmp_path: Path, keys) -> Deployment:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk(keys[0], "k1")]}))
    paths = mock("/c", "[{pool: []}]") + mock("/s", "[{pool: [notes/read, notes/write]}]")
    return deploy(tmp_path, paths, schemes(), jwks={POOL_ARN: path})


def test_cognito_id_token(cognito: Deployment, keys) -> None:
    token = sign(keys[0], id_claims())
    for value in (token, f"Bearer {token}"):
        execution = run(cognito, "GET", "/c", [("Authorization", value)])
        assert execution.response.status == 200
        assert execution.response.body.endswith(b"email=ana@example.com")


def test_cognito_claims_are_strings(tmp_path: Path, keys) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk(keys[0], "k1")]}))
    paths = """
  /p:
    get:
      security: [{pool: []}]
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: URI
""".replace("URI", AUTH_URI.format("Echo"))
    deployment = deploy(tmp_path, paths, schemes(), jwks={"*": path})
    execution = run(deployment, "GET", "/p", [("Authorization", sign(keys[0], id_claims()))])
    claims = json.loads(execution.response.body)["event"]["requestContext"]["authorizer"]["claims"]
    assert claims == {
        "sub": "aaaa-bbbb",
        "email": "ana@example.com",
        "email_verified": "true",
        "cognito:groups": "[admin, users]",
        "iss": ISSUER,
        "aud": "client1",
        "token_use": "id",
        "auth_time": "Tue Nov 14 22:12:20 UTC 2023",
        "iat": "Tue Nov 14 22:12:20 UTC 2023",
        "exp": "Tue Nov 14 23:13:20 UTC 2023",
    }


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda k: sign(k[0], id_claims(exp=int(NOW) - 1)), "the token expired at"),
        (lambda k: sign(k[0], id_claims(exp=None)), "no exp claim"),
        (lambda k: sign(k[0], id_claims(nbf=int(NOW) + 60)), "the token is not valid before"),
        (lambda k: sign(k[1], id_claims()), "invalid signature"),  # another key, same kid
        (lambda k: sign(k[0], id_claims(), kid="k2"), "no key with kid 'k2' in the JWKS"),
        (
            lambda k: sign(k[0], id_claims(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other")),
            "is not the issuer of the authorizer's user pool(s)",
        ),
        (lambda k: sign(k[0], id_claims(token_use="refresh")), "token_use 'refresh' is neither id nor access"),
        (lambda k: sign(k[0], id_claims(), alg="HS256"), "alg 'HS256' is not RS256"),
        (lambda k: sign(k[0], id_claims())[:-4] + "AAAA", "invalid signature"),
        (lambda k: "not.a.jwt", "not a JWT"),
        (lambda k: "garbage", "not a JWT"),
    ],
)
def test_cognito_rejections_are_401(cognito: Deployment, keys, make, reason: str) -> None:
    execution = run(cognito, "GET", "/c", [("Authorization", make(keys))])
    assert (execution.response.status, execution.response.body) == (401, b'{"message":"Unauthorized"}')
    assert any(m.startswith("Invalid Cognito token: ") and reason in m for m in log(execution)), log(execution)


def test_cognito_scopes_need_an_access_token(cognito: Deployment, keys) -> None:
    access = id_claims(token_use="access", scope="openid notes/read", email=None, aud=None, client_id="client1")
    assert run(cognito, "GET", "/s", [("Authorization", sign(keys[0], access))]).response.status == 200
    for claims in (id_claims(), id_claims(token_use="access", scope="openid"), id_claims(token_use="access")):
        execution = run(cognito, "GET", "/s", [("Authorization", sign(keys[0], claims))])
        assert execution.response.status == 401
        assert any(
            m.startswith("The method requires an access token with one of the scopes notes/read, notes/write")
            for m in log(execution)
        )
    # without method scopes an access token is accepted too [Inf]
    assert run(cognito, "GET", "/c", [("Authorization", sign(keys[0], access))]).response.status == 200


def test_cognito_missing_token(cognito: Deployment) -> None:
    execution = run(cognito, "GET", "/c")
    assert execution.response.status == 401
    assert "The identity source method.request.header.Authorization is missing or empty" in log(execution)


def test_cognito_without_jwks_is_a_configuration_error(tmp_path: Path, keys) -> None:
    deployment = deploy(tmp_path, mock("/c", "[{pool: []}]"), schemes())
    execution = run(deployment, "GET", "/c", [("Authorization", sign(keys[0], id_claims()))])
    assert (execution.response.status, execution.response.body) == (500, b'{"message":null}')
    assert execution.response.headers.get("x-amzn-ErrorType") == "AuthorizerConfigurationException"
    assert (
        f"Execution failed due to configuration error: no JWKS is configured for the user pool(s) of the Cognito authorizer pool ({POOL_ARN}); "
        "add x-apigwc.local.jwks: {<user pool ARN or *>: <JWKS file>} to verify its tokens offline"
    ) in log(execution)
    broken = deploy(tmp_path, mock("/c", "[{pool: []}]"), schemes(), jwks={"*": tmp_path / "missing.json"})
    execution = run(broken, "GET", "/c", [("Authorization", sign(keys[0], id_claims()))])
    assert execution.response.status == 500
    assert any(
        m.startswith(f"Execution failed due to configuration error: the JWKS for {POOL_ARN}: cannot read ")
        for m in log(execution)
    )


def test_the_jwks_file_is_read_again_when_it_changes(cognito: Deployment, keys, tmp_path: Path) -> None:
    token = sign(keys[1], id_claims(), kid="k9")
    assert run(cognito, "GET", "/c", [("Authorization", token)]).response.status == 401
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk(keys[0], "k1"), jwk(keys[1], "k9")]}))
    assert run(cognito, "GET", "/c", [("Authorization", token)]).response.status == 200


# ----------------------------------------------------------------------------------------
# Units: RS256, outputs, claims


def test_rs256_against_cryptography(keys) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    numbers = keys[0].public_key().public_numbers()
    key = jwt.RsaKey("k", numbers.n, numbers.e)
    message = b"header.payload"
    signature = keys[0].sign(message, padding.PKCS1v15(), hashes.SHA256())
    assert jwt.rs256_verify(message, signature, key)
    assert not jwt.rs256_verify(message + b"x", signature, key)
    assert not jwt.rs256_verify(message, signature[:-1], key)
    assert not jwt.rs256_verify(message, b"\xff" * len(signature), key)
    # a PSS signature is not PKCS#1 v1.5
    pss = keys[0].sign(message, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    assert not jwt.rs256_verify(message, pss, key)


def test_jwks_parsing() -> None:
    with pytest.raises(jwt.JwksError, match="not a JWKS"):
        jwt.parse_jwks([])
    with pytest.raises(jwt.JwksError, match="no RSA signing key"):
        jwt.parse_jwks(
            {"keys": [{"kty": "EC", "kid": "e"}, {"kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"}]}
        )
    assert jwt.parse_jwks({"keys": [{"kty": "RSA", "kid": "a", "n": "AQAB", "e": "AQAB"}]}) == {
        "a": jwt.RsaKey("a", 65537, 65537)
    }
    with pytest.raises(ValueError):
        jwt.b64url_decode("a+b=")


@pytest.mark.parametrize(
    "name, value, text",
    [
        ("exp", 1700000000, "Tue Nov 14 22:13:20 UTC 2023"),
        ("custom:n", 5, "5"),
        ("flag", False, "false"),
        ("groups", ["a", "b"], "[a, b]"),
        ("obj", {"a": 1}, '{"a":1}'),
        ("s", "x", "x"),
    ],
)
def test_claim_text(name: str, value, text: str) -> None:
    assert claim_text(name, value) == text


def test_parse_authorizer_output() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Action": ["execute-api:*"], "Effect": "Allow", "Resource": ["arn:x/*"]}],
    }
    decision = parse_authorizer_output({"principalId": 42, "policyDocument": policy, "context": {"n": 1.0, "b": False}})
    assert decision.principal_id == "42"
    assert dict(decision.context) == {"n": "1.0", "b": "false"}
    assert decision.evaluate("arn:x/prod/GET/a/b") is None
    assert decision.evaluate("arn:y/prod/GET/a") == "User is not authorized to access this resource"
    not_resource = {
        "Statement": [
            {"Action": "*", "Effect": "Deny", "NotResource": "arn:x/prod/GET/open"},
            {"Action": "*", "Effect": "Allow", "Resource": "*"},
        ]
    }
    decision = parse_authorizer_output({"principalId": "p", "policyDocument": not_resource})
    assert decision.evaluate("arn:x/prod/GET/open") is None
    assert (
        decision.evaluate("arn:x/prod/GET/closed")
        == "User is not authorized to access this resource with an explicit deny"
    )
    assert (
        parse_authorizer_output(
            {"principalId": "p", "policyDocument": {"Statement": [{"Effect": "Allow", "Resource": "*"}]}}
        )
        == "Statement[0] has no Action (a string or a list of strings)"
    )
    assert parse_authorizer_output([]) == "the answer is not a JSON object"


# ----------------------------------------------------------------------------------------
# specs/secure-api.yaml


@pytest.fixture
def secure() -> Deployment:
    spec = SPECS / "secure-api.yaml"
    gateway = compile_spec(spec)
    handlers = Handlers.create(gateway.local, spec.parent)
    assert handlers.problems() == []
    backend = LambdaBackend(handlers)
    deployment = Deployment.create(
        gateway,
        None,
        backends={**offline_backends(), gw.IntegrationType.AWS_PROXY: backend, gw.IntegrationType.AWS: backend},
        guards=[Authorizers(gateway, handlers)],
        ids=lambda now: IDS,
        clock=lambda: NOW,
    )
    assert not isinstance(deployment, str)
    return deployment


def test_secure_api(secure: Deployment) -> None:
    json_type = [("Content-Type", "application/json")]
    created = run(secure, "POST", "/notes", [("Authorization", "Bearer user-ana"), *json_type], b'{"title": "hello"}')
    assert created.response.status == 201
    note = json.loads(created.response.body)
    assert note["title"] == "hello"
    listed = run(secure, "GET", "/notes?limit=5", [("Authorization", "Bearer user-bob")])
    assert (listed.response.status, json.loads(listed.response.body)) == (200, {"items": []})
    spam = run(secure, "POST", "/notes", [("Authorization", "Bearer user-eve"), *json_type], b'{"title": "Buy SPAM"}')
    assert spam.response.status == 400
    assert json.loads(spam.response.body) == {
        "error": {"type": "INVALID_NOTE", "message": "Invalid note: spam is not allowed"}
    }
    # no token, or one that fails identityValidationExpression: the customized UNAUTHORIZED
    for headers in ([], [("Authorization", "Basic abc")]):
        execution = run(secure, "GET", "/notes", headers)
        assert execution.response.status == 401
        assert execution.response.headers.get("WWW-Authenticate") == 'Bearer realm="notes"'
        assert json.loads(execution.response.body) == {
            "error": {"type": "UNAUTHORIZED", "message": "a valid bearer token is required"}
        }
    # the function raises Unauthorized for tokens it does not know
    assert run(secure, "GET", "/notes", [("Authorization", "Bearer stranger")]).response.status == 401
    denied = run(secure, "GET", "/notes", [("Authorization", "Bearer deny")])
    assert denied.response.status == 403
    assert denied.response.headers.get("Access-Control-Allow-Origin") == "https://notes.example.com"
    assert json.loads(denied.response.body)["error"] == {
        "type": "ACCESS_DENIED",
        "message": "User is not authorized to access this resource with an explicit deny",
    }


def test_secure_api_authorizer_policy_survives_the_cache(secure: Deployment) -> None:
    # TokenAuthorizer allows {api}/{stage}/* (not just event["methodArn"]): its cached policy
    # also covers the other methods (test_the_cached_policy_is_reused_for_other_methods
    # shows the trap a methodArn-only policy falls into)
    headers = [("Authorization", "Bearer user-zoe"), ("Content-Type", "application/json")]
    assert run(secure, "GET", "/notes", headers).response.status == 200
    second = run(secure, "POST", "/notes", headers, b'{"title": "x"}')
    assert second.response.status == 201
    assert any(m.startswith("Authorizer result from the cache") for m in log(second))
