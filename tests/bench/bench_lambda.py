"""Benchmark: Lambda proxy routes through ``apigwc serve``: worker processes (Python, Node.js) vs the in-process path.

Three runs, one server process each, in the same session:

  (a) a Python function in worker processes on the Lambda Runtime API (the default);
  (b) a Node.js function in worker processes (skipped without ``node``);
  (c) the same Python handler in the server's own process (``serve --in-process``, the old path).

Each route answers GET /pets/{id} with a small JSON proxy response.  Reported per run:

* warm latency: p50 and p99 of sequential requests on one keep-alive connection (after
  a warm-up, so every request finds a warm worker);
* throughput: requests per second with C keep-alive connections (the best of R
  interleaved rounds: a shared machine only ever makes a run slower), from ``wrk`` when
  installed, else from a small Python client in this process;
* cold start for (a) and (b): spawn + init of a worker (the REPORT line's Init Duration)
  and the whole first invocation, medians of N fresh workers started through
  `apigwc.lambda_runtime.Functions`.

Goals (issue 12): warm p50 under 5 ms; cold start under 300 ms for Python and Node.js;
throughput at least half the in-process path's.

Run by hand:  .venv/bin/python tests/bench/bench_lambda.py [seconds] [connections] [rounds]
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "compiler"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_serve import free_port, load, wait_port, wrk  # noqa: E402

PY = """
import json
def pets(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"id": event["pathParameters"]["petId"], "name": "Rex"})}
"""
NODE = """
exports.pets = async (event) => ({ statusCode: 200, headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ id: event.pathParameters.petId, name: "Rex" }) });
"""


def spec(functions: str) -> str:
    route = """
  /{kind}/{{petId}}:
    get:
      parameters: [{{name: petId, in: path, required: true, schema: {{type: string}}}}]
      responses: {{"200": {{description: ok}}}}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{fn}/invocations"""
    return (
        'openapi: 3.0.3\ninfo: {title: BenchLambda, version: "1"}\n'
        + functions
        + "paths:"
        + route.format(kind="py", fn="PyPets")
        + route.format(kind="node", fn="NodePets")
        + "\n"
    )


WORKERS = """x-apigwc:
  local:
    functions:
      PyPets: {runtime: python3.12, handler: handlers.pets, codeUri: py, timeout: 10}
      NodePets: {runtime: nodejs20.x, handler: index.pets, codeUri: node, timeout: 10}
"""
IN_PROCESS = """x-apigwc:
  local:
    lambdas: {PyPets: "handlers:pets"}
    pythonPath: [py]
"""


async def sequential(port: int, target: str, count: int) -> tuple[float, float]:
    """p50 and p99 (ms) of ``count`` requests one after the other on one connection."""
    latencies: list[float] = []
    await load(port, target, 0.5, 1)  # warm-up (and a warm worker)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    for _ in range(count):
        start = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(
            next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
        )
        await reader.readexactly(length)
        latencies.append((time.perf_counter() - start) * 1000)
    writer.close()
    latencies.sort()
    return statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1]


def cold_starts(folder: Path, name: str, n: int) -> tuple[float, float]:
    """Medians of Init Duration and of the first invocation's total time, over ``n`` fresh workers."""
    from apigwc.lambda_runtime import FunctionConfig
    from apigwc.local.functions import Functions

    fn = {
        "PyPets": FunctionConfig(
            name="PyPets",
            runtime="python3.12",
            handler="handlers.pets",
            code_dir=folder / "py",
            environment={},
            timeout=10,
            memory_size=128,
        ),
        "NodePets": FunctionConfig(
            name="NodePets",
            runtime="nodejs20.x",
            handler="index.pets",
            code_dir=folder / "node",
            environment={},
            timeout=10,
            memory_size=128,
        ),
    }[name]
    inits, totals = [], []
    event = {"pathParameters": {"petId": "1"}}

    async def once() -> None:
        functions = Functions(
            {name: fn},
            [],
            max_workers=1,
            sink=lambda line: (
                inits.append(float(line.split("Init Duration: ")[1].split(" ")[0])) if "Init Duration" in line else None
            ),
        )
        start = time.perf_counter()
        invocation = await functions.invoke(name, event, context=functions.context(name))
        totals.append((time.perf_counter() - start) * 1000)
        assert invocation.error is None, invocation.error
        await functions.aclose()

    for _ in range(n):
        asyncio.run(once())
    return statistics.median(inits), statistics.median(totals)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    connections = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    has_node = shutil.which("node") is not None
    use_wrk = shutil.which("wrk") is not None
    env = dict(os.environ, PYTHONPATH=str(ROOT / "compiler"))
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "py").mkdir()
        (folder / "py" / "handlers.py").write_text(textwrap.dedent(PY))
        (folder / "node").mkdir()
        (folder / "node" / "index.js").write_text(textwrap.dedent(NODE))
        (folder / "workers.yaml").write_text(spec(WORKERS))
        (folder / "inprocess.yaml").write_text(spec(IN_PROCESS))
        workers_port, inprocess_port = free_port(), free_port()
        try:
            for name, port, extra in (
                ("workers.yaml", workers_port, []),
                ("inprocess.yaml", inprocess_port, ["--in-process"]),
            ):
                proc = subprocess.Popen(
                    [sys.executable, "-m", "apigwc", "serve", str(folder / name), "--port", str(port), *extra],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
                procs.append(proc)
                wait_port(port, proc)
            runs = [("(a) Python, worker processes", workers_port, "/local/py/1")]
            if has_node:
                runs.append(("(b) Node.js, worker processes", workers_port, "/local/node/1"))
            runs.append(("(c) Python, in-process (--in-process)", inprocess_port, "/local/py/1"))
            warm = {name: asyncio.run(sequential(port, target, 1000)) for name, port, target in runs}
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
        finally:
            for p in procs:
                p.terminate()
                p.wait(10)
        cold = {"(a) Python, worker processes": cold_starts(folder, "PyPets", 10)}
        if has_node:
            cold["(b) Node.js, worker processes"] = cold_starts(folder, "NodePets", 10)
    client = "wrk (1 thread)" if use_wrk else "a Python client in the benchmark's process"
    print(
        f"warm latency: 1,000 sequential requests on one connection; throughput: {seconds:.0f} s per run, best of {rounds} rounds, {connections} connections from {client}\n"
    )
    base = best[runs[-1][0]][0]
    print(f"{'run':<40}{'warm p50':>10}{'warm p99':>10}{'req/s':>9}{'vs (c)':>8}{'init ms':>9}{'cold ms':>9}")
    for name, _, _ in runs:
        p50, p99 = warm[name]
        rps = best[name][0]
        init, first = cold.get(name, (float("nan"), float("nan")))
        print(f"{name:<40}{p50:>10.2f}{p99:>10.2f}{rps:>9,.0f}{rps / base:>7.2f}x{init:>9.1f}{first:>9.1f}")
    print()
    for name, _, _ in runs[:-1]:
        p50 = warm[name][0]
        init, first = cold[name]
        ratio = best[name][0] / base
        print(
            f"{name}: warm p50 < 5 ms {'met' if p50 < 5 else 'NOT met'}; cold start < 300 ms {'met' if first < 300 else 'NOT met'}; throughput >= 0.5x (c) {'met' if ratio >= 0.5 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
