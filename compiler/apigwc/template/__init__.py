"""SAM and CloudFormation templates as a source: every API of a template through the one pipeline.

    load (positions) -> expand (AWS::Include, SAM translator) -> discover APIs -> per API:
    check -> IR -> rules -> lower, with findings located in the template and its files.

Modules: `load` (recognition, parsing), `values` (parameters, conditions, intrinsics, the
command line's selection), `expand` (includes, aws-sam-translator), `samcopy` (the
translator's per-event body copies, made without copying the whole body), `functions` (Lambda functions for the local
gateway), `apis` (RestApi -> OpenAPI document + source map), `run` (entry points),
`codes` (AGW030-AGW038).  `explicit` (lifting AWS::ApiGateway::Resource/Method) is a
separate stage.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: name -> the module of this package that defines it; imported on first use, so that
#: `from apigwc.template.load import ...` (recognizing a template, every lint does it) or
#: `apigwc.template.values` (the command line's flags) does not import the whole pipeline and
#: the start-up of `apigwc lint spec.yaml` does not pay for it (tests/bench/bench_startup.py)
_EXPORTS = {
    "CompiledTemplate": "run",
    "OpenedTemplate": "run",
    "compile_template": "run",
    "is_template_file": "load",
    "lint_template": "run",
    "lint_template_as_one": "run",
    "open_template": "run",
    "LocalValues": "values",
    "ParametersError": "values",
    "parse_param_flags": "values",
    "read_parameters_file": "values",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
