"""Read the live API into the planner's vocabulary: the parameters of the calls that create each node.

`read_live` finds the RestApi apigwc deployed before (the one tagged ``apigwc:api=<slug>``),
then reads its resources with their methods (``get_resources(embed=["methods"])``, which
holds each method, its method responses, integration and integration responses), models,
request validators, authorizers, customized gateway responses, the stage being deployed
and the description of its deployment, the API keys and usage plans the spec names, and
the resource policy of every Lambda function the spec invokes.

Each node becomes the same dict `create.desired_state` builds (``put_integration``
parameters for an integration...), with ids as the live values; `diff.normalize` then
makes both sides comparable (defaults the service fills, empty templates...).
Everything read here is a read (``get_*``): reading never changes anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from ..planner.calls import REST_API, api_key_var, authorizer_var, resource_var, usage_plan_var, validator_var
from ..planner.desired import API_TAG, MethodState
from .executor import Caller, DeployError, function_region

_METHOD_KEYS = (
    "authorizationType",
    "authorizerId",
    "apiKeyRequired",
    "operationName",
    "requestParameters",
    "requestModels",
    "requestValidatorId",
    "authorizationScopes",
)
_INTEGRATION_KEYS = (
    "type",
    "uri",
    "connectionType",
    "connectionId",
    "credentials",
    "requestParameters",
    "requestTemplates",
    "passthroughBehavior",
    "cacheNamespace",
    "cacheKeyParameters",
    "contentHandling",
    "timeoutInMillis",
    "tlsConfig",
    "responseTransferMode",
    "integrationTarget",
)
_INTEGRATION_RESPONSE_KEYS = (
    "statusCode",
    "selectionPattern",
    "responseParameters",
    "responseTemplates",
    "contentHandling",
)
_AUTHORIZER_KEYS = (
    "name",
    "type",
    "authorizerUri",
    "authorizerCredentials",
    "identitySource",
    "identityValidationExpression",
    "authorizerResultTtlInSeconds",
    "providerARNs",
    "authType",
)
_REST_API_KEYS = (
    "name",
    "description",
    "version",
    "binaryMediaTypes",
    "minimumCompressionSize",
    "apiKeySource",
    "endpointConfiguration",
    "policy",
    "disableExecuteApiEndpoint",
    "securityPolicy",
    "endpointAccessMode",
)


@dataclass
class Live:
    """What exists now, in the planner's vocabulary; ids are in `variables`."""

    rest_api_id: str | None = None
    rest_api: dict = field(default_factory=dict)
    #: plan variables with live values: restApi, resource:/path, authorizer:name...
    variables: dict[str, str] = field(default_factory=dict)
    models: dict[str, dict] = field(default_factory=dict)
    validators: dict[str, dict] = field(default_factory=dict)
    authorizers: dict[str, dict] = field(default_factory=dict)
    #: path -> resource id (the root included)
    resources: dict[str, str] = field(default_factory=dict)
    methods: dict[tuple[str, str], MethodState] = field(default_factory=dict)
    #: customized gateway responses (the defaults the service lists are left out)
    gateway_responses: dict[str, dict] = field(default_factory=dict)
    #: get_stage's answer, or None
    stage: dict | None = None
    #: the description of the deployment the stage serves
    stage_deployment: str | None = None
    #: name -> get_api_keys item (with its value)
    api_keys: dict[str, dict] = field(default_factory=dict)
    #: name -> get_usage_plans item
    usage_plans: dict[str, dict] = field(default_factory=dict)
    #: usage plan name -> ids of its keys
    plan_keys: dict[str, set[str]] = field(default_factory=dict)
    #: function -> statement id -> SourceArn (statements for API Gateway only)
    policies: dict[str, dict[str, str]] = field(default_factory=dict)
    #: functions that do not exist
    missing_functions: set[str] = field(default_factory=set)


def _items(caller: Caller, operation: str, label: str, **params: Any) -> Iterator[dict]:
    """Every item of a paginated API Gateway list (``position`` tokens)."""
    position = None
    while True:
        page = caller.call("apigateway", operation, {**params, **({"position": position} if position else {})}, label)
        yield from page.get("items", [])
        position = page.get("position")
        if not position:
            return


def find_api(caller: Caller, slug: str) -> dict | None:
    """The RestApi tagged ``apigwc:api=<slug>``, or None; more than one is an error."""
    found = [
        a
        for a in _items(caller, "get_rest_apis", "get_rest_apis (finding the API)", limit=500)
        if (a.get("tags") or {}).get(API_TAG) == slug
    ]
    if len(found) > 1:
        ids = ", ".join(sorted(a["id"] for a in found))
        raise DeployError(
            f"several REST APIs are tagged {API_TAG}={slug} ({ids}); delete the extra ones or remove their tag"
        )
    return found[0] if found else None


def _pick(data: Mapping[str, Any], keys: tuple[str, ...]) -> dict:
    return {k: data[k] for k in keys if k in data}


def read_live(
    caller: Caller,
    slug: str,
    stage: str,
    key_names: tuple[str, ...],
    plan_names: tuple[str, ...],
    functions: tuple[str, ...],
) -> Live:
    """Read everything the deploy of ``slug`` to ``stage`` may touch."""
    live = Live()
    api = find_api(caller, slug)
    if api is not None:
        _read_api(caller, api, stage, live)
    _read_account(caller, slug, key_names, plan_names, live)
    for fn in functions:
        _read_policy(caller, fn, live)
    return live


def _read_api(caller: Caller, api: dict, stage: str, live: Live) -> None:
    api_id = api["id"]
    live.rest_api_id = api_id
    live.rest_api = _pick(api, _REST_API_KEYS)
    live.variables[REST_API.name] = api_id
    ids = {"restApiId": api_id}
    resources = list(_items(caller, "get_resources", "get_resources", embed=["methods"], limit=500, **ids))
    for r in resources:
        live.resources[r["path"]] = r["id"]
        live.variables[resource_var(r["path"])] = r["id"]
    for m in _items(caller, "get_models", "get_models", limit=500, **ids):
        live.models[m["name"]] = _pick(m, ("name", "contentType", "schema", "description"))
    for v in _items(caller, "get_request_validators", "get_request_validators", limit=500, **ids):
        live.validators[v["name"]] = {
            "name": v["name"],
            "validateRequestBody": bool(v.get("validateRequestBody")),
            "validateRequestParameters": bool(v.get("validateRequestParameters")),
        }
        live.variables[validator_var(v["name"])] = v["id"]
    for a in _items(caller, "get_authorizers", "get_authorizers", limit=500, **ids):
        live.authorizers[a["name"]] = _pick(a, _AUTHORIZER_KEYS)
        live.variables[authorizer_var(a["name"])] = a["id"]
    for r in resources:
        for verb, m in (r.get("resourceMethods") or {}).items():
            live.methods[(r["path"], verb)] = _method(r, verb, m)
    for g in _items(caller, "get_gateway_responses", "get_gateway_responses", limit=500, **ids):
        if not g.get("defaultResponse"):
            live.gateway_responses[g["responseType"]] = _pick(
                g, ("responseType", "statusCode", "responseParameters", "responseTemplates")
            )
    try:
        live.stage = caller.call("apigateway", "get_stage", {**ids, "stageName": stage}, f"get_stage {stage}")
    except DeployError as exc:
        if "NotFoundException" not in str(exc):
            raise
        live.stage = None
    if live.stage is not None and live.stage.get("deploymentId"):
        try:
            d = caller.call(
                "apigateway",
                "get_deployment",
                {**ids, "deploymentId": live.stage["deploymentId"]},
                f"get_deployment of stage {stage}",
            )
            live.stage_deployment = d.get("description")
        except DeployError as exc:
            if "NotFoundException" not in str(exc):
                raise


def _method(resource: dict, verb: str, m: dict) -> MethodState:
    integration = None
    integration_responses: dict[str, dict] = {}
    mi = m.get("methodIntegration")
    if mi is not None:
        integration = _pick(mi, _INTEGRATION_KEYS)
        if "httpMethod" in mi:
            integration["integrationHttpMethod"] = mi["httpMethod"]
        if integration.get("cacheNamespace") == resource["id"]:
            del integration["cacheNamespace"]  # the service's default: the resource id
        for status, r in (mi.get("integrationResponses") or {}).items():
            integration_responses[status] = _pick(r, _INTEGRATION_RESPONSE_KEYS)
    return MethodState(
        path=resource["path"],
        verb=verb,
        method=_pick(m, _METHOD_KEYS),
        responses={
            s: _pick(r, ("statusCode", "responseParameters", "responseModels"))
            for s, r in (m.get("methodResponses") or {}).items()
        },
        integration=integration,
        integration_responses=integration_responses,
    )


def _read_account(
    caller: Caller, slug: str, key_names: tuple[str, ...], plan_names: tuple[str, ...], live: Live
) -> None:
    for name in key_names:
        # nameQuery is a prefix match: keep exact names only
        found = [
            k
            for k in _items(
                caller, "get_api_keys", f"get_api_keys {name}", nameQuery=name, includeValues=True, limit=500
            )
            if k.get("name") == name
        ]
        if len(found) > 1:
            tagged = [k for k in found if (k.get("tags") or {}).get(API_TAG) == slug]
            if len(tagged) != 1:
                ids = ", ".join(sorted(k["id"] for k in found))
                raise DeployError(
                    f"several API keys are named '{name}' ({ids}); apigwc matches keys by name: rename or delete the extra ones"
                )
            found = tagged
        if found:
            live.api_keys[name] = found[0]
            live.variables[api_key_var(name)] = found[0]["id"]
    wanted = set(plan_names)
    for p in _items(caller, "get_usage_plans", "get_usage_plans", limit=500):
        mine = (p.get("tags") or {}).get(API_TAG) == slug
        if p.get("name") in wanted or mine:
            name = p["name"]
            if name in live.usage_plans:
                raise DeployError(
                    f"several usage plans are named '{name}'; apigwc matches plans by name: rename or delete the extra ones"
                )
            live.usage_plans[name] = p
            live.variables[usage_plan_var(name)] = p["id"]
            live.plan_keys[name] = {
                k["id"]
                for k in _items(
                    caller, "get_usage_plan_keys", f"get_usage_plan_keys {name}", usagePlanId=p["id"], limit=500
                )
            }


def _read_policy(caller: Caller, function: str, live: Live) -> None:
    region = function_region(function)
    try:
        answer = caller.call(
            "lambda", "get_policy", {"FunctionName": function}, f"get_policy of {function}", region=region
        )
    except DeployError as exc:
        if "ResourceNotFoundException" not in str(exc):
            raise
        # no policy yet, or no function at all
        try:
            caller.call("lambda", "get_function", {"FunctionName": function}, f"get_function {function}", region=region)
        except DeployError as exc2:
            if "ResourceNotFoundException" not in str(exc2):
                raise
            live.missing_functions.add(function)
        live.policies[function] = {}
        return
    statements = json.loads(answer.get("Policy") or "{}").get("Statement", [])
    out: dict[str, str] = {}
    for s in statements:
        source = ((s.get("Condition") or {}).get("ArnLike") or {}).get("AWS:SourceArn", "")
        if s.get("Sid"):
            out[s["Sid"]] = source
    live.policies[function] = out
