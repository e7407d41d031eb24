"""``apigwc serve`` end to end: a real server on 127.0.0.1, real requests, exact answers."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import socket
import textwrap
import time
from pathlib import Path

import httpx
from serve_helpers import serve, service_headers_ok  # noqa: F401 - a fixture

from support import ROOT, SPECS

HEAD = 'openapi: 3.0.3\ninfo: {title: T, version: "1"}\n'


def write(tmp_path: Path, body: str, name: str = "api.yaml") -> Path:
    path = tmp_path / name
    path.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------------
# The banner


def test_banner_lists_stages_routes_and_what_is_not_emulated(serve) -> None:
    s = serve(SPECS / "users.yaml")
    assert s.lines[0] == f"apigwc serve: Users from {SPECS / 'users.yaml'}"
    assert list(s.stages) == ["dev"]
    out = s.output
    assert "Routes (every stage):" in out
    assert "  METHOD  PATH             INTEGRATION  AUTH  EMULATED" in out
    assert "  GET     /users           MOCK         NONE  full" in out
    assert "Not emulated:" in out
    assert "  - stage dev: access logs go to the terminal, not to CloudWatch or Firehose" in out


def test_an_api_without_stages_is_served_as_local(serve, tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        """
        paths:
          /ping:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses:
                  default: {statusCode: "200", responseTemplates: {application/json: '{"pong": true}'}}
              responses: {"200": {description: ok}}
        """,
    )
    s = serve(spec)
    assert list(s.stages) == ["local"]
    r = s.request("GET", "local", "/ping")
    assert (r.status_code, r.text) == (200, '{"pong": true}')


# ----------------------------------------------------------------------------------------
# MOCK, routing, service errors


def test_users_mock_answers_like_the_console(serve) -> None:
    s = serve(SPECS / "users.yaml")
    r = s.request("GET", "dev", "/users?count=2")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert json.loads(r.text) == [{"id": "1", "name": "User 1"}, {"id": "2", "name": "User 2"}]
    service_headers_ok(r, mock=True)
    r = s.request("GET", "dev", "/users?count=50")
    assert r.status_code == 500
    assert json.loads(r.text) == {"message": "count must be a number from 1 to 10, got '50'"}
    r = s.request("GET", "dev", "/users")
    assert (r.status_code, r.json()) == (400, {"message": "Missing required request parameters: [count]"})
    assert r.headers["x-amzn-ErrorType"] == "BadRequestException"
    # one access-log line per request, with the status and the request id
    line = s.wait_for("GET /dev/users?count=2 -> 200")
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d 127\.0\.0\.1 GET /dev/users\?count=2 -> 200 \(\d+ B, \d+ ms\) [0-9a-f-]{36}", line
    ), line
    line = s.wait_for("GET /dev/users -> 400")
    assert " -> 400 BAD_REQUEST_PARAMETERS (" in line
    # the stage's access log format, rendered with $context (null values print "-")
    log = s.lines[s.lines.index(line) + 1]
    assert re.fullmatch(
        r'         access log dev: \{"requestId":"[0-9a-f-]{36}","status":"400","path":"/dev/users"\}', log
    ), log


def test_unknown_paths_methods_and_stages_are_403_missing_authentication_token(serve) -> None:
    s = serve(SPECS / "users.yaml")
    base = s.stages["dev"].rsplit("/dev/", 1)[0]
    for method, url in [
        ("GET", s.url("dev", "/nope")),
        ("DELETE", s.url("dev", "/users")),
        ("GET", base + "/prod/users?count=1"),
        ("GET", base + "/"),
    ]:
        r = s.client.request(method, url)
        assert r.status_code == 403, (method, url)
        assert r.json() == {"message": "Missing Authentication Token"}
        service_headers_ok(r, error_type="MissingAuthenticationTokenException")


def test_head_has_headers_but_no_body(serve, tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        """
        paths:
          /doc:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses:
                  default: {statusCode: "200", responseTemplates: {application/json: '{"hello": "world"}'}}
              responses: {"200": {description: ok}}
        """,
    )
    s = serve(spec)
    r = s.request("HEAD", "local", "/doc")
    assert r.status_code == 200
    assert r.content == b""
    assert r.headers["content-length"] == str(len('{"hello": "world"}'))


def test_a_body_over_10_mb_is_413(serve, tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        """
        paths:
          /upload:
            post:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses:
                  default: {statusCode: "200"}
              responses: {"200": {description: ok}}
        """,
    )
    s = serve(spec)
    r = s.request("POST", "local", "/upload", content=b"x" * (10 * 1024 * 1024 + 1))
    assert r.status_code == 413
    assert r.json() == {"message": "Request Too Long"}
    ok = s.request("POST", "local", "/upload", content=b"{}")
    assert ok.status_code == 200


def test_compression_follows_minimum_compression_size(serve, tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        """
        x-amazon-apigateway-minimum-compression-size: 100
        paths:
          /echo:
            post:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates:
                  application/json: '{"statusCode": #if($input.path(''$.text'') == "hi")200#{else}400#end}'
                responses:
                  "400": {statusCode: "400", selectionPattern: "400", responseTemplates: {application/json: '{"seen": "other"}'}}
                  default:
                    statusCode: "200"
                    responseTemplates:
                      application/json: '{"seen": "hi", "pad": "#foreach($i in [1..40])ab#end"}'
              responses: {"200": {description: ok}, "400": {description: not hi}}
        """,
    )
    s = serve(spec)
    # the request template sees the decompressed body; the response is gzip-compressed
    raw = httpx.post(
        s.url("local", "/echo"),
        content=gzip.compress(b'{"text": "hi"}'),
        headers={"Content-Encoding": "gzip", "Accept-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert raw.status_code == 200
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.json() == {"seen": "hi", "pad": "ab" * 40}
    # without Accept-Encoding: plain; under the threshold: plain
    plain = httpx.post(s.url("local", "/echo"), content=b'{"text": "hi"}', headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.json()["seen"] == "hi"
    small = httpx.post(s.url("local", "/echo"), content=b'{"text": "x"}', headers={"Accept-Encoding": "gzip"})
    assert (small.status_code, small.content, "content-encoding" in small.headers) == (400, b'{"seen": "other"}', False)
    # a body that is not the gzip it claims: 400
    bad = httpx.post(s.url("local", "/echo"), content=b"not gzip", headers={"Content-Encoding": "gzip"})
    assert (bad.status_code, bad.json()) == (400, {"message": "Invalid request body"})


def test_cors_is_what_the_api_declares(serve, tmp_path: Path) -> None:
    """API Gateway adds no CORS headers itself: OPTIONS methods and gateway responses do [Doc]."""
    spec = write(
        tmp_path,
        """
        x-amazon-apigateway-gateway-responses:
          DEFAULT_4XX:
            responseParameters:
              gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
        paths:
          /items:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses:
                  default:
                    statusCode: "200"
                    responseParameters:
                      method.response.header.Access-Control-Allow-Origin: "'*'"
              responses:
                "200":
                  description: ok
                  headers: {Access-Control-Allow-Origin: {schema: {type: string}}}
            options:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses:
                  default:
                    statusCode: "200"
                    responseParameters:
                      method.response.header.Access-Control-Allow-Origin: "'https://app.example.com'"
                      method.response.header.Access-Control-Allow-Methods: "'GET,OPTIONS'"
                      method.response.header.Access-Control-Allow-Headers: "'Content-Type,X-Api-Key'"
              responses:
                "200":
                  description: CORS preflight
                  headers:
                    Access-Control-Allow-Origin: {schema: {type: string}}
                    Access-Control-Allow-Methods: {schema: {type: string}}
                    Access-Control-Allow-Headers: {schema: {type: string}}
        """,
    )
    s = serve(spec)
    pre = s.request(
        "OPTIONS",
        "local",
        "/items",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"},
    )
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "https://app.example.com"
    assert pre.headers["access-control-allow-methods"] == "GET,OPTIONS"
    assert pre.headers["access-control-allow-headers"] == "Content-Type,X-Api-Key"
    get = s.request("GET", "local", "/items", headers={"Origin": "https://app.example.com"})
    assert get.headers["access-control-allow-origin"] == "*"
    # a gateway error carries the DEFAULT_4XX header; a method without OPTIONS has no preflight
    missing = s.request("OPTIONS", "local", "/other")
    assert missing.status_code == 403
    assert missing.headers["access-control-allow-origin"] == "*"


# ----------------------------------------------------------------------------------------
# Lambda handlers, API keys, authorizers (the examples in specs/)


def test_petstore_lambda_proxy_behind_an_api_key(serve) -> None:
    s = serve(SPECS / "petstore-lambda.yaml")
    assert "  GET     /pets" in s.output
    r = s.request("GET", "prod", "/pets")
    assert (r.status_code, r.json()) == (403, {"message": "Forbidden"})
    assert r.headers["x-amzn-ErrorType"] == "ForbiddenException"
    key = {"x-api-key": "localPartnerKey0123456789"}
    r = s.request("GET", "prod", "/pets", headers=key)
    assert r.status_code == 200
    assert [p["name"] for p in r.json()] == ["Rex", "Tom"]
    r = s.request("GET", "prod", "/pets/1", headers=key)
    assert r.json()["name"] == "Rex"
    r = s.request("GET", "prod", "/pets/999", headers=key)
    assert (r.status_code, r.json()) == (404, {"message": "no pet 999"})


def test_secure_api_token_authorizer_api_key_and_lambda_errors(serve) -> None:
    s = serve(SPECS / "secure-api.yaml")
    key = {"x-api-key": "notesMobileAppKey0000000001"}
    # no token: 401 without calling the authorizer, with the spec's UNAUTHORIZED customization
    r = s.request("GET", "prod", "/notes", headers=key)
    assert r.status_code == 401
    assert r.json() == {"error": {"type": "UNAUTHORIZED", "message": "a valid bearer token is required"}}
    assert r.headers["www-authenticate"] == 'Bearer realm="notes"'
    # a customized type has only its own headers: DEFAULT_4XX's CORS header is not added [Doc]
    assert "access-control-allow-origin" not in r.headers
    # a stage the API does not have: no deployment, so none of its customizations [Inf]
    other = s.client.get(s.url("prod", "/notes").replace("/prod/", "/staging/"))
    assert (other.status_code, other.json()) == (403, {"message": "Missing Authentication Token"})
    assert "access-control-allow-origin" not in other.headers
    # an unknown path of a real stage: DEFAULT_4XX applies
    missing = s.request("GET", "prod", "/nope")
    assert missing.status_code == 403
    assert missing.json()["error"] == {
        "type": "MISSING_AUTHENTICATION_TOKEN",
        "message": "Missing Authentication Token",
    }
    assert missing.headers["access-control-allow-origin"] == "https://notes.example.com"
    # a token the authorizer refuses with "Unauthorized": 401 too
    r = s.request("GET", "prod", "/notes", headers={**key, "Authorization": "Bearer nobody"})
    assert r.status_code == 401
    # an explicit Deny: 403 ACCESS_DENIED through DEFAULT_4XX
    r = s.request("GET", "prod", "/notes", headers={**key, "Authorization": "Bearer deny"})
    assert r.status_code == 403
    assert r.json()["error"] == {
        "type": "ACCESS_DENIED",
        "message": "User is not authorized to access this resource with an explicit deny",
    }
    # allowed, but no API key: 403 INVALID_API_KEY
    alice = {"Authorization": "Bearer user-alice"}
    r = s.request("GET", "prod", "/notes", headers=alice)
    assert r.status_code == 403
    assert r.json()["error"] == {"type": "INVALID_API_KEY", "message": "Forbidden"}
    # allowed with a key: the Lambda custom integration sees the principal from the template
    r = s.request("POST", "prod", "/notes", headers={**alice, **key}, json={"title": "Milk"})
    assert (r.status_code, r.json()) == (201, {"id": "1", "title": "Milk"})
    r = s.request("GET", "prod", "/notes", headers={**alice, **key})
    assert (r.status_code, r.json()) == (200, {"items": [{"id": "1", "title": "Milk"}]})
    # a function error selected by its errorMessage
    r = s.request("POST", "prod", "/notes", headers={**alice, **key}, json={"title": "Spam!"})
    assert (r.status_code, r.json()) == (
        400,
        {"error": {"type": "INVALID_NOTE", "message": "Invalid note: spam is not allowed"}},
    )
    # request validation with the validator's words
    r = s.request("POST", "prod", "/notes", headers={**alice, **key}, json={"title": ""})
    assert r.status_code == 400
    # the validator's words, inserted as is (their inner quotes break the JSON, as on AWS)
    assert (
        r.text
        == '{"error": {"type": "BAD_REQUEST_BODY", "message": "[string "" is too short (length: 0, required minimum: 1)]"}}'
    )
    # the stage's access log format, rendered with $context
    line = s.wait_for('"principal":"user-alice","apiKeyId":')
    assert line.strip().startswith('access log prod: {"requestId":"')


# ----------------------------------------------------------------------------------------
# The server itself


def test_a_busy_port_is_a_clear_error(run_cli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run_cli("serve", str(SPECS / "users.yaml"), "--port", str(port))
    assert result.returncode == 2
    assert (
        f"apigwc: error: cannot listen on 127.0.0.1:{port}: Address already in use; choose another with --port (or --port 0 for any free port)"
        in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(run_cli, tmp_path: Path) -> None:
    r = run_cli("serve", str(SPECS / "users.yaml"), "--stage", "prod", "--port", "0")
    assert r.returncode == 2
    assert "apigwc: error: the API has no stage 'prod'; its stages are: dev" in r.stderr
    r = run_cli("serve", str(tmp_path / "missing.yaml"))
    assert r.returncode == 2
    assert f"apigwc: error: cannot read '{tmp_path / 'missing.yaml'}': no such file or directory" in r.stderr
    r = run_cli("serve", str(SPECS / "users.yaml"), "--lambda", "Fn=handlers", "--port", "0")
    assert r.returncode == 2
    assert (
        "--lambda Fn=handlers: the handler must be module.function (Python), file.export (Node.js) or module:callable"
        in r.stderr
    )


def test_a_spec_with_errors_is_not_served(run_cli, tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        """
        paths:
          /x:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                timeoutInMillis: 30000
                uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:F/invocations
              responses: {"200": {description: ok}}
        """,
    )
    r = run_cli("serve", str(spec), "--port", "0")
    assert r.returncode == 1
    assert "AGW203" in r.stderr
    assert "nothing is served" in r.stderr


def test_watch_reloads_and_keeps_the_old_build_on_errors(serve, tmp_path: Path) -> None:
    template = """
        paths:
          /v:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {{application/json: '{{"statusCode": 200}}'}}
                responses:
                  default: {{statusCode: "200", responseTemplates: {{application/json: '{{"v": {v}}}'}}}}
              responses: {{"200": {{description: ok}}}}
        """
    spec = write(tmp_path, template.format(v=1))
    s = serve(spec, "--watch")
    assert s.request("GET", "local", "/v").json() == {"v": 1}
    time.sleep(0.05)
    write(tmp_path, template.format(v=2))
    s.wait_for("api.yaml changed; reloaded")
    assert s.request("GET", "local", "/v").json() == {"v": 2}
    # a broken spec: errors printed, the previous build keeps serving
    broken = template.format(v=3).replace(
        "type: mock",
        "type: aws_proxy\n                httpMethod: POST\n                timeoutInMillis: 30000\n"
        "                uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:F/invocations",
    )
    write(tmp_path, broken)
    s.wait_for("still serving the previous build", stream="stderr")
    assert s.request("GET", "local", "/v").json() == {"v": 2}


def test_ctrl_c_stops_cleanly(serve) -> None:
    s = serve(SPECS / "users.yaml")
    assert s.request("GET", "dev", "/users?count=1").status_code == 200
    assert s.stop() == 0
    assert s.lines[-1] == "apigwc serve: stopped"


def test_every_example_serves(serve) -> None:
    for spec in sorted(SPECS.glob("*.yaml")):
        s = serve(spec)
        assert s.stages, spec
        assert "Ready. Press Ctrl-C to stop." in s.output
        s.stop()


# ----------------------------------------------------------------------------------------
# HTTP upstreams, crashing handlers, throttling under load


def test_http_backend_example_against_a_local_tls_upstream(serve, tmp_path: Path) -> None:
    from upstream import Servers

    upstream = Servers(tmp_path)
    try:
        s = serve(
            SPECS / "http-backend.yaml",
            "--stage",
            "dev",
            "--stage-var",
            f"backendHost={upstream.tls_host}",
            env={"SSL_CERT_FILE": str(upstream.cert)},
        )
        r = s.request("GET", "dev", "/orders/42", headers={"X-Correlation-Id": "c-1"})
        assert r.status_code == 200
        assert r.headers["x-correlation-id"] == "c-1"
        assert json.loads(r.text) == {
            "id": "42",
            "status": "paid",
            "total": 12.5,
            "items": [{"sku": "a", "quantity": 2}],
        }
        r = s.request("GET", "dev", "/orders/missing")
        assert (r.status_code, r.json()) == (404, {"message": "order missing not found"})
        # HTTP_PROXY: method, path, query and body pass through; the answer comes back as is
        r = s.request("POST", "dev", "/legacy/a/b?x=1", content=b"payload", headers={"Content-Type": "text/plain"})
        echo = r.json()
        assert (r.status_code, echo["method"], echo["path"], echo["query"], echo["body"]) == (
            200,
            "POST",
            "/legacy/a/b",
            "x=1",
            "payload",
        )
        assert r.headers["x-echo"] == "1"
        # the upstream's WWW-Authenticate is remapped [Doc]
        r = s.request("GET", "dev", "/legacy/../challenge")
        assert r.status_code in (401, 403)
    finally:
        upstream.stop()


def test_a_handler_that_crashes_never_takes_the_server_down(serve, tmp_path: Path) -> None:
    (tmp_path / "crashy.py").write_text(
        textwrap.dedent(
            """
            import os, sys
            def handler(event, context):
                what = (event.get("queryStringParameters") or {}).get("do")
                if what == "raise":
                    raise RuntimeError("boom")
                if what == "exit":
                    sys.exit(3)
                if what == "garbage":
                    return {"statusCode": "not a number"}
                return {"statusCode": 200, "body": "fine"}
            """
        )
    )
    spec = write(
        tmp_path,
        """
        paths:
          /c:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Crashy/invocations
              responses: {"200": {description: ok}}
        """,
    )
    s = serve(spec, "--lambda", "Crashy=crashy:handler")
    for what in ("raise", "exit", "garbage"):
        r = s.request("GET", "local", f"/c?do={what}")
        assert (r.status_code, r.json()) == (502, {"message": "Internal server error"}), what
    r = s.request("GET", "local", "/c")
    assert (r.status_code, r.text) == (200, "fine")


def test_stage_throttling_under_load_matches_the_configured_rate(serve, tmp_path: Path) -> None:
    """Send far more than the limit for ~3 s: what gets through is burst + rate x time, within 10%."""
    rate, burst = 20, 5
    spec = write(
        tmp_path,
        f"""
        x-apigwc:
          stages:
            dev:
              methodSettings:
                "*/*": {{throttling: {{burstLimit: {burst}, rateLimit: {rate}}}}}
        paths:
          /t:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {{application/json: '{{"statusCode": 200}}'}}
                responses: {{default: {{statusCode: "200"}}}}
              responses: {{"200": {{description: ok}}}}
        """,
    )
    s = serve(spec)
    url = s.url("dev", "/t")

    async def hammer() -> tuple[list[int], float]:
        statuses: list[int] = []
        async with httpx.AsyncClient(timeout=10) as client:
            start = time.monotonic()
            end = start + 3.0

            async def worker() -> None:
                while time.monotonic() < end and len(statuses) < 5000:
                    statuses.append((await client.get(url)).status_code)

            await asyncio.gather(*(worker() for _ in range(6)))
            return statuses, time.monotonic() - start

    statuses, elapsed = asyncio.run(hammer())
    accepted = statuses.count(200)
    throttled = statuses.count(429)
    assert accepted + throttled == len(statuses)
    assert throttled > accepted  # the load is well over the limit
    expected = burst + rate * elapsed
    assert abs(accepted - expected) <= 0.1 * expected, (accepted, expected, len(statuses))
    r = s.request("GET", "dev", "/t")
    if r.status_code == 429:
        assert r.json() == {"message": "Too Many Requests"}
        assert r.headers["x-amzn-ErrorType"] == "TooManyRequestsException"


def test_a_built_bundle_serves_without_the_spec(serve, run_cli, tmp_path: Path) -> None:
    """apigwc build writes output/<api>/local; serve and invoke read it, handlers found through baseDir."""
    out = tmp_path / "out"
    built = run_cli("build", str(SPECS / "petstore-lambda.yaml"), "--out", str(out))
    assert built.returncode == 0, built.stderr
    bundle = out / "petstore" / "local"
    s = serve(bundle)
    assert s.lines[0] == f"apigwc serve: PetStore from {bundle} (local bundle)"
    r = s.request("GET", "prod", "/pets/2", headers={"x-api-key": "localPartnerKey0123456789"})
    assert (r.status_code, r.json()["name"]) == (200, "Tom")
    invoked = run_cli("invoke", str(bundle), "/pets/1", "--format", "json")
    assert invoked.returncode == 0, invoked.stderr
    assert json.loads(json.loads(invoked.stdout)["body"])["name"] == "Rex"


def test_the_readme_shows_the_real_banner(monkeypatch) -> None:
    """README.md's `apigwc serve` example is what the command prints (port 3000)."""
    import re

    from apigwc.serve.server import Options, banner, build, load

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(
        r"```console\n\$ apigwc serve specs/petstore-lambda.yaml\n(.*?Ready\. Press Ctrl-C to stop\.\n)", readme, re.S
    )
    assert shown, "README.md lost its apigwc serve example"
    monkeypatch.chdir(ROOT)
    loaded = load(Path("specs/petstore-lambda.yaml"))
    served = build(loaded, Options())
    assert banner(loaded, served, "http://127.0.0.1:3000") == shown.group(1)


def test_binary_bodies_through_a_lambda_proxy(serve, tmp_path: Path) -> None:
    (tmp_path / "images.py").write_text(
        textwrap.dedent(
            """
            import base64, hashlib
            PNG = bytes(range(256))
            def handler(event, context):
                if event["httpMethod"] == "POST":
                    raw = base64.b64decode(event["body"]) if event["isBase64Encoded"] else event["body"].encode()
                    return {"statusCode": 200, "body": f'{event["isBase64Encoded"]} {hashlib.sha256(raw).hexdigest()}'}
                return {"statusCode": 200, "headers": {"Content-Type": "image/png"},
                        "body": base64.b64encode(PNG).decode(), "isBase64Encoded": True}
            """
        )
    )
    spec = write(
        tmp_path,
        """
        x-amazon-apigateway-binary-media-types: [image/png]
        x-apigwc: {local: {lambdas: {Images: "images:handler"}}}
        paths:
          /image:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Images/invocations
              responses: {"200": {description: ok}}
        """,
    )
    s = serve(spec)
    r = s.request("GET", "local", "/image", headers={"Accept": "image/png"})
    assert (r.status_code, r.headers["content-type"], r.content) == (200, "image/png", bytes(range(256)))
    import hashlib

    payload = bytes(range(255, -1, -1)) * 10
    r = s.request("POST", "local", "/image", content=payload, headers={"Content-Type": "image/png"})
    assert r.text == f"True {hashlib.sha256(payload).hexdigest()}"


def test_source_ip_is_the_tcp_peer_not_x_forwarded_for(serve, tmp_path: Path) -> None:
    """$context.identity.sourceIp is the caller's address; a client-sent X-Forwarded-For changes nothing [Doc]."""
    spec = write(
        tmp_path,
        """
        paths:
          /ip:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses:
                  default: {statusCode: "200", responseTemplates: {application/json: '{"ip": "$context.identity.sourceIp", "xff": "$input.params(''X-Forwarded-For'')"}'}}
              responses: {"200": {description: ok}}
        """,
    )
    s = serve(spec)
    r = s.request("GET", "local", "/ip", headers={"X-Forwarded-For": "203.0.113.7"})
    assert r.json() == {"ip": "127.0.0.1", "xff": "203.0.113.7"}
    assert s.wait_for("GET /local/ip -> 200").split()[1] == "127.0.0.1"


def test_watch_follows_files_the_spec_refs(serve, tmp_path: Path) -> None:
    models = tmp_path / "models.yaml"
    models.write_text("Note:\n  type: object\n  properties: {title: {type: string}}\n", encoding="utf-8")
    spec = write(
        tmp_path,
        """
        x-amazon-apigateway-request-validators: {body: {validateRequestBody: true, validateRequestParameters: false}}
        paths:
          /notes:
            post:
              x-amazon-apigateway-request-validator: body
              requestBody:
                content: {application/json: {schema: {$ref: "models.yaml#/Note"}}}
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses: {default: {statusCode: "200"}}
              responses: {"200": {description: ok}}
        """,
    )
    s = serve(spec, "--watch")
    assert s.request("POST", "local", "/notes", json={}).status_code == 200
    time.sleep(0.05)
    models.write_text(
        "Note:\n  type: object\n  required: [title]\n  properties: {title: {type: string}}\n", encoding="utf-8"
    )
    s.wait_for("models.yaml changed; reloaded")
    r = s.request("POST", "local", "/notes", json={})
    assert (r.status_code, r.json()) == (400, {"message": "Invalid request body"})


def test_api_keys_from_the_authorizer_and_usage_plan_limits(serve, tmp_path: Path) -> None:
    """apiKeySource AUTHORIZER: the TOKEN authorizer's usageIdentifierKey is the API key; plan quota applies."""
    (tmp_path / "auth.py").write_text(
        textwrap.dedent(
            """
            def authorize(event, context):
                token = event["authorizationToken"]
                keys = {"gold-user": "goldKey00000000000000001", "stranger": "notAKeyOfThisApi00000000"}
                return {
                    "principalId": token,
                    "policyDocument": {"Version": "2012-10-17", "Statement": [
                        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}]},
                    "usageIdentifierKey": keys.get(token),
                }
            """
        )
    )
    spec = write(
        tmp_path,
        """
        x-amazon-apigateway-api-key-source: AUTHORIZER
        components:
          securitySchemes:
            token:
              type: apiKey
              name: Authorization
              in: header
              x-amazon-apigateway-authtype: custom
              x-amazon-apigateway-authorizer:
                type: token
                authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Auth/invocations
                authorizerResultTtlInSeconds: 0
            api_key: {type: apiKey, name: x-api-key, in: header}
        x-apigwc:
          stages: {prod: {}}
          usagePlans:
            gold: {stages: [prod], quota: {limit: 3, period: DAY}, apiKeys: [gold]}
          apiKeys:
            gold: {value: goldKey00000000000000001}
          local: {lambdas: {Auth: "auth:authorize"}}
        paths:
          /data:
            get:
              security: [{token: [], api_key: []}]
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses:
                  default: {statusCode: "200", responseTemplates: {application/json: '{"key": "$context.identity.apiKeyId", "who": "$context.authorizer.principalId"}'}}
              responses: {"200": {description: ok}}
        """,
    )
    s = serve(spec)
    r = s.request("GET", "prod", "/data", headers={"Authorization": "gold-user", "x-api-key": "ignored"})
    assert r.status_code == 200
    assert r.json()["who"] == "gold-user" and r.json()["key"].startswith("ApiKey")
    r = s.request("GET", "prod", "/data", headers={"Authorization": "stranger"})
    assert (r.status_code, r.json()) == (403, {"message": "Forbidden"})
    # the plan's quota: 3 a day, one used above
    statuses = [s.request("GET", "prod", "/data", headers={"Authorization": "gold-user"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    r = s.request("GET", "prod", "/data", headers={"Authorization": "gold-user"})
    assert (r.status_code, r.json(), r.headers["x-amzn-ErrorType"]) == (
        429,
        {"message": "Limit Exceeded"},
        "LimitExceededException",
    )


def test_log_prints_each_requests_execution_log(serve) -> None:
    s = serve(SPECS / "users.yaml", "--log")
    s.request("GET", "dev", "/users?count=50")
    s.wait_for("Method completed with status: 500")
    start = next(i for i, line in enumerate(s.lines) if "GET /dev/users?count=50 -> 500" in line)
    log = [line.strip() for line in s.lines[start + 2 :]]  # after the access line and the stage's access log
    assert log[0].startswith("Starting execution for request: ")
    assert "Method request query string: {count=50}" in log
    assert any(
        line.startswith("Endpoint request body after transformations: ") and '"statusCode": 500' in line for line in log
    )
    assert log[log.index("Method completed with status: 500") - 1] == "Successfully completed execution"


def test_invalid_response_headers_are_dropped_and_logged(serve, tmp_path: Path) -> None:
    """A handler's header that HTTP cannot carry is dropped (and logged), never a broken connection [Inf]."""
    (tmp_path / "h.py").write_text(
        textwrap.dedent(
            """
            def handler(event, context):
                return {"statusCode": 200, "body": "ok", "headers": {
                    "space name": "x", "X-Nl": "a\\r\\nInjected: yes", "X-名": "v", "X-Unicode-Value": "名前", "X-Fine": "1"}}
            """
        )
    )
    spec = write(
        tmp_path,
        """
        x-apigwc: {local: {lambdas: {F: "h:handler"}}}
        paths:
          /x:
            get:
              x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:F/invocations"}
              responses: {"200": {description: ok}}
        """,
    )
    s = serve(spec, "--log")
    r = s.request("GET", "local", "/x")
    assert (r.status_code, r.text, r.headers["x-fine"]) == (200, "ok", "1")
    assert dict(r.headers.raw)[b"X-Unicode-Value"] == "名前".encode()  # a value is sent as UTF-8 bytes
    assert "injected" not in r.headers and "x-nl" not in r.headers
    s.wait_for("Response header 'X-名' dropped: the name is not valid in HTTP ('v')")
    s.wait_for("Response header 'X-Nl' dropped: the value is not valid in HTTP ('a\\r\\nInjected: yes')")
    s.wait_for("Response header 'space name' dropped: the name is not valid in HTTP ('x')")


def test_204_and_304_carry_no_body_even_when_a_template_writes_one(serve, tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        """
        paths:
          /s:
            get:
              parameters: [{name: s, in: query, schema: {type: string}}]
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": $input.params(''s'')}'}
                responses:
                  default: {statusCode: "200", responseTemplates: {application/json: '{"ok": true}'}}
                  "204": {statusCode: "204", responseTemplates: {application/json: '{"ignored": true}'}}
                  "304": {statusCode: "304", responseTemplates: {application/json: '{"ignored": true}'}}
              responses: {"200": {description: ok}, "204": {description: none}, "304": {description: not modified}}
        """,
    )
    s = serve(spec)
    for status in (204, 304, 200):  # one keep-alive connection: it must survive the bodiless answers
        r = s.request("GET", "local", f"/s?s={status}")
        assert r.status_code == status
        assert r.content == (b'{"ok": true}' if status == 200 else b"")


def test_random_lambda_proxy_answers_never_break_a_connection(serve, tmp_path: Path) -> None:
    """Seeded random proxy results (statuses, header names and values, bodies): every one gets an HTTP answer."""
    (tmp_path / "chaos.py").write_text(
        textwrap.dedent(
            """
            import base64, random, string

            def handler(event, context):
                rng = random.Random(int(event["queryStringParameters"]["seed"]))
                chars = string.printable + "é名\\x00\\x7f"
                def text(n):
                    return "".join(rng.choice(chars) for _ in range(rng.randint(0, n)))
                result = {
                    "statusCode": rng.choice([200, 201, 204, 304, 100, 199, 302, 404, 500, 599, 600, "200", "abc", None]),
                    "headers": {text(8) or "X": text(12) for _ in range(rng.randint(0, 3))},
                    "body": rng.choice([text(30), None, 123, {"a": 1}, base64.b64encode(text(10).encode()).decode()]),
                }
                if rng.random() < 0.3:
                    result["multiValueHeaders"] = {text(6) or "Y": [text(5) for _ in range(rng.randint(0, 2))]}
                if rng.random() < 0.3:
                    result["isBase64Encoded"] = rng.choice([True, False, "yes"])
                return result
            """
        )
    )
    spec = write(
        tmp_path,
        """
        x-amazon-apigateway-binary-media-types: ["*/*"]
        x-apigwc: {local: {lambdas: {Chaos: "chaos:handler"}}}
        paths:
          /x:
            get:
              x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Chaos/invocations"}
              responses: {"200": {description: ok}}
        """,
    )
    s = serve(spec)
    statuses = {
        s.request("GET", "local", f"/x?seed={seed}", headers={"Accept": "*/*"}).status_code for seed in range(400)
    }
    assert {200, 204, 304, 500, 502} <= statuses  # answered every time (the fixture checks stderr has no traceback)
