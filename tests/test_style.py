"""The code passes ruff: the rule set and the line length are configured in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys

from support import ROOT

TREES = ["compiler", "tests"]


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_check_is_clean():
    result = ruff("check", "--no-cache", *TREES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = ruff("format", "--check", "--no-cache", *TREES)
    assert result.returncode == 0, result.stdout + result.stderr
