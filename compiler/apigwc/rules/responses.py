"""AGW4xx: method responses, gateway responses and CORS."""

from __future__ import annotations

import re
from typing import Iterator

from .. import ir
from ..diagnostics import Severity
from ..mapping import parse_gateway_response_target, parse_source
from ..source import join
from .registry import Finding, rule

_VTL = re.compile(r"#(if|set|foreach|else|elseif|end|macro|define)\b|\$util\.|\$input\.")


@rule("AGW401", name="gateway-response-not-vtl", severity=Severity.WARNING)
def gateway_response_not_vtl(api: ir.Api) -> Iterator[Finding]:
    """A gateway response template uses VTL, which gateway responses do not evaluate.

    What it checks: `x-amazon-apigateway-gateway-responses` templates contain no VTL
    directives (`#if`, `#set`, `#foreach`) and no `$input`/`$util` calls.

    Why: gateway response templates only substitute plain `$context.*` and
    `$stageVariables.*` variables; directives are sent to the client verbatim.

    Example:
        DEFAULT_4XX:
          responseTemplates:
            application/json: '#if($context.error.message)...#end'

    Fix: use only `$context.error.messageString`, `$context.requestId` and the like.
    """
    for gr in api.gateway_responses.values():
        for media, template in gr.response_templates.items():
            if isinstance(template, str) and _VTL.search(template):
                yield Finding(
                    pointer=join(gr.pointer, "responseTemplates", media),
                    message=f"the {gr.response_type} gateway response template uses VTL, but gateway responses only substitute $context and $stageVariables",
                    hint="remove #directives and $input/$util calls",
                )


@rule("AGW402", name="gateway-response-parameter", severity=Severity.ERROR)
def gateway_response_parameter(api: ir.Api) -> Iterator[Finding]:
    """A gateway response parameter mapping is malformed.

    What it checks: `responseParameters` keys are `gatewayresponse.{header|path|querystring}.NAME`
    and values are `'static'` strings or `method.request.{header|path|querystring}.NAME`
    (or stageVariables / context variables).

    Why: import fails ("Invalid mapping expression specified").

    Example:
        responseParameters:
          gatewayresponse.header.Access-Control-Allow-Origin: "*"     # needs quotes inside

    Fix: `gatewayresponse.header.Access-Control-Allow-Origin: "'*'"`.
    """
    for gr in api.gateway_responses.values():
        for key, value in gr.response_parameters.items():
            ptr = join(gr.pointer, "responseParameters", key)
            if parse_gateway_response_target(key) is None:
                yield Finding(
                    pointer=ptr,
                    at_key=True,
                    message=f"'{key}' is not a gateway response parameter",
                    hint="write gatewayresponse.header.NAME",
                )
            if not isinstance(value, str):
                continue
            src = parse_source(value)
            if src is None or src.kind == "integration.response":
                looks_static = src is None and not value.startswith(
                    ("method.", "integration.", "stageVariables.", "context.")
                )
                yield Finding(
                    pointer=ptr,
                    message=f"{value!r} is not a valid gateway response value",
                    hint=f"static values are single-quoted inside the string: \"'{value}'\""
                    if looks_static
                    else "use method.request.{header|path|querystring}.NAME, stageVariables.NAME, context.NAME or 'static'",
                )


@rule("AGW403", name="non-numeric-response", severity=Severity.WARNING)
def non_numeric_response(api: ir.Api) -> Iterator[Finding]:
    """A response key is not a 3-digit status code.

    What it checks: operation `responses` keys are status codes (`200`, `404`...).

    Why: API Gateway creates method responses only for concrete status codes; `default`
    and ranges such as `2XX` do not become method responses, so integration responses
    cannot map to them.

    Example:
        responses:
          default: {description: Error}

    Fix: list the concrete codes the API returns (`400`, `500`).
    """
    for op in api.operations:
        for resp in op.responses:
            if not re.fullmatch(r"[1-5]\d\d", resp.status):
                yield Finding(
                    pointer=resp.pointer,
                    at_key=True,
                    message=f"response '{resp.status}' of {op.label} is not a status code; API Gateway creates no method response for it",
                    hint="use concrete status codes such as 400 or 500",
                )


def _cors_paths(api: ir.Api) -> dict[str, list[ir.Operation]]:
    out: dict[str, list[ir.Operation]] = {}
    for op in api.operations:
        if op.method is ir.HttpMethod.OPTIONS or op.integration is None:
            continue
        cors = any("access-control-allow-origin" in {h.name.lower() for h in r.headers} for r in op.responses) or any(
            any(k.lower().endswith(".access-control-allow-origin") for k in ir_resp.response_parameters)
            for ir_resp in op.integration.responses
        )
        if cors:
            out.setdefault(op.path, []).append(op)
    return out


@rule("AGW404", name="cors-preflight-missing", severity=Severity.WARNING)
def cors_preflight_missing(api: ir.Api) -> Iterator[Finding]:
    """A path answers with CORS headers but has no OPTIONS method for the preflight.

    What it checks: paths whose methods return `Access-Control-Allow-Origin` also have an
    OPTIONS method (or an ANY method).

    Why: browsers send an OPTIONS preflight before non-simple requests; without an OPTIONS
    method API Gateway answers 403 "Missing Authentication Token" and the browser blocks
    the real request.  (`x-amazon-apigateway-cors` does not exist for REST APIs.)

    Example:
        /pets:
          post:
            responses: {"200": {headers: {Access-Control-Allow-Origin: ...}}}

    Fix: add `options` with a MOCK integration returning Access-Control-Allow-Origin,
    -Methods and -Headers.
    """
    methods_by_path: dict[str, set[ir.HttpMethod]] = {}
    for op in api.operations:
        methods_by_path.setdefault(op.path, set()).add(op.method)
    for path, ops in _cors_paths(api).items():
        if {ir.HttpMethod.OPTIONS, ir.HttpMethod.ANY} & methods_by_path.get(path, set()):
            continue
        yield Finding(
            pointer=ops[0].pointer.rsplit("/", 1)[0],
            at_key=True,
            message=f"{path} returns CORS headers but has no OPTIONS method; browser preflights get 403",
            hint="add an options method with a MOCK integration that returns the Access-Control-Allow-* headers",
        )


@rule("AGW405", name="cors-error-responses", severity=Severity.INFO)
def cors_error_responses(api: ir.Api) -> Iterator[Finding]:
    """The API uses CORS, but API Gateway's own error responses carry no CORS headers.

    What it checks: when any method returns `Access-Control-Allow-Origin`, the DEFAULT_4XX
    and DEFAULT_5XX gateway responses also set it.

    Why: errors that API Gateway raises itself (403 missing token, 401, 429 throttling, 400
    validation) then lack the header; the browser reports an opaque CORS error instead of
    the real status.

    Example:
        x-amazon-apigateway-gateway-responses: {}

    Fix:
        x-amazon-apigateway-gateway-responses:
          DEFAULT_4XX:
            responseParameters:
              gatewayresponse.header.Access-Control-Allow-Origin: "'https://app.example.com'"
    """
    if not _cors_paths(api):
        return
    for rtype in ("DEFAULT_4XX", "DEFAULT_5XX"):
        gr = api.gateway_responses.get(rtype)
        if gr is None or not any(
            k.lower() == "gatewayresponse.header.access-control-allow-origin" for k in gr.response_parameters
        ):
            # point at the response, else at the gateway-responses map, else at the document
            where = gr.pointer if gr else ("/x-amazon-apigateway-gateway-responses" if api.gateway_responses else "")
            yield Finding(
                pointer=where,
                at_key=bool(where),
                message=f"{rtype} gateway responses carry no Access-Control-Allow-Origin header; browsers will hide API Gateway's errors",
                hint=f"add {rtype}.responseParameters.gatewayresponse.header.Access-Control-Allow-Origin",
            )


@rule("AGW406", name="response-model-not-object", severity=Severity.WARNING)
def response_model_not_object(api: ir.Api) -> Iterator[Finding]:
    """A response schema is not an object or array schema.

    What it checks: JSON schemas of responses have `type: object` or `type: array` (or are
    a `$ref` to such a model).  Request bodies are not checked, and neither are non-JSON
    media types (AGW707 reports those).

    Why: API Gateway method-response models must be object-typed; a bare primitive
    (`type: string`) cannot be used as the method response's model and import reports an
    error for the method.

    Example:
        content:
          application/json:
            schema: {type: string}

    Fix: wrap it: `schema: {type: object, properties: {value: {type: string}}}`.
    """
    from .limits import is_json_media_type

    for op in api.operations:
        media_types = [(m, r.status) for r in op.responses for m in r.content]
        for media, where in media_types:
            if (
                media.schema is None
                or not isinstance(media.schema.schema, dict)
                or not is_json_media_type(media.media_type)
            ):
                continue
            schema = media.schema.schema
            stype = schema.get("type")
            if isinstance(stype, str) and stype not in ("object", "array"):
                yield Finding(
                    pointer=media.schema.pointer,
                    message=f"the {where} response schema of {op.label} is a bare {stype}; API Gateway response models must be objects or arrays",
                    hint="wrap the value in an object schema",
                )
