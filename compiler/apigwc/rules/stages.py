"""AGW5xx: stages, stage variables, usage plans and API keys (x-apigwc)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from .. import ir
from ..diagnostics import Severity
from ..intrinsics import STAGE_VARIABLE, Intrinsic
from ..mapping import parse_source
from ..source import join
from .registry import Finding, rule

_VAR_NAME = re.compile(r"^[A-Za-z0-9_]+$")
_VAR_VALUE = re.compile(r"^[A-Za-z0-9\-._~:/?#&=,]+$")
_TEMPLATE_VAR = re.compile(r"\$\{?stageVariables(?:\.([A-Za-z0-9_]+)|\[['\"]([A-Za-z0-9_]+)['\"]\])")


@dataclass(frozen=True, slots=True)
class StageVariableUse:
    name: str
    pointer: str
    where: str


def stage_variable_uses(api: ir.Api) -> list[StageVariableUse]:
    """Every place the spec reads a stage variable: URIs, mappings, templates, authorizers."""
    uses: list[StageVariableUse] = []

    def scan_string(value: object, pointer: str, where: str) -> None:
        text = value.referenced_text() if isinstance(value, Intrinsic) else value
        if isinstance(text, str) and "stageVariables" in text:
            for m in STAGE_VARIABLE.finditer(text):
                uses.append(StageVariableUse(m.group(1), pointer, where))

    def scan_template(value: object, pointer: str, where: str) -> None:
        if isinstance(value, str) and "stageVariables" in value:
            for m in _TEMPLATE_VAR.finditer(value):
                uses.append(StageVariableUse(m.group(1) or m.group(2), pointer, where))

    def scan_mapping(values: dict, pointer: str, where: str) -> None:
        for key, value in values.items():
            if isinstance(value, str):
                src = parse_source(value)
                if src is not None and src.kind == "stageVariables":
                    uses.append(StageVariableUse(src.name, join(pointer, key), where))

    for op, integ in api.integrations():
        label = op.label
        for field in ("uri", "credentials", "connection_id"):
            scan_string(
                getattr(integ, field),
                join(integ.pointer, {"connection_id": "connectionId"}.get(field, field)),
                f"the integration {field.replace('_', ' ')} of {label}",
            )
        scan_mapping(
            dict(integ.request_parameters), join(integ.pointer, "requestParameters"), f"a request mapping of {label}"
        )
        for media, tmpl in integ.request_templates.items():
            scan_template(tmpl, join(integ.pointer, "requestTemplates", media), f"a request template of {label}")
        for resp in integ.responses:
            scan_mapping(
                dict(resp.response_parameters),
                join(resp.pointer, "responseParameters"),
                f"a response mapping of {label}",
            )
            for media, tmpl in resp.response_templates.items():
                scan_template(tmpl, join(resp.pointer, "responseTemplates", media), f"a response template of {label}")
    for scheme in api.security_schemes.values():
        a = scheme.authorizer
        if a is None:
            continue
        scan_string(a.authorizer_uri, join(a.pointer, "authorizerUri"), f"the authorizer uri of '{scheme.name}'")
        scan_string(
            a.authorizer_credentials,
            join(a.pointer, "authorizerCredentials"),
            f"the authorizer credentials of '{scheme.name}'",
        )
        for src in (a.identity_source or "").split(","):
            src = src.strip()
            if src.startswith("stageVariables."):
                uses.append(
                    StageVariableUse(
                        src[len("stageVariables.") :],
                        join(a.pointer, "identitySource"),
                        f"the identity source of '{scheme.name}'",
                    )
                )
    for gr in api.gateway_responses.values():
        for media, tmpl in gr.response_templates.items():
            scan_template(
                tmpl, join(gr.pointer, "responseTemplates", media), f"the {gr.response_type} gateway response"
            )
    return uses


@rule("AGW501", name="undefined-stage-variable", severity=Severity.WARNING)
def undefined_stage_variable(api: ir.Api) -> Iterator[Finding]:
    """The spec reads a stage variable that no declared stage defines.

    What it checks: every `${stageVariables.x}` (URIs, credentials, connection ids),
    `stageVariables.x` (mappings, identity sources) and `$stageVariables.x` (templates) is
    defined by at least one stage in `x-apigwc.stages`.  Runs only when stages are declared.

    Why: an undefined stage variable renders as an empty string: the integration URI
    becomes `https:///orders` and every call fails with a 500 at run time, long after the
    deploy succeeded.

    Severity: warning.  API Gateway accepts the import and the deployment: stage variables
    are resolved per request, and an undefined one is empty [Doc: "Use stage variables
    for a REST API in API Gateway"; a stage may be created later with the variable].

    Example:
        uri: https://${stageVariables.backendHost}/orders
        x-apigwc: {stages: {prod: {variables: {backend: orders.example.com}}}}

    Fix: define the variable in the stages (`backendHost: ...`) or correct its name.
    """
    if not api.stages:
        return
    import difflib

    defined = {name for stage in api.stages.values() for name in stage.variables}
    for use in stage_variable_uses(api):
        if use.name not in defined:
            close = difflib.get_close_matches(use.name, sorted(defined), n=1)
            yield Finding(
                pointer=use.pointer,
                message=f"stage variable '{use.name}' used in {use.where} is defined by no stage",
                hint=f"did you mean '{close[0]}'?" if close else f"add variables: {{{use.name}: ...}} to the stages",
            )


@rule("AGW502", name="stage-missing-variable", severity=Severity.WARNING)
def stage_missing_variable(api: ir.Api) -> Iterator[Finding]:
    """A stage lacks a stage variable that the spec reads and other stages define.

    What it checks: each stage defines every stage variable that the spec uses and at
    least one other stage defines.

    Why: the API works in one stage and fails in the other (an empty backend host, a
    missing Lambda alias).

    Example:
        stages:
          dev:  {variables: {backendHost: dev.example.com}}
          prod: {}

    Fix: define the variable in every stage.
    """
    if len(api.stages) < 2:
        return
    used = {u.name for u in stage_variable_uses(api)}
    defined_somewhere = {n for s in api.stages.values() for n in s.variables}
    for stage in api.stages.values():
        for name in sorted(used & defined_somewhere - set(stage.variables)):
            yield Finding(
                pointer=stage.pointer,
                at_key=True,
                message=f"stage '{stage.name}' does not define stage variable '{name}', which the API uses",
                hint=f"add variables: {{{name}: ...}} to stage '{stage.name}'",
            )


@rule("AGW503", name="stage-variable-format", severity=Severity.ERROR)
def stage_variable_format(api: ir.Api) -> Iterator[Finding]:
    """A stage variable name or value has characters API Gateway does not allow.

    What it checks: names use letters, digits and `_` (at most 64 characters); values use
    only `A-Za-z0-9-._~:/?#&=,` (at most 512 characters, no spaces); at most 100 per stage.

    Why: CreateStage / UpdateStage reject the stage.

    Example:
        variables:
          backend-host: "orders example"

    Fix: `backend_host: orders.example.com`.
    """
    for stage in api.stages.values():
        if len(stage.variables) > 100:
            yield Finding(
                pointer=join(stage.pointer, "variables"),
                at_key=True,
                message=f"stage '{stage.name}' has {len(stage.variables)} variables; the limit is 100",
            )
        for name, value in stage.variables.items():
            ptr = join(stage.pointer, "variables", name)
            if not _VAR_NAME.match(name) or len(name) > 64:
                yield Finding(
                    pointer=ptr,
                    at_key=True,
                    message=f"stage variable name {name!r} may only use letters, digits and _ (max 64)",
                    hint=f"rename it to {re.sub(r'[^A-Za-z0-9_]', '_', name)[:64]!r}",
                )
            if not _VAR_VALUE.match(value) or len(value) > 512:
                bad = sorted({c for c in value if not re.match(r"[A-Za-z0-9\-._~:/?#&=,]", c)})
                yield Finding(
                    pointer=ptr,
                    message=f"stage variable value {value!r} has characters API Gateway does not allow"
                    + (f": {' '.join(repr(c) for c in bad)}" if bad else " (max 512 characters, not empty)"),
                    hint="allowed: letters, digits and - . _ ~ : / ? # & = ,",
                )


_CONTEXT_IN_LOG = re.compile(r"\$(\{)?([A-Za-z_][A-Za-z0-9_.]*)")


@rule("AGW504", name="access-log-format", severity=Severity.ERROR)
def access_log_format(api: ir.Api) -> Iterator[Finding]:
    """An access log format lacks $context.requestId or uses non-$context variables.

    What it checks: each stage `accessLog.format` contains `$context.requestId` (or
    `$context.extendedRequestId`) and only `$context.*` variables.

    Why: UpdateStage rejects the format ("Access Log format must contain at least
    $context.requestId"); other variables are not available in access logs.

    Example:
        format: '$context.identity.sourceIp $context.status'

    Fix: '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","status":"$context.status"}'.
    """
    for stage in api.stages.values():
        log = stage.access_log
        if log is None:
            continue
        ptr = join(log.pointer, "format")
        if "$context.requestId" not in log.format and "$context.extendedRequestId" not in log.format:
            yield Finding(
                pointer=ptr,
                message=f"the access log format of stage '{stage.name}' must contain $context.requestId",
                hint='start it with {"requestId":"$context.requestId", ...}',
            )
        for m in _CONTEXT_IN_LOG.finditer(log.format):
            if not m.group(2).startswith("context."):
                yield Finding(
                    pointer=ptr,
                    message=f"the access log format of stage '{stage.name}' uses ${m.group(2)}; access logs may only use $context variables",
                    hint="use a $context variable, e.g. $context.identity.sourceIp",
                )


_VERBS = {"GET", "PUT", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY", "*"}


@rule("AGW505", name="method-setting-key", severity=Severity.ERROR)
def method_setting_key(api: ir.Api) -> Iterator[Finding]:
    """A method settings or method throttle key is not `/path/VERB` or `*/*`.

    What it checks: keys of `x-apigwc.stages.*.methodSettings` and
    `x-apigwc.usagePlans.*.methodThrottle` have the form `/resource/path/VERB` (or `*/*`).

    Why: apigwc cannot tell which method the setting is for, so it cannot emit it.

    Example:
        methodSettings:
          "GET /pets": {...}

    Fix: "/pets/GET".
    """
    keys = [(ms.key, ms.pointer) for s in api.stages.values() for ms in s.method_settings]
    keys += [(k, join(p.pointer, "methodThrottle", k)) for p in api.usage_plans.values() for k in p.method_throttle]
    for key, ptr in keys:
        if not is_route_key(key):
            fixed = _route_key_fix(key)
            yield Finding(
                pointer=ptr,
                at_key=True,
                message=f"{key!r} is not of the form /path/VERB or */*",
                hint=f"did you mean '{fixed}'?" if fixed else "e.g. /pets/GET or /pets/{id}/*",
            )


def is_route_key(key: str) -> bool:
    """True for a methodSettings / methodThrottle key of the form /path/VERB or */*."""
    if key == "*/*":
        return True
    path, _, verb = key.rpartition("/")
    return (path.startswith("/") or path == "*") and verb.upper() in _VERBS and " " not in key


def _route_key_fix(key: str) -> str | None:
    """'GET /pets' -> '/pets/GET'; 'pets/GET' -> '/pets/GET'."""
    verb, _, path = key.strip().partition(" ")
    if verb.upper() in _VERBS and path.startswith("/") and " " not in path:
        return f"{path.rstrip('/')}/{verb.upper()}"
    if is_route_key("/" + key):
        return "/" + key
    return None


_KEY_VALUE = re.compile(r"^[A-Za-z0-9]{20,128}$")


@rule("AGW506", name="api-key-value", severity=Severity.ERROR)
def api_key_value(api: ir.Api) -> Iterator[Finding]:
    """An API key value is not 20-128 letters and digits.

    What it checks: `x-apigwc.apiKeys.*.value` (when given) is 20 to 128 alphanumeric
    characters.

    Why: CreateApiKey rejects other values.

    Example:
        apiKeys: {partner: {value: secret}}

    Fix: a longer random value, or omit `value` to have one generated.
    """
    for key in api.api_keys.values():
        if key.value is not None and not _KEY_VALUE.match(key.value):
            # the value is a secret: describe it, never print it
            problem = (
                "has characters other than letters and digits"
                if re.search(r"[^A-Za-z0-9]", key.value)
                else f"has {len(key.value)} characters"
            )
            yield Finding(
                pointer=join(key.pointer, "value"),
                message=f"the value of API key '{key.name}' {problem}; API keys are 20 to 128 letters and digits",
                hint="omit value to let API Gateway generate one",
            )


@rule("AGW507", name="api-key-in-several-plans", severity=Severity.ERROR)
def api_key_in_several_plans(api: ir.Api) -> Iterator[Finding]:
    """An API key belongs to two usage plans that share a stage.

    What it checks: for each stage, an API key is a member of at most one usage plan.

    Why: CreateUsagePlanKey fails ("API Key is already associated with a usage plan for
    this stage"): API Gateway could not tell which plan's limits apply.

    Example:
        usagePlans:
          free: {stages: [prod], apiKeys: [alice]}
          pro:  {stages: [prod], apiKeys: [alice]}

    Fix: keep each key in one plan per stage.
    """
    owner: dict[tuple[str, str], str] = {}
    for plan in api.usage_plans.values():
        for stage in plan.stages:
            for i, key in enumerate(plan.api_keys):
                first = owner.setdefault((stage, key), plan.name)
                if first != plan.name:
                    yield Finding(
                        pointer=join(plan.pointer, "apiKeys", i),
                        message=f"API key '{key}' is in usage plans '{first}' and '{plan.name}', which both cover stage '{stage}'",
                        hint="a key may belong to one usage plan per stage",
                    )


@rule("AGW508", name="usage-plan-without-stages", severity=Severity.WARNING)
def usage_plan_without_stages(api: ir.Api) -> Iterator[Finding]:
    """A usage plan covers no stage.

    What it checks: every usage plan lists at least one stage.

    Why: API keys are accepted only on the stages of their plans; a plan without stages
    makes its keys useless (403 Forbidden everywhere).

    Example:
        usagePlans: {basic: {apiKeys: [alice]}}

    Fix: `stages: [prod]`.
    """
    for plan in api.usage_plans.values():
        if not plan.stages:
            yield Finding(
                pointer=plan.pointer,
                at_key=True,
                message=f"usage plan '{plan.name}' covers no stage; its keys work nowhere",
                hint="add stages: [STAGE]",
            )


@rule("AGW509", name="api-key-without-plan", severity=Severity.WARNING)
def api_key_without_plan(api: ir.Api) -> Iterator[Finding]:
    """Methods require an API key, but a stage has no usage plan with keys.

    What it checks: when some method requires an API key, every declared stage is covered
    by a usage plan that has at least one API key.

    Why: API Gateway accepts a key only if it belongs to a usage plan of the called stage;
    otherwise every call to those methods gets 403 Forbidden.

    Example:
        security: [{api_key: []}]
        x-apigwc: {stages: {prod: {}}}        # no usagePlans

    Fix: add a usage plan for the stage with the keys of your clients.
    """
    from .security import requires_api_key

    if not api.stages or not any(requires_api_key(api, op) for op in api.operations):
        return
    covered = {s for p in api.usage_plans.values() if p.api_keys for s in p.stages}
    with_keys = [p.name for p in api.usage_plans.values() if p.api_keys]
    for stage in api.stages.values():
        if stage.name not in covered:
            yield Finding(
                pointer=stage.pointer,
                at_key=True,
                message=f"methods require an API key, but no usage plan with keys covers stage '{stage.name}': every call gets 403",
                hint=f"add '{stage.name}' to the stages of usage plan '{with_keys[0]}'"
                if with_keys
                else "add x-apigwc.usagePlans.<plan> with stages: [" + stage.name + "] and apiKeys",
            )
