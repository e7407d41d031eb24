"""Every example in specs/ is lint-clean, at every severity."""

from __future__ import annotations

import pytest

from apigwc.config import Config
from apigwc.diagnostics import Severity
from apigwc.pipeline import lint_file
from support import SPECS

EXAMPLES = sorted(SPECS.glob("*.yaml")) + sorted(SPECS.glob("*.json"))


def test_there_are_at_least_four_examples():
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.name)
def test_example_is_lint_clean(spec):
    result = lint_file(spec, spec.name, Config(fail_on=Severity.INFO))
    assert [f"{d.span.line}:{d.span.col} {d.code} {d.message}" for d in result.diagnostics] == []
    assert result.api is not None and result.api.operations
