"""The pre-commit hook, for real: `pre-commit try-repo` against this checkout in a temporary git repo.

pre-commit builds its own virtualenv and pip-installs apigwc from this checkout (from PyPI
for the dependencies), so this test takes a while; the hook environment is cached in a
temporary PRE_COMMIT_HOME shared by both runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT, SPECS

BAD = (SPECS / "users.yaml").read_text().replace("type: mock", "type: mock\n        timeoutInMillis: 10", 1)


SAM_TEMPLATE = """Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: live
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters:
            Location: ./api.yaml
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed")
def test_pre_commit_hook_blocks_a_bad_spec_and_passes_a_good_one(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "t")
    (repo / "good.yaml").write_text((SPECS / "users.yaml").read_text())
    (repo / "bad.yaml").write_text(BAD)
    (repo / "compose.yaml").write_text("services: {web: {image: nginx}}\n")
    git(repo, "add", ".")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"), NO_COLOR="1")
    env.pop("PYTHONPATH", None)

    def try_repo(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "apigwc-lint", "--files", *files],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    bad = try_repo("bad.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "bad.yaml:52:26: AGW203 error timeoutInMillis must be between 50 and 29,000 ms, found 10" in bad.stdout
    # a SAM template holding an API is linted; changing only the OpenAPI file it includes re-lints the template
    (repo / "template.yaml").write_text(SAM_TEMPLATE)
    (repo / "api.yaml").write_text(BAD)
    git(repo, "add", ".")
    included = try_repo("api.yaml", "compose.yaml")
    assert included.returncode == 1, included.stdout + included.stderr
    assert "api.yaml:52:26: AGW203 error timeoutInMillis must be between 50 and 29,000 ms, found 10" in included.stdout
    assert "1 of 1 file" in included.stdout  # the template (api.yaml is linted as part of it)
    good = try_repo("good.yaml", "compose.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "apigwc lint" in good.stdout and "Passed" in good.stdout
