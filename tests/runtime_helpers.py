"""Helpers for the runtime tests: specs compiled through the real pipeline, fixed ids and clock.

Test modules import the `api` fixture from here explicitly (a conftest.py in this folder
is not needed: the shared constants live in tests/support.py).
"""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path
from typing import Any

import pytest

from apigwc.pipeline import compile_file
from apigwc.runtime import Deployment, Execution, Request, RequestIds, execute

#: 2023-11-14T22:13:20Z
NOW = 1_700_000_000.0
IDS = RequestIds(
    request_id="c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    extended_request_id="AbCdEfGhIjKlMnO=",
    trace_id="Root=1-6553f100-0123456789abcdef01234567",
)
SERVICE_HEADERS = [
    ("x-amzn-RequestId", IDS.request_id),
    ("x-amz-apigw-id", IDS.extended_request_id),
    ("X-Amzn-Trace-Id", IDS.trace_id),
]
#: a MOCK integration's answer has no X-Amzn-Trace-Id (recorded on AWS, docs/conformance.md)
MOCK_SERVICE_HEADERS = SERVICE_HEADERS[:2]
HEAD = 'openapi: 3.0.3\ninfo: {title: T, version: "1"}\n'


def compile_spec(path: Path, text: str | None = None):
    """Compile a spec file (written first when ``text`` is given); fails the test on lint errors."""
    if text is not None:
        path.write_text(text, encoding="utf-8")
    compiled = compile_file(path, path.name)
    errors = [f"{d.code} {d.message}" for d in compiled.lint.diagnostics if d.severity.name == "ERROR"]
    assert compiled.gateway is not None, errors
    return compiled.gateway


def call(
    deployment: Deployment,
    method: str,
    target: str,
    headers: list[tuple[str, str]] | None = None,
    body: bytes | str = b"",
) -> Execution:
    """Run one request to completion."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return asyncio.run(execute(deployment, Request.build(method, target, headers or [], data)))


def messages(execution: Execution, step: str | None = None) -> list[str]:
    return [e.message for e in execution.log if step is None or e.step.value == step]


@pytest.fixture
def api(tmp_path: Path):
    """``api(paths_yaml, head=..., stage=..., **deployment options) -> Deployment`` with fixed ids and clock."""

    def make(body: str, head: str = HEAD, stage: str | None = None, **options: Any) -> Deployment:
        gateway = compile_spec(tmp_path / "spec.yaml", head + textwrap.dedent(body))
        options.setdefault("ids", lambda now: IDS)
        options.setdefault("clock", lambda: NOW)
        deployment = Deployment.create(gateway, stage, **options)
        assert not isinstance(deployment, str), deployment
        return deployment

    return make
