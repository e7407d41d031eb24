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


def readme_snippet() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## pre-commit\n") :]
    return section[section.index("```yaml\n") + len("```yaml\n") : section.index("```\n", section.index("```yaml\n"))]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed")
def test_the_readme_snippet_works_as_written_in_a_git_repo(tmp_path):
    """As a user: the README's .pre-commit-config.yaml, `pre-commit install`, then `git commit`."""
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "apigwc").exists():
        pytest.skip("the apigwc console script is not installed next to this Python")
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "t")
    (repo / ".pre-commit-config.yaml").write_text(readme_snippet())
    env = dict(
        os.environ,
        PRE_COMMIT_HOME=str(tmp_path / "cache"),
        NO_COLOR="1",
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    )
    env.pop("PYTHONPATH", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(list(args), cwd=repo, env=env, capture_output=True, text=True, timeout=300)

    assert run(sys.executable, "-m", "pre_commit", "install").returncode == 0

    def commit(message: str) -> subprocess.CompletedProcess:
        run("git", "add", "-A")
        return run("git", "commit", "-q", "-m", message)

    # a bad spec is refused, with the finding at its line
    (repo / "specs" / "users.yaml").write_text(BAD)
    refused = commit("bad")
    assert refused.returncode != 0
    assert (
        "specs/users.yaml:52:26: AGW203 error timeoutInMillis must be between 50 and 29,000 ms, found 10"
        in refused.stdout + refused.stderr
    )
    assert run("git", "rev-parse", "HEAD").returncode != 0  # nothing was committed
    # the good spec, with its built output, is accepted
    (repo / "specs" / "users.yaml").write_text((SPECS / "users.yaml").read_text())
    assert run("apigwc", "build", "specs/").returncode == 0
    accepted = commit("good")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    # a spec changed without rebuilding: apigwc-check shows only the stale folder
    (repo / "specs" / "users.yaml").write_text(
        (SPECS / "users.yaml").read_text().replace("count=", "count=", 1).replace("  version:", "  version: '2' #", 1)
    )
    stale = commit("stale")
    assert stale.returncode != 0
    out = stale.stdout + stale.stderr
    assert "apigwc: output/users is stale (" in out and "; run 'apigwc build specs/users.yaml'" in out
    assert "lint finding" not in out and "up to date" not in out  # only what is stale
    # a spec that $refs a shared schema: changing only the schema re-lints the spec
    run("git", "checkout", "--", ".")
    (repo / "specs" / "pets.yaml").write_text(
        'openapi: 3.0.3\ninfo: {title: Pets, version: "1"}\npaths:\n  /pets:\n    $ref: "parts/pets.yaml"\n'
    )
    (repo / "specs" / "parts").mkdir()
    good_part = (
        'get:\n  x-apigwc-ignore: [no-authorization]\n  responses:\n    "200": {description: OK}\n'
        "  x-amazon-apigateway-integration:\n    type: mock\n    timeoutInMillis: 100\n"
        '    requestTemplates: {application/json: \'{"statusCode": 200}\'}\n    responses: {default: {statusCode: "200"}}\n'
    )
    (repo / "specs" / "parts" / "pets.yaml").write_text(good_part)
    assert run("apigwc", "build", "specs/").returncode == 0
    assert commit("pets").returncode == 0
    (repo / "specs" / "parts" / "pets.yaml").write_text(
        good_part.replace("timeoutInMillis: 100", "timeoutInMillis: 10")
    )
    relint = commit("only the fragment")
    assert relint.returncode != 0
    assert "specs/parts/pets.yaml:7:22: AGW203 error" in relint.stdout + relint.stderr
