"""The layout keeps its architecture: no import cycle, no import against the layer order.

The order, from the bottom up (docs/architecture.md draws it):

    foundation < template engine < source < check < build < rules < lower (gateway model)
    < planner < targets < compile (pipeline, lint reports) < runtime
    < local adapters (the Lambda runtime, then the rest) < deploy | serve < cli

A module may import its own layer and the layers below; deploy and serve are siblings and
do not import each other.  The runtime pipeline imports only the gateway model, the
template engine and the foundation leaves: what it executes, never how it was compiled.
The Lambda runtime (worker processes on the Lambda Runtime API) is the local adapters'
self-contained part: it imports nothing else of apigwc, and `local.functions` puts the
gateway model's functions on it.
The checker itself is tests/architecture.py; the last tests run it on a deliberately bad
package to show that it fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from architecture import Layer, cycles, import_graph, layer_of, violations

PACKAGE = Path(__file__).resolve().parents[1] / "compiler" / "apigwc"

#: Leaves with no import of the package (the package's __init__ only gives the version).
#: bounded_regex (Java patterns matched within a deadline) is below both of its users, the
#: template engine and the runtime's selection patterns and identity validation; value_text
#: (how API Gateway prints a value, per output) is below the template engine, the runtime
#: pipeline and the local adapters, which all print values; target_codes (the AGW9xx codes,
#: plain data) is below the rules, whose AGW018 checks x-apigwc-ignore entries against every
#: code.
FOUNDATION = (
    "apigwc.diagnostics",
    "apigwc.intrinsics",
    "apigwc.mapping",
    "apigwc.pathtemplate",
    "apigwc.java_regex",
    "apigwc.extras",
    "apigwc.bounded_regex",
    "apigwc.value_text",
    "apigwc.target_codes",
)

LAYERS: list[list[Layer]] = [
    [Layer("foundation", FOUNDATION, modules=("apigwc",))],
    [Layer("template engine", ("apigwc.vtl",))],
    # nesting: the depth pre-scan the loader runs before the C YAML parser sees the text;
    # a SAM/CloudFormation template is a source: loading, values, expansion, API discovery, lifting
    [Layer("source", ("apigwc.source", "apigwc.nesting", "apigwc.config", "apigwc.discovery", "apigwc.template"))],
    [Layer("check", ("apigwc.check",))],
    [Layer("build", ("apigwc.ir", "apigwc.build"))],
    [Layer("rules", ("apigwc.rules", "apigwc.ruledocs"))],
    [Layer("lower", ("apigwc.lower", "apigwc.logical_ids", "apigwc.gateway"))],
    [Layer("planner", ("apigwc.planner",))],
    [Layer("targets", ("apigwc.targets", "apigwc.output", "apigwc.bundle"))],
    # template.run (and the template package's front door) lint and lower each API of a template
    [
        Layer(
            "compile",
            (
                "apigwc.pipeline",
                "apigwc.stages",
                "apigwc.report",
                "apigwc.codes",
                "apigwc.policy",
                "apigwc.template.run",
            ),
            modules=("apigwc.template",),
        )
    ],
    [Layer("runtime", ("apigwc.runtime",), only=("apigwc.runtime", "apigwc.gateway", "apigwc.vtl", *FOUNDATION))],
    [Layer("local adapters: Lambda runtime", ("apigwc.lambda_runtime",), only=())],
    [Layer("local adapters", ("apigwc.local", "apigwc.report.invoke"))],
    [Layer("deploy", ("apigwc.deploy",)), Layer("serve", ("apigwc.serve",))],
    [Layer("cli", ("apigwc.cli", "apigwc.__main__"))],
]

#: Known exceptions, each with the reason it stands and what removes it (none today).
KNOWN_VIOLATIONS: set[str] = set()
KNOWN_CYCLES: list[list[str]] = []


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(PACKAGE)


def test_the_package_has_no_import_cycle(graph):
    assert cycles(graph) == KNOWN_CYCLES


def test_every_import_follows_the_layer_order(graph):
    assert set(violations(graph, LAYERS)) == KNOWN_VIOLATIONS


def test_every_module_has_a_layer(graph):
    assert [m for m in graph if layer_of(m, LAYERS) is None] == []


def test_the_runtime_pipeline_does_not_know_the_local_adapters(graph):
    # the pipeline calls backends and guards through its own protocols
    runtime = {m: deps for m, deps in graph.items() if m.startswith("apigwc.runtime")}
    assert runtime
    adapters = ("apigwc.local", "apigwc.lambda_runtime", "apigwc.serve")
    assert {d for deps in runtime.values() for d in deps if d.startswith(adapters)} == set()


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


BAD_LAYERS = [
    [Layer("model", ("pkg.model",))],
    [Layer("engine", ("pkg.engine",), only=("pkg.engine", "pkg.model"))],
    [Layer("left", ("pkg.left",)), Layer("right", ("pkg.right",))],
    [Layer("cli", ("pkg.cli",))],
]


def test_the_checks_fail_on_a_deliberately_bad_package(tmp_path):
    root = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/model.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .engine.steps import Step\n",
            "pkg/engine/__init__.py": "from .steps import Step\n",
            "pkg/engine/steps.py": "from .. import model\nfrom ..cli import main\nclass Step: ...\n",
            "pkg/left.py": "def f():\n    from pkg.right import g\n",
            "pkg/right.py": "import pkg.model\n",
            "pkg/cli.py": "from . import left, right\ndef main(): ...\n",
            "pkg/stray.py": "",
        },
    )
    graph = import_graph(root)
    assert graph["pkg.model"] == {"pkg.engine.steps"}  # the type-only import counts
    assert graph["pkg.left"] == {"pkg.right"}  # so does the lazy one
    assert graph["pkg.cli"] == {"pkg.left", "pkg.right"}
    assert cycles(graph) == [["pkg.cli", "pkg.engine.steps", "pkg.left", "pkg.model", "pkg.right"]]
    assert violations(graph, BAD_LAYERS) == [
        "pkg is in no layer",
        "pkg.engine.steps (engine) imports pkg.cli: engine imports only pkg.engine, pkg.model",
        "pkg.left (left) imports pkg.right (right), which is not below it",
        "pkg.model (model) imports pkg.engine.steps (engine), which is not below it",
        "pkg.stray is in no layer",
    ]


def test_the_checks_pass_a_clean_package(tmp_path):
    root = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/model.py": "",
            "pkg/engine/__init__.py": "from .steps import Step\n",
            "pkg/engine/steps.py": "from .. import model\nclass Step: ...\n",
            "pkg/left.py": "from .engine import Step\n",
            "pkg/right.py": "import pkg.model\n",
            "pkg/cli.py": "from . import left, right\n",
        },
    )
    graph = import_graph(root)
    layers = [[Layer("top", (), modules=("pkg",))], *BAD_LAYERS]
    assert cycles(graph) == []
    assert violations(graph, layers) == []


def test_a_layer_with_an_empty_only_imports_nothing_outside_itself():
    graph = {
        "pkg.core": set(),
        "pkg.worker": {"pkg.core"},
        "pkg.worker.pool": {"pkg.worker"},
        "pkg.app": {"pkg.worker"},
    }
    layers = [
        [Layer("core", ("pkg.core",))],
        [Layer("worker", ("pkg.worker",), only=())],
        [Layer("app", ("pkg.app",))],
    ]
    assert violations(graph, layers) == [
        "pkg.worker (worker) imports pkg.core: worker imports nothing outside itself",
    ]
