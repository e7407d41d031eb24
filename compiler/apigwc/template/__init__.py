"""SAM and CloudFormation templates as a source: every API of a template through the one pipeline.

    load (positions) -> expand (AWS::Include, SAM translator) -> discover APIs -> per API:
    check -> IR -> rules -> lower, with findings located in the template and its files.

Modules: `load` (recognition, parsing), `values` (parameters, conditions, intrinsics),
`expand` (includes, aws-sam-translator), `functions` (Lambda functions for the local
gateway), `apis` (RestApi -> OpenAPI document + source map), `run` (entry points),
`codes` (AGW030-AGW038).  `explicit` (lifting AWS::ApiGateway::Resource/Method) is a
separate stage.
"""

from .load import is_template_file
from .run import (
    CompiledTemplate,
    OpenedTemplate,
    compile_template,
    lint_template,
    lint_template_as_one,
    open_template,
)
from .values import LocalValues, ParametersError, parse_param_flags, read_parameters_file

__all__ = [
    "CompiledTemplate",
    "LocalValues",
    "OpenedTemplate",
    "ParametersError",
    "compile_template",
    "is_template_file",
    "lint_template",
    "lint_template_as_one",
    "open_template",
    "parse_param_flags",
    "read_parameters_file",
]
