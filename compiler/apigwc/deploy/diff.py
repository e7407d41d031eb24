"""The ordered calls that take the live API to the desired one.

Both sides are in the planner's vocabulary (`create.Desired`, `read.Live`): for each node
the parameters of the call that creates it.  `normalize` removes what the service fills
in by itself (``passthroughBehavior`` WHEN_NO_MATCH, ``timeoutInMillis`` 29000, the
resource id as ``cacheNamespace``, an empty description...), so that equal means "the
call would change nothing".  Desired values are resolved with the live ids first
(`plan.partial`); a value that still holds a ref (a node this plan creates) differs.

What changes, and how (docs/deploy.md has the table):

* a method whose own settings differ is **replaced** (``delete_method``, then every put):
  ``put_method`` on an existing method is a ConflictException and moto has no
  ``update_method``;
* a method response that differs is deleted and put again; an integration that differs is
  put again (``put_integration`` replaces it) followed by every integration response;
  an integration response that differs is put again;
* resources no longer in the spec are deleted, children before parents;
* models, validators and authorizers are patched (``update_*``), created before the
  methods that use them and deleted after;
* stage variables, method settings, access logs and the deployment the stage serves
  are ``update_stage`` patch operations (``/variables/name``, ``/~1pets/GET/metrics/enabled``);
* a deployment is created when any API call is planned, or when the stage's deployment is
  not described ``apigwc <hash of the desired API>``: an unchanged API already served by
  the stage needs no deployment, so a second deploy makes no mutating call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from .. import gateway as gw
from ..planner import desired as c
from ..planner.calls import REST_API, ApiCall, Join, Plan, Ref, partial, resource_var, usage_plan_var
from ..planner.desired import Desired, MethodState
from .read import Live

_MISSING = object()

#: values the service stores when a parameter is not given
DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "rest_api": {"apiKeySource": "HEADER", "disableExecuteApiEndpoint": False},
    "method": {"apiKeyRequired": False},
    "integration": {
        "passthroughBehavior": gw.DEFAULT_PASSTHROUGH.value,
        "timeoutInMillis": gw.DEFAULT_TIMEOUT_MILLIS,
        "connectionType": gw.DEFAULT_CONNECTION_TYPE.value,
        "responseTransferMode": gw.DEFAULT_RESPONSE_TRANSFER_MODE,
        "tlsConfig": {"insecureSkipVerification": False},
    },
    "authorizer": {"authorizerResultTtlInSeconds": gw.DEFAULT_AUTHORIZER_TTL},
}
_TEMPLATES = ("requestTemplates", "responseTemplates")
#: parameters that are not settings of the node (tags are managed separately)
_IGNORED = ("tags", "restApiId", "resourceId", "httpMethod")


def normalize(kind: str, params: Mapping[str, Any] | None) -> dict | None:
    """Params without what the service fills in by itself, for comparison."""
    if params is None:
        return None
    defaults = DEFAULTS.get(kind, {})
    out: dict[str, Any] = {}
    for k, v in params.items():
        if k in _IGNORED or v is None or v == {} or v == [] or (k == "description" and v == ""):
            continue
        if defaults.get(k, _MISSING) == v:
            continue
        if k in _TEMPLATES and isinstance(v, dict):
            v = {t: ("" if x is None else x) for t, x in v.items()}
        out[k] = v
    return out


@dataclass
class Changes:
    """The plan that converges, and what the deploy should say besides."""

    plan: Plan
    notes: list[str] = field(default_factory=list)
    #: functions a permission is for that do not exist (their permissions are skipped)
    missing_functions: list[str] = field(default_factory=list)

    @property
    def mutating(self) -> int:
        return sum(1 for call in self.plan if call.mutating)


class _Differ:
    def __init__(self, d: Desired, live: Live, context: Mapping[str, str]) -> None:
        self.d = d
        self.live = live
        self.known = {**context, **live.variables}
        self.notes: list[str] = []

    def value(self, v: Any) -> Any:
        return partial(v, self.known)

    # -- the API -------------------------------------------------------------------------

    def rest_api_ops(self) -> list[dict]:
        want = normalize("rest_api", self.value(self.d.rest_api)) or {}
        have = normalize("rest_api", self.live.rest_api) or {}
        if "policy" in have and self.live.rest_api_id:
            # the service stores execute-api:/ resources expanded to the API's ARN
            prefix = f"arn:{self.known.get('aws:partition', 'aws')}:execute-api:{self.known.get('aws:region', '')}:{self.known.get('aws:accountId', '')}:{self.live.rest_api_id}/"
            have["policy"] = json.dumps(
                json.loads(have["policy"].replace(prefix, "execute-api:/")), separators=(",", ":"), ensure_ascii=False
            )
            if "policy" in want:
                want["policy"] = json.dumps(json.loads(want["policy"]), separators=(",", ":"), ensure_ascii=False)
        ops: list[dict] = []
        for key in (
            "name",
            "description",
            "apiKeySource",
            "minimumCompressionSize",
            "policy",
            "disableExecuteApiEndpoint",
            "securityPolicy",
            "endpointAccessMode",
        ):
            if want.get(key) != have.get(key):
                value = want.get(key)
                ops.append(
                    {"op": "replace", "path": f"/{key}", "value": "" if value is None else c._patch_value(value)}
                )
        for t in sorted(set(want.get("binaryMediaTypes", [])) - set(have.get("binaryMediaTypes", []))):
            ops.append({"op": "add", "path": "/binaryMediaTypes/" + c.escape(t), "value": t})
        for t in sorted(set(have.get("binaryMediaTypes", [])) - set(want.get("binaryMediaTypes", []))):
            ops.append({"op": "remove", "path": "/binaryMediaTypes/" + c.escape(t), "value": t})
        want_types = (want.get("endpointConfiguration") or {}).get("types", [])
        have_types = (have.get("endpointConfiguration") or {}).get("types", [])
        if want_types and have_types and want_types != have_types:
            ops.append(
                {"op": "replace", "path": f"/endpointConfiguration/types/{have_types[0]}", "value": want_types[0]}
            )
        if want.get("version") != have.get("version"):
            self.notes.append(
                f"the API's version is {have.get('version')!r}, the spec says {want.get('version')!r}: "
                "API Gateway cannot change a RestApi's version, so it is left as it is"
            )
        return ops

    def api_calls(self) -> list[ApiCall]:
        """Every call inside the RestApi, in an order that keeps references valid."""
        d, live = self.d, self.live
        calls: list[ApiCall] = []
        ops = self.rest_api_ops()
        if ops:
            calls.append(c.apigw("update_rest_api", f"API {d.name}", {"restApiId": REST_API, "patchOperations": ops}))
        # models: create (referenced ones first), then patch the ones that changed
        later: list[ApiCall] = []
        for name, m in d.models.items():
            have = live.models.get(name)
            if have is None:
                calls.append(c.create_model(m, placeholder=name in d.cyclic_models))
                if name in d.cyclic_models:
                    later.append(c.update_model(m))
            elif not _same_model(self.value(m), have):
                calls.append(c.update_model(m, have))
        calls += later
        for name, v in d.validators.items():
            have = live.validators.get(name)
            if have is None:
                calls.append(c.create_validator(v))
            elif have != v:
                ops = [
                    {"op": "replace", "path": f"/{k}", "value": c._patch_value(v[k])}
                    for k in ("validateRequestBody", "validateRequestParameters")
                    if have.get(k) != v[k]
                ]
                calls.append(
                    c.apigw(
                        "update_request_validator",
                        f"request validator {name}",
                        {"restApiId": REST_API, "requestValidatorId": Ref(f"validator:{name}"), "patchOperations": ops},
                    )
                )
        for name, a in d.authorizers.items():
            have = live.authorizers.get(name)
            if have is None:
                calls.append(c.create_authorizer(a))
                continue
            want_a = normalize("authorizer", self.value(a)) or {}
            have_a = normalize("authorizer", have) or {}
            ops = []
            for k in sorted(set(want_a) | set(have_a)):
                if k == "providerARNs":
                    for arn in sorted(set(want_a.get(k, [])) - set(have_a.get(k, []))):
                        ops.append({"op": "add", "path": f"/providerARNs/{arn}"})
                    for arn in sorted(set(have_a.get(k, [])) - set(want_a.get(k, []))):
                        ops.append({"op": "remove", "path": f"/providerARNs/{arn}"})
                elif want_a.get(k) != have_a.get(k):
                    value = a.get(k, DEFAULTS["authorizer"].get(k, ""))
                    ops.append({"op": "replace", "path": f"/{k}", "value": c._patch_value(value)})
            if ops:
                calls.append(
                    c.apigw(
                        "update_authorizer",
                        f"authorizer {name}",
                        {"restApiId": REST_API, "authorizerId": Ref(f"authorizer:{name}"), "patchOperations": ops},
                    )
                )
        for path, (parent, part) in d.resources.items():
            if path not in live.resources:
                calls.append(c.create_resource(path, parent, part))
        for key in sorted(set(d.methods) | set(live.methods)):
            calls += self.method_calls(d.methods.get(key), live.methods.get(key))
        gone = [p for p in live.resources if p != "/" and p not in d.resources]
        # children before parents (deeper paths first)
        for path in sorted(gone, key=lambda p: (-p.count("/"), p)):
            calls.append(
                c.apigw("delete_resource", path, {"restApiId": REST_API, "resourceId": Ref(resource_var(path))})
            )
        for t, r in d.gateway_responses.items():
            if normalize("gateway_response", self.value(r)) != normalize(
                "gateway_response", live.gateway_responses.get(t)
            ):
                calls.append(c.put_gateway_response(r))
        for t in sorted(set(live.gateway_responses) - set(d.gateway_responses)):
            calls.append(
                c.apigw("delete_gateway_response", f"gateway response {t}", {"restApiId": REST_API, "responseType": t})
            )
        # what methods no longer use goes last
        for name in sorted(set(live.authorizers) - set(d.authorizers)):
            calls.append(
                c.apigw(
                    "delete_authorizer",
                    f"authorizer {name}",
                    {"restApiId": REST_API, "authorizerId": Ref(f"authorizer:{name}")},
                )
            )
        for name in sorted(set(live.validators) - set(d.validators)):
            calls.append(
                c.apigw(
                    "delete_request_validator",
                    f"request validator {name}",
                    {"restApiId": REST_API, "requestValidatorId": Ref(f"validator:{name}")},
                )
            )
        for name in sorted(set(live.models) - set(d.models) - set(gw.BUILTIN_MODELS)):
            calls.append(c.apigw("delete_model", f"model {name}", {"restApiId": REST_API, "modelName": name}))
        return calls

    def method_calls(self, want: MethodState | None, have: MethodState | None) -> list[ApiCall]:
        if want is None:
            assert have is not None
            if have.path not in self.d.resources and have.path != "/":
                return []  # the resource goes, and its methods with it
            return [_delete(have, "delete_method", have.label)]
        if have is None:
            return c.method_calls(want)
        if normalize("method", self.value(want.method)) != normalize("method", have.method):
            return [_delete(have, "delete_method", have.label), *c.method_calls(want)]
        calls: list[ApiCall] = []
        ir_want = {s: normalize("integration_response", self.value(r)) for s, r in want.integration_responses.items()}
        ir_have = {s: normalize("integration_response", r) for s, r in have.integration_responses.items()}
        for s in sorted(set(ir_have) - set(ir_want)):
            calls.append(_delete(have, "delete_integration_response", f"{have.label} {s}", statusCode=s))
        mr_want = {s: normalize("method_response", self.value(r)) for s, r in want.responses.items()}
        mr_have = {s: normalize("method_response", r) for s, r in have.responses.items()}
        for s in sorted(mr_have):
            if mr_want.get(s) != mr_have[s]:
                calls.append(_delete(have, "delete_method_response", f"{have.label} {s}", statusCode=s))
        for s in sorted(mr_want):
            if mr_want[s] != mr_have.get(s):
                calls.append(c.put_method_response(want, s))
        if want.integration is None:
            if have.integration is not None:
                calls.append(_delete(have, "delete_integration", have.label))
            return calls
        if normalize("integration", self.value(want.integration)) != normalize("integration", have.integration):
            # put_integration replaces the integration: put every integration response again
            calls.append(c.put_integration(want))
            calls += [c.put_integration_response(want, s) for s in sorted(want.integration_responses)]
            return calls
        for s in sorted(ir_want):
            if ir_want[s] != ir_have.get(s):
                calls.append(c.put_integration_response(want, s))
        return calls

    # -- the stage -----------------------------------------------------------------------

    def stage_calls(self, deploy: bool) -> list[ApiCall]:
        calls: list[ApiCall] = []
        for s in self.d.stages.values():
            have = self.live.stage
            if have is None:
                if deploy:
                    calls += c.create_stage(s)
                continue
            ops: list[dict] = []
            if deploy:
                ops.append({"op": "replace", "path": "/deploymentId", "value": Ref("deployment")})
            want = s.params
            if (want.get("description") or "") != (have.get("description") or ""):
                ops.append({"op": "replace", "path": "/description", "value": want.get("description", "")})
            wv = self.value(want.get("variables", {}))
            hv = have.get("variables") or {}
            for k in sorted(wv):
                if hv.get(k) != wv[k]:
                    ops.append({"op": "replace", "path": f"/variables/{c.escape(k)}", "value": want["variables"][k]})
            for k in sorted(set(hv) - set(wv)):
                ops.append({"op": "remove", "path": f"/variables/{c.escape(k)}"})
            for key in ("tracingEnabled", "cacheClusterEnabled"):
                if bool(want.get(key)) != bool(have.get(key)):
                    ops.append({"op": "replace", "path": f"/{key}", "value": c._patch_value(bool(want.get(key)))})
            if (
                want.get("cacheClusterEnabled")
                and want.get("cacheClusterSize")
                and want.get("cacheClusterSize") != have.get("cacheClusterSize")
            ):
                ops.append({"op": "replace", "path": "/cacheClusterSize", "value": want["cacheClusterSize"]})
            live_settings = {
                key: {suffix: entry[name] for suffix, name in c.METHOD_SETTING_KEYS.items() if name in entry}
                for key, entry in (have.get("methodSettings") or {}).items()
            }
            resolved = c.StageState(
                name=s.name, params=s.params, method_settings=s.method_settings, access_log=self.value(s.access_log)
            )
            ops += c.stage_setting_ops(resolved, live_settings, have.get("accessLogSettings") or None)
            if ops:
                calls.append(c.update_stage(s.name, ops))
            tags = {k: v for k, v in want.get("tags", {}).items() if (have.get("tags") or {}).get(k) != v}
            if tags:
                calls.append(
                    c.apigw("tag_resource", f"stage {s.name}", {"resourceArn": c.stage_arn(s.name), "tags": tags})
                )
        return calls

    # -- API keys, usage plans -----------------------------------------------------------

    def account_calls(self) -> list[ApiCall]:
        d, live = self.d, self.live
        calls: list[ApiCall] = []
        replaced: set[str] = set()
        for name, k in d.api_keys.items():
            have = live.api_keys.get(name)
            if have is None:
                calls.append(c.create_api_key(k))
                continue
            if "value" in k and have.get("value") != k["value"]:
                # a key's value cannot be changed: replace the key
                self.notes.append(
                    f"API key '{name}' gets a new value: the key is replaced (its usage plans get the new one)"
                )
                calls.append(c.apigw("delete_api_key", f"API key {name}", {"apiKey": Ref(f"apiKey:{name}")}))
                calls.append(c.create_api_key(k))
                replaced.add(name)
                continue
            ops = []
            if bool(have.get("enabled")) != k["enabled"]:
                ops.append({"op": "replace", "path": "/enabled", "value": c._patch_value(k["enabled"])})
            for key in ("description", "customerId"):
                if (have.get(key) or "") != (k.get(key) or ""):
                    ops.append({"op": "replace", "path": f"/{key}", "value": k.get(key, "")})
            if ops:
                calls.append(
                    c.apigw(
                        "update_api_key", f"API key {name}", {"apiKey": Ref(f"apiKey:{name}"), "patchOperations": ops}
                    )
                )
        key_ids = {name: live.api_keys[name]["id"] for name in live.api_keys}
        api_id = live.rest_api_id
        stages = list(d.stages)
        for name, p in d.usage_plans.items():
            have = live.usage_plans.get(name)
            if have is None:
                calls.append(c.create_usage_plan(p))
                calls += [c.create_usage_plan_key(name, k) for k in d.plan_keys.get(name, ())]
                continue
            ops = self.usage_plan_ops(p, have, api_id, stages)
            if ops:
                calls.append(
                    c.apigw(
                        "update_usage_plan",
                        f"usage plan {name}",
                        {"usagePlanId": Ref(usage_plan_var(name)), "patchOperations": ops},
                    )
                )
            members = live.plan_keys.get(name, set())
            for k in d.plan_keys.get(name, ()):
                if k in replaced or key_ids.get(k) not in members:
                    calls.append(c.create_usage_plan_key(name, k))
            for k in sorted(d.declared_keys - set(d.plan_keys.get(name, ()))):
                if k in key_ids and key_ids[k] in members:
                    calls.append(
                        c.apigw(
                            "delete_usage_plan_key",
                            f"usage plan {name} key {k}",
                            {"usagePlanId": Ref(usage_plan_var(name)), "keyId": Ref(f"apiKey:{k}")},
                        )
                    )
        # plans of this API that no longer serve the stage
        for name, have in sorted(live.usage_plans.items()):
            if name in d.usage_plans or api_id is None:
                continue
            ops = [
                {"op": "remove", "path": "/apiStages", "value": f"{api_id}:{s['stage']}"}
                for s in have.get("apiStages", [])
                if s.get("apiId") == api_id and s.get("stage") in stages
            ]
            if ops:
                calls.append(
                    c.apigw(
                        "update_usage_plan",
                        f"usage plan {name}",
                        {"usagePlanId": Ref(usage_plan_var(name)), "patchOperations": ops},
                    )
                )
        return calls

    def usage_plan_ops(self, p: dict, have: dict, api_id: str | None, stages: list[str]) -> list[dict]:
        ops: list[dict] = []
        if (p.get("description") or "") != (have.get("description") or ""):
            ops.append({"op": "replace", "path": "/description", "value": p.get("description", "")})
        for part, keys in (("throttle", ("burstLimit", "rateLimit")), ("quota", ("limit", "offset", "period"))):
            want, got = p.get(part), have.get(part) or {}
            if want is None:
                if got:
                    ops.append({"op": "remove", "path": f"/{part}"})
                continue
            for k in keys:
                if k in want and str(want[k]) != str(got.get(k)) and not _same_number(want[k], got.get(k)):
                    ops.append({"op": "replace", "path": f"/{part}/{k}", "value": str(want[k])})
        live_stages = {
            s.get("stage"): s for s in have.get("apiStages", []) if api_id is not None and s.get("apiId") == api_id
        }
        for entry in p.get("apiStages", []):
            stage = entry["stage"]
            ref = Join.of(REST_API, ":", stage)
            current = live_stages.get(stage)
            if current is None:
                ops.append({"op": "add", "path": "/apiStages", "value": ref})
            throttle = entry.get("throttle", {})
            got = (current or {}).get("throttle") or {}
            for method, limits in throttle.items():
                for k, v in limits.items():
                    if not _same_number(v, (got.get(method) or {}).get(k)):
                        path = Join.of(
                            "/apiStages/",
                            ref,
                            "/throttle/",
                            c.escape(method.rsplit("/", 1)[0]),
                            "/",
                            method.rsplit("/", 1)[1],
                            f"/{k}",
                        )
                        ops.append({"op": "replace", "path": path, "value": str(v)})
        for stage in stages:
            if stage in live_stages and not any(e["stage"] == stage for e in p.get("apiStages", [])):
                ops.append({"op": "remove", "path": "/apiStages", "value": f"{api_id}:{stage}"})
        return ops

    # -- Lambda permissions --------------------------------------------------------------

    def permission_calls(self) -> tuple[list[ApiCall], list[str]]:
        d, live = self.d, self.live
        calls: list[ApiCall] = []
        missing: list[str] = []
        wanted_sids: set[str] = set()
        for p in d.permissions.values():
            sid = self.value(p.statement_id)
            if isinstance(sid, str):
                wanted_sids.add(sid)
        for p in d.permissions_for(d.stages).values():
            function = self.value(p.function)
            if function in live.missing_functions:
                missing.append(function)
                continue
            statements = live.policies.get(function, {}) if isinstance(function, str) else {}
            sid = self.value(p.statement_id)
            source = self.value(p.source_arn)
            if isinstance(sid, str) and sid in statements:
                if statements[sid] == source:
                    continue
                calls.append(c.remove_permission(p.function, sid, f"Lambda permission {p.id}"))
            calls.append(c.add_permission(p))
        if live.rest_api_id is not None:
            prefix = f"{c.SID_PREFIX}{live.rest_api_id}-"
            for function, statements in sorted(live.policies.items()):
                for sid in sorted(statements):
                    if sid.startswith(prefix) and sid not in wanted_sids:
                        calls.append(
                            c.remove_permission(function, sid, f"Lambda permission {sid.removeprefix(prefix)}")
                        )
        return calls, sorted(set(missing))


def _delete(m: MethodState, operation: str, target: str, **extra: str) -> ApiCall:
    return c.apigw(
        operation,
        target,
        {"restApiId": REST_API, "resourceId": Ref(resource_var(m.path)), "httpMethod": m.verb, **extra},
    )


def _same_model(want: dict, have: dict) -> bool:
    if want.get("contentType") != have.get("contentType") or (want.get("description") or "") != (
        have.get("description") or ""
    ):
        return False
    schema = want.get("schema")
    if not isinstance(schema, str):
        return False
    try:
        return json.loads(schema) == json.loads(have.get("schema") or "null")
    except ValueError:
        return False


def _same_number(a: Any, b: Any) -> bool:
    try:
        return b is not None and float(a) == float(b)
    except (TypeError, ValueError):
        return False


def plan_changes(d: Desired, live: Live, context: Mapping[str, str]) -> Changes:
    """The calls that converge ``live`` to ``d`` (one stage), in order."""
    differ = _Differ(d, live, context)
    calls: list[ApiCall] = []
    if live.rest_api_id is None:
        calls.append(c.create_rest_api(d))
        api_calls = c.api_calls_from_nothing(d)
    else:
        api_calls = differ.api_calls()
    calls += api_calls
    deploy = (
        bool(d.methods)
        and bool(d.stages)
        and (
            live.rest_api_id is None
            or bool(api_calls)
            or live.stage is None
            or live.stage_deployment != d.deployment_description
        )
    )
    if not d.methods:
        differ.notes.append(
            "the API has no methods: there is nothing to deploy to a stage (a deployment needs at least one method)"
        )
    if deploy:
        calls.append(c.create_deployment(d))
    calls += differ.stage_calls(deploy)
    calls += differ.account_calls()
    permission_calls, missing = differ.permission_calls()
    calls += permission_calls
    return Changes(plan=tuple(calls), notes=differ.notes, missing_functions=missing)
