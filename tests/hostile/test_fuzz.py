"""Fuzzing the loader, the checker, the targets and the template engine: never a traceback.

Seeded and bounded in time (a few seconds each, whatever the machine): structure-aware
type swaps in the real specs of specs/ and the corpus through the compile path and every
build target, a sample of them through the real CLI (exit codes 0, 1, 2 or 3 only), and
byte mutations of the template cases through the engine.
"""

from __future__ import annotations

import functools
import json
import random
import sys
import time
import traceback
from pathlib import Path

from fuzz import byte_mutants, mutants, spec_files

from support import CORPUS, ROOT, SPECS

SEED = 20261206
#: seconds each fuzz test may spend generating and running cases
BUDGET = 6.0


@functools.cache
def _seeds() -> list[tuple[Path, object]]:
    from apigwc.diagnostics import Diagnostics
    from apigwc.source import open_sources

    out = []
    for f in spec_files(SPECS, CORPUS / "real"):
        sources = open_sources(f, str(f), Diagnostics())
        if sources is not None:
            out.append((f, sources.documents()[0].data))
    return out


def _failure(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)[-6:])


def test_type_swaps_in_real_specs_never_crash_lint_or_build(tmp_path: Path) -> None:
    from apigwc.pipeline import build_artifacts, compile_file
    from apigwc.targets.base import EmitOptions

    rng = random.Random(SEED)
    seeds = list(_seeds())
    assert len(seeds) >= 20, "the corpus is missing"
    rng.shuffle(seeds)
    end = time.monotonic() + BUDGET
    ran = 0
    crashes: list[str] = []
    while time.monotonic() < end:
        f, data = seeds[ran % len(seeds)]
        for what, mutant in mutants(data, rng, 3):
            suffix = ".json" if rng.random() < 0.5 else ".yaml"  # JSON text is YAML too: both parsers
            path = tmp_path / f"{f.stem}{suffix}"
            path.write_text(json.dumps(mutant), encoding="utf-8")
            try:
                compiled = compile_file(path, str(path))
                if compiled.ok:
                    build_artifacts(compiled, EmitOptions())
            except Exception as exc:  # noqa: BLE001 - the point of the test
                crashes.append(f"{f.name}: {what}\n{_failure(exc)}")
        ran += 1
    assert ran >= 10
    assert not crashes, f"{len(crashes)} crashes (seed {SEED}); first:\n{crashes[0]}"


def test_mutants_through_the_cli_exit_0_1_2_or_3_without_traceback(tmp_path: Path, run_cli) -> None:
    rng = random.Random(SEED + 1)
    seeds = _seeds()
    files = []
    for i in range(6):
        f, data = rng.choice(seeds)
        _, mutant = next(mutants(data, rng, 1))
        path = tmp_path / f"m{i}-{f.stem}.yaml"
        path.write_text(json.dumps(mutant), encoding="utf-8")
        files.append(path)
    for fmt in ("text", "json", "sarif", "github"):
        r = run_cli("lint", "--format", fmt, *map(str, files))
        assert r.returncode in (0, 1, 2, 3), r.stderr
        assert "Traceback" not in r.stdout + r.stderr
    for path in files[:3]:
        r = run_cli("build", str(path), "--out", str(tmp_path / "out"))
        assert r.returncode in (0, 1, 2, 3), r.stderr
        assert "Traceback" not in r.stdout + r.stderr


def test_byte_mutations_of_templates_never_crash_the_engine() -> None:
    from ruamel.yaml import YAML

    from apigwc.vtl import render
    from apigwc.vtl.engine import TemplateError
    from apigwc.vtl.variables import TemplateRequest

    templates = []
    for p in sorted((ROOT / "tests" / "vtl" / "cases").glob("*.yaml")):
        for case in YAML(typ="safe").load(p.read_text(encoding="utf-8")) or []:
            if isinstance(case.get("template"), str):
                templates.append(case["template"])
    assert len(templates) >= 100
    request = TemplateRequest(body='{"a": [1, {"b": "x"}], "s": "aaaa"}', query={"q": ("v",)}, headers={"h": ("x",)})
    rng = random.Random(SEED + 2)
    end = time.monotonic() + BUDGET
    rendered = 0
    crashes: list[str] = []
    while time.monotonic() < end:
        for template in byte_mutants(rng.choice(templates), rng, 20):
            try:
                result = render(template, request)
            except Exception as exc:  # noqa: BLE001 - the point of the test
                crashes.append(f"{template!r}\n{_failure(exc)}")
                continue
            assert isinstance(result, TemplateError) or isinstance(result.body, str)
            rendered += 1
    assert rendered >= 200
    assert not crashes, f"{len(crashes)} crashes (seed {SEED + 2}); first:\n{crashes[0]}"


# ----------------------------------------------------------------------------------------
# The crash the adversarial run found, and what an internal error looks like


OOPS = """openapi: 3.0.3
info: {title: T, version: "1"}
components: oops
paths:
  /a:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200"}}
      responses: {"200": {description: ok}}
"""


def test_components_of_the_wrong_type_is_a_finding_not_a_traceback(tmp_path: Path, run_cli) -> None:
    spec = tmp_path / "oops.yaml"
    spec.write_text(OOPS, encoding="utf-8")
    r = run_cli("lint", str(spec))
    assert r.returncode == 1, r.stderr
    assert f"{spec}:3:13: AGW010 error 'components' must be an object, found string 'oops'" in r.stdout
    assert "Traceback" not in r.stderr
    for value in ("3", "[]", "true", "null"):
        spec.write_text(OOPS.replace("components: oops", f"components: {value}"), encoding="utf-8")
        r = run_cli("build", str(spec), "--out", str(tmp_path / "out"))
        assert r.returncode in (0, 1), r.stdout + r.stderr
        assert "Traceback" not in r.stderr


#: a real process whose checker has a bug injected: ``python -c CRASHING apigwc ARGS``
CRASHING = """
import sys
import apigwc.stages
def check(*args, **kwargs):
    return {}["injected bug"]
apigwc.stages.check = check  # the lint steps live in apigwc.stages
from apigwc.cli import main
sys.argv = sys.argv[1:]
main()
"""


def test_an_internal_error_exits_3_in_every_format(tmp_path: Path) -> None:
    import subprocess

    from support import cli_env

    spec = tmp_path / "api.yaml"
    spec.write_text(OOPS.replace("components: oops\n", ""), encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", CRASHING, "apigwc", *args],
            env=cli_env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    message = f"apigwc: internal error: {spec}: KeyError: 'injected bug' (<string>:5); this is a bug in apigwc (not a finding); please report it with the input file"
    for fmt in ("text", "json", "sarif", "github"):
        r = run("lint", "--format", fmt, str(spec))
        assert r.returncode == 3, (fmt, r.stdout, r.stderr)
        assert r.stderr.strip() == message
        assert "Traceback" not in r.stderr
        if fmt == "sarif":
            run_ = json.loads(r.stdout)["runs"][0]
            assert run_["results"] == []
            (invocation,) = run_["invocations"]
            assert invocation["executionSuccessful"] is False
            assert invocation["exitCode"] == 3
            (note,) = invocation["toolExecutionNotifications"]
            assert note["level"] == "error"
            assert (
                note["message"]["text"]
                == f"internal error (a bug in apigwc, not a finding): {spec}: KeyError: 'injected bug' (<string>:5)"
            )
        if fmt == "github":
            assert r.stdout.startswith(f"::error file={spec},title=apigwc internal error::internal error")
        if fmt == "json":
            assert json.loads(r.stdout) == []
    # build and serve go through the same compile: exit 3, nothing written
    out = tmp_path / "out"
    r = run("build", str(spec), "--out", str(out))
    assert (r.returncode, r.stderr.strip()) == (3, message)
    assert not out.exists()
    r = run("serve", str(spec), "--port", "0")
    assert (r.returncode, r.stderr.strip()) == (3, message)
