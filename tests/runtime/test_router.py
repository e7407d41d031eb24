"""Routing: literal > {param} > {proxy+}, backtracking, exact verb > ANY, decoding, 403 for unknown routes."""

from __future__ import annotations

from pathlib import Path

import pytest

from apigwc.runtime.router import Router
from runtime_helpers import HEAD, SERVICE_HEADERS, api, call, compile_spec, messages  # noqa: F401 - api is a fixture

MOCK = "{responses: {'200': {description: ok}}, x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}, responses: {default: {statusCode: '200', responseTemplates: {application/json: '$context.resourcePath $context.httpMethod $input.params()'}}}}}"

SPEC = f"""
paths:
  /:
    get: {MOCK}
  /{{proxy+}}:
    x-amazon-apigateway-any-method: {MOCK}
  /users/me:
    get: {MOCK}
  /users/{{id}}:
    get: {MOCK}
  /a/b/c:
    get: {MOCK}
  /a/{{id}}/d:
    get: {MOCK}
  /files/{{key+}}:
    get: {MOCK}
    put: {MOCK}
  /r:
    get: {MOCK}
    x-amazon-apigateway-any-method: {MOCK}
  /deep/x/y:
    get: {MOCK}
"""


@pytest.fixture(scope="module")
def router(tmp_path_factory) -> Router:
    path: Path = tmp_path_factory.mktemp("router") / "spec.yaml"
    return Router(compile_spec(path, HEAD + SPEC))


@pytest.mark.parametrize(
    "verb, path, resource, method, params",
    [
        ("GET", "/", "/", "GET", {}),
        # literal beats {param}
        ("GET", "/users/me", "/users/me", "GET", {}),
        ("GET", "/users/42", "/users/{id}", "GET", {"id": "42"}),
        # {param} beats the root's {proxy+}
        ("GET", "/users/x", "/users/{id}", "GET", {"id": "x"}),
        # backtracking: the literal branch /a/b has no child d, so /a/{id}/d serves it
        ("GET", "/a/b/d", "/a/{id}/d", "GET", {"id": "b"}),
        ("GET", "/a/b/c", "/a/b/c", "GET", {}),
        # backtracking into a greedy ancestor: nothing under /users/{id} has a child z
        ("GET", "/users/42/z", "/{proxy+}", "ANY", {"proxy": "users/42/z"}),
        ("DELETE", "/a/b/c/e", "/{proxy+}", "ANY", {"proxy": "a/b/c/e"}),
        # greedy takes every remaining segment, joined with /
        ("GET", "/files/x/y/z.txt", "/files/{key+}", "GET", {"key": "x/y/z.txt"}),
        ("PUT", "/files/k", "/files/{key+}", "PUT", {"key": "k"}),
        # path parameters are URL-decoded; an encoded slash stays inside one segment
        ("GET", "/users/a%2Fb%20c", "/users/{id}", "GET", {"id": "a/b c"}),
        ("GET", "/files/caf%C3%A9/r%C3%A9sum%C3%A9.pdf", "/files/{key+}", "GET", {"key": "café/résumé.pdf"}),
        # a trailing slash and empty segments are ignored
        ("GET", "/users/me/", "/users/me", "GET", {}),
        ("GET", "//users//42", "/users/{id}", "GET", {"id": "42"}),
        # exact verb beats ANY; ANY serves the others
        ("GET", "/r", "/r", "GET", {}),
        ("POST", "/r", "/r", "ANY", {}),
        # literals are case-sensitive: /Users is not /users, so the root proxy takes it
        ("GET", "/Users/me", "/{proxy+}", "ANY", {"proxy": "Users/me"}),
    ],
)
def test_match(router: Router, verb: str, path: str, resource: str, method: str, params: dict) -> None:
    found = router.match(verb, path)
    assert found is not None
    assert (found.resource.path, found.method.http_method.value if found.method else None, dict(found.path_params)) == (
        resource,
        method,
        params,
    )


@pytest.mark.parametrize(
    "verb, path, resource, verbs",
    [
        # a resource without the verb does not send the walk to the greedy sibling
        ("POST", "/users/me", "/users/me", ("GET",)),
        ("DELETE", "/files/a", "/files/{key+}", ("GET", "PUT")),
        # intermediate resources exist but have no methods
        ("GET", "/a", "/a", ()),
        ("GET", "/deep/x", "/deep/x", ()),
        # ANY covers only API Gateway's seven verbs
        ("TRACE", "/r", "/r", ("ANY", "GET")),
    ],
)
def test_resource_without_the_method(router: Router, verb: str, path: str, resource: str, verbs: tuple) -> None:
    found = router.match(verb, path)
    assert found is not None and found.method is None
    assert (found.resource.path, found.verbs) == (resource, verbs)


def test_greedy_never_serves_its_parent(tmp_path: Path) -> None:
    router = Router(compile_spec(tmp_path / "s.yaml", HEAD + f"paths:\n  /files/{{key+}}:\n    get: {MOCK}\n"))
    assert router.match("GET", "/nope") is None
    found = router.match("GET", "/files")
    assert found is not None and (found.resource.path, found.method) == ("/files", None)
    found = router.match("GET", "/files/")
    assert found is not None and found.method is None


def test_unknown_path_and_method_answer_403_missing_authentication_token(api) -> None:
    deployment = api(SPEC.replace("  /{proxy+}:\n    x-amazon-apigateway-any-method: " + MOCK + "\n", ""))
    for verb, path, why in [
        ("GET", "/nope/x", "No resource matches the path /nope/x"),
        ("POST", "/users/me", "The resource /users/me has no POST method (methods: GET)"),
        ("GET", "/a", "The resource /a has no GET method (methods: none)"),
    ]:
        result = call(deployment, verb, path)
        assert result.response.status == 403
        assert result.response.body == b'{"message":"Missing Authentication Token"}'
        assert list(result.response.headers) == [
            ("Content-Type", "application/json"),
            SERVICE_HEADERS[0],
            ("x-amzn-ErrorType", "MissingAuthenticationTokenException"),
            *SERVICE_HEADERS[1:],
        ]
        assert why in messages(result, "route")


def test_request_reaches_the_method_with_its_parameters(api) -> None:
    result = call(api(SPEC), "GET", "/users/a%20b?x=1&x=2&y")
    assert result.response.body == b"/users/{id} GET {path={id=a b}, querystring={x=2, y=}, header={}}"


def test_x_http_method_override_replaces_the_verb(api) -> None:
    deployment = api(SPEC)
    result = call(deployment, "POST", "/users/me", [("X-HTTP-Method-Override", "get")])
    assert (result.response.status, result.response.body) == (
        200,
        b"/users/me GET {path={}, querystring={}, header={X-HTTP-Method-Override=get}}",
    )
    assert "X-HTTP-Method-Override: GET replaces the request method POST" in messages(result, "request")
    result = call(deployment, "GET", "/users/me", [("X-HTTP-Method-Override", "DELETE")])
    assert result.response.status == 403
