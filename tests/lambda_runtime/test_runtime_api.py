"""The Runtime API as a runtime client sees it, and worker pools, without a gateway in front.

The functions here are ``provided.al2023`` bootstraps written as executable Python
scripts: they speak the Runtime API with raw HTTP/1.1 (chunked bodies included) and
report what the server answered, so each protocol rule is checked end to end on
127.0.0.1 through `apigwc.lambda_runtime.Functions`.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap
from pathlib import Path

import pytest

from apigwc.lambda_runtime import FunctionConfig
from apigwc.lambda_runtime.pool import exit_reason
from apigwc.lambda_runtime.runtimes import Unsupported, handler_problem, launch
from apigwc.local.functions import Functions

CLIENT = """
import json, os, socket, sys
HOST, PORT = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")

def call(method, path, body=b"", headers=(), chunked=False):
    s = socket.create_connection((HOST, int(PORT)))
    head = f"{method} /2018-06-01/runtime{path} HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n"
    for h in headers:
        head += h + "\\r\\n"
    if chunked:
        data = b"".join(b"%x\\r\\n%s\\r\\n" % (len(c), c) for c in (body[:3], body[3:]) if c) + b"0\\r\\n\\r\\n"
        head += "Transfer-Encoding: chunked\\r\\n"
    else:
        data = body
        head += f"Content-Length: {len(body)}\\r\\n"
    s.sendall(head.encode() + b"\\r\\n" + data)
    raw = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        raw += chunk
    s.close()
    top, _, payload = raw.partition(b"\\r\\n\\r\\n")
    lines = top.decode().split("\\r\\n")
    headers = {k.lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
    return int(lines[0].split()[1]), headers, payload
"""


def bootstrap(folder: Path, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bootstrap"
    path.write_text(f"#!{sys.executable}\n" + textwrap.dedent(CLIENT) + textwrap.dedent(body))
    path.chmod(0o755)


def functions(folder: Path, timeout: float = 5, **extra) -> Functions:
    fn = FunctionConfig(
        name="Fn",
        runtime="provided.al2023",
        handler="the.handler",
        code_dir=folder,
        environment={},
        timeout=timeout,
        memory_size=128,
        **extra,
    )
    return Functions({"Fn": fn}, [], max_workers=2, sink=lambda line: None)


def invoke(fs: Functions, event) -> object:
    async def go():
        try:
            return await fs.invoke("Fn", event, context=fs.context("Fn"))
        finally:
            await fs.aclose()

    return asyncio.run(go())


def test_the_protocol_rules(tmp_path: Path) -> None:
    bootstrap(
        tmp_path,
        """
        seen = {}
        status, headers, event = call("GET", "/invocation/next")
        rid = headers["lambda-runtime-aws-request-id"]
        seen["next"] = [status, sorted(k for k in headers if k.startswith("lambda-runtime-")), json.loads(event)]
        seen["deadline_ok"] = int(headers["lambda-runtime-deadline-ms"]) > 0
        seen["arn"] = headers["lambda-runtime-invoked-function-arn"]
        wrong = call("POST", "/invocation/not-the-id/response", b"{}")
        seen["wrong_id"] = [wrong[0], wrong[2].decode()]
        seen["late_init_error"] = call("POST", "/init/error", b"{}")[0]
        seen["unknown"] = call("GET", "/nothing-here")[0]
        body = json.dumps({"seen": seen}).encode()
        call("POST", f"/invocation/{rid}/response", body, chunked=True)
        call("POST", f"/invocation/{rid}/response", b"{}")  # a second answer is refused (400), nothing changes
        call("GET", "/invocation/next")
        """,
    )
    result = invoke(functions(tmp_path), {"hello": "world"})
    assert result.error is None, result.error
    seen = result.result["seen"]
    assert seen["next"] == [
        200,
        [
            "lambda-runtime-aws-request-id",
            "lambda-runtime-deadline-ms",
            "lambda-runtime-invoked-function-arn",
            "lambda-runtime-trace-id",
        ],
        {"hello": "world"},
    ]
    assert seen["deadline_ok"] is True
    assert seen["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:Fn"
    assert seen["wrong_id"] == [400, '{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}']
    assert seen["late_init_error"] == 403
    assert seen["unknown"] == 404


def test_an_error_post_with_a_text_body_uses_the_header_type(tmp_path: Path) -> None:
    bootstrap(
        tmp_path,
        """
        status, headers, event = call("GET", "/invocation/next")
        rid = headers["lambda-runtime-aws-request-id"]
        call("POST", f"/invocation/{rid}/error", b"it broke", ["Lambda-Runtime-Function-Error-Type: Custom.Broken"])
        call("GET", "/invocation/next")
        """,
    )
    result = invoke(functions(tmp_path), {})
    assert result.error == {"errorMessage": "it broke", "errorType": "Custom.Broken"}
    assert not result.rejected


def test_an_init_error_fails_the_invocation(tmp_path: Path) -> None:
    bootstrap(
        tmp_path,
        """
        call("POST", "/init/error", json.dumps({"errorMessage": "no config", "errorType": "Custom.InitFailed"}).encode(),
             ["Lambda-Runtime-Function-Error-Type: Custom.InitFailed"])
        import time; time.sleep(30)  # apigwc kills it
        """,
    )
    result = invoke(functions(tmp_path), {})
    assert result.error == {"errorMessage": "no config", "errorType": "Custom.InitFailed"}


def test_an_exit_before_init_is_runtime_exit_error(tmp_path: Path) -> None:
    bootstrap(tmp_path, "sys.exit(7)\n")
    result = invoke(functions(tmp_path), {})
    assert result.error["errorType"] == "Runtime.ExitError"
    assert result.error["errorMessage"].endswith(" Error: Runtime exited with error: exit status 7")
    assert result.error["errorMessage"].startswith("RequestId: ")


def test_a_response_over_the_limit(tmp_path: Path) -> None:
    bootstrap(
        tmp_path,
        """
        status, headers, event = call("GET", "/invocation/next")
        rid = headers["lambda-runtime-aws-request-id"]
        status, _, body = call("POST", f"/invocation/{rid}/response", b"x" * (6291556 + 1))
        sys.stderr.write(f"{status} {body.decode()}\\n")
        call("GET", "/invocation/next")
        """,
    )
    result = invoke(functions(tmp_path), {})
    assert result.error == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }


def test_a_request_over_the_limit_is_refused_without_a_worker(tmp_path: Path) -> None:
    bootstrap(tmp_path, "raise SystemExit('never started')\n")
    result = invoke(functions(tmp_path), {"x": "y" * (6 * 1024 * 1024)})
    assert result.rejected
    assert result.error == {
        "errorMessage": "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
        "errorType": "RequestEntityTooLargeException",
    }


def test_reserved_concurrency_zero_throttles(tmp_path: Path) -> None:
    bootstrap(tmp_path, "raise SystemExit('never started')\n")
    result = invoke(functions(tmp_path, reserved_concurrency=0), {})
    assert result.rejected and result.error == {
        "errorMessage": "Rate Exceeded.",
        "errorType": "TooManyRequestsException",
    }


@pytest.mark.parametrize(
    "code, reason",
    [
        (1, "Runtime exited with error: exit status 1"),
        (0, "Runtime exited without providing a reason"),
        (-9, "Runtime exited with error: signal: killed"),
        (-11, "Runtime exited with error: signal: segmentation fault"),
    ],
)
def test_exit_reasons(code: int, reason: str) -> None:
    assert exit_reason(code) == reason


def test_runtimes_that_cannot_run_say_why(tmp_path: Path) -> None:
    def config(runtime: str, folder: Path = tmp_path) -> FunctionConfig:
        return FunctionConfig(
            name="F", runtime=runtime, handler="h", code_dir=folder, environment={}, timeout=3, memory_size=128
        )

    assert launch(config("java21")) == Unsupported(
        "runtime java21 is not run by the local gateway (Java functions need the AWS Lambda Java runtime client); "
        "supported: python3.9-python3.13, nodejs18.x-nodejs22.x, provided, provided.al2, provided.al2023"
    )
    assert launch(config("ruby3.3")).reason.startswith("runtime ruby3.3 is not run by the local gateway")
    assert launch(config("provided.al2023")) == Unsupported(
        f"runtime provided.al2023: Couldn't find valid bootstrap(s): [{tmp_path / 'bootstrap'}] (build the function first, e.g. sam build)"
    )
    (tmp_path / "bootstrap").write_text("#!/bin/sh\n")
    assert (
        launch(config("provided.al2023")).reason
        == f"runtime provided.al2023: {tmp_path / 'bootstrap'} is not executable (chmod +x it)"
    )
    assert (
        launch(config("python3.12", tmp_path / "missing")).reason
        == f"the code folder {tmp_path / 'missing'} of function F does not exist"
    )


@pytest.mark.parametrize(
    "runtime, handler, problem",
    [
        ("python3.12", "app.lambda_handler", None),
        ("python3.12", "src/app.lambda_handler", None),
        ("python3.12", "handlers.pets:handler", None),
        (
            "python3.12",
            "app",
            "is not a Python handler: write module.function (e.g. app.lambda_handler) or module:callable",
        ),
        ("nodejs20.x", "index.handler", None),
        ("nodejs20.x", "src/app.lambdaHandler", None),
        (
            "nodejs20.x",
            "index",
            "is not a Node.js handler: write file.export (e.g. index.handler or src/app.lambdaHandler)",
        ),
        ("provided.al2023", "anything at all", None),
    ],
)
def test_handler_forms(runtime: str, handler: str, problem: str | None) -> None:
    assert handler_problem(runtime, handler) == problem


def test_an_init_past_the_limit_is_a_timeout_and_the_worker_is_killed(tmp_path: Path, monkeypatch) -> None:
    from apigwc.lambda_runtime import pool

    monkeypatch.setattr(pool, "INIT_LIMIT_SECONDS", 0.5)  # Lambda's is 10 s
    bootstrap(tmp_path, "import time, os\nopen('pid', 'w').write(str(os.getpid()))\ntime.sleep(60)\n")
    result = invoke(functions(tmp_path), {})
    assert result.error["errorType"] == "Sandbox.Timedout"
    assert result.error["errorMessage"].endswith(" Task timed out after 0.50 seconds (the init phase)")
    pid = int((tmp_path / "pid").read_text())
    with pytest.raises(ProcessLookupError):
        import os

        os.kill(pid, 0)
