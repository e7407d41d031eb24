"""Deeply nested YAML and JSON: AGW001 with a position, never a segmentation fault.

ruamel.yaml's C composer recurses in C without a depth check; 30,000 nested ``[`` in
60 KB killed lint, build, serve and the pre-commit hook with SIGSEGV.  `apigwc.nesting`
bounds the depth before any parser sees the text.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT, cli_env

HEAD = 'openapi: 3.0.3\ninfo: {title: T, version: "1"}\npaths: {}\n'
MESSAGE = "AGW001 error the document nests more than 256 levels deep here; apigwc does not read deeper documents"


def hostile_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, the position AGW001 names)."""
    files = {
        # the adversarial run's file: 30,000 nested flow sequences in 60 KB
        "flow.yaml": (HEAD + "x-deep: " + "[" * 30000 + "]" * 30000 + "\n", "4:264"),
        "unclosed.yaml": ("[" * 30000 + "\n", "1:256"),
        "mappings.yaml": (HEAD + "x-deep: " + "{a: " * 20000 + "\n", "4:1029"),
        "block.yaml": (HEAD + "x-deep:\n  " + "- " * 30000 + "x\n", "5:511"),
        "deep.json": ('{"openapi": "3.0.3", "x": ' + "[" * 30000 + "]" * 30000 + "}", "1:281"),
    }
    out = {}
    for name, (text, where) in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        out[name] = (path, where)
    return out


def test_nesting_is_bounded_before_the_parser_in_lint(tmp_path: Path, run_cli) -> None:
    for name, (path, where) in hostile_files(tmp_path).items():
        r = run_cli("lint", str(path))
        assert r.returncode == 1, (name, r.returncode, r.stderr[-500:])
        assert f"{path}:{where}: {MESSAGE}" in r.stdout, (name, r.stdout[-800:])


def test_deep_but_reasonable_documents_still_parse(tmp_path: Path, run_cli) -> None:
    """250 levels (ten times the deepest real spec of the corpus) lint and build cleanly."""
    spec = tmp_path / "api.yaml"
    spec.write_text(HEAD + "x-deep: " + "[" * 250 + "]" * 250 + "\nx-block:\n  " + "- " * 250 + "x\n", encoding="utf-8")
    r = run_cli("lint", str(spec))
    assert r.returncode == 0, r.stdout + r.stderr
    r = run_cli("build", str(spec), "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stdout + r.stderr


def test_quotes_comments_and_block_scalars_do_not_count(tmp_path: Path, run_cli) -> None:
    brackets = "[" * 1000
    spec = tmp_path / "api.yaml"
    spec.write_text(
        HEAD
        + f"x-quoted: '{brackets}'\nx-double: \"{brackets}\"\nx-plain: see {brackets}\n# {brackets}\n"
        + f"x-literal: |\n  {brackets}\n  {brackets}\nx-folded: >-\n  {brackets}\n",
        encoding="utf-8",
    )
    r = run_cli("lint", str(spec))
    assert r.returncode == 0, r.stdout + r.stderr


def test_build_and_serve_answer_agw001_too(tmp_path: Path, run_cli) -> None:
    path, where = hostile_files(tmp_path)["flow.yaml"]
    r = run_cli("build", str(path), "--out", str(tmp_path / "out"))
    assert r.returncode == 1
    assert f"{path}:{where}: {MESSAGE}" in r.stdout + r.stderr
    assert not (tmp_path / "out").exists()
    r = run_cli("serve", str(path), "--port", "0", timeout=60)
    assert r.returncode == 1, (r.returncode, r.stderr[-500:])
    assert f"{path}:{where}: {MESSAGE}" in r.stdout + r.stderr


def test_a_ref_to_a_deep_file_is_agw001_in_that_file(tmp_path: Path, run_cli) -> None:
    (tmp_path / "deep.yaml").write_text("x: " + "[" * 30000 + "\n", encoding="utf-8")
    spec = tmp_path / "api.yaml"
    spec.write_text(HEAD.replace("paths: {}\n", "paths:\n  /a: {$ref: 'deep.yaml#/x'}\n"), encoding="utf-8")
    r = run_cli("lint", str(spec))
    assert r.returncode == 1, r.stderr[-500:]
    assert "deep.yaml:1:" in r.stdout and "nests more than 256 levels" in r.stdout


@pytest.mark.parametrize("hook", ["apigwc-lint"])
def test_the_pre_commit_hook_entry_answers_agw001(tmp_path: Path, hook: str) -> None:
    """The hook's own entry line (from .pre-commit-hooks.yaml), run as pre-commit runs it."""
    from ruamel.yaml import YAML

    hooks = {h["id"]: h for h in YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    entry = hooks[hook]["entry"].split()
    assert entry[0] == "apigwc"
    files = hostile_files(tmp_path)
    r = subprocess.run(
        [sys.executable, "-m", "apigwc", *entry[1:], *(str(p) for p, _ in files.values())],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 1, (r.returncode, r.stderr[-500:])  # never -11 (SIGSEGV)
    for path, where in files.values():
        if path.name != "unclosed.yaml":  # no openapi key: --skip-non-openapi skips it
            assert f"{path}:{where}: {MESSAGE}" in r.stdout
