"""Benchmark: requests per second of ``execute()`` for the Users MOCK method, against its templates alone.

Four measurements in the same process (one event loop, requests run one after another):

1. templates only: the two templates GET /users?count=5 renders (the MOCK request
   template and the 200 response template, a 5-item ``#foreach``), compiled once and
   rendered with a fresh namespace each time: the work any implementation must do;
2. execute(): the whole pipeline for GET /users?count=5 (route, context, validation,
   integration request, MOCK, selection, response template, service headers, log);
3. the same with ``data_trace=False`` (the log keeps one line per step, no headers and
   bodies), which the local gateway can use when nobody reads the full log;
4. execute() for GET /users/42 (one-line templates: the pipeline's own overhead shows);
5. execute() for an unknown path (403 gateway response, no template).

The ratio 2/1 is the pipeline's cost over the bare templates.  The local gateway's
budget: an ASGI server adds its own per-request cost on top of execute().

Run by hand:  /work/venv/bin/python tests/bench/bench_runtime.py [seconds-per-measurement]
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "compiler"))

from apigwc.pipeline import compile_file  # noqa: E402
from apigwc.runtime import Deployment, Request, execute  # noqa: E402
from apigwc.vtl import compile_template, render_compiled  # noqa: E402
from apigwc.vtl.variables import (  # noqa: E402
    UTIL,
    Input,
    TemplateRequest,  # noqa: E402
)


def measure_sync(fn, seconds: float) -> float:
    fn()
    count = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        count += 1
    return count / elapsed


async def measure_async(make, seconds: float) -> float:
    await make()
    count = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(50):
            await make()
        count += 50
    return count / elapsed


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    gateway = compile_file(ROOT / "specs" / "users.yaml").gateway
    assert gateway is not None
    deployment = Deployment.create(gateway)
    assert not isinstance(deployment, str)
    deployment.templates.precompile(gateway)
    lean = Deployment.create(gateway, data_trace=False)
    assert not isinstance(lean, str)
    lean.templates.precompile(gateway)

    method = gateway.method("/users", "GET")
    integration = method.integration
    request_template = compile_template(integration.request_templates["application/json"])
    response_template = compile_template(integration.response_for_status("200").response_templates["application/json"])
    view = TemplateRequest(query={"count": ("5",)})
    context = {"requestId": "r", "requestOverride": {}, "responseOverride": {}}

    def templates_only() -> None:
        for template in (request_template, response_template):
            variables = {"input": Input(view), "util": UTIL, "context": dict(context), "stageVariables": {}}
            output, error = render_compiled(template, variables)
            assert error is None

    users = Request.build("GET", "/users?count=5")
    one = Request.build("GET", "/users/42")
    missing = Request.build("GET", "/nope")

    async def run(request: Request, status: int, target: Deployment = deployment):
        async def once():
            execution = await execute(target, request)
            assert execution.response.status == status

        return await measure_async(once, seconds)

    base = measure_sync(templates_only, seconds)
    full = asyncio.run(run(users, 200))
    quiet = asyncio.run(run(users, 200, lean))
    small = asyncio.run(run(one, 200))
    gone = asyncio.run(run(missing, 403))
    print(f"{'run':<52} {'req/s':>9} {'vs templates':>13}")
    for name, value in [
        ("templates only (2 renders, GET /users?count=5)", base),
        ("execute() GET /users?count=5 (MOCK, 5 users)", full),
        ("  the same with data_trace=False", quiet),
        ("execute() GET /users/42 (MOCK, one-line templates)", small),
        ("execute() GET /nope (403 gateway response)", gone),
    ]:
        print(f"{name:<52} {value:>9,.0f} {value / base:>12.2f}x")
    print(f"\npipeline overhead over the bare templates: {1e6 / full - 1e6 / base:,.0f} us per request")


if __name__ == "__main__":
    main()
