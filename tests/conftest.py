"""Shared fixtures: paths, the golden-file helper, and a real CLI runner.

Golden files are checked and updated by the same code path: run
``python -m pytest --update-golden`` to rewrite them, then review the diff.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPILER = ROOT / "compiler"
SPECS = ROOT / "specs"
CORPUS = Path(os.environ.get("APIGWC_CORPUS", ROOT.parent / "shared" / "corpus"))


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


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(COMPILER) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("NO_COLOR", None)
    env["NO_COLOR"] = "1"
    env.setdefault("COLUMNS", "120")
    if extra:
        env.update(extra)
    return env


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


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``: relative POSIX path -> bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def golden_bundle(example: str, folder: Path) -> bytes:
    """tests/cases/<example>/local/gateway.json (built into output/<api>/local) as written into ``folder``."""
    from apigwc.bundle import base_dir_for

    text = (ROOT / "tests" / "cases" / example / "local" / "gateway.json").read_text(encoding="utf-8")
    moved = text.replace('"baseDir": "../../../specs"', f'"baseDir": "{base_dir_for(SPECS / "x.yaml", folder)}"', 1)
    return moved.encode("utf-8")


def corpus_files(kind: str) -> list[Path]:
    """Files of ../shared/corpus/<kind> (empty if the corpus is not present)."""
    base = CORPUS / kind
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
