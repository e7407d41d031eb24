"""The code passes ruff: the rule set and the line length are configured in pyproject.toml."""

from __future__ import annotations

import re
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


#: a fenced Python block of a Markdown file
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def test_python_snippets_in_the_docs_are_formatted(tmp_path):
    """The ```python blocks of README.md and docs/*.md read like the code: ruff format leaves them alone."""
    found = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for i, m in enumerate(PYTHON_BLOCK.finditer(doc.read_text(encoding="utf-8"))):
            snippet = tmp_path / f"{doc.stem}-{i}.py"
            snippet.write_text(m.group(1), encoding="utf-8")
            found.append(snippet.name)
    assert len(found) >= 5, found
    result = ruff("format", "--check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), str(tmp_path))
    assert result.returncode == 0, result.stdout.replace(str(tmp_path) + "/", "") + result.stderr
