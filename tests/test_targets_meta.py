"""Meta-tests over the target registry: every gateway node type is handled everywhere."""

from __future__ import annotations

import re

import pytest

from apigwc import gateway as gw
from apigwc.cli import CfnStyleChoice, FileFormat, TargetName
from apigwc.codes import all_codes
from apigwc.targets import TARGETS, CfnStyle, OutputFormat, target_codes
from apigwc.targets.cfn import BODY_HANDLERS, EXPLICIT_HANDLERS


def _dispatch_tables():
    for name, target in TARGETS.items():
        yield name, target.handlers, target.unsupported
    yield "cfn --cfn-style body", BODY_HANDLERS, TARGETS["cfn"].unsupported


@pytest.mark.parametrize(
    "name,handlers,unsupported", list(_dispatch_tables()), ids=lambda x: x if isinstance(x, str) else ""
)
def test_every_node_type_is_handled_or_reported(name, handlers, unsupported):
    missing = [t.__name__ for t in gw.NODE_TYPES if t not in handlers and t not in unsupported]
    assert missing == [], f"{name} does not handle {missing}"
    assert set(handlers) | set(unsupported) <= set(gw.NODE_TYPES)
    for code in unsupported.values():
        assert code.code.startswith("AGW9")


def test_node_types_list_every_gateway_dataclass():
    import dataclasses

    classes = {
        v for v in vars(gw).values() if isinstance(v, type) and dataclasses.is_dataclass(v) and v is not gw.Gateway
    }
    assert classes == set(gw.NODE_TYPES)


def test_target_codes_are_registered_documented_and_unique():
    codes = target_codes()
    assert len({c.code for c in codes}) == len(codes) and len({c.name for c in codes}) == len(codes)
    registered = all_codes()
    for c in codes:
        assert re.fullmatch(r"AGW9\d\d", c.code) and registered[c.code] is c
        assert c.summary and "What it checks" in c.doc and "Fix" in c.doc
        assert c.stage == "target"


def test_cli_choices_mirror_the_registries():
    assert [t.value for t in TargetName] == list(TARGETS)
    assert [f.value for f in FileFormat] == [f.value for f in OutputFormat]
    assert [s.value for s in CfnStyleChoice] == [s.value for s in CfnStyle]


def test_explicit_style_dispatches_on_every_node_it_is_given():
    # the dispatch tables are used, not bypassed: a node type removed from the table fails
    from apigwc.diagnostics import Diagnostics
    from apigwc.pipeline import compile_file
    from apigwc.targets import EmitOptions
    from apigwc.targets.cfn import build_template
    from support import SPECS

    saved = EXPLICIT_HANDLERS.pop(gw.Authorizer)
    try:
        with pytest.raises(KeyError):
            build_template(compile_file(SPECS / "secure-api.yaml").gateway, EmitOptions(), Diagnostics())
    finally:
        EXPLICIT_HANDLERS[gw.Authorizer] = saved


NO_STAGES = """openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /a: {get: {responses: {'200': {description: ok}}, x-amazon-apigateway-integration: {type: mock}}}
"""
NO_METHODS = """openapi: 3.0.3
info: {title: T, version: "1"}
paths: {}
x-apigwc: {stages: {prod: {}}}
"""


@pytest.mark.parametrize(
    ("text", "target", "message"),
    [
        (NO_STAGES, "cfn", "no stages are declared: the template creates the API but no stage serves it"),
        (NO_STAGES, "deploy", "no stages are declared: the plan creates the API but no stage serves it"),
        (
            NO_METHODS,
            "cfn",
            'the API has no methods: a Deployment would fail ("The REST API doesn\'t contain any methods"), '
            "so the template has no Deployment and no Stage",
        ),
        (
            NO_METHODS,
            "deploy",
            'the API has no methods: a Deployment would fail ("The REST API doesn\'t contain any methods"), '
            "so the plan has no Deployment and no Stage",
        ),
    ],
)
def test_nothing_to_deploy_is_one_code_for_the_template_and_the_plan(tmp_path, text, target, message):
    from apigwc.pipeline import compile_file, emit_target
    from apigwc.targets import EmitOptions

    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    _, diags = emit_target(compile_file(spec), target, EmitOptions())
    assert [(d.code, d.name, d.message) for d in diags if d.code == "AGW907"] == [
        ("AGW907", "nothing-to-deploy", message)
    ]
    assert "AGW923" not in all_codes()


def test_the_build_reports_nothing_to_deploy_once(tmp_path):
    from apigwc.pipeline import build_artifacts, compile_file
    from apigwc.targets import EmitOptions

    spec = tmp_path / "spec.yaml"
    spec.write_text(NO_STAGES, encoding="utf-8")
    _, diags = build_artifacts(compile_file(spec), EmitOptions())
    assert [(d.code, d.message) for d in diags] == [
        ("AGW907", "no stages are declared: the template creates the API but no stage serves it")
    ]
