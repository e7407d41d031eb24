"""Malformed requests never break the local gateway: each gets an HTTP answer with the service headers.

Seeded random requests (fixed seeds, so a failure reproduces) go through the ASGI app of
every example: stray percent signs and braces in paths and query strings, unknown verbs,
bytes that are not UTF-8 in headers and bodies, bodies that claim gzip and are not,
unbalanced JSON, authorization headers of every shape.
"""

from __future__ import annotations

import asyncio
import random
import string
import sys

import pytest

from apigwc.serve.app import GatewayApp
from apigwc.serve.server import Options, build, load
from support import SPECS

ALPHABET = string.printable + "%{}+/?&=;é\x00\xff"
HEADER_NAMES = [
    b"content-type",
    b"accept",
    b"x-api-key",
    b"authorization",
    b"content-encoding",
    b"x-http-method-override",
    b"accept-encoding",
    b"content-length",
]


def _text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, n)))


async def _hammer(spec, seed: int, count: int) -> list[int]:
    rng = random.Random(seed)
    loaded = load(spec)
    app = GatewayApp(build(loaded, Options()))
    stages = [*app.served.deployments, "nostage"]
    templates = [m.path for m in loaded.gateway.methods]
    statuses = []
    try:
        for _ in range(count):
            path = rng.choice(templates)
            for param in ("{petId}", "{proxy+}", "{orderId}", "{userId}"):
                path = path.replace(param, _text(rng, 8))
            target = f"/{rng.choice(stages)}{path}".encode("utf-8", "surrogateescape")
            query = _text(rng, 20).encode("utf-8", "surrogateescape") if rng.random() < 0.5 else b""
            headers = [(b"host", b"127.0.0.1")]
            for _ in range(rng.randint(0, 4)):
                headers.append((rng.choice(HEADER_NAMES), _text(rng, 30).encode("utf-8", "surrogateescape")))
            body = rng.choice(
                [
                    b"",
                    b"{}",
                    b'{"title": "x"}',
                    b"[" * 50,
                    b"\x1f\x8b\x08broken",
                    _text(rng, 60).encode("utf-8", "surrogateescape"),
                ]
            )
            scope = {
                "type": "http",
                "method": rng.choice(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "BREW"]),
                "path": target.decode("latin-1"),
                "raw_path": target,
                "query_string": query,
                "headers": headers,
                "client": ("127.0.0.1", 50000),
            }
            messages = [{"type": "http.request", "body": body, "more_body": False}]
            sent: list[dict] = []

            async def receive() -> dict:
                return messages.pop(0) if messages else {"type": "http.disconnect"}

            async def send(message: dict) -> None:
                sent.append(message)

            await app(scope, receive, send)
            start = sent[0]
            names = {n.lower() for n, _ in start["headers"]}
            assert start["type"] == "http.response.start" and 100 <= start["status"] <= 599
            assert {b"x-amzn-requestid", b"x-amz-apigw-id", b"content-length"} <= names
            statuses.append(start["status"])
    finally:
        await app.aclose()
    return statuses


@pytest.fixture
def fresh_handlers():
    """The examples' handler modules keep state (pets, notes): give this test its own copies."""

    def drop() -> None:
        for name, module in list(sys.modules.items()):
            if name.startswith("handlers.") and str(SPECS) in str(getattr(module, "__file__", "")):
                del sys.modules[name]

    drop()
    yield
    drop()


@pytest.mark.parametrize("spec", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.stem)
def test_random_malformed_requests_get_answers(spec, fresh_handlers) -> None:
    statuses = asyncio.run(_hammer(spec, seed=len(spec.stem), count=300))
    assert len(statuses) == 300
    assert 403 in statuses  # unknown stages and paths
