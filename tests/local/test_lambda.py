"""Local Lambda functions: the proxy event and response contract, custom integrations, handler failures.

Every test runs real handlers (tests/local/handlers/lambda_cases.py) through the whole
pipeline: a spec compiled by `compile_spec`, a `Deployment` with `LambdaBackend` for
AWS_PROXY and AWS, and `execute()`.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
import time
from pathlib import Path

import pytest
from handlers import lambda_cases  # the module the handlers run in (same sys.modules entry)

from apigwc import gateway as gw
from apigwc.intrinsics import Intrinsic
from apigwc.local.authorizers import Authorizers
from apigwc.local.lambda_backend import MALFORMED, LambdaBackend
from apigwc.local.lambdas import DEFAULT_TIMEOUT_SECONDS, HandlerRef, Handlers, LambdaContext, parse_target
from apigwc.runtime import Deployment, Request, execute, offline_backends
from apigwc.runtime.context import api_id
from runtime_helpers import HEAD, IDS, NOW, SERVICE_HEADERS, compile_spec

HERE = Path(__file__).resolve().parent
SPECS = HERE.parents[1] / "specs"


def uri(function: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{function}/invocations"


def local(lambdas: dict[str, str], extra: str = "") -> str:
    lines = "\n".join(f"      {k}: {v}" for k, v in lambdas.items())
    return f"x-apigwc:\n  local:\n    pythonPath: ['{HERE}']\n{extra}    lambdas:\n{lines}\n"


def proxy(path: str, function: str, verb: str = "get", extra: str = "") -> str:
    return f"""
  {path}:
    {verb}:
      responses: {{"200": {{description: ok}}}}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: {uri(function)}
{extra}"""


def deploy(
    tmp_path: Path, text: str, *, head: str = HEAD, stage: str | None = None, overrides=None, **options
) -> Deployment:
    gateway = compile_spec(tmp_path / "spec.yaml", head + textwrap.dedent(text))
    handlers = Handlers.create(gateway.local, tmp_path, overrides)
    backend = LambdaBackend(handlers)
    options.setdefault("ids", lambda now: IDS)
    options.setdefault("clock", lambda: NOW)
    deployment = Deployment.create(
        gateway,
        stage,
        backends={**offline_backends(), gw.IntegrationType.AWS_PROXY: backend, gw.IntegrationType.AWS: backend},
        guards=[Authorizers(gateway, handlers)],
        **options,
    )
    assert not isinstance(deployment, str), deployment
    return deployment


def run(deployment: Deployment, method: str, target: str, headers=(), body: bytes | str = b""):
    data = body.encode("utf-8") if isinstance(body, str) else body
    return asyncio.run(execute(deployment, Request.build(method, target, list(headers), data)))


def log(execution) -> list[str]:
    return [e.message for e in execution.log]


ECHO = {"Echo": "handlers.lambda_cases:echo"}
#: what API Gateway adds to the event's headers for a client at 127.0.0.1 (recorded, docs/conformance.md)
GATEWAY_EVENT_HEADERS = {
    "X-Forwarded-For": "127.0.0.1",
    "X-Amzn-Trace-Id": IDS.trace_id,
    "X-Forwarded-Port": "443",
    "X-Forwarded-Proto": "https",
}


# ----------------------------------------------------------------------------------------
# The proxy event


def test_proxy_event_is_the_rest_1_0_shape(tmp_path: Path) -> None:
    deployment = deploy(
        tmp_path,
        "paths:"
        + proxy("/items/{id}", "Echo")
        + local(ECHO)
        + "  stages:\n    prod:\n      variables: {color: blue}\n",
    )
    execution = run(
        deployment,
        "GET",
        "/items/a%20b?x=1&x=2&y=&z=%2F",
        [("Host", "api.example.com"), ("User-Agent", "curl/8"), ("X-Multi", "1"), ("x-multi", "2")],
    )
    assert execution.response.status == 200
    body = json.loads(execution.response.body)
    event = body["event"]
    assert event == {
        "resource": "/items/{id}",
        "path": "/items/a%20b",
        "httpMethod": "GET",
        # API Gateway adds the trace and X-Forwarded-* headers (recorded, docs/conformance.md)
        "headers": {"Host": "api.example.com", "User-Agent": "curl/8", "X-Multi": "2", **GATEWAY_EVENT_HEADERS},
        "multiValueHeaders": {
            "Host": ["api.example.com"],
            "User-Agent": ["curl/8"],
            "X-Multi": ["1", "2"],
            **{k: [v] for k, v in GATEWAY_EVENT_HEADERS.items()},
        },
        "queryStringParameters": {"x": "2", "y": "", "z": "/"},
        "multiValueQueryStringParameters": {"x": ["1", "2"], "y": [""], "z": ["/"]},
        "pathParameters": {"id": "a b"},
        "stageVariables": {"color": "blue"},
        "requestContext": {
            "resourceId": deployment.router.match("GET", "/items/1").resource.id,
            "resourcePath": "/items/{id}",
            "httpMethod": "GET",
            "extendedRequestId": IDS.extended_request_id,
            "requestTime": "14/Nov/2023:22:13:20 +0000",
            "path": "/prod/items/a%20b",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": "prod",
            "domainPrefix": "api",
            "requestTimeEpoch": 1700000000000,
            "requestId": IDS.request_id,
            "identity": {
                "accessKey": None,
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "principalOrgId": None,
                "sourceIp": "127.0.0.1",
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": "curl/8",
                "user": None,
            },
            "domainName": "api.example.com",
            "deploymentId": "local",
            "apiId": api_id(deployment.gateway),
        },
        "body": None,
        "isBase64Encoded": False,
    }
    # the handler got plain JSON values (a copy), like a Lambda event
    assert lambda_cases.EVENTS[-1] == event


def test_proxy_event_nulls_and_text_body(tmp_path: Path) -> None:
    deployment = deploy(tmp_path, "paths:" + proxy("/", "Echo", "post") + local(ECHO))
    event = json.loads(run(deployment, "POST", "/", [], '{"a": "caf\u00e9"}').response.body)["event"]
    assert (event["headers"], event["queryStringParameters"]) == (GATEWAY_EVENT_HEADERS, None)
    assert (event["multiValueQueryStringParameters"], event["pathParameters"], event["stageVariables"]) == (
        None,
        None,
        None,
    )
    assert event["resource"] == "/" and event["path"] == "/"
    assert event["requestContext"]["path"] == "/local/"
    assert "authorizer" not in event["requestContext"]
    assert (event["body"], event["isBase64Encoded"]) == ('{"a": "caf\u00e9"}', False)


def test_proxy_event_binary_body_is_base64(tmp_path: Path) -> None:
    head = HEAD + "x-amazon-apigateway-binary-media-types: [image/png]\n"
    deployment = deploy(tmp_path, "paths:" + proxy("/up", "Echo", "post") + local(ECHO), head=head)
    data = bytes(range(256))
    event = json.loads(run(deployment, "POST", "/up", [("Content-Type", "image/png")], data).response.body)["event"]
    assert event["isBase64Encoded"] is True
    assert event["body"] == __import__("base64").b64encode(data).decode()
    # a text type is not encoded
    event = json.loads(run(deployment, "POST", "/up", [("Content-Type", "text/plain")], "hi").response.body)["event"]
    assert (event["body"], event["isBase64Encoded"]) == ("hi", False)


def test_method_override_is_the_event_verb(tmp_path: Path) -> None:
    deployment = deploy(tmp_path, "paths:" + proxy("/x", "Echo", "delete") + local(ECHO))
    event = json.loads(run(deployment, "POST", "/x", [("X-HTTP-Method-Override", "DELETE")]).response.body)["event"]
    assert event["httpMethod"] == "DELETE" and event["requestContext"]["httpMethod"] == "DELETE"


def test_the_context_object(tmp_path: Path) -> None:
    text = "paths:" + proxy("/x", "Echo:live") + local(ECHO)
    deployment = deploy(tmp_path, text)
    execution = run(deployment, "GET", "/x")
    context = json.loads(execution.response.body)["context"]
    request_id = context.pop("aws_request_id")
    stream = context.pop("log_stream_name")
    assert context == {
        "function_name": "Echo",
        "function_version": "$LATEST",
        "invoked_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:Echo:live",
        "memory_limit_in_mb": "128",
        "log_group_name": "/aws/lambda/Echo",
        "identity": None,
        "client_context": None,
        "remaining_ok": True,
    }
    assert len(request_id) == 36 and "/[$LATEST]" in stream
    assert any(f"request id {request_id}" in m for m in log(execution))


# ----------------------------------------------------------------------------------------
# The proxy response


def test_headers_and_multi_value_headers_merge(tmp_path: Path) -> None:
    deployment = deploy(
        tmp_path, "paths:" + proxy("/r", "Respond") + local({"Respond": "handlers.lambda_cases:respond"})
    )
    execution = run(deployment, "GET", "/r?case=merge")
    assert execution.response.status == 201
    assert list(execution.response.headers) == [
        ("Content-Type", "application/json"),
        # recorded on AWS: multiValueHeaders first, then the headers value of the same name
        ("X-Both", "m1"),
        ("X-Both", "m2"),
        ("X-Both", "single"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("X-One", "1"),
        ("X-Num", "5"),
        ("X-Flag", "true"),
        *SERVICE_HEADERS,
    ]
    assert execution.response.body == b'{"ok": true}'


@pytest.mark.parametrize(
    "case, status, body, content_type",
    [
        ("status-digits", 201, b"created", "application/json"),
        ("no-status", 200, b"x", "application/json"),  # recorded on AWS: statusCode defaults to 200
        ("minimal", 204, b"", "application/json"),
        ("error-type", 404, b"{}", "application/json"),
    ],
)
def test_proxy_responses_accepted(tmp_path: Path, case: str, status: int, body: bytes, content_type: str) -> None:
    deployment = deploy(
        tmp_path, "paths:" + proxy("/r", "Respond") + local({"Respond": "handlers.lambda_cases:respond"})
    )
    execution = run(deployment, "GET", f"/r?case={case}")
    assert (execution.response.status, execution.response.body) == (status, body)
    assert execution.response.headers.get("Content-Type") == content_type
    if case == "error-type":  # a function's x-amzn-ErrorType passes through [Doc]
        assert execution.response.headers.get("x-amzn-ErrorType") == "NotFound"


@pytest.mark.parametrize(
    "case",
    [
        "object-body",
        "status-text",
        "status-float",
        "status-range",
        "status-bool",
        "extra-key",
        "headers-list",
        "header-object",
        "multi-not-list",
        "base64-flag-text",
        "list",
        "string",
        "null",
    ],
)
def test_malformed_proxy_response_is_502(tmp_path: Path, case: str) -> None:
    deployment = deploy(
        tmp_path, "paths:" + proxy("/r", "Respond") + local({"Respond": "handlers.lambda_cases:respond"})
    )
    execution = run(deployment, "GET", f"/r?case={case}")
    assert execution.response.status == 502
    assert execution.response.body == b'{"message":"Internal server error"}'
    assert execution.response.headers.get("x-amzn-ErrorType") == "InternalServerErrorException"
    messages = log(execution)
    assert MALFORMED in messages
    assert any(m.startswith("Malformed Lambda proxy response: ") for m in messages)
    assert messages[-2:] == [
        "Gateway response type: API_CONFIGURATION_ERROR with status code: 502",
        "Method completed with status: 502",
    ]


def test_base64_response_needs_a_binary_media_type(tmp_path: Path) -> None:
    text = "paths:" + proxy("/r", "Respond") + local({"Respond": "handlers.lambda_cases:respond"})
    plain = deploy(tmp_path, text)
    execution = run(plain, "GET", "/r?case=png")
    assert (execution.response.status, execution.response.body) == (200, b"iVBORw0KGgo=")
    assert any("returned as base64 text" in m for m in log(execution))
    binary = deploy(tmp_path, text, head=HEAD + "x-amazon-apigateway-binary-media-types: ['image/*']\n")
    execution = run(binary, "GET", "/r?case=png", [("Accept", "image/png")])
    assert (execution.response.status, execution.response.body) == (200, b"\x89PNG\r\n\x1a\n")
    assert execution.response.headers.get("Content-Type") == "image/png"
    execution = run(binary, "GET", "/r?case=base64-invalid")
    assert execution.response.status == 502 and MALFORMED in log(execution)


# ----------------------------------------------------------------------------------------
# Function errors


CASES = {
    "Raises": "handlers.lambda_cases:raises",
    "Exits": "handlers.lambda_cases:exits",
    "ExitsQuietly": "handlers.lambda_cases:exits_quietly",
    "Interrupts": "handlers.lambda_cases:interrupts",
    "NotJson": "handlers.lambda_cases:not_json",
    "Coroutine": "handlers.lambda_cases:coroutine",
    "Decimal": "handlers.lambda_cases:decimal",
    "Method": "handlers.lambda_cases:service.handle",
    "Echo": "handlers.lambda_cases:echo",
}


@pytest.fixture
def failing(tmp_path: Path) -> Deployment:
    paths = "".join(proxy(f"/{name.lower()}", name) for name in CASES)
    return deploy(tmp_path, "paths:" + paths + local(CASES))


@pytest.mark.parametrize(
    "path, error",
    [
        ("/raises", "Function error (RuntimeError): something broke"),
        (
            "/exits",
            "Function error (Runtime.ExitError): RequestId: {id} Error: Runtime exited with error: exit status 3",
        ),
        (
            "/exitsquietly",
            "Function error (Runtime.ExitError): RequestId: {id} Error: Runtime exited without providing a reason",
        ),
        ("/interrupts", "Function error (KeyboardInterrupt): "),
        (
            "/notjson",
            "Function error (Runtime.MarshalError): Unable to marshal response: Object of type set is not JSON serializable",
        ),
        (
            "/coroutine",
            "Function error (Runtime.MarshalError): Unable to marshal response: Object of type coroutine is not JSON serializable",
        ),
        (
            "/decimal",
            "Function error (Runtime.MarshalError): Unable to marshal response: Object of type Decimal is not JSON serializable",
        ),
    ],
)
def test_function_errors_are_502_and_the_server_keeps_serving(failing: Deployment, path: str, error: str) -> None:
    execution = run(failing, "GET", path)
    assert execution.response.status == 502
    assert execution.response.body == b'{"message":"Internal server error"}'
    messages = log(execution)
    started = next(m for m in messages if m.startswith("Invoking "))
    lambda_id = started.split("request id ")[1].split(",")[0]
    assert error.format(id=lambda_id) in messages
    assert any(
        m.startswith("Lambda execution failed with status 200 due to customer function error: ")
        and m.endswith(f"Lambda request id: {lambda_id}")
        for m in messages
    )
    # the next request is served as usual
    assert run(failing, "GET", "/echo").response.status == 200


def test_a_traceback_is_logged_but_never_answered(failing: Deployment) -> None:
    execution = run(failing, "GET", "/raises")
    messages = log(execution)
    assert any("lambda_cases.py" in m and "in raises" in m for m in messages)
    assert b"Traceback" not in execution.response.body and b"lambda_cases" not in execution.response.body


def test_a_method_of_an_object_is_a_handler(failing: Deployment) -> None:
    execution = run(failing, "GET", "/method")
    assert (execution.response.status, execution.response.body) == (200, b"from a method")


def test_a_handler_past_its_limit_times_out(tmp_path: Path) -> None:
    extra = "    lambdaTimeoutSeconds: 0.2\n"
    deployment = deploy(
        tmp_path, "paths:" + proxy("/slow", "Sleeps") + local({"Sleeps": "handlers.lambda_cases:sleeps"}, extra)
    )
    lambda_cases.FINISHED.clear()
    started = time.monotonic()
    execution = run(deployment, "GET", "/slow?s=0.6")
    assert time.monotonic() - started < 0.55
    assert execution.response.status == 502
    messages = log(execution)
    timed_out = next(m for m in messages if m.startswith("Function error (Sandbox.Timedout): "))
    assert timed_out.endswith(
        "Task timed out after 0.20 seconds; the handler keeps running in the background (Python cannot stop a thread), its result will be discarded"
    )
    assert any(
        m.startswith("Lambda execution failed with status 200 due to customer function error: ")
        and "Task timed out after 0.20 seconds" in m
        for m in messages
    )
    # the abandoned call finishes later on its own thread; nothing breaks when it does
    assert lambda_cases.FINISHED.wait(2)
    assert run(deployment, "GET", "/slow?s=0").response.status == 200


def test_the_integration_timeout_wins_when_it_is_shorter(tmp_path: Path) -> None:
    extra = "        timeoutInMillis: 100\n"
    deployment = deploy(
        tmp_path, "paths:" + proxy("/slow", "Sleeps", extra=extra) + local({"Sleeps": "handlers.lambda_cases:sleeps"})
    )
    execution = run(deployment, "GET", "/slow?s=0.5")
    assert execution.response.status == 504
    assert execution.response.body == b'{"message":"Endpoint request timed out"}'
    assert "Execution failed due to a timeout error: the endpoint did not answer within 100 ms" in log(execution)


def test_slow_calls_run_concurrently(tmp_path: Path) -> None:
    deployment = deploy(
        tmp_path, "paths:" + proxy("/slow", "Sleeps") + local({"Sleeps": "handlers.lambda_cases:sleeps"})
    )

    async def both():
        return await asyncio.gather(*(execute(deployment, Request.build("GET", "/slow?s=0.3")) for _ in range(4)))

    started = time.monotonic()
    results = asyncio.run(both())
    assert [r.response.status for r in results] == [200] * 4
    assert time.monotonic() - started < 1.0


def test_no_handler_is_a_500_that_says_how_to_map_one(tmp_path: Path) -> None:
    deployment = deploy(tmp_path, "paths:" + proxy("/x", "PetsFunction") + local(ECHO))
    execution = run(deployment, "GET", "/x")
    assert execution.response.status == 500
    assert execution.response.body == b'{"message":"Internal server error"}'
    assert (
        "Execution failed due to configuration error: Lambda function PetsFunction has no local handler; "
        "configure it in x-apigwc.local.functions (PetsFunction: {runtime, handler, codeUri}) or x-apigwc.local.lambdas (PetsFunction: module:callable), "
        "or with --lambda PetsFunction=HANDLER"
    ) in log(execution)


def test_a_lambda_override_wins(tmp_path: Path) -> None:
    deployment = deploy(
        tmp_path,
        "paths:" + proxy("/x", "Echo") + local({"Echo": "handlers.lambda_cases:raises"}),
        overrides={"Echo": "handlers.lambda_cases:echo"},
    )
    assert run(deployment, "GET", "/x").response.status == 200


# ----------------------------------------------------------------------------------------
# Importing handlers


def settings(
    lambdas: dict[str, str], python_path: tuple[str, ...] = (), timeout: float | None = None
) -> gw.LocalSettings:
    return gw.LocalSettings(
        lambdas=lambdas, jwks={}, endpoints={}, python_path=python_path, lambda_timeout_seconds=timeout, functions={}
    )


def test_problems_list_handlers_that_cannot_be_imported(tmp_path: Path) -> None:
    (tmp_path / "lambda_broken_syntax.py").write_text("def handler(event, context)\n    return 1\n")
    (tmp_path / "lambda_broken_import.py").write_text("import no_such_module_here\n")
    (tmp_path / "lambda_exits_at_import.py").write_text("import sys\nsys.exit(1)\n")
    (tmp_path / "lambda_fine.py").write_text("def handler(event, context):\n    return {'statusCode': 200}\n")
    handlers = Handlers.create(
        settings(
            {
                "Syntax": "lambda_broken_syntax:handler",
                "Import": "lambda_broken_import:handler",
                "Exit": "lambda_exits_at_import:handler",
                "Missing": "lambda_fine:nope",
                "NotCallable": "handlers.lambda_cases:NOT_CALLABLE",
                "Fine": "lambda_fine:handler",
                "LambdaStyle": "lambda_fine.handler",
                "Bad": "not a handler",
            },
            python_path=("nowhere",),
        ),
        tmp_path,
        {"Override": "lambda_fine:handler"},
    )
    assert handlers.names() == ("Exit", "Fine", "Import", "LambdaStyle", "Missing", "NotCallable", "Override", "Syntax")
    assert handlers.timeout_seconds == DEFAULT_TIMEOUT_SECONDS == 3.0
    problems = handlers.problems()
    assert problems[:2] == [
        "Bad: 'not a handler' (x-apigwc.local.lambdas) is not a handler: write module:callable, e.g. handlers.pets:handler",
        f"pythonPath {tmp_path.resolve() / 'nowhere'} is not a folder",
    ]
    assert problems[2:] == [
        "Exit: lambda_exits_at_import:handler (x-apigwc.local.lambdas): Runtime.ImportModuleError: Unable to import module 'lambda_exits_at_import': 1",
        "Import: lambda_broken_import:handler (x-apigwc.local.lambdas): Runtime.ImportModuleError: Unable to import module 'lambda_broken_import': No module named 'no_such_module_here'",
        "Missing: lambda_fine:nope (x-apigwc.local.lambdas): Runtime.HandlerNotFound: Handler 'nope' missing on module 'lambda_fine'",
        "NotCallable: handlers.lambda_cases:NOT_CALLABLE (x-apigwc.local.lambdas): Runtime.HandlerNotFound: Handler 'NOT_CALLABLE' is not callable in module 'handlers.lambda_cases'",
        "Syntax: lambda_broken_syntax:handler (x-apigwc.local.lambdas): Runtime.UserCodeSyntaxError: Syntax error in module 'lambda_broken_syntax': expected ':' (lambda_broken_syntax.py, line 1)",
    ]
    assert handlers.problems() == problems  # imported once

    async def call(name):
        return await handlers.invoke(name, {}, context=handlers.context(name))

    result = asyncio.run(call("Import"))
    assert result.error == {
        "errorMessage": "Unable to import module 'lambda_broken_import': No module named 'no_such_module_here'",
        "errorType": "Runtime.ImportModuleError",
        "stackTrace": [],
    }
    assert asyncio.run(call("LambdaStyle")).result == {"statusCode": 200}
    assert asyncio.run(call("Override")).result == {"statusCode": 200}
    assert asyncio.run(call("Unknown")).error["errorType"] == "Runtime.HandlerNotFound"


@pytest.mark.parametrize(
    "target, parsed",
    [
        ("handlers.pets:handler", ("handlers.pets", "handler")),
        ("app.lambda_handler", ("app", "lambda_handler")),
        ("pkg.mod:Service.handle", ("pkg.mod", "Service.handle")),
        (" app:h ", ("app", "h")),
        ("app", None),
        ("app:", None),
        (":h", None),
        ("my-app:h", None),
        ("app:h()", None),
    ],
)
def test_parse_target(target: str, parsed) -> None:
    assert parse_target(target) == parsed


# ----------------------------------------------------------------------------------------
# Which function


def fn(arn, name=None, qualifier=None, stage_variables=()) -> gw.LambdaFunction:
    return gw.LambdaFunction(arn=arn, name=name, qualifier=qualifier, stage_variables=stage_variables)


ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


@pytest.mark.parametrize(
    "keys, function, variables, found",
    [
        (["Pets"], fn(ARN + "Pets", "Pets"), {}, "Pets"),
        (["Pets"], fn("arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:Pets", "Pets"), {}, "Pets"),
        # an alias: name:alias wins over the bare name, which is the fallback
        (["Pets", "Pets:live"], fn(ARN + "Pets:live", "Pets", "live"), {}, "Pets:live"),
        (["Pets"], fn(ARN + "Pets:live", "Pets", "live"), {}, "Pets"),
        # a full ARN as a key
        ([ARN + "Pets:live"], fn(ARN + "Pets:live", "Pets", "live"), {}, ARN + "Pets:live"),
        ([ARN + "Pets"], fn(ARN + "Pets", "Pets"), {}, ARN + "Pets"),
        # the function (or its alias) from a stage variable
        (["Blue"], fn(ARN + "${stageVariables.fn}", None, None, ("fn",)), {"fn": "Blue"}, "Blue"),
        (["Blue"], fn("${stageVariables.fn}", None, None, ("fn",)), {"fn": ARN + "Blue"}, "Blue"),
        (["Blue:live"], fn("${stageVariables.fn}", None, None, ("fn",)), {"fn": "Blue:live"}, "Blue:live"),
        (
            ["Pets:v2"],
            fn(ARN + "Pets:${stageVariables.alias}", "Pets", "${stageVariables.alias}", ("alias",)),
            {"alias": "v2"},
            "Pets:v2",
        ),
        (["Blue"], fn(ARN + "${stageVariables.fn}", None, None, ("fn",)), {}, None),
        # CloudFormation intrinsics: the logical id
        (["PetsFunction"], fn(Intrinsic("Fn::GetAtt", ["PetsFunction", "Arn"])), {}, "PetsFunction"),
        (["PetsFunction"], fn(Intrinsic("Fn::GetAtt", "PetsFunction.Arn")), {}, "PetsFunction"),
        (["PetsFunction"], fn(Intrinsic("Fn::Sub", "${PetsFunction.Arn}")), {}, "PetsFunction"),
        (["Other"], fn(ARN + "Pets", "Pets"), {}, None),
        (["Pets"], None, {}, None),
    ],
)
def test_resolve(keys, function, variables, found) -> None:
    handlers = Handlers(
        {k: HandlerRef(k, "m:h", "m", "h", "test") for k in keys},
        timeout_seconds=3.0,
        paths=(),
        problems=[],
    )
    assert handlers.resolve(function, variables) == found


def test_stage_variables_choose_the_function(tmp_path: Path) -> None:
    text = (
        "paths:"
        + proxy("/x", "${stageVariables.fn}")
        + local({"Blue": "handlers.lambda_cases:echo", "Green": "handlers.lambda_cases:raises"})
        + "  stages:\n    blue: {variables: {fn: Blue}}\n    green: {variables: {fn: Green}}\n"
    )
    assert run(deploy(tmp_path, text, stage="blue"), "GET", "/x").response.status == 200
    assert run(deploy(tmp_path, text, stage="green"), "GET", "/x").response.status == 502


def test_context_remaining_time_counts_down() -> None:
    context = LambdaContext("F", timeout_seconds=0.5)
    context._start(0.5)
    assert 400 < context.get_remaining_time_in_millis() <= 500
    context._start(0)
    assert context.get_remaining_time_in_millis() == 0


# ----------------------------------------------------------------------------------------
# Lambda custom (AWS) integrations


CUSTOM = """
paths:
  /notes:
    post:
      responses:
        "200": {description: ok}
        "400": {description: bad}
        "409": {description: conflict}
        "422": {description: conflict}
        "504": {description: slow}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: URI
        requestTemplates:
          application/json: '{"fail": "$input.params(''fail'')", "seconds": 0.5, "note": $input.json(''$'')}'
        responses:
          "Invalid note:.*":
            statusCode: "400"
            responseTemplates:
              application/json: '{"error": "$util.escapeJavaScript($input.path(''$.errorMessage''))"}'
          "(?s)Invalid note:.*second line":
            statusCode: "409"
          '\\{"code": 409.*':
            statusCode: "422"
            responseTemplates:
              application/json: '#set($e = $util.parseJson($input.path(''$.errorMessage'')))conflict: $e.reason'
          ".*Task timed out.*":
            statusCode: "504"
          default:
            statusCode: "200"
  /raw:
    post:
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: URI
        requestTemplates:
          application/json: 'not json'
        responses:
          default: {statusCode: "200"}
"""


@pytest.fixture
def custom(tmp_path: Path) -> Deployment:
    extra = "    lambdaTimeoutSeconds: 0.2\n"
    return deploy(
        tmp_path, CUSTOM.replace("URI", uri("Notes")) + local({"Notes": "handlers.lambda_cases:custom"}, extra)
    )


def test_custom_integration_gets_the_template_output(custom: Deployment) -> None:
    execution = run(custom, "POST", "/notes", [("Content-Type", "application/json")], '{"title": "hi"}')
    assert execution.response.status == 200
    expected = {"received": {"fail": "", "seconds": 0.5, "note": {"title": "hi"}}, "unicode": "caf\u00e9"}
    assert lambda_cases.EVENTS[-1] == expected["received"]
    # the runtime's JSON: json.dumps defaults [Obs]
    assert execution.response.body == json.dumps(expected).encode()
    messages = log(execution)
    assert "Received response. Status: 200, Integration latency: 0 ms" in messages or any(
        m.startswith("Received response. Status: 200") for m in messages
    )
    assert any(m.startswith("Integration response selected: default -> 200") for m in messages)


@pytest.mark.parametrize(
    "fail, status, body",
    [
        ("invalid", 400, b'{"error": "Invalid note: spam is not allowed"}'),
        ("multiline", 409, None),
        ("json", 422, b"conflict: conflict"),
    ],
)
def test_custom_integration_errors_select_by_error_message(custom: Deployment, fail: str, status: int, body) -> None:
    execution = run(custom, "POST", f"/notes?fail={fail}", [("Content-Type", "application/json")], "{}")
    assert execution.response.status == status
    if body is not None:
        assert execution.response.body == body


def test_an_unmatched_error_goes_to_the_default_response(custom: Deployment) -> None:
    execution = run(custom, "POST", "/notes?fail=other", [("Content-Type", "application/json")], "{}")
    assert execution.response.status == 200  # the classic surprise [Doc]
    error = json.loads(execution.response.body)
    assert (error["errorMessage"], error["errorType"]) == ("'missing'", "KeyError")
    assert any("lambda_cases.py" in line and "in custom" in line for line in error["stackTrace"])
    assert any(
        m.startswith(
            "Endpoint response headers: {Content-Type=application/json, X-Amz-Executed-Version=$LATEST, X-Amz-Function-Error=Unhandled}"
        )
        for m in log(execution)
    )


def test_a_custom_function_timeout_is_a_function_error(custom: Deployment) -> None:
    execution = run(custom, "POST", "/notes?fail=sleep", [("Content-Type", "application/json")], "{}")
    assert execution.response.status == 504
    assert any(m.startswith("Integration response selected: .*Task timed out.* -> 504") for m in log(execution))


def test_a_custom_body_that_is_not_json_is_refused(custom: Deployment) -> None:
    execution = run(custom, "POST", "/raw", [("Content-Type", "application/json")], "{}")
    assert execution.response.status == 500
    assert any(
        m.startswith("Execution failed due to configuration error: Could not parse request body into json: ")
        for m in log(execution)
    )


def test_an_empty_custom_body_is_an_empty_object(tmp_path: Path) -> None:
    text = """
paths:
  /n:
    get:
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: URI
        responses:
          default: {statusCode: "200"}
"""
    deployment = deploy(tmp_path, text.replace("URI", uri("Notes")) + local({"Notes": "handlers.lambda_cases:custom"}))
    execution = run(deployment, "GET", "/n")
    assert execution.response.status == 200
    assert json.loads(execution.response.body)["received"] == {}


def test_an_aws_service_integration_is_not_lambda(tmp_path: Path) -> None:
    text = """
paths:
  /q:
    post:
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:sqs:path/123456789012/queue
        credentials: arn:aws:iam::123456789012:role/r
        responses:
          default: {statusCode: "200"}
"""
    execution = run(deploy(tmp_path, text), "POST", "/q", [], "{}")
    assert execution.response.status == 500
    assert any("does not invoke a Lambda function" in m for m in log(execution))


# ----------------------------------------------------------------------------------------
# The example specs


def example(name: str, **options) -> Deployment:
    spec = SPECS / name
    gateway = compile_spec(spec)
    handlers = Handlers.create(gateway.local, spec.parent)
    assert handlers.problems() == []
    backend = LambdaBackend(handlers)
    options.setdefault("ids", lambda now: IDS)
    options.setdefault("clock", lambda: NOW)
    deployment = Deployment.create(
        gateway,
        None,
        backends={**offline_backends(), gw.IntegrationType.AWS_PROXY: backend, gw.IntegrationType.AWS: backend},
        guards=[Authorizers(gateway, handlers)],
        **options,
    )
    assert not isinstance(deployment, str)
    return deployment


def test_petstore_lambda() -> None:
    deployment = example("petstore-lambda.yaml")
    execution = run(deployment, "GET", "/pets/1")
    assert execution.response.status == 200
    assert list(execution.response.headers) == [("Content-Type", "application/json"), *SERVICE_HEADERS]
    assert json.loads(execution.response.body) == {"id": "1", "name": "Rex", "type": "dog", "price": 249.99}
    execution = run(deployment, "GET", "/pets?type=cat")
    assert json.loads(execution.response.body) == [{"id": "2", "name": "Tom", "type": "cat", "price": 124.5}]
    execution = run(deployment, "GET", "/pets/999")
    assert (execution.response.status, execution.response.body) == (404, b'{"message": "no pet 999"}')
    created = run(
        deployment, "POST", "/pets", [("Content-Type", "application/json")], '{"name": "Nemo", "type": "fish"}'
    )
    assert created.response.status == 201
    pet = json.loads(created.response.body)
    assert (pet["name"], pet["type"]) == ("Nemo", "fish")
    # validation runs before the function
    invalid = run(
        deployment, "POST", "/pets", [("Content-Type", "application/json")], '{"name": "Nemo", "type": "cow"}'
    )
    assert invalid.response.status == 400
    assert run(deployment, "DELETE", f"/pets/{pet['id']}").response.status == 204
    assert run(deployment, "GET", f"/pets/{pet['id']}").response.status == 404
