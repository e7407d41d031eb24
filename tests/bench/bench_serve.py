"""Benchmark: the local gateway (``apigwc serve``) against a bare uvicorn app, in the same run.

Three routes of one API, each served by ``apigwc serve`` on 127.0.0.1:

  (a) MOCK with a request template and a response template (GET /users?count=5: a
      5-item ``#foreach``), the Users example's method;
  (b) a Lambda proxy method (GET /pets/1, a local Python handler);
  (c) an HTTP_PROXY method (GET /upstream/ping) to a local upstream (the bare app).

The limit: a bare ASGI app on the same uvicorn settings (one process, asyncio loop, h11
or httptools as installed), answering with exactly the bytes apigwc answered for (a).
Each server runs in its own process.  The load comes from ``wrk`` when it is installed
(Debian's package: a C load generator that leaves the CPU to the server), else from this
process (a small raw-socket HTTP/1.1 client): C keep-alive connections sending requests
back to back for S seconds.  The four runs are interleaved and repeated R times, and the
best run of each is kept (a shared machine only ever makes a run slower).  Reported:
requests per second, p50 and p99 latency, and each route's throughput as a ratio of the
bare app's.

Goal (issue 5): (a) at least half the bare app's throughput.

Run by hand:  .venv/bin/python tests/bench/bench_serve.py [seconds] [connections] [rounds]
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BARE_APP = """
import json, sys
STATUS, HEADERS, BODY = json.loads(sys.argv[1])["status"], json.loads(sys.argv[1])["headers"], json.loads(sys.argv[1])["body"].encode()
HEADERS = [(k.encode(), v.encode()) for k, v in HEADERS] + [(b"content-length", str(len(BODY)).encode())]
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": STATUS, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
import uvicorn
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False, server_header=False, loop="asyncio")
"""

SPEC = """
openapi: 3.0.3
info: {title: Bench, version: "1"}
paths:
  /users:
    get:
      parameters: [{name: count, in: query, required: true, schema: {type: integer}}]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: |
            #if($input.params('count').matches('[1-9]|10'))
            {"statusCode": 200}
            #else
            {"statusCode": 500}
            #end
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: |
                #set($count = $util.parseJson($input.params('count')))
                [
                #foreach($i in [1..$count])
                  {"id": "$i", "name": "User $util.escapeJavaScript($i)"}#if($foreach.hasNext),#end
                #end
                ]
      responses: {"200": {description: ok}}
  /pets/{petId}:
    get:
      parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Pets/invocations
      responses: {"200": {description: ok}}
  /upstream/{proxy+}:
    get:
      parameters: [{name: proxy, in: path, required: true, schema: {type: string}}]
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://127.0.0.1:UPSTREAM/{proxy}
        requestParameters: {integration.request.path.proxy: method.request.path.proxy}
      responses: {"200": {description: ok}}
x-apigwc:
  local:
    lambdas: {Pets: "bench_handlers:pets"}
"""

HANDLERS = """
import json
def pets(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"id": event["pathParameters"]["petId"], "name": "Rex"})}
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def one_connection(port: int, target: str, until: float, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n".encode()
    length = re.compile(rb"content-length: *(\d+)", re.I)
    try:
        while time.perf_counter() < until:
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            m = length.search(head)
            if m:
                await reader.readexactly(int(m.group(1)))
            latencies.append(time.perf_counter() - start)
    finally:
        writer.close()


async def load(port: int, target: str, seconds: float, connections: int) -> tuple[float, float, float]:
    latencies: list[float] = []
    await one_connection(port, target, time.perf_counter() + 0.3, [])  # warm up
    start = time.perf_counter()
    until = start + seconds
    await asyncio.gather(*(one_connection(port, target, until, latencies) for _ in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    return len(latencies) / elapsed, p50, p99


_WRK_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_WRK_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)


def wrk(port: int, target: str, seconds: float, connections: int) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 (ms) measured by wrk with one thread."""
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds:.0f}s",
            "--latency",
            "-H",
            "Accept: application/json",
            f"http://127.0.0.1:{port}{target}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {m.group(1): float(m.group(2)) * scale[m.group(3)] for m in _WRK_LATENCY.finditer(out)}
    return float(_WRK_RPS.search(out).group(1)), latency["50"], latency["99"]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    import socket

    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"nothing listens on {port}:\n{proc.communicate()[1].decode()}")


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    connections = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    import shutil

    use_wrk = shutil.which("wrk") is not None
    env = dict(os.environ, PYTHONPATH=str(ROOT / "compiler"))
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        upstream_port, gateway_port = free_port(), free_port()
        (folder / "bench.yaml").write_text(textwrap.dedent(SPEC).replace("UPSTREAM", str(upstream_port)))
        (folder / "bench_handlers.py").write_text(HANDLERS)
        try:
            gateway = subprocess.Popen(
                [sys.executable, "-m", "apigwc", "serve", str(folder / "bench.yaml"), "--port", str(gateway_port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            procs.append(gateway)
            wait_port(gateway_port, gateway)
            import urllib.request

            with urllib.request.urlopen(f"http://127.0.0.1:{gateway_port}/local/users?count=5") as r:
                sample = {
                    "status": r.status,
                    "headers": [
                        (k, v) for k, v in r.getheaders() if k.lower() not in ("content-length", "date", "connection")
                    ],
                    "body": r.read().decode(),
                }
            bare = subprocess.Popen(
                [sys.executable, "-c", BARE_APP, json.dumps(sample), str(upstream_port)],
                env=env,
                stderr=subprocess.PIPE,
            )
            procs.append(bare)
            wait_port(upstream_port, bare)

            runs = [
                ("bare uvicorn app (same bytes as a)", upstream_port, "/ping"),
                ("(a) MOCK + request/response templates", gateway_port, "/local/users?count=5"),
                ("(b) Lambda proxy (local handler)", gateway_port, "/local/pets/1"),
                ("(c) HTTP_PROXY to the bare app", gateway_port, "/local/upstream/ping"),
            ]
            best: dict[str, tuple[float, float, float]] = {}
            for round_ in range(rounds):
                for name, port, target in runs:
                    print(f"round {round_ + 1}/{rounds}: {name} ...", file=sys.stderr, flush=True)
                    measured = (
                        wrk(port, target, seconds, connections)
                        if use_wrk
                        else asyncio.run(load(port, target, seconds, connections))
                    )
                    if name not in best or measured[0] > best[name][0]:
                        best[name] = measured
            results = [(name, *best[name]) for name, _, _ in runs]
        finally:
            for p in procs:
                p.terminate()
                p.wait(10)
    base = results[0][1]
    client = "wrk (1 thread)" if use_wrk else "a Python client in the benchmark's process"
    print(
        f"{seconds:.0f} s per run, best of {rounds} interleaved rounds, {connections} keep-alive connections from {client}; one server process each\n"
    )
    print(f"{'run':<42}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}")
    for name, rps, p50, p99 in results:
        print(f"{name:<42}{rps:>9,.0f}{p50:>9.2f}{p99:>9.2f}{rps / base:>8.2f}x")
    verdict = "met" if results[1][1] >= base / 2 else "NOT met"
    print(f"\ngoal (a) >= 0.5x the bare app: {verdict}")


if __name__ == "__main__":
    main()
