"""AGW1xx: references between parts of the spec (responses, parameters, validators, schemes, stages)."""

from __future__ import annotations

from typing import Iterator

from .. import ir
from ..diagnostics import Severity
from ..mapping import OPENAPI_TO_METHOD_REQUEST, parse_request_target, parse_response_target, parse_source
from ..pathtemplate import parameter_names
from ..source import join
from .registry import Finding, rule

_MULTI = {"multivaluequerystring": "querystring", "multivalueheader": "header"}
_METHOD_TO_OPENAPI = {v: k for k, v in OPENAPI_TO_METHOD_REQUEST.items()}


def _declared(op: ir.Operation, location: str, name: str) -> ir.Parameter | None:
    """The declared method parameter behind a method.request.{location}.{name} expression."""
    loc = _METHOD_TO_OPENAPI.get(_MULTI.get(location, location))
    if loc is None:
        return None
    where = ir.ParamLocation(loc)
    return op.param(where, name)


def _case_twin(op: ir.Operation, location: str, name: str) -> ir.Parameter | None:
    loc = _METHOD_TO_OPENAPI.get(_MULTI.get(location, location))
    for p in op.parameters:
        if p.location is not None and p.location.value == loc and p.name.lower() == name.lower():
            return p
    return None


@rule("AGW101", name="integration-response-without-method-response", severity=Severity.ERROR)
def integration_response_without_method_response(api: ir.Api) -> Iterator[Finding]:
    """An integration response maps to a status code the operation does not declare.

    What it checks: every `statusCode` in `x-amazon-apigateway-integration.responses` is
    also a key of the operation's OpenAPI `responses` (which become method responses).

    Why: API Gateway stores an integration response under a method response of the same
    status.  Import fails ("Invalid Method Response") or the call returns a 500
    configuration error when the method response is missing.

    Example:
        responses:
          "200": {description: OK}
        x-amazon-apigateway-integration:
          responses:
            default: {statusCode: "201"}     # no "201" response

    Fix: declare the response (`"201": {description: Created}`) or map to a declared status.
    """
    for op, integ in api.integrations():
        if integ.is_proxy:
            continue
        declared = {r.status for r in op.responses}
        for resp in integ.responses:
            if resp.status_code is None or resp.status_code in declared:
                continue
            yield Finding(
                pointer=join(resp.pointer, "statusCode"),
                message=f"integration response '{resp.key}' maps to status {resp.status_code}, "
                f"but {op.label} declares no {resp.status_code} response",
                hint=f"add '{resp.status_code}': {{description: ...}} to the operation's responses"
                + (f" (declared: {', '.join(sorted(declared))})" if declared else ""),
            )


@rule("AGW102", name="undeclared-method-parameter", severity=Severity.ERROR)
def undeclared_method_parameter(api: ir.Api) -> Iterator[Finding]:
    """A mapping expression reads a method request parameter the operation does not declare.

    What it checks: every `method.request.{path|querystring|header}.NAME` used in an
    integration's `requestParameters` names a parameter declared on the operation (or its
    path item) with that location.  Header names are compared case-sensitively, as API
    Gateway compares them in mappings.

    Why: import fails with "Invalid mapping expression parameter specified:
    method.request.header.Authorization" and the whole API is rejected.

    Example:
        parameters: []
        x-amazon-apigateway-integration:
          requestParameters:
            integration.request.header.X-User: method.request.header.X-User

    Fix: declare the parameter (`- {name: X-User, in: header}`) or map a declared one.
    """
    for op, integ in api.integrations():
        for key, value in integ.request_parameters.items():
            if not isinstance(value, str):
                continue
            src = parse_source(value)
            if src is None or src.kind != "method.request" or src.location == "body":
                continue
            if _declared(op, src.location, src.name) is not None:
                continue
            if src.location == "path" and src.name in parameter_names(op.path):
                continue  # the importer creates method.request.path.* for every path placeholder
            twin = _case_twin(op, src.location, src.name)
            loc = _METHOD_TO_OPENAPI.get(_MULTI.get(src.location, src.location), src.location)
            hint = (
                f"mapping names are case-sensitive: the parameter is declared as '{twin.name}'"
                if twin is not None
                else f"declare it: - {{name: {src.name}, in: {loc}}}"
            )
            yield Finding(
                pointer=join(integ.pointer, "requestParameters", key),
                message=f"{value} is not a declared {loc} parameter of {op.label}",
                hint=hint,
            )


@rule("AGW103", name="undeclared-response-header", severity=Severity.ERROR)
def undeclared_response_header(api: ir.Api) -> Iterator[Finding]:
    """An integration response maps a header the method response does not declare.

    What it checks: every `method.response.header.NAME` key of an integration response's
    `responseParameters` is declared in the `headers` of the OpenAPI response with the same
    status code.

    Why: import fails with "Invalid mapping expression parameter specified:
    method.response.header.Location".

    Example:
        responses:
          "201": {description: Created}            # no headers
        x-amazon-apigateway-integration:
          responses:
            default:
              statusCode: "201"
              responseParameters:
                method.response.header.Location: integration.response.header.Location

    Fix: declare the header under the response: `headers: {Location: {schema: {type: string}}}`.
    """
    for op, integ in api.integrations():
        if integ.is_proxy:
            continue
        for resp in integ.responses:
            method_response = op.response(resp.status_code) if resp.status_code else None
            if method_response is None:
                continue  # AGW101 reports the missing response
            for key in resp.response_parameters:
                target = parse_response_target(key)
                if target is None or method_response.header(target.name) is not None:
                    continue
                twin = next((h.name for h in method_response.headers if h.name.lower() == target.name.lower()), None)
                yield Finding(
                    pointer=join(resp.pointer, "responseParameters", key),
                    at_key=True,
                    message=f"header '{target.name}' is not declared on the {resp.status_code} response of {op.label}",
                    hint=f"mapping names are case-sensitive: the response declares '{twin}'"
                    if twin is not None
                    else f"add headers: {{{target.name}: {{...}}}} to response {resp.status_code}",
                )


@rule("AGW104", name="unknown-request-validator", severity=Severity.ERROR)
def unknown_request_validator(api: ir.Api) -> Iterator[Finding]:
    """A request validator is named but not defined.

    What it checks: `x-amazon-apigateway-request-validator` (at the root or on an
    operation) names an entry of `x-amazon-apigateway-request-validators`.

    Why: import fails: the method cannot reference a validator that does not exist.

    Example:
        x-amazon-apigateway-request-validator: body-only   # not in request-validators

    Fix: define the validator under `x-amazon-apigateway-request-validators`, or use a
    defined name.
    """
    known = sorted(api.request_validators)
    if api.default_request_validator is not None and api.default_request_validator not in api.request_validators:
        yield _unknown_validator(api.default_request_validator, api.default_request_validator_pointer or "", known)
    for op in api.operations:
        if op.request_validator is not None and op.request_validator not in api.request_validators:
            yield _unknown_validator(
                op.request_validator, join(op.pointer, "x-amazon-apigateway-request-validator"), known
            )


def _unknown_validator(name: str, pointer: str, known: list[str]) -> Finding:
    import difflib

    close = difflib.get_close_matches(name, known, n=1)
    return Finding(
        pointer=pointer,
        message=f"request validator '{name}' is not defined in x-amazon-apigateway-request-validators",
        hint=f"did you mean '{close[0]}'?"
        if close
        else ("defined: " + ", ".join(known) if known else "define it at the root"),
    )


@rule("AGW105", name="unknown-security-scheme", severity=Severity.ERROR)
def unknown_security_scheme(api: ir.Api) -> Iterator[Finding]:
    """An operation's security requirement names an undefined security scheme.

    What it checks: each name in an operation's `security` list is a security scheme
    (`securityDefinitions` in OpenAPI 2.0, `components.securitySchemes` in 3.0).

    Why: the importer cannot build the method's authorization, so it skips the method
    (a warning, or a failed import with FailOnWarnings).

    Example:
        security:
          - jwtAuth: []       # the scheme is called 'jwt'

    Fix: use the scheme's exact name.
    """
    import difflib

    known = sorted(api.security_schemes)
    for op in api.operations:
        for req in op.security or ():
            for name, _ in req.schemes:
                if name in api.security_schemes:
                    continue
                close = difflib.get_close_matches(name, known, n=1)
                yield Finding(
                    pointer=join(req.pointer, name),
                    at_key=True,
                    message=f"security scheme '{name}' used by {op.label} is not defined; API Gateway's importer skips the method",
                    hint=f"did you mean '{close[0]}'?"
                    if close
                    else "define it under securitySchemes (apigwc does not apply SAM's Auth section, which may add it)",
                )


@rule("AGW106", name="duplicate-operation-id", severity=Severity.WARNING)
def duplicate_operation_id(api: ir.Api) -> Iterator[Finding]:
    """Two operations share an operationId.

    What it checks: `operationId`s are unique across the document (an OpenAPI rule).

    Why: API Gateway stores the operationId as the method's operation name; generated SDKs
    and documentation collide, and other OpenAPI tools reject the file.

    Example:
        /pets: {get: {operationId: list}}
        /users: {get: {operationId: list}}

    Fix: give each operation its own id (listPets, listUsers).
    """
    seen: dict[str, ir.Operation] = {}
    for op in api.operations:
        if op.operation_id is None:
            continue
        first = seen.get(op.operation_id)
        if first is None:
            seen[op.operation_id] = op
            continue
        yield Finding(
            pointer=join(op.pointer, "operationId"),
            message=f"operationId '{op.operation_id}' is already used by {first.label}",
            hint="give each operation its own operationId",
        )


@rule("AGW107", name="duplicate-integration-response-status", severity=Severity.WARNING)
def duplicate_integration_response_status(api: ir.Api) -> Iterator[Finding]:
    """Two integration responses map to the same status code.

    What it checks: within one integration, no two `responses` entries share a `statusCode`.

    Why: API Gateway stores integration responses by status code, so the second entry
    replaces the first on import: one of the selection patterns silently disappears.

    Example:
        responses:
          ".*NotFound.*": {statusCode: "404"}
          ".*Missing.*":  {statusCode: "404"}

    Fix: merge the patterns into one (`.*(NotFound|Missing).*`).
    """
    for op, integ in api.integrations():
        if integ.is_proxy:
            continue
        seen: dict[str, ir.IntegrationResponse] = {}
        for resp in integ.responses:
            if resp.status_code is None:
                continue
            first = seen.get(resp.status_code)
            if first is None:
                seen[resp.status_code] = resp
                continue
            yield Finding(
                pointer=resp.pointer,
                at_key=True,
                message=f"integration responses '{first.key}' and '{resp.key}' both map to status "
                f"{resp.status_code}; API Gateway keeps only one",
                hint="combine the selection patterns with | into one response",
            )


@rule("AGW108", name="invalid-mapping-expression", severity=Severity.ERROR)
def invalid_mapping_expression(api: ir.Api) -> Iterator[Finding]:
    """A parameter mapping key or value is not a valid mapping expression.

    What it checks: integration `requestParameters` keys look like
    `integration.request.{path|querystring|header}.NAME`, integration-response
    `responseParameters` keys look like `method.response.header.NAME`, and values are
    `method.request.*`, `integration.response.*` (responses only), `stageVariables.NAME`,
    `context.NAME` or a 'single-quoted' static value.

    Why: import fails with "Invalid mapping expression specified".

    Example:
        requestParameters:
          integration.request.header.X-Id: $request.header.id      # not an expression
          integration.request.header.X-Env: prod                     # static values need quotes

    Fix: use the expression forms above; quote static values: "'prod'".
    """
    for op, integ in api.integrations():
        for key, value in integ.request_parameters.items():
            ptr = join(integ.pointer, "requestParameters", key)
            if parse_request_target(key) is None:
                yield Finding(
                    pointer=ptr,
                    at_key=True,
                    message=f"'{key}' is not an integration request parameter",
                    hint="write integration.request.{path|querystring|header}.NAME",
                )
            if isinstance(value, str):
                src = parse_source(value)
                if src is None:
                    yield Finding(
                        pointer=ptr,
                        message=f"'{value}' is not a valid request mapping expression",
                        hint=_value_hint(value, "request"),
                    )
                elif src.kind == "integration.response":
                    yield Finding(
                        pointer=ptr,
                        message=f"'{value}' reads the integration response, which a request mapping cannot",
                        hint=_value_hint(value, "request"),
                    )
        if integ.is_proxy:
            continue
        for resp in integ.responses:
            for key, value in resp.response_parameters.items():
                ptr = join(resp.pointer, "responseParameters", key)
                if parse_response_target(key) is None:
                    yield Finding(
                        pointer=ptr,
                        at_key=True,
                        message=f"'{key}' is not a method response parameter",
                        hint="only headers can be mapped: method.response.header.NAME",
                    )
                if isinstance(value, str):
                    src = parse_source(value)
                    if src is None:
                        yield Finding(
                            pointer=ptr,
                            message=f"'{value}' is not a valid response mapping expression",
                            hint=_value_hint(value, "response"),
                        )
                    elif src.kind == "method.request":
                        yield Finding(
                            pointer=ptr,
                            message=f"'{value}' reads the method request, which a response mapping cannot",
                            hint=_value_hint(value, "response"),
                        )


def _value_hint(value: str, side: str) -> str:
    """How to write the right side of a request or response mapping."""
    if value and value[0] not in "'m$" and "." not in value:
        return f"static values must be single-quoted: \"'{value}'\""
    if value.startswith("$request.") and side == "request":
        # HTTP APIs write $request.path.id; REST APIs method.request.path.id
        return f"REST APIs write it {'method.' + value[1:]} ($request... is HTTP API syntax)"
    if side == "request":
        return "use method.request.{path|querystring|header}.NAME, stageVariables.NAME, context.NAME or 'static'"
    return "use integration.response.header.NAME, integration.response.body[.JSONPATH], stageVariables.NAME, context.NAME or 'static'"


@rule("AGW109", name="undeclared-path-parameter", severity=Severity.WARNING)
def undeclared_path_parameter(api: ir.Api) -> Iterator[Finding]:
    """A `{name}` in the path is not declared as a path parameter of the operation.

    What it checks: every placeholder of an operation's path has a matching
    `in: path` parameter on the operation or its path item.

    Why: OpenAPI requires the declaration, so validators, code generators and documentation
    tools reject or misrender the document. API Gateway's importer creates
    `method.request.path.NAME` for every placeholder anyway (apigwc's lowering does the
    same), which is why this is a warning and not an error.

    Example:
        /pets/{petId}:
          get:
            parameters: []

    Fix: add `- {name: petId, in: path, required: true, schema: {type: string}}`.
    """
    for op in api.operations:
        for name in parameter_names(op.path):
            if op.param(ir.ParamLocation.PATH, name) is None:
                yield Finding(
                    pointer=op.pointer,
                    at_key=True,
                    message=f"path parameter '{name}' of {op.label} is not declared",
                    hint=f"add - {{name: {name}, in: path, required: true}} to the operation or path item",
                )


@rule("AGW110", name="undeclared-cache-key-parameter", severity=Severity.ERROR)
def undeclared_cache_key_parameter(api: ir.Api) -> Iterator[Finding]:
    """A cache key parameter is not a declared method request parameter.

    What it checks: each `cacheKeyParameters` entry is `method.request.{path|querystring|header}.NAME`
    for a parameter the operation declares.

    Why: import fails; API Gateway can only key the cache on declared parameters.

    Example:
        cacheKeyParameters: [method.request.querystring.page]   # page is not declared

    Fix: declare the parameter, or remove it from cacheKeyParameters.
    """
    for op, integ in api.integrations():
        for i, entry in enumerate(integ.cache_key_parameters):
            src = parse_source(entry)
            if (
                src is not None
                and src.kind == "method.request"
                and (
                    _declared(op, src.location, src.name)
                    or (src.location == "path" and src.name in parameter_names(op.path))  # created on import
                )
            ):
                continue
            yield Finding(
                pointer=join(integ.pointer, "cacheKeyParameters", i),
                message=f"cache key '{entry}' is not a declared method request parameter of {op.label}",
                hint="use method.request.{path|querystring|header}.NAME of a declared parameter",
            )


@rule("AGW111", name="unmapped-uri-placeholder", severity=Severity.WARNING)
def unmapped_uri_placeholder(api: ir.Api) -> Iterator[Finding]:
    """An HTTP integration URI has a `{name}` placeholder that nothing fills.

    What it checks: each `{name}` in an HTTP/HTTP_PROXY (or AWS path-style) integration
    `uri` has a matching `integration.request.path.name` in `requestParameters`.

    Why: API Gateway fills URI placeholders only from `integration.request.path.*`
    mappings; an unmapped placeholder is sent to the backend literally (`/pets/%7Bid%7D`).

    Example:
        uri: https://backend.example.com/pets/{id}
        requestParameters: {}

    Fix: `requestParameters: {integration.request.path.id: method.request.path.id}`.
    """
    import re

    from ..intrinsics import text_of

    for op, integ in api.integrations():
        if integ.type not in (ir.IntegrationType.HTTP, ir.IntegrationType.HTTP_PROXY, ir.IntegrationType.AWS):
            continue
        uri = text_of(integ.uri)
        if integ.type is ir.IntegrationType.AWS and ":path/" not in uri:
            continue
        if integ.is_lambda:
            continue
        mapped = {t.name for k in integ.request_parameters if (t := parse_request_target(k)) and t.location == "path"}
        for m in re.finditer(r"(?<!\$)\{([A-Za-z0-9._$-]+)\}", uri):
            name = m.group(1)
            if name in mapped:
                continue
            yield Finding(
                pointer=join(integ.pointer, "uri"),
                message=f"placeholder {{{name}}} in the integration uri of {op.label} is not mapped",
                hint=f"add requestParameters: {{integration.request.path.{name}: method.request.path.{name}}}",
            )


@rule("AGW112", name="unknown-usage-plan-reference", severity=Severity.ERROR)
def unknown_usage_plan_reference(api: ir.Api) -> Iterator[Finding]:
    """A usage plan names a stage or API key that x-apigwc does not declare.

    What it checks: `x-apigwc.usagePlans.*.stages` entries are keys of `x-apigwc.stages`
    and `apiKeys` entries are keys of `x-apigwc.apiKeys`.

    Why: apigwc cannot attach the plan to a stage or key it does not build; the plan
    would silently not apply.

    Example:
        usagePlans: {basic: {stages: [production]}}    # the stage is 'prod'

    Fix: use a declared stage or key name (or declare it).
    """
    import difflib

    for plan in api.usage_plans.values():
        for i, stage in enumerate(plan.stages):
            if stage not in api.stages:
                close = difflib.get_close_matches(stage, sorted(api.stages), n=1)
                yield Finding(
                    pointer=join(plan.pointer, "stages", i),
                    message=f"usage plan '{plan.name}' names stage '{stage}', which x-apigwc.stages does not declare",
                    hint=f"did you mean '{close[0]}'?"
                    if close
                    else (
                        "declared stages: " + ", ".join(sorted(api.stages))
                        if api.stages
                        else "declare it under x-apigwc.stages"
                    ),
                )
        for i, key in enumerate(plan.api_keys):
            if key not in api.api_keys:
                close = difflib.get_close_matches(key, sorted(api.api_keys), n=1)
                yield Finding(
                    pointer=join(plan.pointer, "apiKeys", i),
                    message=f"usage plan '{plan.name}' names API key '{key}', which x-apigwc.apiKeys does not declare",
                    hint=f"did you mean '{close[0]}'?"
                    if close
                    else (
                        "declared API keys: " + ", ".join(sorted(api.api_keys))
                        if api.api_keys
                        else "declare it under x-apigwc.apiKeys"
                    ),
                )


def _routes(api: ir.Api) -> set[tuple[str, str]]:
    return {(op.path, op.method.value) for op in api.operations}


def _route_hint(api: ir.Api, key: str, fallback: str) -> str:
    """'did you mean /pets/GET?' from the API's routes, else the fallback."""
    import difflib

    routes = _routes(api)
    path, _, verb = key.rpartition("/")
    verbs = sorted(m for p, m in routes if p == path)
    if verbs:
        return f"{path} has no {verb.upper()} method; it has {', '.join(verbs)}"
    close = difflib.get_close_matches(key, sorted(f"{p}/{m}" for p, m in routes), n=1)
    return f"did you mean '{close[0]}'?" if close else fallback


def _route_exists(api: ir.Api, path: str, verb: str) -> bool:
    routes = _routes(api)
    if path == "*" and verb == "*":
        return True
    return any((p == path or path == "*") and (m == verb or verb == "*" or m == "ANY") for p, m in routes)


@rule("AGW113", name="unknown-method-setting-route", severity=Severity.WARNING)
def unknown_method_setting_route(api: ir.Api) -> Iterator[Finding]:
    """A stage method setting names a route the API does not have.

    What it checks: each `x-apigwc.stages.*.methodSettings` key (`/path/VERB`) matches an
    operation (`*/*` and `*` wildcards allowed).

    Why: the throttling, logging or caching setting would apply to nothing.

    Example:
        methodSettings:
          "/pet/GET": {...}       # the path is /pets

    Fix: use an existing path and verb, e.g. "/pets/GET", or "*/*" for all methods.
    """
    from .stages import is_route_key

    for stage in api.stages.values():
        for ms in stage.method_settings:
            if not is_route_key(ms.key):
                continue  # AGW505 reports the malformed key
            if not _route_exists(api, ms.resource_path, ms.http_method.upper()):
                yield Finding(
                    pointer=ms.pointer,
                    at_key=True,
                    message=f"method setting '{ms.key}' of stage '{stage.name}' matches no operation",
                    hint=_route_hint(api, ms.key, "write it as /path/VERB of an existing operation, or */* for all"),
                )


@rule("AGW114", name="unknown-usage-plan-route", severity=Severity.WARNING)
def unknown_usage_plan_route(api: ir.Api) -> Iterator[Finding]:
    """A usage plan's per-method throttle names a route the API does not have.

    What it checks: each `x-apigwc.usagePlans.*.methodThrottle` key (`/path/VERB`) matches
    an operation.

    Why: the per-method limit would apply to nothing.

    Example:
        methodThrottle:
          "/notes/PUT": {rateLimit: 1}      # there is no PUT /notes

    Fix: use an existing path and verb.
    """
    from .stages import is_route_key

    for plan in api.usage_plans.values():
        for key in plan.method_throttle:
            if not is_route_key(key):
                continue  # AGW505 reports the malformed key
            path, _, verb = key.rpartition("/")
            if not _route_exists(api, path, verb.upper()):
                yield Finding(
                    pointer=join(plan.pointer, "methodThrottle", key),
                    at_key=True,
                    message=f"method throttle '{key}' of usage plan '{plan.name}' matches no operation",
                    hint=_route_hint(api, key, "write it as /path/VERB of an existing operation"),
                )
