"""Shared fixtures: the golden-file helper and a real CLI runner (constants: support.py).

Golden files are checked and updated by the same code path: run
``python -m pytest --update-golden`` to rewrite them, then review the diff.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT, cli_env


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files instead of comparing")


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """Compare text with a golden file, or rewrite it with --update-golden."""
    update = request.config.getoption("--update-golden")

    def check(path: Path, actual: str) -> None:
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(f"golden file {path.relative_to(ROOT)} is missing; run pytest --update-golden")
        assert actual == path.read_text(encoding="utf-8"), (
            f"{path.relative_to(ROOT)} differs; run pytest --update-golden and review the diff"
        )

    return check


@pytest.fixture
def run_cli():
    """Run ``python -m apigwc ARGS`` as a real subprocess from this checkout."""

    def run(
        *args: str, cwd: Path | None = None, input: str | None = None, timeout: float = 120, env: dict | None = None
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "apigwc", *args],
            cwd=cwd or ROOT,
            env=cli_env(env),
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
