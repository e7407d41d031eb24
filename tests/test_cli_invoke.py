"""``apigwc invoke``: output formats, the Users example, exit codes and messages, through a real subprocess."""

from __future__ import annotations

import json
import re
from pathlib import Path

from support import ROOT

USERS = "specs/users.yaml"
USERS_5 = [{"id": str(i), "name": f"User {i}"} for i in range(1, 6)]
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
STEPS_200 = [
    "request",
    "request",
    "route",
    "method-request",
    "method-request",
    "method-request",
    "method-request",
    "authorization",
    "validation",
    "integration-request",
    "integration-request",
    "endpoint",
    "endpoint",
    "endpoint",
    "endpoint",
    "integration-response",
    "method-response",
    "method-response",
    "method-response",
    "method-response",
]


def invoke_json(run_cli, *args: str) -> dict:
    result = run_cli("invoke", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "Execution log" not in result.stderr  # the log is inside the JSON document
    return json.loads(result.stdout)


def check_service_headers(document: dict) -> str:
    headers = document["headers"]
    request_id = headers["x-amzn-RequestId"]
    assert re.fullmatch(UUID, request_id)
    assert re.fullmatch(r"[A-Za-z0-9+/]{15}=", headers["x-amz-apigw-id"])
    assert (
        "X-Amzn-Trace-Id" not in headers
    )  # the Users API is MOCK: no trace header (recorded on AWS, docs/conformance.md)
    assert document["log"][0] == {"step": "request", "message": f"Starting execution for request: {request_id}"}
    return request_id


def test_users_count_5_json(run_cli) -> None:
    result = run_cli("invoke", USERS, "-X", "GET", "/users?count=5", "--format", "json")
    assert (result.returncode, result.stderr) == (0, "")
    document = json.loads(result.stdout)
    assert list(document) == ["status", "headers", "body", "log"]
    assert document["status"] == 200
    # a MOCK answer has no X-Amzn-Trace-Id (recorded on AWS, docs/conformance.md)
    assert list(document["headers"]) == ["Content-Type", "x-amzn-RequestId", "x-amz-apigw-id"]
    assert document["headers"]["Content-Type"] == "application/json"
    check_service_headers(document)
    assert json.loads(document["body"]) == USERS_5
    assert [e["step"] for e in document["log"]] == STEPS_200
    log = [e["message"] for e in document["log"]]
    assert log[1:5] == [
        "HTTP Method: GET, Resource Path: /users",
        "Method: GET /users",
        "Method request path: {}",
        "Method request query string: {count=5}",
    ]
    assert 'Endpoint request body after transformations: {"statusCode": 200}\n' in log
    assert (
        "Integration response selected: default -> 200, because no selection pattern matches the status code '200': the default response"
        in log
    )
    assert log[-1] == "Method completed with status: 200"


def test_users_count_50_json(run_cli) -> None:
    document = invoke_json(run_cli, USERS, "/users?count=50")
    assert document["status"] == 500
    assert json.loads(document["body"]) == {"message": "count must be a number from 1 to 10, got '50'"}
    assert [e["step"] for e in document["log"]] == STEPS_200
    log = [e["message"] for e in document["log"]]
    assert 'Endpoint request body after transformations: {"statusCode": 500}\n' in log
    assert (
        "Integration response selected: 5\\d{2} -> 500, because the selection pattern 5\\d{2} matches the status code '500'"
        in log
    )


def test_gateway_errors_json(run_cli) -> None:
    document = invoke_json(run_cli, USERS, "/users")
    assert (document["status"], document["body"]) == (400, '{"message":"Missing required request parameters: [count]"}')
    assert document["headers"]["x-amzn-ErrorType"] == "BadRequestException"
    document = invoke_json(run_cli, USERS, "-X", "DELETE", "/users")
    assert (document["status"], document["body"]) == (403, '{"message":"Missing Authentication Token"}')
    assert [e["message"] for e in document["log"]][-3:] == [
        "The resource /users has no DELETE method (methods: GET)",
        "Gateway response type: MISSING_AUTHENTICATION_TOKEN with status code: 403",
        "Method completed with status: 403",
    ]


def normalized(text: str, request_id: str, extended: str, trace: str) -> str:
    return text.replace(request_id, "<request-id>").replace(extended, "<apigw-id>").replace(trace, "<trace-id>")


def test_text_output_golden(run_cli, golden) -> None:
    result = run_cli("invoke", USERS, "/users?count=5", "-H", "Accept: application/json")
    assert result.returncode == 0
    request_id = re.search(r"x-amzn-RequestId: (\S+)", result.stdout).group(1)
    extended = re.search(r"x-amz-apigw-id: (\S+)", result.stdout).group(1)
    assert "X-Amzn-Trace-Id" not in result.stdout  # a MOCK answer (recorded on AWS, docs/conformance.md)
    text = "# stdout\n" + result.stdout + "# stderr\n" + result.stderr
    golden(
        ROOT / "tests" / "cases" / "users" / "invoke-count-5.txt", normalized(text, request_id, extended, "<no trace>")
    )


def test_stdout_is_only_the_response(run_cli, tmp_path: Path) -> None:
    result = run_cli("invoke", USERS, "/users/42")
    head, _, body = result.stdout.partition("\n\n")
    assert head.splitlines()[0] == "HTTP/1.1 200 OK"
    assert json.loads(body) == {"id": "42", "name": "User 42"}
    assert result.stderr.startswith("\nExecution log for request ")


def test_body_from_a_file_and_stdin_and_post_by_default(run_cli, tmp_path: Path) -> None:
    spec = tmp_path / "echo.yaml"
    spec.write_text(
        """openapi: 3.0.3
info: {title: Echo, version: "1"}
paths:
  /echo:
    post:
      x-apigwc-ignore: [no-authorization]
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default:
            statusCode: '200'
            responseTemplates: {application/json: '$context.httpMethod $context.stage $stageVariables.v $input.params(''X-A'')'}
x-apigwc:
  stages:
    dev: {variables: {v: from-stage}}
    prod: {variables: {v: prod}}
""",
        encoding="utf-8",
    )
    (tmp_path / "body.json").write_text('{"a": 1}', encoding="utf-8")
    result = run_cli(
        "invoke", str(spec), "/echo", "-d", f"@{tmp_path / 'body.json'}", "-H", "X-A: 1", "--format", "json"
    )
    assert result.stderr.endswith("\napigwc: using stage dev (the first of dev, prod; choose one with --stage)\n")
    document = json.loads(result.stdout)
    assert document["body"] == "POST dev from-stage 1"
    assert 'Method request body before transformations: {"a": 1}' in [e["message"] for e in document["log"]]
    document = invoke_json(run_cli, str(spec), "/echo", "-d", "@-", "--stage", "prod", "--stage-var", "v=cli")
    assert document["body"] == "POST prod cli "
    result = run_cli("invoke", str(spec), "/echo", "-d", "@-", "--format", "json", input="piped")
    assert "Method request body before transformations: piped" in result.stdout


def test_usage_and_io_errors_exit_2(run_cli, tmp_path: Path) -> None:
    cases = [
        (
            ("invoke", "specs/nope.yaml", "/x"),
            "apigwc: error: cannot read 'specs/nope.yaml': no such file or directory\n",
        ),
        (
            ("invoke", "specs", "/x"),
            "apigwc: error: 'specs' is not a local bundle: it has no gateway.json (write one with 'apigwc build SPEC' or 'apigwc emit --target local SPEC -o DIR')\n",
        ),
        (
            ("invoke", USERS, "users"),
            "apigwc: error: the path must start with '/', e.g. '/users?count=5' (got 'users')\n",
        ),
        (
            ("invoke", USERS, "/users", "-H", "NoColon"),
            "apigwc: error: -H 'NoColon' is not a header; write it as 'Name: value'\n",
        ),
        (("invoke", USERS, "/users", "--stage-var", "novalue"), "apigwc: error: --stage-var 'novalue' is not K=V\n"),
        (
            ("invoke", USERS, "/users", "--stage", "prod"),
            "apigwc: error: the API has no stage 'prod'; its stages are: dev\n",
        ),
        (
            ("invoke", USERS, "/users", "-d", f"@{tmp_path / 'missing.json'}"),
            f"apigwc: error: cannot read '{tmp_path / 'missing.json'}' for -d: No such file or directory\n",
        ),
    ]
    for args, message in cases:
        result = run_cli(*args)
        assert (result.returncode, result.stdout) == (2, ""), args
        assert result.stderr.endswith(message), result.stderr


def test_lint_errors_exit_1(run_cli, tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        'openapi: 3.0.3\ninfo: {title: B, version: "1"}\npaths:\n  /a/{id}:\n    get:\n      responses: {"200": {description: ok}}\n'
        "      x-amazon-apigateway-integration: {type: mock, responses: {default: {statusCode: '201'}}}\n",
        encoding="utf-8",
    )
    result = run_cli("invoke", str(spec), "/a/1")
    assert (result.returncode, result.stdout) == (1, "")
    assert "AGW101" in result.stderr
    assert result.stderr.rstrip().endswith(
        "the request was not run (run 'apigwc lint " + str(spec) + "' for every finding)"
    )


def test_help_has_examples(run_cli) -> None:
    result = run_cli("invoke", "--help")
    assert result.returncode == 0 and "apigwc invoke specs/users.yaml '/users?count=5'" in result.stdout
