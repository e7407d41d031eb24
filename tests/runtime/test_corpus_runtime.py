"""Every method of every corpus spec that compiles answers a request without a traceback."""

from __future__ import annotations

import asyncio
import re

import pytest

from apigwc import gateway as gw
from apigwc.pipeline import compile_file
from apigwc.runtime import Deployment, Request, execute
from support import CORPUS, corpus_files

FILES = corpus_files("real") + corpus_files("large")

pytestmark = pytest.mark.skipif(not FILES, reason=f"corpus not found at {CORPUS}")


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_method_answers(path) -> None:
    compiled = compile_file(path, str(path.relative_to(CORPUS)))
    if compiled.gateway is None:
        pytest.skip("lint errors: not compiled")
    deployment = Deployment.create(compiled.gateway)
    assert not isinstance(deployment, str)

    async def run_all() -> list[int]:
        statuses = []
        for method in compiled.gateway.methods:
            verb = "PATCH" if method.http_method is gw.HttpMethod.ANY else method.http_method.value
            target = re.sub(r"\{[^}]+\+\}", "a/b", re.sub(r"\{[^}+]+\}", "x1", method.path)) + "?q=1"
            for body in (b"", b'{"a": 1}', b"\xff\xfe"):
                execution = await execute(
                    deployment, Request.build(verb, target, [("Content-Type", "application/json")], body)
                )
                assert execution.log[-1].message == f"Method completed with status: {execution.response.status}"
                statuses.append(execution.response.status)
        return statuses

    statuses = asyncio.run(run_all())
    assert all(100 <= s <= 599 for s in statuses)
