"""`apigwc deploy` against a real AWS API server: moto in server mode on 127.0.0.1.

The server runs in this process (moto's WSGI application under werkzeug), so a test can
stop it in the middle of a deploy and start it again on the same port with the state it
had: `MotoServer.trip_after(n)` closes the connection of the n-th mutating request and
shuts the server down.  It also records every mutating API Gateway and Lambda request,
which is how "a second deploy makes no mutating call" is checked: on the server side.

The deploy itself always runs as a real `python -m apigwc deploy` subprocess.  What it
built is read back with plain boto3 calls (get_resources, get_method, get_integration,
get_stage...) and compared with the gateway model, not with apigwc's own reader.
"""

from __future__ import annotations

import io
import json
import logging
import re
import socket
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest

from apigwc import gateway as gw
from apigwc.deploy.executor import Caller, DeployError, NoPacing, Pacing, RetryPolicy
from apigwc.intrinsics import Intrinsic
from apigwc.pipeline import compile_file
from apigwc.planner.calls import Join, Ref, from_data, plan_from_json, resolve, to_data
from apigwc.planner.refs import ProblemKind, Values
from support import ROOT, SPECS

EXAMPLES = sorted(SPECS.glob("*.yaml"))
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
FUNCTIONS = ("PetsFunction", "NotesFunction", "TokenAuthorizer")
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
}
_SERVICE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/")


class MotoServer:
    """moto's server on 127.0.0.1: stoppable, restartable on its port, recording mutating requests."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.app = DomainDispatcherApplication(create_backend_app)
        self.port = 0
        self.server = None
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        #: (service, HTTP method, path) of every mutating API Gateway / Lambda request
        self.requests: list[tuple[str, str, str]] = []
        self._trip_at: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        from moto.moto_server.werkzeug_app import MotoRequestHandler
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", self.port, self._wsgi, threaded=True, request_handler=MotoRequestHandler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def trip_after(self, n: int) -> None:
        """Stop the server when the n-th mutating request (from now) arrives; that request is not served."""
        with self.lock:
            self._trip_at = len(self.requests) + n

    def mutating(self) -> list[tuple[str, str, str]]:
        with self.lock:
            return list(self.requests)

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()

    def _wsgi(self, environ, start_response):
        match = _SERVICE.search(environ.get("HTTP_AUTHORIZATION", ""))
        service = match.group(1) if match else ""
        if service in ("apigateway", "lambda") and environ["REQUEST_METHOD"] in ("POST", "PUT", "PATCH", "DELETE"):
            with self.lock:
                self.requests.append((service, environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")))
                trip = self._trip_at is not None and len(self.requests) >= self._trip_at
                if trip:
                    self._trip_at = None
            if trip:
                server = self.server
                self.server = None
                server.shutdown()
                server.server_close()
                sock = environ["werkzeug.socket"]
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
                start_response("503 Service Unavailable", [])
                return [b""]
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def moto_server():
    server = MotoServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def aws(moto_server, monkeypatch):
    """A reset moto with the Lambda functions the examples invoke."""
    for k, v in CREDENTIALS.items():
        monkeypatch.setenv(k, v)
    if moto_server.server is None:
        moto_server.start()
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(moto_server.url + "/moto-api/reset", method="POST")).read()
    iam = boto3.client("iam", endpoint_url=moto_server.url, region_name=REGION)
    lam = boto3.client("lambda", endpoint_url=moto_server.url, region_name=REGION)
    role = iam.create_role(RoleName="lambda", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return {}\n")
    for name in FUNCTIONS:
        lam.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": code.getvalue()},
        )
    moto_server.clear()
    return moto_server


def deploy_cli(run_cli, server: MotoServer, spec: Path, stage: str, *extra: str):
    return run_cli("deploy", str(spec), "--stage", stage, "--endpoint-url", server.url, *extra, env=CREDENTIALS)


def progress_calls(stderr: str) -> list[str]:
    """``service operation on target`` of every ``[ i/n]`` progress line."""
    return [m.group(1) for m in re.finditer(r"^\[\s*\d+/\d+\] (\S+ \S+ on .+)$", stderr, re.M)]


# ----------------------------------------------------------------------------------------
# Reading the API back with plain boto3 and comparing it with the gateway model


def _text(value, context: dict[str, str]) -> str | None:
    """A gateway value with the import variables resolved, as the service stores it."""
    if value is None:
        return None
    assert isinstance(value, str), value
    for k, v in context.items():
        value = value.replace("${AWS::" + k + "}", v)
    return value


def _api(ag, title: str) -> dict:
    apis = [a for a in ag.get_rest_apis()["items"] if a["name"] == title]
    assert len(apis) == 1, apis
    return apis[0]


def _setting_key(ms: gw.MethodSetting) -> str:
    """The methodSettings key get_stage uses: ``*/*`` or ``~1orders~1{orderId}/GET``."""
    path = "*" if ms.resource_path == "/*" else ms.resource_path.replace("/", "~1")
    return f"{path}/{ms.http_method}"


def assert_matches_model(url: str, gateway: gw.Gateway, stage: str) -> str:
    """Read the deployed API with boto3 and compare every part with the model; returns the API id."""
    ag = boto3.client("apigateway", endpoint_url=url, region_name=REGION)
    lam = boto3.client("lambda", endpoint_url=url, region_name=REGION)
    ctx = {"Region": REGION, "AccountId": ACCOUNT, "Partition": "aws"}
    api = _api(ag, gateway.rest_api.name)
    api_id = api["id"]
    slug = re.sub(r"[^a-z0-9]+", "-", gateway.rest_api.name.lower()).strip("-")
    assert api["tags"] == {"apigwc:api": slug}
    assert api["description"] == gateway.rest_api.description
    assert api["apiKeySource"] == gateway.rest_api.api_key_source.value
    assert api["endpointConfiguration"]["types"] == [t.value for t in gateway.rest_api.endpoint_types]

    resources = {r["path"]: r for r in ag.get_resources(restApiId=api_id, limit=500)["items"]}
    assert sorted(resources) == sorted(r.path for r in gateway.resources)
    for r in gateway.resources:
        if not r.is_root:
            assert resources[r.path]["pathPart"] == r.path_part
            assert resources[r.path]["parentId"] == resources[r.parent]["id"]
    authorizers = {a["name"]: a for a in ag.get_authorizers(restApiId=api_id)["items"]}
    validators = {v["name"]: v for v in ag.get_request_validators(restApiId=api_id)["items"]}
    assert sorted(authorizers) == sorted(a.name for a in gateway.authorizers)
    for a in gateway.authorizers:
        got = authorizers[a.name]
        assert (got["type"], got["authorizerUri"], got["identitySource"], got["authorizerResultTtlInSeconds"]) == (
            a.type.value,
            _text(a.authorizer_uri, ctx),
            a.identity_source,
            a.result_ttl_in_seconds,
        )
        assert got.get("identityValidationExpression") == a.identity_validation_expression
    assert {n: (v["validateRequestBody"], v["validateRequestParameters"]) for n, v in validators.items()} == {
        v.name: (v.validate_request_body, v.validate_request_parameters) for v in gateway.request_validators
    }
    models = {m["name"]: m for m in ag.get_models(restApiId=api_id)["items"]}
    assert sorted(set(models) - set(gw.BUILTIN_MODELS)) == sorted(m.name for m in gateway.models)
    for m in gateway.models:
        expected = json.loads(json.dumps(m.schema).replace("{restapi_id}", api_id))
        assert json.loads(models[m.name]["schema"]) == expected
        assert models[m.name]["contentType"] == m.content_type

    live_methods = {(path, verb) for path, r in resources.items() for verb in (r.get("resourceMethods") or {})}
    assert sorted(live_methods) == sorted((m.path, m.http_method.value) for m in gateway.methods)
    for m in gateway.methods:
        rid = resources[m.path]["id"]
        got = ag.get_method(restApiId=api_id, resourceId=rid, httpMethod=m.http_method.value)
        assert got["authorizationType"] == m.authorization_type.value, m.label
        assert got.get("authorizerId") == (authorizers[m.authorizer]["id"] if m.authorizer else None), m.label
        assert got.get("apiKeyRequired", False) == m.api_key_required, m.label
        assert got.get("operationName") == m.operation_name, m.label
        assert got.get("requestParameters", {}) == dict(m.request_parameters), m.label
        assert got.get("requestModels", {}) == dict(m.request_models), m.label
        assert got.get("requestValidatorId") == (
            validators[m.request_validator]["id"] if m.request_validator else None
        ), m.label
        assert {
            s: (r.get("responseParameters", {}), r.get("responseModels", {}))
            for s, r in got.get("methodResponses", {}).items()
        } == {r.status_code: (dict(r.response_parameters), dict(r.response_models)) for r in m.method_responses}, (
            m.label
        )
        i = m.integration
        assert i is not None
        integ = ag.get_integration(restApiId=api_id, resourceId=rid, httpMethod=m.http_method.value)
        assert integ["type"] == i.type.value, m.label
        assert integ.get("httpMethod") == i.http_method, m.label
        assert integ.get("uri") == _text(i.uri, ctx), m.label
        assert integ.get("passthroughBehavior") == i.passthrough_behavior.value, m.label
        assert integ.get("timeoutInMillis") == i.timeout_in_millis, m.label
        assert integ.get("requestParameters", {}) == dict(i.request_parameters), m.label
        assert integ.get("requestTemplates", {}) == {k: v or "" for k, v in i.request_templates.items()}, m.label
        got_responses = integ.get("integrationResponses", {})
        assert sorted(got_responses) == [r.status_code for r in i.responses], m.label
        for r in i.responses:
            g = got_responses[r.status_code]
            assert g.get("selectionPattern") == r.selection_pattern, m.label
            assert g.get("responseTemplates", {}) == dict(r.response_templates), m.label
            assert g.get("responseParameters", {}) == dict(r.response_parameters), m.label

    responses = {
        g["responseType"]: g
        for g in ag.get_gateway_responses(restApiId=api_id)["items"]
        if not g.get("defaultResponse")
    }
    assert sorted(responses) == sorted(r.response_type for r in gateway.gateway_responses)
    for r in gateway.gateway_responses:
        assert responses[r.response_type].get("statusCode") == r.status_code
        assert responses[r.response_type].get("responseTemplates", {}) == dict(r.response_templates)
        assert responses[r.response_type].get("responseParameters", {}) == dict(r.response_parameters)

    want = gateway.stage(stage)
    got = ag.get_stage(restApiId=api_id, stageName=stage)
    deployment = ag.get_deployment(restApiId=api_id, deploymentId=got["deploymentId"])
    assert deployment["description"].startswith("apigwc ")
    if want is not None:
        assert (got.get("description") or None) == want.description
        assert got.get("variables", {}) == dict(want.variables)
        assert bool(got.get("tracingEnabled")) == want.tracing_enabled
        if want.access_log is not None:
            assert got["accessLogSettings"] == {
                "format": want.access_log.format,
                "destinationArn": want.access_log.destination_arn,
            }
        settings = got.get("methodSettings", {})
        assert sorted(settings) == sorted(_setting_key(ms) for ms in want.method_settings)
        for ms in want.method_settings:
            entry = settings[_setting_key(ms)]
            for attr, key in (
                ("metrics_enabled", "metricsEnabled"),
                ("logging_level", "loggingLevel"),
                ("throttling_burst_limit", "throttlingBurstLimit"),
                ("throttling_rate_limit", "throttlingRateLimit"),
                ("caching_enabled", "cachingEnabled"),
            ):
                if getattr(ms, attr) is not None:
                    assert entry[key] == getattr(ms, attr), (ms.key, key)

    plans = {p["name"]: p for p in ag.get_usage_plans()["items"]}
    keys = {k["name"]: k for k in ag.get_api_keys(includeValues=True)["items"]}
    for k in gateway.api_keys:
        assert keys[k.name]["enabled"] == k.enabled and keys[k.name].get("value") == k.value
    for p in gateway.usage_plans_of(stage):
        got_plan = plans[p.name]
        assert [s for s in got_plan["apiStages"] if s["apiId"] == api_id] == [
            {
                "apiId": api_id,
                "stage": stage,
                **(
                    {
                        "throttle": {
                            k: {"burstLimit": t.burst_limit, "rateLimit": t.rate_limit} for k, t in s.throttle.items()
                        }
                    }
                    if s.throttle
                    else {}
                ),
            }
            for s in p.api_stages
            if s.stage == stage
        ]
        assert got_plan["throttle"] == {"burstLimit": p.throttle.burst_limit, "rateLimit": p.throttle.rate_limit}
        assert {k: int(v) if k != "period" else v for k, v in got_plan["quota"].items()} == {
            "limit": p.quota.limit,
            "offset": p.quota.offset,
            "period": p.quota.period,
        }
        plan_keys = {k["name"] for k in ag.get_usage_plan_keys(usagePlanId=got_plan["id"])["items"]}
        assert plan_keys == set(p.api_keys)

    expected_sources: dict[str, set[str]] = {}
    for perm in gateway.lambda_permissions:
        fn = _text(perm.function_name, ctx)
        if isinstance(perm.source, gw.AuthorizerSource):
            suffix = f"authorizers/{authorizers[perm.source.authorizer]['id']}"
        elif perm.source.stage in ("*", stage):
            suffix = perm.source.suffix
        else:
            continue
        expected_sources.setdefault(fn, set()).add(f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/{suffix}")
    for fn, sources in expected_sources.items():
        statements = json.loads(lam.get_policy(FunctionName=fn)["Policy"])["Statement"]
        got_sources = {
            s["Condition"]["ArnLike"]["AWS:SourceArn"] for s in statements if s["Sid"].startswith(f"apigwc-{api_id}-")
        }
        assert got_sources == sources, fn
    return api_id


# ----------------------------------------------------------------------------------------
# Every example deploys, matches its model, and converges


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_deploys_matches_the_model_and_redeploys_without_a_call(aws, run_cli, spec):
    gateway = compile_file(spec).gateway
    for stage in [s.name for s in gateway.stages]:
        aws.clear()
        r = deploy_cli(run_cli, aws, spec, stage, "--yes")
        assert r.returncode == 0, r.stderr
        api_id = assert_matches_model(aws.url, gateway, stage)
        assert r.stdout.endswith(f"Invoke URL: https://{api_id}.execute-api.{REGION}.amazonaws.com/{stage}/\n")
        assert re.match(rf"^(Deployed {re.escape(gateway.rest_api.name)} to stage {stage}: \d+ changes)\n", r.stdout), (
            r.stdout
        )
        # the progress shows one line per call; the server saw exactly those mutating calls
        calls = progress_calls(r.stderr)
        assert len(aws.mutating()) == len([c for c in calls if not c.split()[1].startswith("get_")])
    for stage in [s.name for s in gateway.stages]:
        aws.clear()
        r = deploy_cli(run_cli, aws, spec, stage, "--yes")
        assert r.returncode == 0, r.stderr
        assert aws.mutating() == []
        assert progress_calls(r.stderr) == []
        assert r.stdout.startswith(f"{gateway.rest_api.name} is up to date on stage {stage}: no change made\n")


# ----------------------------------------------------------------------------------------
# A changed spec: only the calls for the change


USERS = (SPECS / "users.yaml").read_text(encoding="utf-8")
BASE = USERS.replace(
    "      description: Development stage.\n",
    "      description: Development stage.\n      variables:\n        tier: free\n",
)
CHANGED = (
    BASE.replace("        tier: free\n", "        tier: paid\n")
    .replace('"name": "User $i"}', '"name": "Member $i"}')
    # GET /users/{userId} goes (the path stays: it is the parent of the new one)...
    .replace(
        "  /users/{userId}:\n    get:\n",
        "  /users/{userId}:\n    parameters:\n      - {name: userId, in: path, required: true, schema: {type: string}}\n  /users/{userId}/posts:\n    get:\n",
        1,
    )
)


def test_base_and_changed_specs_differ_as_intended():
    assert (
        "tier: free" in BASE
        and "tier: paid" in CHANGED
        and '"Member $i"' in CHANGED
        and "/users/{userId}/posts:" in CHANGED
    )


def test_a_changed_spec_makes_only_those_calls_and_matches_the_new_model(aws, run_cli, tmp_path):
    spec = tmp_path / "users.yaml"
    spec.write_text(BASE, encoding="utf-8")
    assert deploy_cli(run_cli, aws, spec, "dev", "--yes").returncode == 0
    spec.write_text(CHANGED, encoding="utf-8")
    aws.clear()
    r = deploy_cli(run_cli, aws, spec, "dev", "--yes")
    assert r.returncode == 0, r.stderr
    assert progress_calls(r.stderr) == [
        "apigateway create_resource on /users/{userId}/posts",
        "apigateway put_integration_response on GET /users 200",
        "apigateway delete_method on GET /users/{userId}",
        "apigateway put_method on GET /users/{userId}/posts",
        "apigateway put_method_response on GET /users/{userId}/posts 200",
        "apigateway put_integration on GET /users/{userId}/posts",
        "apigateway put_integration_response on GET /users/{userId}/posts 200",
        "apigateway create_deployment on API Users",
        "apigateway update_stage on stage dev",
    ]
    assert [(m, p.split("/")[-1] if m != "PATCH" else p.split("/")[-2]) for _, m, p in aws.mutating()] == [
        ("POST", aws.mutating()[0][2].split("/")[-1]),
        ("PUT", "200"),
        ("DELETE", "GET"),
        ("PUT", "GET"),
        ("PUT", "200"),
        ("PUT", "integration"),
        ("PUT", "200"),
        ("POST", "deployments"),
        ("PATCH", "stages"),
    ]
    gateway = compile_file(spec).gateway
    assert_matches_model(aws.url, gateway, "dev")
    aws.clear()
    r = deploy_cli(run_cli, aws, spec, "dev", "--yes")
    assert (r.returncode, aws.mutating()) == (0, [])


def test_dry_run_lists_the_changes_and_changes_nothing(aws, run_cli, tmp_path):
    spec = tmp_path / "users.yaml"
    spec.write_text(BASE, encoding="utf-8")
    r = deploy_cli(run_cli, aws, spec, "dev", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(
        "Users -> stage dev: 20 calls (apigateway 20)\n   1. apigateway create_rest_api  API Users  -> $restApi, $resource:/\n"
    )
    assert r.stdout.endswith("  20. apigateway update_stage  stage dev\ndry run: nothing was changed\n")
    assert aws.mutating() == []
    assert boto3.client("apigateway", endpoint_url=aws.url, region_name=REGION).get_rest_apis()["items"] == []

    assert deploy_cli(run_cli, aws, spec, "dev", "--yes").returncode == 0
    spec.write_text(CHANGED, encoding="utf-8")
    aws.clear()
    r = deploy_cli(run_cli, aws, spec, "dev", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        "Users -> stage dev: 9 calls (apigateway 9)\n"
        "  1. apigateway create_resource  /users/{userId}/posts  -> $resource:/users/{userId}/posts\n"
        "  2. apigateway put_integration_response  GET /users 200\n"
        "  3. apigateway delete_method  GET /users/{userId}\n"
        "  4. apigateway put_method  GET /users/{userId}/posts\n"
        "  5. apigateway put_method_response  GET /users/{userId}/posts 200\n"
        "  6. apigateway put_integration  GET /users/{userId}/posts\n"
        "  7. apigateway put_integration_response  GET /users/{userId}/posts 200\n"
        "  8. apigateway create_deployment  API Users  -> $deployment\n"
        "  9. apigateway update_stage  stage dev\n"
        "dry run: nothing was changed\n"
    )
    assert aws.mutating() == []


# ----------------------------------------------------------------------------------------
# The server stops in the middle of a deploy


def test_a_deploy_cut_off_by_a_stopped_server_fails_clearly_and_the_next_one_converges(aws, run_cli):
    spec = SPECS / "petstore-lambda.yaml"
    gateway = compile_file(spec).gateway
    # mutating requests: create_rest_api, 3 models, the validator, 2 resources, then put_method GET /pets
    aws.trip_after(8)
    r = deploy_cli(run_cli, aws, spec, "prod", "--yes")
    assert aws.server is None, "the server should have been stopped"
    assert r.returncode == 2, r.stdout + r.stderr
    assert "apigwc: error: put_method on GET /pets failed: cannot reach the endpoint: " in r.stderr
    assert r.stdout == ""
    aws.start()  # same port, same state
    ag = boto3.client("apigateway", endpoint_url=aws.url, region_name=REGION)
    api_id = _api(ag, "PetStore")["id"]
    half = ag.get_resources(restApiId=api_id, embed=["methods"])["items"]
    assert sorted(x["path"] for x in half) == ["/", "/pets", "/pets/{petId}"]
    assert all(not x.get("resourceMethods") for x in half)
    assert ag.get_stages(restApiId=api_id)["item"] == []

    aws.clear()
    r = deploy_cli(run_cli, aws, spec, "prod", "--yes")
    assert r.returncode == 0, r.stderr
    calls = progress_calls(r.stderr)
    assert calls[0] == "apigateway put_method on GET /pets"
    assert not any(
        c.split()[1] in ("create_rest_api", "create_model", "create_resource", "create_request_validator")
        for c in calls
    )
    assert_matches_model(aws.url, gateway, "prod")
    aws.clear()
    r = deploy_cli(run_cli, aws, spec, "prod", "--yes")
    assert (r.returncode, aws.mutating()) == (0, [])


# ----------------------------------------------------------------------------------------
# Exit codes and messages


def test_exit_codes(aws, run_cli, tmp_path):
    users = SPECS / "users.yaml"
    r = deploy_cli(run_cli, aws, users, "prod", "--yes")
    assert (r.returncode, r.stderr) == (
        2,
        "apigwc: error: stage 'prod' is not declared in x-apigwc.stages (declared: dev)\n",
    )
    r = deploy_cli(run_cli, aws, users, "dev")  # no terminal, no --yes
    assert r.returncode == 2 and r.stderr.endswith(
        "apigwc: error: not on a terminal: pass --yes to apply, or --dry-run to only look\n"
    )
    assert aws.mutating() == []
    r = deploy_cli(run_cli, aws, users, "dev", "--param", "novalue")
    assert (r.returncode, r.stderr) == (2, "apigwc: error: --param takes NAME=VALUE, got 'novalue'\n")
    r = run_cli(
        "deploy", str(users), "--stage", "dev", "--endpoint-url", "http://127.0.0.1:9", "--yes", env=CREDENTIALS
    )
    assert (
        r.returncode == 2
        and "apigwc: error: get_caller_identity (the account id) failed: cannot reach the endpoint" in r.stderr
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "openapi: 3.0.3\ninfo: {title: Bad, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: GET, uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:F/invocations'}\n"
    )
    r = deploy_cli(run_cli, aws, bad, "dev", "--yes")
    assert r.returncode == 1 and "nothing was written" in r.stderr
    assert aws.mutating() == []


def test_a_missing_lambda_function_is_reported_and_the_rest_deploys(aws, run_cli):
    lam = boto3.client("lambda", endpoint_url=aws.url, region_name=REGION)
    lam.delete_function(FunctionName="PetsFunction")
    aws.clear()
    r = deploy_cli(run_cli, aws, SPECS / "petstore-lambda.yaml", "prod", "--yes")
    assert r.returncode == 1
    assert (
        "apigwc: warning: Lambda function 'arn:aws:lambda:us-east-1:123456789012:function:PetsFunction' does not exist: "
        "API Gateway has no permission to invoke it (calls to it fail with 500); create the function and deploy again\n"
    ) in r.stderr
    assert "Deployed PetStore to stage prod" in r.stdout
    assert not any(s == "lambda" for s, _, _ in aws.mutating())


STACKED = (ROOT / "tests" / "rules" / "AGW920" / "bad.yaml").read_text(encoding="utf-8")


def test_cloudformation_refs_need_params(aws, run_cli, tmp_path):
    spec = tmp_path / "stacked.yaml"
    spec.write_text(STACKED, encoding="utf-8")
    r = deploy_cli(run_cli, aws, spec, "prod", "--yes")
    assert r.returncode == 2
    assert r.stderr.endswith(
        "apigwc: error: the spec refers to CloudFormation values apigwc cannot know (ApiFunctionArn); "
        "pass --param ApiFunctionArn=VALUE, or deploy with --via cloudformation\n"
    )
    assert aws.mutating() == []
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:NotesFunction"
    r = deploy_cli(run_cli, aws, spec, "prod", "--yes", "--param", f"ApiFunctionArn={arn}")
    assert r.returncode == 0, r.stderr
    ag = boto3.client("apigateway", endpoint_url=aws.url, region_name=REGION)
    api_id = _api(ag, "Stacked")["id"]
    rid = next(x["id"] for x in ag.get_resources(restApiId=api_id)["items"] if x["path"] == "/a")
    assert ag.get_integration(restApiId=api_id, resourceId=rid, httpMethod="GET")["uri"] == (
        f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}/invocations"
    )
    spec.write_text((ROOT / "tests" / "rules" / "AGW921" / "bad.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    r = deploy_cli(run_cli, aws, spec, "prod", "--yes")
    assert (r.returncode, r.stderr) == (
        2,
        "apigwc: error: the spec holds CloudFormation intrinsics that deploy calls cannot resolve "
        "(Fn::If in the uri of the integration of GET /a); deploy it with --via cloudformation\n",
    )


# ----------------------------------------------------------------------------------------
# The CloudFormation route (moto: change sets yes; executing AWS::ApiGateway stacks no)


def test_cloudformation_route_shows_the_change_set_and_a_dry_run_deletes_it(aws, run_cli):
    r = deploy_cli(run_cli, aws, SPECS / "users.yaml", "dev", "--via", "cloudformation", "--dry-run")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert re.fullmatch(r"change set apigwc-\d{14}-[0-9a-f]{6} \(create stack apigwc-users\): 11 changes", lines[0])
    assert lines[1].split() == ["Action", "Logical", "ID", "Type", "Replacement"]
    assert sorted(line.split()[1] for line in lines[2:13]) == sorted(
        json.loads(
            json.dumps(
                __import__("apigwc.targets.cfn", fromlist=["x"]).build_template(
                    compile_file(SPECS / "users.yaml").gateway,
                    __import__("apigwc.targets", fromlist=["x"]).EmitOptions(),
                    __import__("apigwc.diagnostics", fromlist=["x"]).Diagnostics(),
                )["Resources"]
            )
        )
    )
    assert all(line.split()[0] == "Add" for line in lines[2:13])
    assert lines[13] == "dry run: the change set was deleted; nothing was changed"
    cfn = boto3.client("cloudformation", endpoint_url=aws.url, region_name=REGION)
    assert [s["StackName"] for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"] == []
    r = deploy_cli(run_cli, aws, SPECS / "users.yaml", "dev", "--via", "cloudformation")
    assert r.returncode == 2 and r.stderr.endswith(
        "apigwc: error: not on a terminal: pass --yes to execute the change set\n"
    )
    assert [s["StackName"] for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"] == []


# ----------------------------------------------------------------------------------------
# The executor: retries and pacing (a throttling server on 127.0.0.1, a fake clock)


class _Throttling(BaseHTTPRequestHandler):
    """Answers CreateRestApi with 429 TooManyRequestsException ``fail`` times, then 201."""

    fail = 2
    seen: list[str] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).seen.append(self.path)
        if len(type(self).seen) <= type(self).fail:
            body = json.dumps({"message": "Too Many Requests"}).encode()
            self.send_response(429)
            self.send_header("x-amzn-ErrorType", "TooManyRequestsException")
            self.send_header("Retry-After", "0")
        elif self.path.startswith("/restapis/bad"):
            body = json.dumps({"message": "Invalid model identifier specified: Nope"}).encode()
            self.send_response(400)
            self.send_header("x-amzn-ErrorType", "BadRequestException")
        else:
            body = json.dumps({"id": "abc123", "name": "X", "rootResourceId": "root1"}).encode()
            self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def throttling(monkeypatch):
    for k, v in CREDENTIALS.items():
        monkeypatch.setenv(k, v)
    _Throttling.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Throttling)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_throttled_calls_are_retried_with_backoff(throttling):
    from apigwc.deploy.aws import AwsClients

    slept: list[float] = []
    caller = Caller(AwsClients(REGION, throttling), NoPacing(), RetryPolicy(base=0.5), sleep=slept.append)
    retries: list[str] = []
    result = caller.call(
        "apigateway", "create_rest_api", {"name": "X"}, "create_rest_api on API X", on_retry=retries.append
    )
    assert result["id"] == "abc123"
    assert _Throttling.seen == ["/restapis"] * 3
    assert len(slept) == 2 and 0.25 <= slept[0] <= 0.5 and 0.5 <= slept[1] <= 1.0
    assert retries[0].startswith("TooManyRequestsException: Too Many Requests; retrying in ")
    assert retries[0].endswith("s (attempt 2 of 6)")


def test_a_call_the_service_refuses_stops_with_a_message_naming_it(throttling):
    from apigwc.deploy.aws import AwsClients

    _Throttling.fail = 0
    try:
        caller = Caller(AwsClients(REGION, throttling), NoPacing(), RetryPolicy(base=0.01), sleep=lambda s: None)
        with pytest.raises(DeployError) as err:
            caller.call(
                "apigateway",
                "create_model",
                {"restApiId": "bad", "name": "M", "contentType": "application/json"},
                "create_model on model M",
            )
    finally:
        _Throttling.fail = 2
    assert (
        str(err.value)
        == "create_model on model M failed: BadRequestException: Invalid model identifier specified: Nope"
    )
    assert _Throttling.seen == ["/restapis/bad/models"]


def test_pacing_follows_the_control_plane_limits():
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    pacing = Pacing(clock=lambda: now[0], sleep=sleep)
    assert pacing.before("apigateway", "create_deployment") == 0.0
    assert pacing.before("apigateway", "create_deployment") == pytest.approx(5.0)  # 1 per 5 s
    for _ in range(5):
        pacing.before("apigateway", "create_resource")
    assert pacing.before("apigateway", "create_resource") == pytest.approx(0.2)  # 5 per s
    assert pacing.before("lambda", "add_permission") == 0.0  # only API Gateway is paced
    for _ in range(40):
        pacing.before("apigateway", "put_method")
    assert pacing.before("apigateway", "put_method") == pytest.approx(0.1)  # 10 per s after a burst of 40


# ----------------------------------------------------------------------------------------
# Plan values


def test_values_turn_intrinsics_into_parameters_and_refs():
    v = Values({"Known": "k"})
    sub = Intrinsic("Fn::Sub", "arn:${AWS::Partition}:x:${AWS::Region}:${Fn.Arn}/${Known}/${!literal}")
    assert v.text(sub) == Join(
        ("arn:", Ref("aws:partition"), ":x:", Ref("aws:region"), ":", Ref("param:FnArn"), "/k/${literal}")
    )
    assert v.text("https://${stageVariables.host}/${AWS::AccountId}") == Join(
        ("https://${stageVariables.host}/", Ref("aws:accountId"))
    )
    assert v.text(Intrinsic("Fn::Join", ["", ["a", {"Ref": "AWS::Region"}, {"Fn::GetAtt": ["R", "Arn"]}]])) == Join(
        ("a", Ref("aws:region"), Ref("param:RArn"))
    )
    assert v.text(Intrinsic("Fn::ImportValue", "x")) == Ref("unsupported:Fn::ImportValue")
    assert [(p.kind, p.name) for p in v.problems] == [
        (ProblemKind.PARAMETER, "FnArn"),
        (ProblemKind.PARAMETER, "RArn"),
        (ProblemKind.INTRINSIC, "Fn::ImportValue"),
    ]


def test_plans_round_trip_through_json_and_resolve():
    text = (ROOT / "tests" / "cases" / "secure-api" / "deploy-plan.json").read_text(encoding="utf-8")
    plan = plan_from_json(text)
    assert [c.operation for c in plan][:3] == ["get_caller_identity", "create_rest_api", "create_model"]
    assert to_data(from_data(json.loads(text)["calls"])) == json.loads(text)["calls"]
    permission = next(
        c for c in plan if c.operation == "add_permission" and c.target.endswith("PermissionAuthorizerBearer")
    )
    params = resolve(
        dict(permission.params),
        {
            "restApi": "api1",
            "authorizer:bearer": "auth1",
            "aws:partition": "aws",
            "aws:region": "eu-west-1",
            "aws:accountId": "111",
        },
    )
    assert params["SourceArn"] == "arn:aws:execute-api:eu-west-1:111:api1/authorizers/auth1"
    assert params["StatementId"] == "apigwc-api1-PermissionAuthorizerBearer"
