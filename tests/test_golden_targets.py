"""Golden files for the examples in specs/: the templates (both styles), the export, the deploy plan, the local bundle, the diagnostics.

Checked and rewritten by the same code path: ``python -m pytest --update-golden``.
"""

from __future__ import annotations

import pytest

from apigwc.bundle import base_dir_for
from apigwc.output import output_name
from apigwc.pipeline import compile_file, emit_target
from apigwc.targets import CfnStyle, EmitOptions
from support import ROOT, SPECS

CASES = ROOT / "tests" / "cases"
EXAMPLES = sorted(SPECS.glob("*.yaml"))


def _line(d) -> str:
    where = f"{d.span.file}:{d.span.line}:{d.span.col}" if d.span else "<unknown>"
    return f"{where}: {d.code} {d.severity.label} {d.message}"


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
def test_golden_outputs(spec, golden):
    compiled = compile_file(spec, f"specs/{spec.name}")
    assert compiled.ok
    folder = CASES / spec.stem
    lines = []
    for style in CfnStyle:
        artifact, diags = emit_target(compiled, "cfn", EmitOptions(cfn_style=style))
        golden(folder / f"template.{style.value}.yaml", artifact["template.yaml"])
        lines += [f"cfn --cfn-style {style.value}: {_line(d)}" for d in diags]
    artifact, diags = emit_target(compiled, "openapi", EmitOptions())
    golden(folder / "openapi.yaml", artifact["openapi.yaml"])
    lines += [f"openapi: {_line(d)}" for d in diags]
    artifact, diags = emit_target(compiled, "deploy", EmitOptions())
    golden(folder / "deploy-plan.json", artifact["deploy-plan.json"])
    golden(folder / "deploy-plan.txt", artifact["deploy-plan.txt"])
    lines += [f"deploy: {_line(d)}" for d in diags]
    # the bundle as `apigwc build specs/<example>.yaml` writes it from the repository root
    base_dir = base_dir_for(spec, ROOT / "output" / output_name(compiled.gateway) / "local")
    artifact, diags = emit_target(compiled, "local", EmitOptions(bundle_base_dir=base_dir))
    golden(folder / "local" / "gateway.json", artifact["local/gateway.json"])
    golden(folder / "local" / "README.md", artifact["local/README.md"])
    lines += [f"local: {_line(d)}" for d in diags]
    golden(folder / "diagnostics.txt", "".join(line + "\n" for line in lines))


def test_every_case_folder_belongs_to_an_example():
    assert sorted(p.name for p in CASES.iterdir() if p.is_dir()) == sorted(p.stem for p in EXAMPLES)
