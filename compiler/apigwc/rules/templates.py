"""AGW25x: mapping templates (VTL) in requestTemplates and responseTemplates.

Each template is parsed and compiled by `apigwc.vtl`; findings point at the line and column
inside the template, which the source map turns into the position in the spec file.
"""

from __future__ import annotations

from typing import Iterator

from .. import ir
from ..diagnostics import Severity
from ..source import join
from ..vtl.lint import IssueKind, TemplateIssue, check_template
from .registry import Finding, rule


def _templates(api: ir.Api) -> Iterator[tuple[str, str, str]]:
    """(pointer, label, template text) of every literal mapping template of the API."""
    for op, integ in api.integrations():
        if integ.is_proxy:
            continue
        for media, template in integ.request_templates.items():
            if isinstance(template, str) and template:
                yield (
                    join(integ.pointer, "requestTemplates", media),
                    f"the {media} request template of {op.label}",
                    template,
                )
        for resp in integ.responses:
            for media, template in resp.response_templates.items():
                if isinstance(template, str) and template:
                    yield (
                        join(resp.pointer, "responseTemplates", media),
                        f"the {media} response template ({resp.key}) of {op.label}",
                        template,
                    )


def _issues(api: ir.Api, kind: IssueKind) -> Iterator[tuple[str, str, TemplateIssue]]:
    for pointer, label, template in _templates(api):
        for issue in check_template(template):
            if issue.kind is kind:
                yield pointer, label, issue


@rule("AGW250", name="template-syntax-error", severity=Severity.WARNING)
def template_syntax_error(api: ir.Api) -> Iterator[Finding]:
    """A mapping template is not valid VTL.

    What it checks: every request and response mapping template parses as Velocity
    Template Language (the dialect API Gateway runs); the finding points at the line and
    column inside the template where parsing stopped.

    Why: API Gateway accepts the template when the API is imported or deployed and fails
    every request that reaches it with 500 Internal server error.

    Severity: warning.  API Gateway does not check template text on import or deploy
    [Obs: localstack/airspeed's tests deploy templates that fail at run time, e.g.
    ``Hello $``, "raises 500 on AWS", tests/test_templating.py]; the local gateway
    answers 500 for the request as AWS does.

    Example:
        requestTemplates:
          application/json: |
            {"id": "$input.params('id')",
             #if($input.params('debug') "debug": true #end}

    Fix: close the directive's parentheses: `#if($input.params('debug') == "1")`.
    """
    for pointer, label, issue in _issues(api, IssueKind.SYNTAX):
        yield Finding(
            pointer=pointer,
            value_offset=issue.offset,
            message=f"{label} is not valid VTL: {issue.message}",
            hint=issue.hint,
        )


@rule("AGW251", name="unknown-template-method", severity=Severity.WARNING)
def unknown_template_method(api: ir.Api) -> Iterator[Finding]:
    """A mapping template calls a `$util` or `$input` member that does not exist.

    What it checks: `$util` members are escapeJavaScript, parseJson, urlEncode, urlDecode,
    base64Encode and base64Decode (all called with parentheses); `$input` members are
    body, json(x), path(x), params() and params(x).

    Why: an unknown member evaluates to null, which renders as nothing: the template
    produces broken output (often invalid JSON) instead of failing, and the backend
    receives it.

    Severity: warning.  The template imports and deploys; the member renders as nothing
    at run time [Obs: the airspeed recordings render unknown methods as empty,
    docs/conformance.md].

    Example:
        application/json: '{"name": "$util.escapeJson($input.path(''$.name''))"}'

    Fix: `$util.escapeJavaScript(...)`.
    """
    for pointer, label, issue in _issues(api, IssueKind.UNKNOWN_METHOD):
        yield Finding(
            pointer=pointer, value_offset=issue.offset, message=f"in {label}: {issue.message}", hint=issue.hint
        )


@rule("AGW252", name="unsupported-template-directive", severity=Severity.WARNING)
def unsupported_template_directive(api: ir.Api) -> Iterator[Finding]:
    """A mapping template uses a directive API Gateway does not run: #include, #parse, #macro, #evaluate.

    What it checks: templates do not use `#include` or `#parse` (they load another
    template file, and mapping templates have no files: the request fails), `#macro` (the
    definition prints nothing and every call prints as written, e.g. `#recur(5)`) or
    `#evaluate` (printed as written, its argument not expanded).

    Why: the template does something other than what it says.

    Severity: warning.  API Gateway imports and deploys such templates [Obs: the
    localstack/airspeed recordings test_recursive_macro, test_evaluate_directive and
    test_macro_whitespace_and_newlines_ignored were rendered on a deployed API].

    Example:
        application/json: '#parse("common.vtl")'

    Fix: inline the shared part, or define it with `#define` in the template.
    """
    for pointer, label, issue in _issues(api, IssueKind.UNSUPPORTED_DIRECTIVE):
        yield Finding(
            pointer=pointer, value_offset=issue.offset, message=f"in {label}: {issue.message}", hint=issue.hint
        )
