"""API Gateway mapping templates (VTL): compile, render with limits, and lint.

from apigwc.vtl import TemplateRequest, render, TemplateError
result = render('{"id": "$input.params(\'id\')"}', TemplateRequest(path_params={"id": "7"}))
if isinstance(result, TemplateError): ...   # line/col inside the template
else: result.body, result.request_override, result.response_override
"""

from .engine import (
    DEFAULT_LIMITS,
    MAX_FOREACH,
    MAX_TEMPLATE_BYTES,
    CompiledTemplate,
    Limits,
    Reference,
    Rendered,
    TemplateError,
    compile_template,
    overrides_of,
    render,
    render_compiled,
)
from .variables import TemplateRequest, bind

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_FOREACH",
    "MAX_TEMPLATE_BYTES",
    "CompiledTemplate",
    "Limits",
    "Reference",
    "Rendered",
    "TemplateRequest",
    "TemplateError",
    "bind",
    "compile_template",
    "overrides_of",
    "render",
    "render_compiled",
]
