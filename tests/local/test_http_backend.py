"""HTTP and HTTP_PROXY integrations (apigwc.local.http_backend) against a real upstream on 127.0.0.1.

The upstream (a threaded http.server, plain and TLS with a self-signed certificate) echoes
what it received and can be told to sleep, redirect, challenge, or gzip its body.
"""

from __future__ import annotations

import asyncio
import json
import socket
import textwrap
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from apigwc import gateway as gw
from apigwc.local.http_backend import HttpBackend, forward_headers, proxy_response_headers
from apigwc.runtime import Deployment, Execution, Request, execute, offline_backends
from apigwc.runtime.errors import ResponseType
from apigwc.runtime.http import Headers
from runtime_helpers import HEAD, IDS, NOW, compile_spec, messages
from support import SPECS
from upstream import GZIPPED, Servers


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    servers = Servers(tmp_path_factory.mktemp("tls"))
    yield servers
    servers.stop()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SPEC = """
x-apigwc:
  stages:
    test:
      variables: {host: "HOST"}
paths:
  /proxy/{proxy+}:
    x-amazon-apigateway-any-method:
      parameters: [{name: proxy, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: ANY
        uri: http://${stageVariables.host}/{proxy}
        requestParameters: {integration.request.path.proxy: method.request.path.proxy}
  /slow:
    get:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://${stageVariables.host}/sleep/3
        timeoutInMillis: 300
  /scheme:
    get:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://${stageVariables.host}/x
  /vpc:
    get:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://${stageVariables.host}/through-the-link
        connectionType: VPC_LINK
        connectionId: vpclink123
  /items/{id}:
    post:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: X-From, in: header, required: false, schema: {type: string}}
      responses:
        '200': {description: ok, headers: {X-Echo: {schema: {type: string}}}}
        '404': {description: missing}
      x-amazon-apigateway-integration:
        type: http
        httpMethod: PUT
        uri: http://${stageVariables.host}/echo/{itemId}
        requestParameters:
          integration.request.path.itemId: method.request.path.id
          integration.request.header.X-Mapped: method.request.header.X-From
          integration.request.querystring.source: "'gateway'"
        requestTemplates:
          application/json: '{"wrapped": $input.json(''$'')}'
        responses:
          '404': {statusCode: '404', responseTemplates: {application/json: '{"missing": true}'}}
          default:
            statusCode: '200'
            responseParameters:
              method.response.header.X-Echo: integration.response.header.X-Echo
            responseTemplates:
              application/json: '{"method": "$input.path(''$.method'')", "path": "$input.path(''$.path'')", "query": "$input.path(''$.query'')", "body": $input.json(''$.body''), "headers": $input.json(''$.headers'')}'
"""


def deploy(
    tmp_path: Path, upstream: Servers, backend: HttpBackend | None = None, host: str | None = None, **variables: str
) -> Deployment:
    gateway = compile_spec(tmp_path / "spec.yaml", HEAD + textwrap.dedent(SPEC))
    backends = {
        **offline_backends(),
        gw.IntegrationType.HTTP: backend or HttpBackend(),
        gw.IntegrationType.HTTP_PROXY: backend or HttpBackend(),
    }
    deployment = Deployment.create(
        gateway,
        "test",
        stage_variables={"host": host or upstream.host, **variables},
        backends=backends,
        guards=[],
        ids=lambda now: IDS,
        clock=lambda: NOW,
    )
    assert not isinstance(deployment, str), deployment
    return deployment


def call(
    deployment: Deployment, method: str, target: str, headers: list[tuple[str, str]] | None = None, body: bytes = b""
) -> Execution:
    return asyncio.run(execute(deployment, Request.build(method, target, headers or [], body)))


def echoed(execution: Execution) -> dict[str, Any]:
    document = json.loads(execution.response.body)
    document["headers"] = {k.lower(): v for k, v in document["headers"]}
    return document


# ----------------------------------------------------------------------------------------
# HTTP_PROXY


def test_proxy_forwards_method_path_query_headers_and_body(tmp_path: Path, upstream: Servers) -> None:
    deployment = deploy(tmp_path, upstream)
    result = call(
        deployment,
        "POST",
        "/proxy/a/b%20c?x=1&x=2&y=z",
        [
            ("Host", "api.example.com"),
            ("Content-Type", "text/plain"),
            ("X-Custom", "v"),
            ("Authorization", "Bearer token"),
            ("Connection", "keep-alive"),
            ("Via", "1.1 proxy"),
            ("Expect", "100-continue"),
            ("Max-Forwards", "3"),
            ("User-Agent", "curl/8"),
            ("Content-Length", "999"),
        ],
        b"raw \x00 body",
    )
    assert result.response.status == 200
    seen = echoed(result)
    assert (seen["method"], seen["path"], seen["query"], seen["body"]) == (
        "POST",
        "/a/b%20c",
        "x=1&x=2&y=z",
        "raw \x00 body",
    )
    headers = seen["headers"]
    assert headers["host"] == upstream.host  # Host becomes the endpoint's [Doc]
    assert headers["content-length"] == str(len(b"raw \x00 body"))
    assert (headers["x-custom"], headers["authorization"], headers["user-agent"], headers["content-type"]) == (
        "v",
        "Bearer token",
        "curl/8",
        "text/plain",
    )
    assert not {"via", "expect", "max-forwards"} & set(headers)
    assert "accept-encoding" not in headers and "accept" not in headers  # httpx's defaults are not added
    assert result.response.headers.get("X-Echo") == "1"
    assert result.response.headers.get("Content-Type") == "application/json"
    assert any(
        m.startswith("Received response. Status: 200, Integration latency: ") for m in messages(result, "endpoint")
    )


def test_proxy_drops_a_sigv4_authorization_and_sets_the_gateway_user_agent(tmp_path: Path, upstream: Servers) -> None:
    deployment = deploy(tmp_path, upstream)
    sigv4 = "AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=abc"
    headers = echoed(call(deployment, "GET", "/proxy/x", [("Authorization", sigv4), ("Accept-Encoding", "gzip")]))[
        "headers"
    ]
    assert "authorization" not in headers
    assert headers["user-agent"] == f"AmazonAPIGateway_{deployment.api_id}"
    assert headers["accept-encoding"] == "gzip"


def test_proxy_remaps_and_drops_response_headers(tmp_path: Path, upstream: Servers) -> None:
    deployment = deploy(tmp_path, upstream)
    result = call(deployment, "GET", "/proxy/challenge")
    assert (result.response.status, result.response.text) == (401, '{"error":"no"}')
    names = [n for n, _ in result.response.headers]
    assert result.response.headers.get("x-amzn-Remapped-WWW-Authenticate") == 'Bearer realm="upstream"'
    assert result.response.headers.get("x-amzn-Remapped-Server") == "upstream/1.0"
    assert result.response.headers.get("x-amzn-Remapped-Date") == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert result.response.headers.get("X-Upstream") == "yes"
    for gone in ("WWW-Authenticate", "Server", "Date", "Via", "Content-Length", "Transfer-Encoding"):
        assert gone.lower() not in [n.lower() for n in names]
    assert result.error_type is None  # the endpoint's 401 is not a gateway response


def test_proxy_returns_redirects_without_following_them(tmp_path: Path, upstream: Servers) -> None:
    result = call(deploy(tmp_path, upstream), "GET", "/proxy/redirect")
    assert (result.response.status, result.response.headers.get("Location"), result.response.body) == (
        302,
        "/elsewhere",
        b"",
    )


def test_proxy_passes_a_gzip_body_as_received(tmp_path: Path, upstream: Servers) -> None:
    result = call(deploy(tmp_path, upstream), "GET", "/proxy/gzip", [("Accept-Encoding", "gzip")])
    assert result.response.body == GZIPPED
    assert result.response.headers.get("Content-Encoding") == "gzip"


def test_the_integration_timeout_answers_504(tmp_path: Path, upstream: Servers) -> None:
    started = time.perf_counter()
    result = call(deploy(tmp_path, upstream), "GET", "/slow")
    assert time.perf_counter() - started < 2
    assert (result.response.status, result.response.text) == (504, '{"message":"Endpoint request timed out"}')
    assert result.error_type is ResponseType.INTEGRATION_TIMEOUT
    assert "Execution failed due to a timeout error: the endpoint did not answer within 300 ms" in messages(result)


def test_a_refused_connection_is_an_integration_failure(tmp_path: Path, upstream: Servers) -> None:
    result = call(deploy(tmp_path, upstream, host=f"127.0.0.1:{closed_port()}"), "GET", "/proxy/x")
    assert (result.response.status, result.response.text) == (504, '{"message":"Internal server error"}')
    assert result.error_type is ResponseType.INTEGRATION_FAILURE
    assert any(m.startswith("Execution failed due to a network error: ") for m in messages(result, "endpoint"))


@pytest.mark.parametrize("host", ["", "127.0.0.1:notaport"])
def test_a_uri_that_is_not_absolute_http_is_a_configuration_error(tmp_path: Path, upstream: Servers, host: str) -> None:
    # the stage variable override bypasses lint, as --stage-var does
    deployment = deploy(tmp_path, upstream)
    deployment.stage_variables["host"] = host  # as --stage-var would set it, past lint
    result = call(deployment, "GET", "/scheme")
    assert (result.response.status, result.response.text) == (500, '{"message":"Internal server error"}')
    assert result.error_type is ResponseType.API_CONFIGURATION_ERROR
    url = f"http://{host}/x"
    assert (
        f"Execution failed due to configuration error: Invalid endpoint address: {url!r} is not an absolute http or https URL"
        in messages(result)
    )


def test_vpc_link_calls_the_uri_directly_and_says_so(tmp_path: Path, upstream: Servers) -> None:
    result = call(deploy(tmp_path, upstream), "GET", "/vpc")
    assert result.response.status == 200 and echoed(result)["path"] == "/through-the-link"
    assert f"VPC link vpclink123 is not emulated: calling http://{upstream.host}/through-the-link directly" in messages(
        result, "endpoint"
    )


# ----------------------------------------------------------------------------------------
# HTTP (non-proxy)


def test_http_integration_maps_request_and_response(tmp_path: Path, upstream: Servers) -> None:
    deployment = deploy(tmp_path, upstream)
    result = call(
        deployment,
        "POST",
        "/items/42",
        [("X-From", "tests"), ("X-Unmapped", "no"), ("Content-Type", "application/json")],
        b'{"n": 1}',
    )
    assert result.response.status == 200
    document = json.loads(result.response.body)
    headers = {k.lower(): v for k, v in document.pop("headers")}
    assert document == {"method": "PUT", "path": "/echo/42", "query": "source=gateway", "body": '{"wrapped": {"n":1}}'}
    assert result.response.headers.get("X-Echo") == "1"
    # only mapped headers reach a non-proxy endpoint [Doc]
    assert headers["x-mapped"] == "tests" and "x-unmapped" not in headers and "x-from" not in headers
    assert headers["user-agent"] == f"AmazonAPIGateway_{deployment.api_id}"


def test_http_integration_selects_by_the_endpoint_status(tmp_path: Path, upstream: Servers) -> None:
    gateway_spec = SPEC.replace(
        "uri: http://${stageVariables.host}/echo/{itemId}", "uri: http://${stageVariables.host}/status/{itemId}"
    )
    gateway = compile_spec(tmp_path / "spec.yaml", HEAD + textwrap.dedent(gateway_spec))
    backend = HttpBackend()
    deployment = Deployment.create(
        gateway,
        "test",
        stage_variables={"host": upstream.host},
        backends={gw.IntegrationType.HTTP: backend},
        guards=[],
        ids=lambda now: IDS,
        clock=lambda: NOW,
    )
    result = call(deployment, "POST", "/items/404", [("Content-Type", "application/json")], b"{}")
    assert (result.response.status, result.response.text) == (404, '{"missing": true}')


# ----------------------------------------------------------------------------------------
# TLS, and specs/http-backend.yaml


def test_tls_verification_failure_is_a_configuration_error(tmp_path: Path, upstream: Servers) -> None:
    text = SPEC.replace("uri: http://${stageVariables.host}/{proxy}", "uri: https://${stageVariables.host}/{proxy}")
    gateway = compile_spec(tmp_path / "spec.yaml", HEAD + textwrap.dedent(text))
    deployment = Deployment.create(
        gateway,
        "test",
        stage_variables={"host": upstream.tls_host},
        backends={gw.IntegrationType.HTTP_PROXY: HttpBackend()},
        guards=[],
        ids=lambda now: IDS,
        clock=lambda: NOW,
    )
    result = call(deployment, "GET", "/proxy/x")
    assert (result.response.status, result.response.text) == (500, '{"message":"Internal server error"}')
    assert any(
        m.startswith("Execution failed due to configuration error: General SSLEngine problem") for m in messages(result)
    )


def test_insecure_skip_verification_is_honoured(tmp_path: Path, upstream: Servers) -> None:
    text = SPEC.replace(
        "uri: http://${stageVariables.host}/{proxy}",
        "uri: https://${stageVariables.host}/{proxy}\n        tlsConfig: {insecureSkipVerification: true}",
    )
    gateway = compile_spec(tmp_path / "spec.yaml", HEAD + textwrap.dedent(text))
    assert gateway.method("/proxy/{proxy+}", "ANY").integration.tls_insecure_skip_verification is True
    deployment = Deployment.create(
        gateway,
        "test",
        stage_variables={"host": upstream.tls_host},
        backends={gw.IntegrationType.HTTP_PROXY: HttpBackend()},
        guards=[],
        ids=lambda now: IDS,
        clock=lambda: NOW,
    )
    result = call(deployment, "GET", "/proxy/secure")
    assert result.response.status == 200 and echoed(result)["path"] == "/secure"
    assert "tlsConfig.insecureSkipVerification: the endpoint's certificate is not verified" in messages(
        result, "endpoint"
    )


def test_the_http_backend_example_spec(upstream: Servers) -> None:
    """specs/http-backend.yaml over HTTPS, with a client that trusts the upstream's certificate."""
    gateway = compile_spec(SPECS / "http-backend.yaml")

    async def scenario() -> list[Execution]:
        async with httpx.AsyncClient(verify=upstream.trusting()) as client:
            backend = HttpBackend(client=client)
            backends = {**offline_backends(), gw.IntegrationType.HTTP: backend, gw.IntegrationType.HTTP_PROXY: backend}
            deployment = Deployment.create(
                gateway,
                "dev",
                stage_variables={"backendHost": upstream.tls_host},
                backends=backends,
                ids=lambda now: IDS,
                clock=lambda: NOW,
            )
            assert not isinstance(deployment, str)
            out = [
                await execute(deployment, Request.build("GET", "/orders/42", [("X-Correlation-Id", "corr-1")])),
                await execute(deployment, Request.build("GET", "/orders/missing")),
                await execute(deployment, Request.build("DELETE", "/legacy/a/b?c=d", [("X-Old", "1")])),
            ]
            await backend.aclose()  # the given client stays open: closed by its owner
            assert not client.is_closed
            return out

    order, missing, legacy = asyncio.run(scenario())
    assert order.response.status == 200
    assert json.loads(order.response.body) == {
        "id": "42",
        "status": "paid",
        "total": 12.5,
        "items": [{"sku": "a", "quantity": 2}],
    }
    assert order.response.headers.get("X-Correlation-Id") == "corr-1"
    assert f"Endpoint request URI: https://{upstream.tls_host}/v1/orders/42" in messages(order)
    assert (missing.response.status, missing.response.text) == (404, '{"message": "order missing not found"}')
    assert legacy.response.status == 200
    seen = echoed(legacy)
    assert (seen["method"], seen["path"], seen["query"], seen["headers"]["x-old"]) == (
        "DELETE",
        "/legacy/a/b",
        "c=d",
        "1",
    )


# ----------------------------------------------------------------------------------------
# Units


def test_header_helpers() -> None:
    assert forward_headers(
        Headers(
            [
                ("Host", "h"),
                ("X-A", "1"),
                ("TE", "trailers"),
                ("Authorization", "AWS4-HMAC-SHA256 x"),
                ("authorization", "Basic y"),
            ]
        )
    ) == [
        ("X-A", "1"),
        ("authorization", "Basic y"),
    ]
    assert proxy_response_headers(
        [
            ("WWW-Authenticate", "B"),
            ("authorization", "t"),
            ("Transfer-Encoding", "chunked"),
            ("X-Y", "z"),
            ("Content-Length", "3"),
        ]
    ) == [
        ("x-amzn-Remapped-WWW-Authenticate", "B"),
        ("x-amzn-Remapped-authorization", "t"),
        ("X-Y", "z"),
    ]


def test_own_clients_are_per_event_loop_and_closed(tmp_path: Path, upstream: Servers) -> None:
    backend = HttpBackend()
    deployment = deploy(tmp_path, upstream, backend=backend)
    assert call(deployment, "GET", "/proxy/one").response.status == 200
    assert call(deployment, "GET", "/proxy/two").response.status == 200  # a new loop: a new client

    async def close() -> None:
        await execute(deployment, Request.build("GET", "/proxy/three"))
        await backend.aclose()

    asyncio.run(close())
