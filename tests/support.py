"""What the tests share besides fixtures: paths, the CLI's environment, corpus and bundle helpers.

Test modules import these from here (``from support import ROOT, SPECS``); fixtures stay in
conftest.py, which pytest loads by itself.  A corpus test under CI fails when the corpus
is missing instead of skipping: CI must run what it claims to run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPILER = ROOT / "compiler"
SPECS = ROOT / "specs"
CORPUS = Path(os.environ.get("APIGWC_CORPUS", ROOT.parent / "shared" / "corpus"))


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(COMPILER) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("NO_COLOR", None)
    env["NO_COLOR"] = "1"
    env.setdefault("COLUMNS", "120")
    if extra:
        env.update(extra)
    return env


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
    """Files of ../shared/corpus/<kind> (empty if the corpus is not present; under CI, a failure)."""
    base = CORPUS / kind
    if not base.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the corpus is missing at {base} and CI is set: corpus tests must run in CI", pytrace=False)
        return []
    return sorted(p for p in base.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())


def cfn_lint_runner():
    """cfn-lint, in process, with one rule set: ``run(text) -> (template, ["E3012 message at a/b", ...])``."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import Runner, run_template_by_data

    config = ConfigMixIn(regions=["us-east-1"])
    rules = Runner(config).rules

    def run(text: str) -> tuple[dict, list[str]]:
        template, errors = decode_str(text)
        assert not errors, errors
        found = [
            f"{m.rule.id} {m.message} at {'/'.join(str(p) for p in m.path)}"
            for m in run_template_by_data(template, config, rules)
        ]
        return template, found

    return run
