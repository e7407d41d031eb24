"""Mapping templates of one deployment: compiled once, rendered per request through apigwc.vtl.

A template that cannot be rendered (a syntax error lint would have reported as AGW250,
a run-time failure such as ``$util.parseJson`` of bad JSON, or a limit) makes the
request fail with 500 ``Internal server error``, as API Gateway does; the execution log
names the template (method, direction, content type) and the line and column inside it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .. import gateway as gw
from ..intrinsics import Intrinsic, Value
from ..vtl import CompiledTemplate, TemplateError, compile_template, overrides_of, render_compiled
from .errors import GatewayError, ResponseType


class TemplateRef(NamedTuple):
    """Which template this is, for messages: ``the request template application/json of GET /users``."""

    method: str  # "GET /users"
    content_type: str
    #: None for the request template, else the integration response's status code
    response_status: str | None = None

    def describe(self) -> str:
        if self.response_status is None:
            return f"the request template {self.content_type} of {self.method}"
        return f"the {self.response_status} response template {self.content_type} of {self.method}"


class RenderedTemplate(NamedTuple):
    body: str
    request_override: dict[str, dict[str, str]]
    response_override: dict[str, Any]


class Templates:
    """Compiled templates by source text (a source is compiled once per deployment)."""

    __slots__ = ("_compiled",)

    def __init__(self) -> None:
        self._compiled: dict[str, CompiledTemplate | TemplateError] = {}

    def compiled(self, source: str) -> CompiledTemplate | TemplateError:
        found = self._compiled.get(source)
        if found is None:
            found = self._compiled[source] = compile_template(source)
        return found

    def precompile(self, gateway: gw.Gateway) -> int:
        """Compile every template of the API now (a server does this at start); returns how many."""
        for m in gateway.methods:
            integ = m.integration
            if integ is None:
                continue
            for source in integ.request_templates.values():
                if isinstance(source, str) and source:
                    self.compiled(source)
            for r in integ.responses:
                for source in r.response_templates.values():
                    if isinstance(source, str) and source:
                        self.compiled(source)
        return len(self._compiled)

    def render(self, source: Value, ref: TemplateRef, variables: dict[str, Any]) -> RenderedTemplate | GatewayError:
        """Render a template with a namespace from `Exchange.template_variables`."""
        if isinstance(source, Intrinsic):
            return _failure(ref, f"is a CloudFormation intrinsic ({source}), which apigwc cannot evaluate locally")
        compiled = self.compiled(source)
        if isinstance(compiled, TemplateError):
            return _failure(ref, f"failed at line {compiled.line}, column {compiled.col}: {compiled.message}")
        output, error = render_compiled(compiled, variables)
        if error is not None:
            return _failure(ref, f"failed at line {error.line}, column {error.col}: {error.message}")
        request_override, response_override = overrides_of(variables)
        return RenderedTemplate(
            body=output or "", request_override=request_override, response_override=response_override
        )


def _failure(ref: TemplateRef, what: str) -> GatewayError:
    return GatewayError(
        type=ResponseType.API_CONFIGURATION_ERROR,
        log=f"Execution failed due to configuration error: {ref.describe()} {what}",
    )
