"""Lambda functions as worker processes on the Runtime API, through a real ``apigwc serve`` and ``apigwc invoke``.

One server (module scope) serves an API whose functions live in a temporary folder:
Python, Node.js (CommonJS async, callback, ES modules by .mjs and by package.json), a
``provided.al2023`` bootstrap compiled from C with ``cc``, plus functions that sleep,
spin, crash, time out and fail to initialize.  Tests that change files or need their
own limits start their own server.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import subprocess
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from serve_helpers import Served, serve  # noqa: F401 - a fixture

from support import CORPUS

HEAD = 'openapi: 3.0.1\ninfo: {title: Lambdas, version: "1"}\n'
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed: Node.js functions cannot run")
needs_cc = pytest.mark.skipif(
    shutil.which("cc") is None, reason="no C compiler (cc) to build the provided.al2023 bootstrap"
)


def arn(name: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{name}/invocations"


def proxy_route(path: str, function: str, verb: str = "get", timeout_ms: int = 29000) -> str:
    return f"""
  {path}:
    {verb}:
      responses: {{"200": {{description: ok}}}}
      x-amazon-apigateway-integration: {{type: aws_proxy, httpMethod: POST, uri: "{arn(function)}", timeoutInMillis: {timeout_ms}}}"""


def custom_route(path: str, function: str) -> str:
    """An AWS (custom) Lambda integration: the function's result, or its error JSON, is the body."""
    return f"""
  {path}:
    post:
      responses: {{"200": {{description: ok}}}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: "{arn(function)}"
        passthroughBehavior: when_no_match
        responses: {{default: {{statusCode: "200"}}}}"""


def spec(folder: Path, functions: dict[str, dict], routes: str, extra: str = "") -> Path:
    lines = [HEAD, "x-apigwc:\n  local:\n    functions:\n"]
    for name, fn in functions.items():
        lines.append(f"      {name}: {json.dumps(fn)}\n")
    lines.append(extra)
    lines.append("paths:" + routes + "\n")
    path = folder / "api.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def files(folder: Path, content: dict[str, str]) -> None:
    for name, text in content.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


PY_APP = """
import os, time
COUNT = 0
STARTED = time.time()

def handler(event, context):
    global COUNT
    COUNT += 1
    print(f"python handled {event['path']} (call {COUNT})")
    query = event.get("queryStringParameters") or {}
    if "sleep" in query:
        time.sleep(float(query["sleep"]))
    if "exit" in query:
        os._exit(int(query["exit"]))
    if "big" in query:
        return {"statusCode": 200, "body": "x" * (7 * 1024 * 1024)}
    keys = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "_HANDLER", "AWS_REGION",
            "AWS_DEFAULT_REGION", "LAMBDA_TASK_ROOT", "AWS_EXECUTION_ENV", "AWS_LAMBDA_LOG_GROUP_NAME", "TZ", "TABLE", "APIGWC_SERVER_SECRET"]
    body = {
        "count": COUNT, "pid": os.getpid(), "cwd": os.getcwd(),
        "env": {k: os.environ.get(k) for k in keys},
        "stream": os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "").split("/")[-1][:9],
        "runtime_api": os.environ.get("AWS_LAMBDA_RUNTIME_API", "").split(":")[0],
        "request_id": context.aws_request_id, "arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb, "remaining_ok": 0 < context.get_remaining_time_in_millis() <= 30000,
        "trace": os.environ.get("_X_AMZN_TRACE_ID", "")[:7],
    }
    import json
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}
"""

NODE_CJS_ASYNC = """
let count = 0;
exports.handler = async (event, context) => {
  count += 1;
  console.log("node async", event.path);
  const q = event.queryStringParameters || {};
  if (q.sleep) await new Promise((r) => setTimeout(r, Number(q.sleep) * 1000));
  if (q.spin) { const end = Date.now() + Number(q.spin) * 1000; while (Date.now() < end) {} }
  if (q.fail) throw new TypeError("node says no");
  return {
    statusCode: 200,
    body: JSON.stringify({ count, pid: process.pid, table: process.env.TABLE, name: context.functionName,
      memory: context.memoryLimitInMB, requestId: context.awsRequestId, remainingOk: context.getRemainingTimeInMillis() > 0,
      execEnv: process.env.AWS_EXECUTION_ENV, cwd: process.cwd() }),
  };
};
"""

NODE_CALLBACK = """
exports.handler = function (event, context, callback) {
  setTimeout(() => callback(null, { statusCode: 201, body: "callback " + context.functionName }), 10);
};
"""

NODE_MJS = """
import { readFileSync } from "node:fs";
const data = readFileSync(new URL("./data.txt", import.meta.url), "utf8").trim();
export const lambdaHandler = async (event) => ({ statusCode: 200, body: `esm ${data} ${event.httpMethod}` });
"""

NODE_TYPE_MODULE = """
export async function handler(event, context) {
  return { statusCode: 200, headers: { "X-Kind": "type-module" }, body: `module ${context.functionName}` };
}
"""

BOOTSTRAP_C = r"""
/* A provided.al2023 runtime in C: the Runtime API over a socket, one connection per call. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static char host[64]; static int port;

static int talk(const char *request, char *out, size_t size) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a; memset(&a, 0, sizeof a);
    a.sin_family = AF_INET; a.sin_port = htons(port); inet_pton(AF_INET, host, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) exit(2);
    write(fd, request, strlen(request));
    size_t n = 0; ssize_t r; char *end;
    while (n < size - 1 && (r = read(fd, out + n, size - 1 - n)) > 0) {
        n += r; out[n] = 0;
        if ((end = strstr(out, "\r\n\r\n")) != NULL) {
            char *cl = strcasestr(out, "Content-Length:");
            size_t want = (end - out) + 4 + (cl ? strtoul(cl + 15, NULL, 10) : 0);
            if (n >= want) break;
        }
    }
    close(fd); out[n] = 0; return (int)n;
}

int main(void) {
    char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api) return 1;
    sscanf(api, "%63[^:]:%d", host, &port);
    static char buf[1 << 20], req[4096], body[1024];
    for (;;) {
        snprintf(req, sizeof req, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", api);
        talk(req, buf, sizeof buf);
        char id[128] = "";
        char *h = strcasestr(buf, "Lambda-Runtime-Aws-Request-Id:");
        if (h) sscanf(h + 31, " %127[^\r\n]", id);
        char *event = strstr(buf, "\r\n\r\n");
        size_t event_len = event ? strlen(event + 4) : 0;
        printf("c bootstrap got %zu bytes\n", event_len); fflush(stdout);
        snprintf(body, sizeof body, "{\"statusCode\":200,\"body\":\"c bootstrap: %zu bytes, handler %s, greeting %s\"}",
                 event_len, getenv("_HANDLER"), getenv("GREETING") ? getenv("GREETING") : "-");
        snprintf(req, sizeof req, "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                 id, api, strlen(body), body);
        talk(req, buf, sizeof buf);
    }
}
"""


def build_app(root: Path) -> Path:
    files(
        root,
        {
            "py/app.py": PY_APP,
            "py/broken.py": "import not_a_module_anywhere\n",
            "py/nohandler.py": "def other(event, context):\n    return 1\n",
            "py/initfail.py": "raise RuntimeError('config missing at import')\n",
            "node/cjs/index.js": NODE_CJS_ASYNC,
            "node/cjs/callback.js": NODE_CALLBACK,
            "node/esm/app.mjs": NODE_MJS,
            "node/esm/data.txt": "from a file\n",
            "node/typemodule/package.json": '{"type": "module"}\n',
            "node/typemodule/handler.js": NODE_TYPE_MODULE,
            "node/syntax/index.js": "exports.handler = async (event => {\n",
            "c/bootstrap.c": BOOTSTRAP_C,
        },
    )
    functions = {
        "Py": {
            "runtime": "python3.12",
            "handler": "app.handler",
            "codeUri": "py",
            "environment": {"TABLE": "pets-table"},
            "timeout": 30,
            "memorySize": 256,
        },
        "PyShort": {"runtime": "python3.12", "handler": "app.handler", "codeUri": "py", "timeout": 1},
        "PyBroken": {"runtime": "python3.13", "handler": "broken.handler", "codeUri": "py"},
        "PyNoHandler": {"runtime": "python3.11", "handler": "nohandler.handler", "codeUri": "py"},
        "PyInitFail": {"runtime": "python3.10", "handler": "initfail.handler", "codeUri": "py"},
        "NodeAsync": {
            "runtime": "nodejs20.x",
            "handler": "index.handler",
            "codeUri": "node/cjs",
            "environment": {"TABLE": "node-table"},
            "timeout": 10,
        },
        "NodeCallback": {"runtime": "nodejs18.x", "handler": "callback.handler", "codeUri": "node/cjs"},
        "NodeEsm": {"runtime": "nodejs22.x", "handler": "app.lambdaHandler", "codeUri": "node/esm"},
        "NodeTypeModule": {"runtime": "nodejs20.x", "handler": "handler.handler", "codeUri": "node/typemodule"},
        "NodeSyntax": {"runtime": "nodejs20.x", "handler": "index.handler", "codeUri": "node/syntax"},
        "Custom": {
            "runtime": "provided.al2023",
            "handler": "my.handler",
            "codeUri": "c",
            "environment": {"GREETING": "hello from C"},
        },
        "Java": {"runtime": "java21", "handler": "example.Handler::handleRequest", "codeUri": "py"},
    }
    routes = "".join(
        [
            proxy_route("/py", "Py"),
            proxy_route("/py-short", "PyShort"),
            proxy_route("/py-impatient", "PyShort", timeout_ms=300),
            proxy_route("/node", "NodeAsync"),
            proxy_route("/node-callback", "NodeCallback"),
            proxy_route("/node-esm", "NodeEsm"),
            proxy_route("/node-type-module", "NodeTypeModule"),
            proxy_route("/custom", "Custom"),
            proxy_route("/java", "Java"),
            custom_route("/init/py-broken", "PyBroken"),
            custom_route("/init/py-nohandler", "PyNoHandler"),
            custom_route("/init/py-initfail", "PyInitFail"),
            custom_route("/init/node-syntax", "NodeSyntax"),
            custom_route("/node-error", "NodeAsync"),
            custom_route("/py-custom", "Py"),
        ]
    )
    return spec(root, functions, routes)


def compile_bootstrap(folder: Path) -> None:
    subprocess.run(
        [
            "cc",
            "-O1",
            "-Wall",
            "-Werror",
            "-Wno-unused-result",
            "-o",
            str(folder / "bootstrap"),
            str(folder / "bootstrap.c"),
        ],
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("lambdas")
    path = build_app(root)
    if shutil.which("cc"):
        compile_bootstrap(root / "c")
    served = Served((str(path), "--max-workers", "4"), root, {"APIGWC_SERVER_SECRET": "the server's own"})
    served.root = root  # type: ignore[attr-defined]
    yield served
    code = served.stop()
    assert code == 0, "\n".join(served.lines + served.errors)
    assert not any("Traceback" in line for line in served.errors), "\n".join(served.errors)


def body(r: httpx.Response) -> dict:
    return json.loads(r.text)


# ----------------------------------------------------------------------------------------
# Runtimes


def test_python_function_environment_context_and_isolation(app) -> None:
    r = app.request("GET", "local", "/py")
    assert r.status_code == 200, r.text
    b = body(r)
    root = app.root.resolve()
    assert b["cwd"] == str(root / "py")
    assert b["env"] == {
        "AWS_LAMBDA_FUNCTION_NAME": "Py",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "_HANDLER": "app.handler",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "LAMBDA_TASK_ROOT": str(root / "py"),
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/Py",
        "TZ": ":UTC",
        "TABLE": "pets-table",  # the function's own variable
        "APIGWC_SERVER_SECRET": None,  # the server's environment does not leak into functions
    }
    assert b["stream"] == "[$LATEST]"
    assert b["runtime_api"] == "127.0.0.1"
    assert b["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:Py"
    assert b["memory"] == "256" and b["remaining_ok"] is True and b["trace"] == "Root=1-"
    assert len(b["request_id"]) == 36
    # the function's output, prefixed with its name, between START and REPORT
    app.wait_for(f"START RequestId: {b['request_id']} Version: $LATEST")
    app.wait_for("[Py] python handled /py")
    app.wait_for(f"END RequestId: {b['request_id']}")
    report = app.wait_for(f"REPORT RequestId: {b['request_id']}")
    fields = report.split("\t")
    assert fields[1].startswith("Duration: ") and fields[1].endswith(" ms")
    assert fields[2].startswith("Billed Duration: ") and fields[3] == "Memory Size: 256 MB"
    assert fields[4].startswith("Max Memory Used: ") and fields[4].endswith(" MB")


def test_warm_reuse_keeps_module_state_and_the_process(app) -> None:
    first = body(app.request("GET", "local", "/py?warm=1"))
    second = body(app.request("GET", "local", "/py?warm=2"))
    assert second["pid"] == first["pid"]
    assert second["count"] == first["count"] + 1
    # a cold start reports its Init Duration; a warm invocation does not
    warm = app.wait_for(f"REPORT RequestId: {second['request_id']}")
    assert "Init Duration" not in warm


def test_cold_start_reports_init_duration(app) -> None:
    r = app.request("GET", "local", "/py-short")
    assert r.status_code == 200
    report = app.wait_for(f"REPORT RequestId: {body(r)['request_id']}")
    assert "\tInit Duration: " in report


@needs_node
def test_node_async_commonjs_handler(app) -> None:
    r = app.request("GET", "local", "/node")
    assert r.status_code == 200, r.text
    b = body(r)
    assert (b["table"], b["name"], b["memory"], b["remainingOk"], b["execEnv"]) == (
        "node-table",
        "NodeAsync",
        "128",
        True,
        "AWS_Lambda_nodejs20.x",
    )
    assert b["cwd"] == str((app.root / "node" / "cjs").resolve())
    again = body(app.request("GET", "local", "/node"))
    assert (again["pid"], again["count"]) == (b["pid"], b["count"] + 1)
    # console.log as the Node.js runtime prints it: time, request id, level, message
    line = app.wait_for(f"\t{b['requestId']}\tINFO\tnode async /node")
    assert line.startswith("[NodeAsync] 20")


@needs_node
def test_node_callback_esm_and_type_module_handlers(app) -> None:
    r = app.request("GET", "local", "/node-callback")
    assert (r.status_code, r.text) == (201, "callback NodeCallback")
    r = app.request("GET", "local", "/node-esm")
    assert (r.status_code, r.text) == (200, "esm from a file GET")
    r = app.request("GET", "local", "/node-type-module")
    assert (r.status_code, r.text, r.headers["x-kind"]) == (200, "module NodeTypeModule", "type-module")


@needs_node
def test_a_node_error_is_the_runtime_error_json(app) -> None:
    r = app.request("POST", "local", "/node-error?fail=1", json={"path": "/x", "queryStringParameters": {"fail": "1"}})
    assert r.status_code == 200
    error = body(r)
    assert (error["errorType"], error["errorMessage"]) == ("TypeError", "node says no")
    assert error["trace"][0] == "TypeError: node says no"
    assert r.headers.get("x-amzn-errortype") is None


@needs_cc
def test_a_provided_al2023_bootstrap_in_c(app) -> None:
    r = app.request("GET", "local", "/custom")
    assert r.status_code == 200, r.text
    assert r.text.startswith("c bootstrap: ") and r.text.endswith(" bytes, handler my.handler, greeting hello from C")
    assert int(r.text.split()[2]) > 500  # the whole proxy event reached it
    app.wait_for("[Custom] c bootstrap got ")


def test_a_runtime_that_cannot_run_is_named(app) -> None:
    assert any("Java: runtime java21 is not run by the local gateway" in line for line in app.lines)
    assert any(
        "GET /java: the Lambda function Java cannot run here: runtime java21 is not run" in line for line in app.lines
    )
    r = app.request("GET", "local", "/java")
    assert (r.status_code, r.text) == (500, '{"message":"Internal server error"}')


# ----------------------------------------------------------------------------------------
# Failures


@pytest.mark.parametrize(
    "path, error_type, message",
    [
        (
            "/init/py-broken",
            "Runtime.ImportModuleError",
            "Unable to import module 'broken': No module named 'not_a_module_anywhere'",
        ),
        ("/init/py-nohandler", "Runtime.HandlerNotFound", "Handler 'handler' missing on module 'nohandler'"),
        ("/init/py-initfail", "RuntimeError", "config missing at import"),
    ],
)
def test_python_init_errors_in_the_runtime_words(app, path: str, error_type: str, message: str) -> None:
    r = app.request("POST", "local", path, json={})
    assert r.status_code == 200  # a custom integration's default response carries the function error
    error = body(r)
    assert (error["errorType"], error["errorMessage"]) == (error_type, message)


@needs_node
def test_a_node_syntax_error_is_an_init_error(app) -> None:
    error = body(app.request("POST", "local", "/init/node-syntax", json={}))
    assert error["errorType"] == "Runtime.UserCodeSyntaxError"
    assert error["errorMessage"].startswith("SyntaxError: ")


def test_a_timeout_kills_the_worker(app) -> None:
    first = body(app.request("GET", "local", "/py-short"))
    started = time.monotonic()
    r = app.request("GET", "local", "/py-short?sleep=20")
    assert (r.status_code, r.text) == (502, '{"message":"Internal server error"}')
    assert time.monotonic() - started < 5
    line = app.wait_for("Task timed out after 1.00 seconds")
    assert line.startswith("[PyShort] 20")
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(first["pid"], 0)
            time.sleep(0.05)
    after = body(app.request("GET", "local", "/py-short"))
    assert after["pid"] != first["pid"] and after["count"] == 1


def test_an_integration_timeout_leaves_the_function_running_to_its_end(app) -> None:
    """API Gateway gives up at timeoutInMillis (504); the function runs on, and its worker serves again after."""
    before = body(app.request("GET", "local", "/py-short"))
    r = app.request("GET", "local", "/py-impatient?sleep=0.6")
    assert (r.status_code, r.json()) == (504, {"message": "Endpoint request timed out"})
    time.sleep(0.8)
    after = body(app.request("GET", "local", "/py-short"))
    assert (after["pid"], after["count"]) == (before["pid"], before["count"] + 2)  # the same worker, back in the pool


def test_a_crash_is_runtime_exit_error_and_the_worker_is_replaced(app) -> None:
    before = body(app.request("GET", "local", "/py"))
    r = app.request("GET", "local", "/py?exit=3")
    assert r.status_code == 502
    app.wait_for("Status: error\tError Type: Runtime.ExitError")
    after = body(app.request("GET", "local", "/py"))
    assert after["pid"] != before["pid"] and after["count"] == 1


def test_payloads_over_6_mb_are_refused(app) -> None:
    r = app.request("GET", "local", "/py?big=1")
    assert r.status_code == 502  # Function.ResponseSizeTooLarge: a function error
    assert body(app.request("GET", "local", "/py"))["count"] >= 1  # the worker still serves
    # an event over 6 MB never reaches a worker: the invoke is refused (API Gateway itself takes 10 MB)
    r = app.request("POST", "local", "/py-custom", content=json.dumps({"x": "y" * (6 * 1024 * 1024 + 10)}))
    assert (r.status_code, r.text) == (500, '{"message":"Internal server error"}')


def test_two_slow_requests_run_in_parallel_on_two_workers(app) -> None:
    app.request("GET", "local", "/py")  # at least one warm worker
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda i: httpx.get(app.url("local", f"/py?sleep=1.5&i={i}"), timeout=30), range(2)))
    elapsed = time.monotonic() - started
    assert [r.status_code for r in results] == [200, 200]
    assert body(results[0])["pid"] != body(results[1])["pid"]
    assert elapsed < 2.9, elapsed


@needs_node
def test_a_cpu_spinning_function_does_not_slow_other_routes(app) -> None:
    app.request("GET", "local", "/py")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        spinning = pool.submit(lambda: httpx.get(app.url("local", "/node?spin=3"), timeout=30))
        time.sleep(0.3)
        started = time.monotonic()
        for _ in range(5):
            assert app.request("GET", "local", "/py").status_code == 200
        fast = time.monotonic() - started
        assert not spinning.done()  # still spinning while the other route answered
        assert spinning.result().status_code == 200
    assert fast < 1.5, fast


# ----------------------------------------------------------------------------------------
# Servers of their own


def test_hot_reload_recycles_workers(serve, tmp_path: Path) -> None:
    files(tmp_path, {"fn/app.py": "def handler(event, context):\n    return {'statusCode': 200, 'body': 'v1'}\n"})
    path = spec(
        tmp_path, {"Fn": {"runtime": "python3.12", "handler": "app.handler", "codeUri": "fn"}}, proxy_route("/v", "Fn")
    )
    s = serve(path, cwd=tmp_path)
    assert s.request("GET", "local", "/v").text == "v1"
    (tmp_path / "fn" / "app.py").write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'v2'}\n"
    )
    s.wait_for("[Fn] code changed under")
    assert s.request("GET", "local", "/v").text == "v2"


def test_watch_rebuild_starts_new_workers_with_the_new_configuration(serve, tmp_path: Path) -> None:
    files(
        tmp_path,
        {
            "fn/app.py": "import os\ndef handler(event, context):\n    return {'statusCode': 200, 'body': os.environ['MODE'] + ' ' + str(os.getpid())}\n"
        },
    )
    fn = {"runtime": "python3.12", "handler": "app.handler", "codeUri": "fn", "environment": {"MODE": "one"}}
    path = spec(tmp_path, {"Fn": fn}, proxy_route("/v", "Fn"))
    s = serve(path, "--watch", cwd=tmp_path)
    mode, pid = s.request("GET", "local", "/v").text.split()
    assert mode == "one"
    spec(tmp_path, {"Fn": {**fn, "environment": {"MODE": "two"}}}, proxy_route("/v", "Fn"))
    s.wait_for("api.yaml changed; reloaded")
    mode, new_pid = s.request("GET", "local", "/v").text.split()
    assert (mode, new_pid != pid) == ("two", True)
    with pytest.raises(ProcessLookupError):  # the previous build's worker is stopped
        for _ in range(100):
            os.kill(int(pid), 0)
            time.sleep(0.05)


def test_reserved_concurrency_caps_the_pool(serve, tmp_path: Path) -> None:
    files(
        tmp_path,
        {
            "fn/app.py": "import os, time\ndef handler(event, context):\n    time.sleep(0.6)\n    return {'statusCode': 200, 'body': str(os.getpid())}\n"
        },
    )
    path = spec(
        tmp_path,
        {"Fn": {"runtime": "python3.12", "handler": "app.handler", "codeUri": "fn", "reservedConcurrency": 1}},
        proxy_route("/v", "Fn"),
    )
    s = serve(path, cwd=tmp_path)
    s.request("GET", "local", "/v")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda i: httpx.get(s.url("local", "/v"), timeout=30), range(2)))
    assert results[0].text == results[1].text  # one worker served both, one after the other


def test_lambda_authorizer_runs_as_a_worker(serve, tmp_path: Path) -> None:
    files(
        tmp_path,
        {
            "auth/auth.py": """
            import os
            def handler(event, context):
                if event["authorizationToken"] != os.environ["EXPECTED"]:
                    raise Exception("Unauthorized")
                return {"principalId": "me", "policyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]}}
            """
        },
    )
    extra = f"""components:
  securitySchemes:
    tok:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer: {{type: token, authorizerUri: "{arn("Auth")}", authorizerResultTtlInSeconds: 0}}
"""
    routes = """
  /secret:
    get:
      security: [{tok: []}]
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"who": "$context.authorizer.principalId"}'}}}"""
    path = spec(
        tmp_path,
        {
            "Auth": {
                "runtime": "python3.12",
                "handler": "auth.handler",
                "codeUri": "auth",
                "environment": {"EXPECTED": "letmein"},
            }
        },
        routes,
        extra,
    )
    s = serve(path, cwd=tmp_path)
    assert s.request("GET", "local", "/secret", headers={"Authorization": "nope"}).status_code == 401
    r = s.request("GET", "local", "/secret", headers={"Authorization": "letmein"})
    assert (r.status_code, r.json()) == (200, {"who": "me"})


def test_old_lambdas_form_runs_in_workers_and_in_process_on_request(serve, tmp_path: Path) -> None:
    files(
        tmp_path,
        {
            "handlers/h.py": "import os\ndef handler(event, context):\n    return {'statusCode': 200, 'body': str(os.getpid())}\n"
        },
    )
    path = tmp_path / "api.yaml"
    path.write_text(
        HEAD + "x-apigwc: {local: {lambdas: {F: 'handlers.h:handler'}}}\npaths:" + proxy_route("/p", "F") + "\n"
    )
    s = serve(path, cwd=tmp_path)
    worker = int(s.request("GET", "local", "/p").text)
    assert worker != s.proc.pid
    s2 = serve(path, "--in-process", cwd=tmp_path)
    assert int(s2.request("GET", "local", "/p").text) == s2.proc.pid


# ----------------------------------------------------------------------------------------
# apigwc invoke


@needs_node
def test_invoke_runs_functions_and_takes_lambda_overrides(run_cli, tmp_path: Path) -> None:
    files(
        tmp_path,
        {
            "fn/index.js": "exports.handler = async (e) => ({ statusCode: 200, body: 'node ' + process.env.MODE });\n",
            "fn/other.mjs": "export const go = async (e) => ({ statusCode: 200, body: 'other export' });\n",
            "fn/app.py": "def lambda_handler(event, context):\n    print('py says hi')\n    return {'statusCode': 200, 'body': 'python'}\n",
        },
    )
    path = spec(
        tmp_path,
        {"Fn": {"runtime": "nodejs20.x", "handler": "index.handler", "codeUri": "fn", "environment": {"MODE": "prod"}}},
        proxy_route("/f", "Fn"),
    )
    r = run_cli("invoke", str(path), "/f", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["body"] == "node prod"
    assert (
        "START RequestId: " in r.stderr and "REPORT RequestId: " in r.stderr
    )  # function output on stderr, never in the JSON
    r = run_cli("invoke", str(path), "/f", "--lambda", "Fn=other.go")
    assert r.stdout.endswith("other export"), r.stdout
    # SAM's module.function form for Python, on a function the spec does not declare
    path2 = tmp_path / "api2.yaml"
    path2.write_text(HEAD + "paths:" + proxy_route("/g", "PyFn") + "\n")
    r = run_cli("invoke", str(path2), "/g", "--lambda", "PyFn=fn.app.lambda_handler")
    assert r.stdout.endswith("python"), r.stdout + r.stderr
    assert "[PyFn] py says hi" in r.stderr


def test_the_lambdas_schema_accepts_sams_handler_form(run_cli, tmp_path: Path) -> None:
    files(
        tmp_path,
        {"app.py": "def lambda_handler(event, context):\n    return {'statusCode': 200, 'body': 'sam form'}\n"},
    )
    path = tmp_path / "api.yaml"
    path.write_text(
        HEAD + "x-apigwc: {local: {lambdas: {F: app.lambda_handler}}}\npaths:" + proxy_route("/p", "F") + "\n"
    )
    r = run_cli("lint", str(path))
    assert "AGW017" not in r.stdout
    r = run_cli("invoke", str(path), "/p")
    assert r.stdout.endswith("sam form"), r.stdout + r.stderr


# ----------------------------------------------------------------------------------------
# The corpus: SAM projects' own code answers like the deployed API


SAM = CORPUS / "sam"


@pytest.mark.skipif(not (SAM / "hello-python").is_dir(), reason="the SAM corpus is not here")
@pytest.mark.parametrize(
    "project, runtime, handler, code",
    [
        ("hello-python", "python3.13", "app.lambda_handler", "hello_world"),
        pytest.param("hello-nodejs", "nodejs22.x", "app.lambdaHandler", "hello-world", marks=needs_node),
    ],
)
def test_sam_hello_world_answers_like_the_deployed_api(
    serve, tmp_path: Path, project: str, runtime: str, handler: str, code: str
) -> None:
    fn = {"runtime": runtime, "handler": handler, "codeUri": str(SAM / project / code), "timeout": 3}
    path = spec(tmp_path, {"HelloWorldFunction": fn}, proxy_route("/hello", "HelloWorldFunction"))
    s = serve(path, cwd=tmp_path)
    r = s.request("GET", "local", "/hello")
    # the deployed API: 200, {"message": "hello world"} with API Gateway's default JSON content type
    assert (r.status_code, r.json(), r.headers["content-type"]) == (200, {"message": "hello world"}, "application/json")


@needs_node
@pytest.mark.skipif(not (SAM / "s12d").is_dir(), reason="the SAM corpus is not here")
def test_s12d_node_functions(serve, tmp_path: Path) -> None:
    functions = {
        "LoginProcessor": {
            "runtime": "nodejs18.x",
            "handler": "app.handler",
            "codeUri": str(SAM / "s12d" / "src" / "login"),
            "timeout": 45,
            "memorySize": 1024,
        },
        "LoggingProcessor": {
            "runtime": "nodejs18.x",
            "handler": "app.handler",
            "codeUri": str(SAM / "s12d" / "src" / "analytics"),
            "timeout": 45,
            "memorySize": 1024,
            "environment": json.loads((SAM / "s12d" / "locals.json").read_text())["LoggingProcessor"],
        },
    }
    path = spec(
        tmp_path, functions, custom_route("/signup", "LoginProcessor") + custom_route("/logs", "LoggingProcessor")
    )
    s = serve(path, cwd=tmp_path)
    event = {"request": {"userAttributes": {"email": "jane@amazon.com"}}, "response": {}}
    r = s.request("POST", "local", "/signup", json=event)
    assert (r.status_code, r.json()) == (200, event)  # the Cognito pre-sign-up trigger lets it through
    r = s.request("POST", "local", "/signup", json={"request": {"userAttributes": {"email": "joe@example.com"}}})
    assert r.json()["errorMessage"] == "Sorry, you need an amazon.com email address to use s12d.com"
    # the analytics function needs aws-sdk v2, which the nodejs16.x runtime bundled and a local node does not have
    r = s.request("POST", "local", "/logs", json={"Records": []})
    error = r.json()
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert error["errorMessage"].startswith("Error: Cannot find module 'aws-sdk'")


@pytest.mark.skipif(
    shutil.which("go") is None, reason="Go is not installed: hello-go's bootstrap cannot be built (reported, not faked)"
)
def test_sam_hello_go(serve, tmp_path: Path) -> None:
    source = SAM / "hello-go" / "hello-world"
    build = tmp_path / "build"
    shutil.copytree(source, build)
    subprocess.run(
        ["go", "build", "-o", "bootstrap", "."],
        cwd=build,
        check=True,
        capture_output=True,
        env={**os.environ, "CGO_ENABLED": "0"},
    )
    path = spec(
        tmp_path,
        {"HelloWorldFunction": {"runtime": "provided.al2023", "handler": "bootstrap", "codeUri": str(build)}},
        proxy_route("/hello", "HelloWorldFunction"),
    )
    s = serve(path, cwd=tmp_path)
    r = s.request("GET", "local", "/hello")
    assert r.status_code == 200 and r.text.startswith("Hello, ")
