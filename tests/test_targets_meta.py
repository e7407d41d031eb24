"""Meta-tests over the target registry: every gateway node type is handled everywhere."""

from __future__ import annotations

import re

import pytest

from apigwc import gateway as gw
from apigwc.cli import CfnStyleChoice, FileFormat, TargetName
from apigwc.rules import all_codes
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
    from conftest import SPECS

    saved = EXPLICIT_HANDLERS.pop(gw.Authorizer)
    try:
        with pytest.raises(KeyError):
            build_template(compile_file(SPECS / "secure-api.yaml").gateway, EmitOptions(), Diagnostics())
    finally:
        EXPLICIT_HANDLERS[gw.Authorizer] = saved
