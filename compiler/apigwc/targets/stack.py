"""One deployable stack: the user's template with each API replaced by apigwc's CloudFormation.

`emit_stack` takes the template as the user wrote it (intrinsics unresolved) and the
gateway model of each of its APIs (keyed by the API's logical id), and returns the whole
template again with:

* each API's resources (an ``AWS::Serverless::Api``, SAM's implicit ``ServerlessRestApi``,
  or an ``AWS::ApiGateway::RestApi`` and the explicit ``AWS::ApiGateway::*`` resources
  that belong to it) replaced by what the CloudFormation target (`apigwc.targets.cfn`)
  generates for its gateway model, in either style.  The RestApi keeps the API's
  logical id, so ``!Ref Api`` / ``${ServerlessRestApi}`` elsewhere in the template still
  work; a lifted explicit resource keeps its own logical id where the generated one
  stands for it (the method for ``GET /pets`` stays ``GetPetsMethod``), so references to
  it stay valid and CloudFormation updates rather than replaces it; every other
  generated id is prefixed with the API's logical id;
* function ARNs of the template written back as references: a literal
  ``arn:...:function:HelloFunction`` (what local resolution made of ``!GetAtt
  HelloFunction.Arn``) becomes ``${HelloFunction.Arn}`` again, and the invoke URI uses
  ``${AWS::Partition}`` / ``${AWS::Region}``;
* values the template source resolved for the local checks (`apigwc.intrinsics.Resolved`:
  ``!Ref Stage``, a ``!Sub`` with ``${Env}``, an ``!If``) written back as the intrinsics they
  came from, so the stack follows its parameters;
* what the replaced resources hold beyond the gateway model (as CloudFormation creates them:
  after includes and the SAM transform) carried over verbatim, or reported (AGW910), property
  by property of CloudFormation's resource schema (`PROPERTY_FATE`), a stage's settings whole
  (a hand-written Deployment's ``StageDescription`` onto the stage it creates); the custom domain
  resources SAM generates for an API's ``Domain`` kept, pointing at the replacement;
* SAM ``Events`` of ``Type: Api`` that attached functions to a replaced API removed (the
  generated ``AWS::Lambda::Permission``\\ s grant what SAM's per-event permissions granted);
* every other resource, parameter, condition, mapping and output untouched, except that
  references to a removed resource are pointed at the resource that replaced it;
* the SAM transform (and ``Globals``) kept only while ``AWS::Serverless::*`` resources remain.

The result is JSON-shaped; ``serialize`` from `apigwc.targets.base` writes it.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Mapping

from .. import gateway as gw
from ..diagnostics import Diagnostics
from ..intrinsics import Intrinsic, Resolved, Value, is_intrinsic, written_back
from ..target_codes import PROPERTY_DROPPED
from ..template.explicit import stage_of_description
from .base import CfnStyle, EmitOptions
from .cfn import REST_API, Enclosing, build_template

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
IMPLICIT_API = "ServerlessRestApi"
_FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
_LAMBDA_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:(?P<name>[A-Za-z0-9_-]+)(?::(?P<qualifier>[A-Za-z0-9_$-]+))?$"
)
_SUB_VAR = re.compile(r"\$\{([A-Za-z0-9]+)(\.[^}]*)?\}")


@dataclass
class StackOutput:
    """The stack, and what the targets found."""

    stack: dict
    #: the CloudFormation target's diagnostics (AGW9xx) of each API by its logical id; their
    #: pointers are into that API's document (locate them with its sources)
    per_api: dict[str, Diagnostics]
    #: the stack's own (AGW910), by API logical id; their pointers are into the template
    in_template: dict[str, Diagnostics]


def emit_stack(
    template: Mapping[str, Any],
    apis: Mapping[str, gw.Gateway],
    style: str | CfnStyle = CfnStyle.explicit,
    deployed: Mapping[str, Any] | None = None,
) -> dict:
    """The user's template with each API in ``apis`` replaced by apigwc's resources (see the module doc)."""
    return emit_template_stack(template, apis, style, deployed).stack


def emit_stack_with_diagnostics(
    template: Mapping[str, Any], apis: Mapping[str, gw.Gateway], style: str | CfnStyle = CfnStyle.explicit
) -> tuple[dict, dict[str, Diagnostics]]:
    """`emit_stack`, and the CloudFormation target's diagnostics (AGW9xx) of each API by its logical id."""
    out = emit_template_stack(template, apis, style)
    return out.stack, out.per_api


def emit_template_stack(
    template: Mapping[str, Any],
    apis: Mapping[str, gw.Gateway],
    style: str | CfnStyle = CfnStyle.explicit,
    deployed: Mapping[str, Any] | None = None,
    resolved: Mapping[str, Mapping[str, Resolved]] | None = None,
) -> StackOutput:
    """The stack and its findings.  ``deployed``: the template's resources as CloudFormation
    creates them (after includes and the SAM transform; the template's own when None): what
    each API's replaced resources hold beyond the gateway model is carried over from there
    (`PROPERTY_FATE`), and the resources SAM generates for an API's ``Domain`` are kept.
    ``resolved``: for each API, the local values of its ``Domain``'s intrinsics (the SAM
    transform resolves some parameters itself: they are written back)."""
    style = CfnStyle(style)
    found: dict[str, Diagnostics] = {}
    in_template: dict[str, Diagnostics] = {}
    user_resources: Mapping[str, Any] = template.get("Resources") or {}
    source: Mapping[str, Any] = deployed if deployed is not None else user_resources
    out: dict[str, Any] = copy.deepcopy(dict(template))
    resources: dict[str, Any] = out.setdefault("Resources", {})
    enclosing = _enclosing(out, apis)
    functions = _functions(resources)
    renames: dict[str, str] = {}  # removed user logical id -> the id that replaces it
    generated: dict[str, Any] = {}
    new_outputs: dict[str, Any] = {}
    new_parameters: dict[str, Any] = {}
    new_conditions: dict[str, Any] = {}
    for api_id in sorted(apis):
        gateway = _with_template_functions(apis[api_id], functions)
        diags = found[api_id] = Diagnostics()
        built = _restore(build_template(gateway, EmitOptions(cfn_style=style), diags, enclosing))
        members = _members(template, api_id, gateway)
        # usage plans, API keys and their links the user wrote stay as written (with their
        # tags and every property the gateway model does not carry); the generated ones go
        for lid, key in list(members.items()):
            if key.startswith(_KEPT):
                del members[lid]
        _drop_user_written(built["Resources"], resources, api_id)
        ids = _final_ids(built["Resources"], api_id, gateway, members, set(resources) | set(generated))
        for lid in members:
            gen = _generated_id(gateway, members[lid], built["Resources"])
            if lid in resources and lid != api_id and gen in built["Resources"]:
                # (the body style has no Resource or Method resources: references to those stay unresolved)
                renames[lid] = ids[gen]
        own = (template.get("Resources") or {}).get(api_id)
        is_rest_api = isinstance(own, dict) and own.get("Type") == "AWS::ApiGateway::RestApi"
        if not is_rest_api:
            renames.update(_sam_names(api_id, gateway, built["Resources"], ids))
        for lid in members:
            resources.pop(lid, None)
        if api_id in resources and resources[api_id].get("Type") in (
            "AWS::Serverless::Api",
            "AWS::ApiGateway::RestApi",
        ):
            resources.pop(api_id)
        attributes = _api_attributes(own)
        kept = _sam_domain(source, user_resources, api_id) if not is_rest_api else {}
        replaced = _replaced(source, user_resources, api_id, gateway, built["Resources"])
        renames.update({lid: ids[gen] for lid, gen in replaced.items() if lid not in user_resources and lid != api_id})
        dropped = in_template[api_id] = Diagnostics()
        _check_sam_api(template, api_id, dropped)
        for old, res in built["Resources"].items():
            res = _rename(res, ids)
            if attributes.get("Condition"):
                res = {
                    "Type": res["Type"],
                    "Condition": attributes["Condition"],
                    **{k: v for k, v in res.items() if k != "Type"},
                }
            if old == REST_API:
                res.update({k: v for k, v in attributes.items() if k != "Condition"})
            generated[ids[old]] = res
        for lid, gen in replaced.items():
            src = source[lid]
            if lid not in user_resources and _type(src) == "AWS::ApiGateway::Deployment":
                # (SAM's deployment describes itself by its own hash: apigwc's snapshot replaces it)
                src = {**src, "Properties": {k: v for k, v in src["Properties"].items() if k != "Description"}}
            _carry(src, generated[ids[gen]], style, _where(template, api_id, lid), dropped)
        for lid, gen in _described(source, api_id, gateway, built["Resources"]).items():
            described = {
                "Type": "AWS::ApiGateway::Stage",
                "Label": "AWS::ApiGateway::Deployment StageDescription",
                "Properties": stage_of_description(source[lid]["Properties"]["StageDescription"]),
            }
            _carry(described, generated[ids[gen]], style, _where(template, api_id, lid, "StageDescription"), dropped)
        if not is_rest_api:
            _sam_usage_plan(template, api_id, [generated[ids[old]] for old in built["Resources"]])
        for lid in kept:
            res = _written_back(source[lid], (resolved or {}).get(api_id) or {})
            if attributes.get("Condition") and "Condition" not in res:
                res["Condition"] = attributes["Condition"]
            generated[lid] = res
        for name, output in built.get("Outputs", {}).items():
            if name != "RestApiId":
                new_outputs[api_id + name] = {
                    **_rename(output, ids),
                    **({"Condition": attributes["Condition"]} if attributes.get("Condition") else {}),
                }
        new_parameters.update(built.get("Parameters", {}))
        new_conditions.update(built.get("Conditions", {}))
        _remove_api_events(resources, api_id)
    renames = {k: v for k, v in renames.items() if v}
    for lid in list(resources):
        resources[lid] = _rename(resources[lid], renames)
    # (a generated resource refers to a removed one only through a value written back from the template)
    resources.update({lid: _rename(res, renames) for lid, res in sorted(generated.items())})
    if "Outputs" in out:
        out["Outputs"] = _rename(out["Outputs"], renames)
    if new_outputs:
        outputs = out.setdefault("Outputs", {})
        for name, value in sorted(new_outputs.items()):
            outputs.setdefault(name, value)
    if new_parameters:
        params = out.setdefault("Parameters", {})
        for name, value in sorted(new_parameters.items()):
            params.setdefault(name, value)
    if new_conditions:
        conditions = out.setdefault("Conditions", {})
        for name, value in sorted(new_conditions.items()):
            conditions.setdefault(name, value)
    _transform(out)
    return StackOutput(out, found, in_template)


# ----------------------------------------------------------------------------------------


_KEPT = ("usage-plan", "api-key")


def _api_attributes(api: Any) -> dict:
    """The API resource's Condition (for everything generated for it) and deletion policies (for its RestApi)."""
    if not isinstance(api, dict):
        return {}
    return {k: api[k] for k in ("Condition", "DeletionPolicy", "UpdateReplacePolicy") if k in api}


def _drop_user_written(built: dict, resources: Mapping[str, Any], api_id: str) -> None:
    """Drop generated usage plans and API keys the template already has (same name), and their links."""

    def name(res: Any, prop: str) -> Any:
        return (res.get("Properties") or {}).get(prop) if isinstance(res, dict) else None

    def of_api(res: Any) -> bool:
        stages = name(res, "ApiStages")
        return isinstance(stages, list) and any(
            isinstance(s, dict) and s.get("ApiId") in ({"Ref": api_id}, api_id) for s in stages
        )

    plans = {
        name(r, "UsagePlanName")
        for r in resources.values()
        if isinstance(r, dict) and r.get("Type") == "AWS::ApiGateway::UsagePlan" and of_api(r)
    }
    keys = {
        name(r, "Name")
        for r in resources.values()
        if isinstance(r, dict) and r.get("Type") == "AWS::ApiGateway::ApiKey"
    }
    dropped = {
        lid
        for lid, r in built.items()
        if (r["Type"] == "AWS::ApiGateway::UsagePlan" and name(r, "UsagePlanName") in plans)
        or (r["Type"] == "AWS::ApiGateway::ApiKey" and name(r, "Name") in keys)
    }
    refs = [{"Ref": lid} for lid in dropped]
    for lid, r in list(built.items()):
        link = r["Type"] == "AWS::ApiGateway::UsagePlanKey" and (
            name(r, "KeyId") in refs or name(r, "UsagePlanId") in refs
        )
        if lid in dropped or link:
            del built[lid]


def _sam_names(api_id: str, gateway: gw.Gateway, built: Mapping[str, Any], ids: Mapping[str, str]) -> dict[str, str]:
    """SAM's names for the resources it generates for an API [Doc: "Generated CloudFormation
    resources for AWS SAM"]: ``<Api><Stage>Stage`` and the ``<Api>.Stage`` /
    ``<Api>.Deployment`` references, pointed at what replaces them."""
    out: dict[str, str] = {}
    for stage in gateway.stages:
        out[f"{api_id}{stage.name}Stage"] = ids[stage.id]
    deployment = next((lid for lid, r in built.items() if r["Type"] == "AWS::ApiGateway::Deployment"), None)
    if len(gateway.stages) == 1:
        out[f"{api_id}.Stage"] = ids[gateway.stages[0].id]
    if deployment is not None:
        out[f"{api_id}.Deployment"] = ids[deployment]
    return out


def _enclosing(template: dict, apis: Mapping[str, gw.Gateway]) -> Enclosing:
    def keys(section: str) -> frozenset[str]:
        value = template.get(section)
        return frozenset(value) if isinstance(value, dict) else frozenset()

    return Enclosing(
        names=keys("Resources") | keys("Parameters") | frozenset(apis) | _sam_generated(template),
        conditions=keys("Conditions"),
        mappings=keys("Mappings"),
    )


def _sam_generated(template: dict) -> frozenset[str]:
    """Names SAM generates for the functions that stay SAM [Doc: "Generated CloudFormation resources
    for AWS SAM"]: ``<Fn>Role`` without a Role, ``<Fn>Alias<alias>`` with AutoPublishAlias."""
    globals_ = template.get("Globals") if isinstance(template.get("Globals"), dict) else {}
    defaults = globals_.get("Function") if isinstance(globals_.get("Function"), dict) else {}
    out: set[str] = set()
    for lid, res in (template.get("Resources") or {}).items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::Serverless::Function":
            continue
        props = {**defaults, **(res.get("Properties") if isinstance(res.get("Properties"), dict) else {})}
        if "Role" not in props:
            out.add(lid + "Role")
        alias = props.get("AutoPublishAlias")
        if isinstance(alias, str):
            out.add(f"{lid}Alias{alias}")
    return frozenset(out)


def _members(template: Mapping[str, Any], api_id: str, gateway: gw.Gateway) -> dict[str, str]:
    """The explicit ``AWS::ApiGateway::*`` resources of an API (logical id -> gateway node key),
    with the stages whose ``StageName`` is an intrinsic (the lift reads literal names only)."""
    from ..template.explicit import lift_rest_api

    resources = template.get("Resources") or {}
    members = dict(lift_rest_api(resources, api_id).members)
    members.pop(api_id, None)
    for lid, res in resources.items():
        props = res.get("Properties") if isinstance(res, dict) else None
        if lid in members or _type(res) != "AWS::ApiGateway::Stage" or not isinstance(props, dict):
            continue
        if _target(props.get("RestApiId")) == api_id:
            stage = _stage_named(gateway, props.get("StageName"))
            if stage is not None:
                members[lid] = f"stage {stage.name}"
    return members


def _stage_named(gateway: gw.Gateway, name: Any) -> gw.Stage | None:
    """The gateway's stage a template's ``StageName`` names (as written: a string, or the
    intrinsic a `Resolved` stage name came from)."""
    return next((s for s in gateway.stages if s.name == name or getattr(s.name, "intrinsic", None) == name), None)


def _generated_id(gateway: gw.Gateway, key: str, built: Mapping[str, Any]) -> str | None:
    """The generated logical id standing for a lifted template resource (`LiftedApi.members` key)."""
    kind, _, rest = key.partition(" ")
    if kind == "resource":
        node = gateway.resource(rest)
        return node.id if node is not None and not node.is_root else None
    if kind == "method":
        verb, _, path = rest.partition(" ")
        node = gateway.method(path, verb)
        return node.id if node is not None else None
    if kind == "model":
        node = gateway.model(rest)
        return node.id if node is not None and node in gateway.models else None
    if kind == "authorizer":
        node = gateway.authorizer(rest)
        return node.id if node is not None else None
    if kind == "validator":
        node = gateway.request_validator(rest)
        return node.id if node is not None else None
    if kind == "gateway-response":
        return next((r.id for r in gateway.gateway_responses if r.response_type == rest), None)
    if kind == "stage":
        node = gateway.stage(rest)
        return node.id if node is not None else None
    if kind == "deployment":
        return next((lid for lid, r in built.items() if r["Type"] == "AWS::ApiGateway::Deployment"), None)
    if kind == "usage-plan":
        return next((p.id for p in gateway.usage_plans if p.name == rest), None)
    if kind == "api-key":
        node = gateway.api_key(rest)
        return node.id if node is not None else None
    if kind == "usage-plan-key":
        plan, _, key = rest.partition(" ")
        p = next((p for p in gateway.usage_plans if p.name == plan), None)
        k = gateway.api_key(key)
        if p is None or k is None:
            return None
        suffix = p.id.removeprefix("UsagePlan") + k.id.removeprefix("ApiKey")
        return next(
            (
                lid
                for lid, r in built.items()
                if r["Type"] == "AWS::ApiGateway::UsagePlanKey" and lid.startswith("UsagePlanKey" + suffix)
            ),
            None,
        )
    return None


def _final_ids(
    built: Mapping[str, Any], api_id: str, gateway: gw.Gateway, members: Mapping[str, str], taken: set[str]
) -> dict[str, str]:
    """Generated id -> id in the stack: the API's id for the RestApi, the user's id for what
    stands for a lifted resource, else the API's id as a prefix (unique in the stack)."""
    ids: dict[str, str] = {REST_API: api_id}
    for lid, key in members.items():
        gen = _generated_id(gateway, key, built)
        # the Deployment keeps its content hash (a changed API must be redeployed)
        if gen in built and gen not in ids and not key.startswith("deployment"):
            ids[gen] = lid
    used = set(ids.values())
    for old in built:
        if old in ids:
            continue
        candidate, n = api_id + old, 2
        while candidate in taken or candidate in used:
            candidate, n = f"{api_id}{old}{n}", n + 1
        ids[old] = candidate
        used.add(candidate)
    return ids


def _restore(node: Any) -> Any:
    """Every `Resolved` string (a template value resolved for the local checks) written back as
    the intrinsic it came from, where the CloudFormation target placed it as a plain value."""
    back = written_back(node)  # (a number made from one too: `intrinsics.resolved_number`)
    if back is not None:
        return back
    if isinstance(node, dict):
        return {str(k): _restore(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_restore(v) for v in node]
    return node


def _rename(node: Any, ids: Mapping[str, str]) -> Any:
    """Every reference (Ref, GetAtt, Sub variables, DependsOn) to an id in ``ids`` renamed."""
    if not ids:
        return node
    if isinstance(node, list):
        return [_rename(v, ids) for v in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        ((key, args),) = node.items()
        if key == "Ref" and isinstance(args, str):
            return {"Ref": ids.get(args, args)}
        if key == "Fn::GetAtt":
            if isinstance(args, list) and args and isinstance(args[0], str):
                return {key: [ids.get(args[0], args[0]), *args[1:]]}
            if isinstance(args, str):
                res, dot, attr = args.partition(".")
                return {key: ids.get(res, res) + dot + attr}
        if key == "Fn::Sub":
            if isinstance(args, str):
                return {key: _sub(args, ids)}
            if isinstance(args, list) and args and isinstance(args[0], str):
                variables = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
                text = _sub(args[0], {k: v for k, v in ids.items() if k not in variables})
                return {key: [text, *(_rename(a, ids) for a in args[1:])]}
    out = {}
    for k, v in node.items():
        if k == "DependsOn":
            if isinstance(v, str):
                v = ids.get(v, v)
            elif isinstance(v, list):
                v = [ids.get(x, x) if isinstance(x, str) else x for x in v]
            out[k] = v
        else:
            out[k] = _rename(v, ids)
    return out


def _sub(text: str, ids: Mapping[str, str]) -> str:
    return _SUB_VAR.sub(lambda m: "${" + ids.get(m.group(1), m.group(1)) + (m.group(2) or "") + "}", text)


# ----------------------------------------------------------------------------------------
# What becomes of the properties of the resources an API's replacement replaces

MODEL = "model"
CARRY = "carry"
OVERRIDE = "override"

#: For each resource type the stack replaces, each property of the replaced resource (every
#: property of CloudFormation's resource schema but the read-only ones; tests/test_stack.py
#: checks the table against the schemas cfn-lint ships):
#:
#: * ``MODEL``: the gateway model holds it (or it is the link the replacement writes itself:
#:   ``RestApiId``, ``DeploymentId``...); the replacement is written from the model;
#: * ``CARRY``: copied verbatim (references kept) onto the replacement, unless the
#:   replacement writes it from the model already;
#: * ``OVERRIDE``: copied verbatim over what the model wrote: a RestApi's ``Name`` and
#:   ``Description`` win over its Body's ``info`` (CloudFormation imports the Body, then sets the
#:   properties the resource names on the API [Inf: the RestApi handler applies them after the
#:   import; Pulumi's documentation of the same API calls them "overrides"]);
#: * any other text: why it cannot be kept; the stack leaves it out and says so (AGW910).
PROPERTY_FATE: dict[str, dict[str, str]] = {
    "AWS::ApiGateway::RestApi": {
        "ApiKeySourceType": CARRY,
        "BinaryMediaTypes": CARRY,
        "Body": MODEL,
        "BodyS3Location": MODEL,  # not read (AGW033): such an API is never compiled
        "CloneFrom": "the routes of the API it clones are not part of the API apigwc compiled",
        "Description": OVERRIDE,
        "DisableExecuteApiEndpoint": CARRY,
        "EndpointAccessMode": CARRY,
        "EndpointConfiguration": CARRY,
        "FailOnWarnings": MODEL,  # the body style sets true: import warnings fail the stack
        "MinimumCompressionSize": CARRY,
        "Mode": MODEL,  # the body style sets overwrite: deleted routes disappear
        "Name": OVERRIDE,
        "Parameters": CARRY,  # (in the explicit style, see `_import_parameters`)
        "Policy": CARRY,
        "SecurityPolicy": CARRY,
        "Tags": CARRY,
        "Version": CARRY,
    },
    "AWS::ApiGateway::Stage": {
        "AccessLogSetting": CARRY,
        "CacheClusterEnabled": CARRY,
        "CacheClusterSize": CARRY,
        "CanarySetting": CARRY,
        "ClientCertificateId": CARRY,
        "DeploymentId": MODEL,
        "Description": CARRY,
        "DocumentationVersion": CARRY,
        "MethodSettings": CARRY,
        "RestApiId": MODEL,
        "StageName": MODEL,
        "Tags": CARRY,
        "TracingEnabled": CARRY,
        "Variables": CARRY,
    },
    "AWS::ApiGateway::Deployment": {
        "DeploymentCanarySettings": "a canary deployment needs the Deployment to create its stage; apigwc writes "
        "each stage as an AWS::ApiGateway::Stage (set CanarySetting on the stage instead)",
        "Description": CARRY,  # before apigwc's snapshot hash (`_deployment_description`)
        "RestApiId": MODEL,
        "StageDescription": MODEL,  # carried onto the AWS::ApiGateway::Stage of the stage it creates (`_described`)
        "StageName": MODEL,  # the stage it creates is an AWS::ApiGateway::Stage of its own
    },
    "AWS::ApiGateway::Model": {
        "ContentType": MODEL,
        "Description": CARRY,
        "Name": MODEL,
        "RestApiId": MODEL,
        "Schema": MODEL,
    },
    "AWS::ApiGateway::UsagePlan": {
        "ApiStages": MODEL,
        "Description": MODEL,
        "Quota": MODEL,
        "Tags": CARRY,
        "Throttle": MODEL,
        "UsagePlanName": MODEL,
    },
    "AWS::ApiGateway::ApiKey": {
        "CustomerId": MODEL,
        "Description": MODEL,
        "Enabled": MODEL,
        "GenerateDistinctId": CARRY,
        "Name": MODEL,
        "StageKeys": CARRY,
        "Tags": CARRY,
        "Value": MODEL,
    },
    **{
        f"AWS::ApiGateway::{kind}": dict.fromkeys(props.split(), MODEL)
        for kind, props in (
            ("Resource", "ParentId PathPart RestApiId"),
            (
                "Method",
                "ApiKeyRequired AuthorizationScopes AuthorizationType AuthorizerId HttpMethod Integration "
                "MethodResponses OperationName RequestModels RequestParameters RequestValidatorId ResourceId RestApiId",
            ),
            ("RequestValidator", "Name RestApiId ValidateRequestBody ValidateRequestParameters"),
            (
                "Authorizer",
                "AuthType AuthorizerCredentials AuthorizerResultTtlInSeconds AuthorizerUri IdentitySource "
                "IdentityValidationExpression Name ProviderARNs RestApiId Type",
            ),
            ("GatewayResponse", "ResponseParameters ResponseTemplates ResponseType RestApiId StatusCode"),
            ("UsagePlanKey", "KeyId KeyType UsagePlanId"),
        )
    },
}

#: Properties of an ``AWS::Serverless::Api`` (and ``Globals.Api``): ``MODEL`` where the SAM
#: transform turns them into the OpenAPI body or the CloudFormation above (whose fate
#: `PROPERTY_FATE` gives), ``CARRY`` for ``Domain`` (the custom domain resources SAM generates
#: are kept, pointing at the API's replacement), else why it cannot be kept (AGW910).
SAM_API_FATE: dict[str, str] = {
    **dict.fromkeys(
        "AccessLogSetting ApiKeySourceType Auth BinaryMediaTypes CacheClusterEnabled CacheClusterSize CanarySetting "
        "Cors DefinitionBody DefinitionUri Description DisableExecuteApiEndpoint EndpointAccessMode "
        "EndpointConfiguration FailOnWarnings GatewayResponses MergeDefinitions MethodSettings "
        "MinimumCompressionSize Mode Models Name OpenApiVersion Policy PropagateTags SecurityPolicy StageName "
        "Tags TracingEnabled Variables".split(),
        MODEL,
    ),
    "Domain": CARRY,
    "AlwaysDeploy": "apigwc's Deployment is redeployed when the API changes (its logical id holds a hash of the "
    "API), not on every deploy",
}
_DOMAIN_TYPES = frozenset(
    (
        "AWS::ApiGateway::DomainName",
        "AWS::ApiGateway::DomainNameV2",
        "AWS::ApiGateway::DomainNameAccessAssociation",
        "AWS::ApiGateway::BasePathMapping",
        "AWS::ApiGateway::BasePathMappingV2",
        "AWS::Route53::RecordSetGroup",
        "AWS::Route53::RecordSet",
    )
)


def _replaced(
    source: Mapping[str, Any],
    user_resources: Mapping[str, Any],
    api_id: str,
    gateway: gw.Gateway,
    built: Mapping[str, Any],
) -> dict[str, str]:
    """Each resource of ``source`` an API's replacement replaces -> the generated id replacing it:
    the RestApi, its stages (by name: a Stage's ``StageName`` may be the intrinsic a `Resolved`
    stage name came from), its deployment, and its models, usage plans and API keys."""
    from ..template.explicit import lift_rest_api

    out: dict[str, str] = {}
    if _type(source.get(api_id)) == "AWS::ApiGateway::RestApi":
        out[api_id] = REST_API
    deployment = next((lid for lid, r in built.items() if r["Type"] == "AWS::ApiGateway::Deployment"), None)
    for lid, res in source.items():
        props = res.get("Properties") if isinstance(res, dict) else None
        if not isinstance(props, dict) or _target(props.get("RestApiId")) != api_id:
            continue
        if res.get("Type") == "AWS::ApiGateway::Stage":
            stage = _stage_named(gateway, props.get("StageName"))
            if stage is not None and stage.id in built:
                out[lid] = stage.id
        elif res.get("Type") == "AWS::ApiGateway::Deployment" and deployment is not None:
            out[lid] = deployment
    for lid, key in lift_rest_api(source, api_id).members.items():
        if lid in out or not key.startswith(("model ", "usage-plan ", "api-key ")):
            continue
        if lid in user_resources and key.startswith(_KEPT):
            continue  # kept as written
        gen = _generated_id(gateway, key, built)
        if gen in built:
            out[lid] = gen
    return out


def _written_back(node: Any, values: Mapping[str, Resolved]) -> Any:
    """A copy of ``node`` with each string that is the local value of an intrinsic written as that intrinsic."""
    if isinstance(node, str):
        return values[node].write_back() if node in values else node
    if isinstance(node, dict):
        return {k: _written_back(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_written_back(v, values) for v in node]
    return node


def _type(res: Any) -> Any:
    return res.get("Type") if isinstance(res, dict) else None


def _target(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Ref"), str):
        return value["Ref"]
    return value if isinstance(value, str) else None


def _carry(src: Mapping[str, Any], target: dict, style: CfnStyle, where: Any, found: Diagnostics) -> None:
    """What of ``src`` the model does not hold: copied onto ``target``, or reported dropped.

    A stage's settings are carried whole, over what the model wrote of them: the model holds
    only the parts it reads (a method setting's value it cannot read, an access log's unknown
    key are not in it), and the replaced stage's own value is what CloudFormation would set
    (its references kept).  A user's Deployment ``Description`` is kept, followed by apigwc's
    snapshot (`_deployment_description`)."""
    kind = src.get("Type")
    label = src.get("Label", kind)
    fates = PROPERTY_FATE.get(kind) if isinstance(kind, str) else None
    props = src.get("Properties")
    if fates is None or not isinstance(props, dict):
        return
    have = target.setdefault("Properties", {})
    for prop, value in props.items():
        fate = fates.get(prop, f"{label} has no such property in CloudFormation's resource schema")
        if prop == "Parameters" and kind == "AWS::ApiGateway::RestApi":
            fate = _import_parameters(value, style)
        if kind == "AWS::ApiGateway::Deployment" and prop == "Description":
            have[prop] = _deployment_description(value, have.get(prop))
            continue
        if fate == MODEL:
            continue
        if fate == OVERRIDE:
            have[prop] = copy.deepcopy(value)
            continue
        if fate == CARRY:
            if kind == "AWS::ApiGateway::Stage":
                have[prop] = _known_parts(label, prop, copy.deepcopy(value), where, found)
            elif prop not in have:
                have[prop] = copy.deepcopy(value)
            continue
        found.add(
            PROPERTY_DROPPED,
            f"{label} property {prop} is not in the emitted stack: {fate}",
            pointer=where(prop),
            at_key=True,
            hint="set it on a resource apigwc leaves as written, or after the deploy",
        )
    target["Properties"] = dict(sorted(have.items()))


#: The keys of the parts of a stage's settings (CloudFormation's ``AWS::ApiGateway::Stage``
#: MethodSetting, AccessLogSetting and CanarySetting; a Deployment's StageDescription has the
#: same, its CanarySetting without DeploymentId; tests/template checks them against the schemas
#: cfn-lint ships): a key outside them is no setting CloudFormation knows, left out (AGW910)
#: rather than carried into a stack CloudFormation rejects.
STAGE_PARTS: dict[str, frozenset[str]] = {
    "MethodSettings": frozenset(
        "CacheDataEncrypted CacheTtlInSeconds CachingEnabled DataTraceEnabled HttpMethod LoggingLevel "
        "MetricsEnabled ResourcePath ThrottlingBurstLimit ThrottlingRateLimit".split()
    ),
    "AccessLogSetting": frozenset(("DestinationArn", "Format")),
    "CanarySetting": frozenset(("DeploymentId", "PercentTraffic", "StageVariableOverrides", "UseStageCache")),
}


def _known_parts(label: str, prop: str, value: Any, where: Any, found: Diagnostics) -> Any:
    """A carried stage setting without the keys CloudFormation does not know (each reported)."""
    from ..source import join

    known = STAGE_PARTS.get(prop)
    if known is None:
        return value
    base = where(prop)
    located = base.endswith("/" + prop)  # (else it points at the resource or SAM property)

    def clean(part: Any, *tokens: str | int) -> Any:
        if not isinstance(part, dict) or is_intrinsic(part):
            return part  # (an intrinsic standing for the whole part is CloudFormation's to resolve)
        for key in [k for k in part if k not in known]:
            found.add(
                PROPERTY_DROPPED,
                f"{label} property {prop} has no {key} in CloudFormation's resource schema: left out of the stack",
                pointer=join(base, *tokens, key) if located else base,
                at_key=True,
                hint=f"the keys are {', '.join(sorted(known))}",
            )
            del part[key]
        return part

    if prop == "MethodSettings" and isinstance(value, list):
        return [clean(entry, i) for i, entry in enumerate(value)]
    return clean(value)


def _deployment_description(user: Any, snapshot: Any) -> Any:
    """The user's Deployment description, then apigwc's snapshot in parentheses: the user reads
    their own text in the console and in ``get-deployments``, and the snapshot hash still says
    which API the deployment holds (a Description longer than API Gateway takes is the user's
    to shorten)."""
    if not isinstance(snapshot, str) or user is None or user == "":
        return copy.deepcopy(user) if snapshot is None else snapshot
    if isinstance(user, str):
        return f"{user} ({snapshot})"
    return {"Fn::Join": ["", [copy.deepcopy(user), f" ({snapshot})"]]}


def _described(source: Mapping[str, Any], api_id: str, gateway: gw.Gateway, built: Mapping[str, Any]) -> dict[str, str]:
    """Each Deployment of the API that creates a stage (``StageName``) with a ``StageDescription``
    -> the generated stage standing for that stage."""
    out: dict[str, str] = {}
    for lid, res in source.items():
        props = res.get("Properties") if _type(res) == "AWS::ApiGateway::Deployment" else None
        if not isinstance(props, dict) or _target(props.get("RestApiId")) != api_id:
            continue
        if not isinstance(props.get("StageDescription"), dict):
            continue
        stage = _stage_named(gateway, props.get("StageName"))
        if stage is not None and stage.id in built:
            out[lid] = stage.id
    return out


def _import_parameters(value: Any, style: CfnStyle) -> str:
    """RestApi ``Parameters`` configure the import of its Body: kept with a Body (the body
    style); without one only SAM's ``endpointConfigurationTypes`` (which EndpointConfiguration
    holds) means nothing lost."""
    if style is CfnStyle.body:
        return CARRY
    if isinstance(value, dict) and set(value) <= {"endpointConfigurationTypes"}:
        return MODEL
    return "import parameters apply to a Body, and the explicit style has none (use --cfn-style body)"


def _where(template: Mapping[str, Any], api_id: str, lid: str, *within: str) -> Any:
    """Template pointer of a property of replaced resource ``lid`` (inside its ``within``
    property: a Deployment's StageDescription): where the user wrote it, or the SAM property
    (or ``Globals.Api`` entry) of the API that made it."""
    from ..source import join

    resources = template.get("Resources") or {}

    def has(*path: str) -> bool:
        node: Any = template
        for tok in path:
            if not isinstance(node, dict) or tok not in node:
                return False
            node = node[tok]
        return True

    def at(prop: str) -> str:
        if lid in resources:
            for path in (("Properties", *within, prop), ("Properties", *within)):
                if has("Resources", lid, *path):
                    return join("/Resources", lid, *path)
            return join("/Resources", lid)
        if has("Resources", api_id, "Properties", prop):
            return join("/Resources", api_id, "Properties", prop)
        if has("Globals", "Api", prop):
            return join("/Globals/Api", prop)
        return join("/Resources", api_id) if api_id in resources else "/Resources"

    return at


def _check_sam_api(template: Mapping[str, Any], api_id: str, found: Diagnostics) -> None:
    """AGW910 for each SAM property of the API (or ``Globals.Api``) that the stack cannot keep."""
    from ..source import join

    own = (template.get("Resources") or {}).get(api_id)
    globals_ = template.get("Globals")
    where: list[tuple[str, Any]] = []
    if _type(own) == "AWS::Serverless::Api" and isinstance(own.get("Properties"), dict):
        where.append((join("/Resources", api_id, "Properties"), own["Properties"]))
    if (_type(own) == "AWS::Serverless::Api" or own is None) and isinstance(globals_, dict):
        if isinstance(globals_.get("Api"), dict):
            where.append(("/Globals/Api", globals_["Api"]))
    seen: set[str] = set()
    for base, props in where:  # (a property on the API wins over its Globals.Api default)
        for prop in props:
            fate = SAM_API_FATE.get(prop, "AWS::Serverless::Api has no such property in SAM's schema")
            if fate in (MODEL, CARRY) or prop in seen:
                continue
            seen.add(prop)
            found.add(
                PROPERTY_DROPPED,
                f"AWS::Serverless::Api property {prop} is not kept in the emitted stack: {fate}",
                pointer=join(base, prop),
                at_key=True,
            )


def _sam_usage_plan(template: Mapping[str, Any], api_id: str, generated: list[dict]) -> None:
    """The SAM transform applies parameter values to ``Auth.UsagePlan`` itself; each of its
    properties written with an intrinsic (``UsagePlanName: !Sub plan-${Env}``, ``Quota: {Limit:
    !Ref Limit, ...}``) is written back onto the usage plan generated for the API (SAM's
    ``UsagePlan`` properties are CloudFormation's, shape for shape)."""
    from ..intrinsics import contains_intrinsic

    own = (template.get("Resources") or {}).get(api_id)
    found: Any = None
    for props in (
        own.get("Properties") if _type(own) == "AWS::Serverless::Api" else None,
        ((template.get("Globals") or {}).get("Api") if isinstance(template.get("Globals"), dict) else None),
    ):
        auth = props.get("Auth") if isinstance(props, dict) else None
        plan = auth.get("UsagePlan") if isinstance(auth, dict) else None
        if isinstance(plan, dict):
            found = plan
            break
    if not isinstance(found, dict):
        return
    for res in generated:
        if res.get("Type") != "AWS::ApiGateway::UsagePlan":
            continue
        props = res.setdefault("Properties", {})
        for key, value in found.items():
            if key != "CreateUsagePlan" and contains_intrinsic(value):
                props[key] = copy.deepcopy(value)
        res["Properties"] = dict(sorted(props.items()))


def _sam_domain(source: Mapping[str, Any], user_resources: Mapping[str, Any], api_id: str) -> list[str]:
    """The custom domain resources SAM generated for the API (``Domain``): the base path
    mappings to it, their domain names and DNS records (kept; their stage references are
    pointed at the replacement's stages with the other renames)."""
    from ..template.values import references

    candidates = {
        lid: references(res.get("Properties"))
        for lid, res in source.items()
        if lid not in user_resources and _type(res) in _DOMAIN_TYPES and isinstance(res, dict)
    }
    linked = {lid for lid, refs in candidates.items() if api_id in refs}
    while True:
        more = {
            lid
            for lid, refs in candidates.items()
            if lid not in linked and (refs & linked or any(lid in candidates[o] for o in linked))
        }
        if not more:
            return sorted(linked)
        linked |= more


# ----------------------------------------------------------------------------------------
# Functions of the template


def _functions(resources: Mapping[str, Any]) -> dict[str, str]:
    """Function name -> logical id, for every function of the template (by logical id and FunctionName)."""
    out: dict[str, str] = {}
    for lid, res in resources.items():
        if isinstance(res, dict) and res.get("Type") in _FUNCTION_TYPES:
            out[lid] = lid
            name = (res.get("Properties") or {}).get("FunctionName")
            if isinstance(name, str):
                out[name] = lid
    return out


def _function_ref(arn: Value, functions: Mapping[str, str]) -> Intrinsic | None:
    """``${Fn.Arn}`` for a literal ARN of a template function (with its qualifier), else None."""
    if not isinstance(arn, str):
        return None
    m = _LAMBDA_ARN.match(arn)
    if m is None or m.group("name") not in functions:
        return None
    qualifier = ":" + m.group("qualifier") if m.group("qualifier") else ""
    return Intrinsic("Fn::Sub", "${" + functions[m.group("name")] + ".Arn}" + qualifier)


def _invoke_uri(function: Intrinsic) -> Intrinsic:
    return Intrinsic(
        "Fn::Sub",
        "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
        + function.args
        + "/invocations",
    )


def _with_template_functions(gateway: gw.Gateway, functions: Mapping[str, str]) -> gw.Gateway:
    """The gateway with literal ARNs of template functions written as references to them."""
    from dataclasses import replace

    def lambda_of(fn: gw.LambdaFunction | None) -> tuple[gw.LambdaFunction | None, Intrinsic | None]:
        if fn is None or fn.stage_variables:
            return fn, None
        ref = _function_ref(fn.arn, functions)
        if ref is None:
            return fn, None
        return replace(fn, arn=ref), ref

    methods = []
    for m in gateway.methods:
        i = m.integration
        if i is not None:
            fn, ref = lambda_of(i.lambda_function)
            if ref is not None:
                m = replace(m, integration=replace(i, uri=_invoke_uri(ref), lambda_function=fn))
        methods.append(m)
    authorizers = []
    for a in gateway.authorizers:
        fn, ref = lambda_of(a.lambda_function)
        if ref is not None:
            a = replace(a, authorizer_uri=_invoke_uri(ref), lambda_function=fn)
        authorizers.append(a)
    permissions = []
    for p in gateway.lambda_permissions:
        ref = _function_ref(p.function_name, functions)
        permissions.append(replace(p, function_name=ref) if ref is not None else p)
    parts = {
        f.name: getattr(gateway, f.name) for f in gateway.__dataclass_fields__.values() if not f.name.startswith("_")
    }
    parts.update(methods=tuple(methods), authorizers=tuple(authorizers), lambda_permissions=tuple(permissions))
    return gw.Gateway.create(**parts)


# ----------------------------------------------------------------------------------------
# SAM


def _event_api(event: Mapping[str, Any]) -> str | None:
    """The API a SAM ``Type: Api`` event attaches to (its RestApiId, else the implicit API)."""
    props = event.get("Properties") or {}
    rest_api = props.get("RestApiId") if isinstance(props, dict) else None
    if rest_api is None:
        return IMPLICIT_API
    if isinstance(rest_api, dict) and isinstance(rest_api.get("Ref"), str):
        return rest_api["Ref"]
    return rest_api if isinstance(rest_api, str) else None


def _remove_api_events(resources: dict, api_id: str) -> None:
    for res in resources.values():
        if not isinstance(res, dict) or res.get("Type") != "AWS::Serverless::Function":
            continue
        props = res.get("Properties")
        events = props.get("Events") if isinstance(props, dict) else None
        if not isinstance(events, dict):
            continue
        for name in [
            n for n, e in events.items() if isinstance(e, dict) and e.get("Type") == "Api" and _event_api(e) == api_id
        ]:
            del events[name]
        if not events:
            del props["Events"]


def _transform(template: dict) -> None:
    """Keep the SAM transform (and Globals) only while SAM resources remain."""
    raw = template.get("Transform")
    if raw is None:
        return
    if any(
        isinstance(r, dict) and str(r.get("Type", "")).startswith("AWS::Serverless::")
        for r in template.get("Resources", {}).values()
    ):
        return
    items = raw if isinstance(raw, list) else [raw]
    kept = [t for t in items if t != SAM_TRANSFORM]
    if not kept:
        del template["Transform"]
    else:
        template["Transform"] = kept if isinstance(raw, list) else kept[0]
    template.pop("Globals", None)


__all__ = [
    "emit_stack",
    "emit_stack_with_diagnostics",
    "emit_template_stack",
    "StackOutput",
    "PROPERTY_FATE",
    "IMPLICIT_API",
]
