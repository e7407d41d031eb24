"""Every real-world spec in the corpus either serves or fails with a clear message, never a traceback.

A spec that compiles is loaded and built the way ``apigwc serve`` does it (a deployment
per stage, the banner with the capability report), then every route gets a request
through the ASGI app (httpx's ASGI transport: the same app uvicorn runs, without a
socket per file).  Routes whose integration calls an HTTP upstream are built but not
called: their hosts are on the internet, and tests only talk to 127.0.0.1.  A spec with
lint errors must give the `Failure` the command prints.
"""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from apigwc import gateway as gw
from apigwc.policy import Failure, Loaded
from apigwc.serve.app import GatewayApp
from apigwc.serve.server import Options, banner, build, load
from support import corpus_files

REAL = corpus_files("real")


def _target(method: gw.Method) -> str:
    path = re.sub(r"\{[^}/]+\+\}", "a/b", method.path)
    return re.sub(r"\{[^}/]+\}", "x1", path)


def _calls_the_internet(method: gw.Method) -> bool:
    integration = method.integration
    return integration is not None and integration.type in (gw.IntegrationType.HTTP, gw.IntegrationType.HTTP_PROXY)


async def _serve_every_route(loaded: Loaded) -> list[tuple[str, int]]:
    served = build(loaded, Options())
    assert not isinstance(served, Failure), served.message
    text = banner(loaded, served, "http://127.0.0.1:3000")
    assert "Ready. Press Ctrl-C to stop." in text
    app = GatewayApp(served)
    answers = []
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
            stage = next(iter(served.deployments))
            for method in loaded.gateway.methods:
                if _calls_the_internet(method):
                    continue
                verb = "GET" if method.http_method is gw.HttpMethod.ANY else method.http_method.value
                r = await client.request(
                    verb,
                    f"/{stage}{_target(method)}",
                    headers={"Content-Type": "application/json"},
                    content=b"{}" if verb not in ("GET", "HEAD") else b"",
                )
                assert 100 <= r.status_code <= 599
                assert r.headers["x-amzn-RequestId"]
                answers.append((method.label, r.status_code))
    finally:
        await app.aclose()
    return answers


@pytest.mark.skipif(not REAL, reason="the corpus is not present")
@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_a_corpus_spec_serves_or_fails_clearly(path) -> None:
    loaded = load(path)
    if isinstance(loaded, Failure):
        assert re.fullmatch(
            rf"{re.escape(str(path))}: \d+ errors?; nothing is served \(run 'apigwc lint {re.escape(str(path))}' for every finding\)",
            loaded.message,
        )
        assert loaded.details and all(re.match(r".+:\d+:\d+: AGW\d{3} error ", d) for d in loaded.details), (
            loaded.details[:3]
        )
        return
    answers = asyncio.run(_serve_every_route(loaded))
    # a route answers; none crashes the app (an exception would have failed the request)
    assert len(answers) == sum(1 for m in loaded.gateway.methods if not _calls_the_internet(m))
