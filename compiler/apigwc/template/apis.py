"""Every REST API of an expanded template, as an OpenAPI document with a source map.

Each ``AWS::ApiGateway::RestApi`` of the CloudFormation that SAM produced (or of a plain
template) becomes one `TemplateApi`, named by its logical id: its ``Body`` plus an
``x-apigwc`` block (stages, usage plans, API keys from the Stage / Deployment / UsagePlan /
ApiKey resources that point at it, and the local functions).  The document then goes
through the same stages as an OpenAPI file: check, IR, rules, lower.

Positions.  The document is served to those stages as a `MappedDocument`: a pointer into
it is mapped back to where that node was written:

* a node that exists in the body as written (inline ``DefinitionBody``/``Body``, an
  ``AWS::Include`` file, a ``DefinitionUri`` file) maps to its own file, line and column;
* a node SAM generated maps to the SAM property that made it: a CORS ``options`` method to
  ``Cors``, ``api_key`` to ``Auth.ApiKeyRequired``, an authorizer to
  ``Auth.Authorizers.<Name>``, ``x-amazon-apigateway-gateway-responses`` to
  ``GatewayResponses``, models to ``Models``, a route to the function ``Events`` entry
  that declared it, the ``x-apigwc`` stage to ``StageName``/``Variables``/``MethodSettings``.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import Any, Callable

from ..diagnostics import Diagnostics, Span
from ..intrinsics import resolved_number
from ..source import MISSING, Document, escape, join, node_at, split
from .codes import BODY_S3
from .expand import PLACEHOLDER_BUCKET, Expanded
from .explicit import stage_of_description
from .functions import FunctionSet
from .load import Template
from .values import Resolver, Unknown

_VERBS = {"get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method"}


@dataclass
class TemplateApi:
    """One REST API of a template."""

    logical_id: str
    #: AWS::Serverless::Api, ServerlessRestApi (implicit) or AWS::ApiGateway::RestApi
    kind: str
    document: dict
    #: the file the body was written in ($refs resolve from there)
    body_doc: Document
    origin: "Origins"


class Origins:
    """OpenAPI pointer -> (document, pointer) where the node was written (or the SAM property that made it)."""

    def __init__(
        self,
        template: Template,
        expanded: Expanded,
        api_id: str,
        body_ptr: str | None,
        body_doc: Document | None,
        events: dict[tuple[str, str], str],
    ) -> None:
        self.template = template
        self.expanded = expanded
        self.api_id = api_id
        self.body_ptr = body_ptr  # template pointer of the body as written (in `prepared`)
        self.body_doc = body_doc  # a DefinitionUri file holding the whole body
        self.events = events  # (path, verb) -> template pointer of the event
        self.extra: dict[str, str] = {}  # x-apigwc pointer prefix -> template pointer
        self.lifted: dict[
            str, str
        ] = {}  # document pointer -> template pointer (explicit resources, template/explicit.py)
        res = template.resources.get(api_id)
        self.sam_props = (
            join("/Resources", api_id, "Properties")
            if isinstance(res, dict) and res.get("Type") == "AWS::Serverless::Api"
            else None
        )

    def _exists(self, pointer: str) -> bool:
        return node_at(self.template.data, split(pointer), MISSING) is not MISSING

    def _sam(self, *prop: str) -> str | None:
        """The pointer of an Api property (or its Globals.Api default) if written."""
        if self.sam_props is not None:
            p = join(self.sam_props, *prop)
            if self._exists(p):
                return p
        g = join("/Globals/Api", *prop)
        if self._exists(g):
            return g
        return None

    def _to_template(self, pointer: str) -> tuple[Document, str]:
        """A pointer into `prepared` -> the file and pointer it was written at (through includes)."""
        best = None
        for inc in self.expanded.includes:
            if pointer == inc or pointer.startswith(inc + "/"):
                if best is None or len(inc) > len(best):
                    best = inc
        if best is None:
            return self.template.doc, pointer
        return self.expanded.includes[best], pointer[len(best) :]

    def locate(self, tokens: list[str]) -> tuple[Document, str, bool]:
        """(document, pointer, exact) for a pointer into the API's OpenAPI document."""
        pointer = "".join("/" + escape(t) for t in tokens)
        if tokens and tokens[0] == "x-apigwc":
            for prefix in sorted(self.extra, key=len, reverse=True):
                if pointer == prefix or pointer.startswith(prefix + "/"):
                    return self.template.doc, self.extra[prefix], False
        if self.lifted:
            for cut in range(len(tokens), -1, -1):
                prefix = "".join("/" + escape(t) for t in tokens[:cut])
                if prefix in self.lifted:
                    # a whole resource is shown at its logical id, as every template finding is
                    return (
                        self.template.doc,
                        self.lifted[prefix],
                        cut == len(tokens) and len(split(self.lifted[prefix])) > 2,
                    )
        if self.body_doc is not None:
            if node_at(self.body_doc.data, tokens, MISSING) is not MISSING:
                return self.body_doc, pointer, True
        elif self.body_ptr is not None:
            body = node_at(self.expanded.prepared, split(self.body_ptr))
            if node_at(body, tokens, MISSING) is not MISSING:
                doc, ptr = self._to_template(self.body_ptr + pointer)
                return doc, ptr, True
        generated = self._generated(tokens)
        if generated is not None:
            return self.template.doc, generated, False
        # the deepest part that exists as written
        if self.body_ptr is not None or self.body_doc is not None:
            for cut in range(len(tokens) - 1, -1, -1):
                doc, ptr, exact = self.locate(tokens[:cut]) if cut else (None, None, False)
                if doc is not None and exact:
                    return doc, ptr, False
        return (
            self.template.doc,
            join("/Resources", self.api_id) if self.api_id in self.template.resources else self._first_event(),
            False,
        )

    def _first_event(self) -> str:
        return min(self.events.values()) if self.events else "/Resources"

    def _generated(self, tokens: list[str]) -> str | None:
        t = tokens
        if not t:
            return None
        if t[0] == "paths" and len(t) >= 3:
            path, verb = t[1], t[2]
            event = self.events.get((path, verb))
            if verb == "options" and event is None:
                return self._sam("Cors") or event
            if event is not None:
                rest = t[3:]
                if rest[:1] == ["security"]:
                    return self._sub(event, "Properties", "Auth") or self._sam("Auth") or event
                if rest[:1] == ["parameters"]:
                    return (
                        self._sub(event, "Properties", "RequestParameters")
                        or self._sub(event, "Properties", "RequestModel")
                        or event
                    )
                if rest[:1] and rest[0].startswith("x-amazon-apigateway-request-validator"):
                    return (
                        self._sub(event, "Properties", "RequestModel")
                        or self._sub(event, "Properties", "RequestParameters")
                        or event
                    )
                return event
            if len(t) >= 4 and t[3] == "security":
                return (
                    self._sam("Auth", "DefaultAuthorizer") or self._sam("Auth", "ApiKeyRequired") or self._sam("Auth")
                )
            if len(t) >= 4 and t[3] == "responses":
                return self._sam("Cors") or self._sam("Auth")
            return None
        if t[0] in ("securityDefinitions", "components") and len(t) >= 2:
            name = (
                t[1] if t[0] == "securityDefinitions" else (t[2] if len(t) > 2 and t[1] == "securitySchemes" else None)
            )
            if t[0] == "components" and len(t) > 2 and t[1] == "schemas":
                return self._sam("Models", t[2]) or self._sam("Models")
            if name == "api_key":
                return (
                    self._sam("Auth", "ApiKeyRequired")
                    or self._sam("Auth", "UsagePlan")
                    or self._sam("Auth")
                    or self._event_with("Auth")
                )
            if name is not None:
                return self._sam("Auth", "Authorizers", name) or self._sam("Auth")
        if t[0] == "definitions" and len(t) >= 2:
            return self._sam("Models", t[1]) or self._sam("Models")
        prop = {
            "x-amazon-apigateway-gateway-responses": "GatewayResponses",
            "x-amazon-apigateway-binary-media-types": "BinaryMediaTypes",
            "x-amazon-apigateway-policy": "Auth",
            "x-amazon-apigateway-api-key-source": "ApiKeySourceType",
            "x-amazon-apigateway-endpoint-configuration": "EndpointConfiguration",
            "x-amazon-apigateway-minimum-compression-size": "MinimumCompressionSize",
            "x-amazon-apigateway-request-validators": "Models",
        }.get(t[0])
        if prop is not None:
            if prop == "GatewayResponses" and len(t) > 1:
                return self._sam(prop, t[1]) or self._sam(prop)
            if prop == "Auth":
                return self._sam("Auth", "ResourcePolicy") or self._sam("Auth")
            return self._sam(prop) or self._event_with("RequestModel")
        if t[0] == "info":
            return self._sam("Name") or (
                join("/Resources", self.api_id) if self.api_id in self.template.resources else None
            )
        return None

    def _sub(self, event: str, *tokens: str) -> str | None:
        p = join(event, *tokens)
        return p if self._exists(p) else None

    def _event_with(self, prop: str) -> str | None:
        for ptr in sorted(self.events.values()):
            found = self._sub(ptr, "Properties", prop)
            if found:
                return found
        return None


class MappedDocument(Document):
    """An API's OpenAPI document whose positions are those of the template and its files."""

    def __init__(self, body_doc: Document, data: dict, origins: Origins) -> None:
        super().__init__(body_doc.path, body_doc.display, body_doc.text, data, body_doc.kind, body_doc.locator)
        self.origins = origins

    def span(self, pointer: str, at_key: bool = False, value_offset: int | None = None) -> Span | None:
        try:
            tokens = split(pointer)
        except ValueError:
            return None
        doc, ptr, exact = self.origins.locate(tokens)
        return doc.span(ptr, at_key if exact else True, value_offset if exact else None) or doc.start_span()

    def may_mention(self, word: str) -> bool:
        # a lifted document was generated from explicit resources (it may carry x-apigwc-ignore the lift wrote)
        return bool(self.origins.lifted) or super().may_mention(word)


# --------------------------------------------------------------------------------------


def _ref_target(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        if isinstance(value.get("Ref"), str):
            return value["Ref"]
        att = value.get("Fn::GetAtt")
        if isinstance(att, list) and att and isinstance(att[0], str):
            return att[0]
        if isinstance(att, str):
            return att.split(".", 1)[0]
    return None


def _events(template: Template, resolver: Resolver) -> dict[str, dict[tuple[str, str], str]]:
    """API logical id -> (path, verb) -> template pointer of the function event declaring it."""
    out: dict[str, dict[tuple[str, str], str]] = {}
    for name, res in template.resources.items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::Serverless::Function":
            continue
        props = res.get("Properties") if isinstance(res.get("Properties"), dict) else {}
        events = props.get("Events") if isinstance(props.get("Events"), dict) else {}
        for ev_name, ev in events.items():
            if not isinstance(ev, dict) or ev.get("Type") != "Api":
                continue
            ep = ev.get("Properties") if isinstance(ev.get("Properties"), dict) else {}
            api = _ref_target(ep.get("RestApiId")) or "ServerlessRestApi"
            path = resolver.resolve(ep.get("Path"), keep_resources=False)
            method = resolver.resolve(ep.get("Method"), keep_resources=False)
            if not isinstance(path, str) or not isinstance(method, str):
                continue
            verb = "x-amazon-apigateway-any-method" if method.lower() == "any" else method.lower()
            out.setdefault(api, {})[(path, verb)] = join("/Resources", name, "Properties", "Events", ev_name)
    return out


def _points_at(value: Any, api_id: str) -> bool:
    return _ref_target(value) == api_id


def discover(
    template: Template,
    expanded: Expanded,
    resolver: Resolver,
    functions: FunctionSet,
    diags: Diagnostics,
    report_unknown: Callable[[str, str, str], None],
    lift: Callable[..., Any],
) -> list[TemplateApi]:
    """Every REST API of the expanded template, in logical-id order."""
    resources = expanded.output.get("Resources") if isinstance(expanded.output.get("Resources"), dict) else {}
    events = _events(template, resolver)
    apis: list[TemplateApi] = []
    for api_id in sorted(resources):
        res = resources[api_id]
        if not isinstance(res, dict) or res.get("Type") != "AWS::ApiGateway::RestApi":
            continue
        cond = res.get("Condition")
        if isinstance(cond, str) and resolver.condition(cond) is False:
            continue
        props = res.get("Properties") if isinstance(res.get("Properties"), dict) else {}
        original = template.resources.get(api_id)
        kind = original.get("Type") if isinstance(original, dict) else "ServerlessRestApi"
        body_doc: Document | None = None
        body_ptr: str | None = None
        lift_origins: dict[str, str] = {}
        if kind == "AWS::Serverless::Api" and api_id in expanded.definition_uris:
            body_doc = expanded.definition_uris[api_id][0]
            body = copy.deepcopy(body_doc.data)
        elif "Body" in props and (
            kind != "AWS::ApiGateway::RestApi"
            or (_plain_body(props["Body"]) and not _explicit_routes(resources, api_id))
        ):
            body = props["Body"]
            if kind == "AWS::Serverless::Api":
                body_ptr = join("/Resources", api_id, "Properties", "DefinitionBody")
            elif kind == "AWS::ApiGateway::RestApi":
                body_ptr = join("/Resources", api_id, "Properties", "Body")
        elif "BodyS3Location" in props:
            where = join(
                "/Resources",
                api_id,
                "Properties",
                "DefinitionUri" if kind == "AWS::Serverless::Api" else "BodyS3Location",
            )
            loc = props["BodyS3Location"]
            if isinstance(loc, dict) and loc.get("Bucket") == PLACEHOLDER_BUCKET:
                continue  # a local DefinitionUri that could not be read: already reported
            diags.add(
                BODY_S3,
                f"API {api_id}: its OpenAPI body is in S3 ({_s3_text(loc)}); apigwc does not read S3",
                span=template.span(where, at_key=True),
                hint="keep the OpenAPI file in the repository and use DefinitionUri: ./api.yaml, or AWS::Include with a local Location",
            )
            continue
        else:
            # explicit AWS::ApiGateway::* resources (with or without a Body: AWS merges both),
            # or a Body that is not a plain mapping (JSON text, an unknown value): lifted
            lifted = lift(resources, api_id)
            body = lifted.document
            lift_origins = dict(getattr(lifted, "origins", {}) or {})
            if "Body" in props and _plain_body(props["Body"]):
                # the Body's own nodes keep the positions of the Body as written (and its includes)
                body_ptr = join("/Resources", api_id, "Properties", "Body")
                lift_origins = {
                    k: v for k, v in lift_origins.items() if not (v == body_ptr or v.startswith(body_ptr + "/"))
                }
            for problem in getattr(lifted, "problems", ()):  # diagnostics located by their template pointers
                if getattr(problem, "span", None) is None and hasattr(problem, "pointer"):
                    problem = dataclasses.replace(problem, span=template.span(problem.pointer, problem.at_key))
                diags.items.append(problem)
        if isinstance(body, dict) and "Fn::Transform" in body and len(body) == 1:
            continue  # an AWS::Include that could not be read: already reported (AGW032)
        if not isinstance(body, dict):
            continue  # SAM's translator rejects a DefinitionBody that is not a mapping (AGW034)
        if body_doc is None and body_ptr is None:
            body_doc_for_paths = template.doc
        else:
            body_doc_for_paths = body_doc or _body_file(template, expanded, body_ptr)
        origins = Origins(template, expanded, api_id, body_ptr, body_doc, events.get(api_id, {}))
        origins.lifted = lift_origins
        with resolver.keeping(api_id, body_ptr or join("/Resources", api_id)):
            doc = resolver.resolve_in_place(body)
        if not isinstance(doc, dict):
            continue
        doc = dict(doc)
        with resolver.keeping(api_id, join("/Resources", api_id)):
            _merge_rest_api_properties(doc, props, resolver)
        doc["x-apigwc"] = _x_apigwc(
            doc.get("x-apigwc"), api_id, resources, template, resolver, functions, origins, report_unknown
        )
        domain = origins._sam("Domain") if kind != "AWS::ApiGateway::RestApi" else None
        if domain is not None:
            # the custom domain SAM generates resources for (kept in the emitted stack): what its
            # values were resolved from, for the stack to write back where SAM resolved them
            node: Any = template.data
            for tok in split(domain):
                node = node[tok]
            with resolver.keeping(api_id, domain):
                resolver.resolve(node, keep_resources=False)
        apis.append(
            TemplateApi(
                api_id, kind if isinstance(kind, str) else "ServerlessRestApi", doc, body_doc_for_paths, origins
            )
        )
    return apis


def _plain_body(body: Any) -> bool:
    """A Body written as an OpenAPI mapping (an include is inlined by then; one that could not be is reported already)."""
    return isinstance(body, dict) and not any(
        k == "Ref" or (k.startswith("Fn::") and k != "Fn::Transform") for k in body
    )


_ROUTE_TYPES = {
    f"AWS::ApiGateway::{t}"
    for t in ("Resource", "Method", "Authorizer", "RequestValidator", "Model", "GatewayResponse")
}


def _explicit_routes(resources: dict, api_id: str) -> bool:
    """Whether explicit resources other than stages and deployments belong to the API."""
    for res in resources.values():
        if isinstance(res, dict) and res.get("Type") in _ROUTE_TYPES:
            props = res.get("Properties")
            if isinstance(props, dict) and _points_at(props.get("RestApiId"), api_id):
                return True
    return False


def _body_file(template: Template, expanded: Expanded, body_ptr: str | None) -> Document:
    if body_ptr is not None and body_ptr in expanded.includes:
        return expanded.includes[body_ptr]
    return template.doc


def _s3_text(loc: Any) -> str:
    if isinstance(loc, dict):
        return f"s3://{loc.get('Bucket')}/{loc.get('Key')}"
    return str(loc)


def _merge_rest_api_properties(doc: dict, props: dict, resolver: Resolver) -> None:
    """RestApi properties that the OpenAPI body can also carry (the property adds to the body)."""
    binary = props.get("BinaryMediaTypes")
    if isinstance(binary, list):
        have = list(doc.get("x-amazon-apigateway-binary-media-types") or [])
        for t in binary:
            t = resolver.resolve(t, keep_resources=False)
            if isinstance(t, str):
                t = t.replace("~1", "/")
                if t not in have:
                    have.append(t)
        doc["x-amazon-apigateway-binary-media-types"] = have
    if "Policy" in props and "x-amazon-apigateway-policy" not in doc:
        doc["x-amazon-apigateway-policy"] = props["Policy"]
    if "ApiKeySourceType" in props and "x-amazon-apigateway-api-key-source" not in doc:
        doc["x-amazon-apigateway-api-key-source"] = props["ApiKeySourceType"]


def _x_apigwc(
    existing: Any,
    api_id: str,
    resources: dict,
    template: Template,
    resolver: Resolver,
    functions: FunctionSet,
    origins: Origins,
    report: Callable[[str, str, str], None],
) -> dict:
    out: dict[str, Any] = dict(existing) if isinstance(existing, dict) else {}
    rest = resources.get(api_id, {}).get("Properties") or {}
    ep = rest.get("EndpointConfiguration")
    types = ep.get("Types") if isinstance(ep, dict) else None
    if isinstance(types, list) and types and types[0] in ("EDGE", "REGIONAL", "PRIVATE"):
        out.setdefault("endpointType", types[0])
    stages: dict[str, Any] = dict(out.get("stages") or {})
    stage_names: dict[str, str] = {}  # stage resource id -> name
    sam_api = origins.sam_props
    for rid in sorted(resources):
        res = resources[rid]
        if not isinstance(res, dict) or res.get("Type") != "AWS::ApiGateway::Stage":
            continue
        p = res.get("Properties") or {}
        if not _points_at(p.get("RestApiId"), api_id):
            continue
        written = join("/Resources", rid) if rid in template.resources else (sam_api or join("/Resources", api_id))
        with resolver.keeping(api_id, written):
            _stage(stages, stage_names, rid, p, written, resolver, origins, report)
    for rid in sorted(resources):  # a Deployment's StageName creates that stage too (SAM's "Stage" stage)
        res = resources[rid]
        if isinstance(res, dict) and res.get("Type") == "AWS::ApiGateway::Deployment":
            p = res.get("Properties") or {}
            name = p.get("StageName")
            if not _points_at(p.get("RestApiId"), api_id):
                continue
            description = p.get("StageDescription")
            if isinstance(description, dict) and rid in template.resources and name not in stages:
                # the stage it creates, declared inline (one the lift read already, or that a
                # Stage resource made too, stays: the lift reports that conflict)
                written = join("/Resources", rid, "Properties", "StageDescription")
                with resolver.keeping(api_id, written):
                    _stage(
                        stages,
                        {},
                        rid,
                        {**stage_of_description(description), "StageName": name},
                        written,
                        resolver,
                        origins,
                        report,
                    )
            elif isinstance(name, str) and name not in stages:
                stages[name] = {}
                origins.extra[join("/x-apigwc/stages", name)] = (
                    join("/Resources", rid)
                    if rid in template.resources
                    else _resource_or_event(template, api_id, origins)
                )
    if stages:
        out["stages"] = stages
    _usage_plans(out, api_id, resources, template, resolver, stage_names, origins, report)
    local = dict(out.get("local") or {})
    if functions.functions:
        # the template's functions as x-apigwc.local.functions (ir.LocalFunction): every runtime runs as a
        # worker process with the function's own Environment, Timeout and MemorySize; an integration may name
        # a function by its logical id or its FunctionName
        declared = dict(local.get("functions") or {})
        for name, fn in sorted(functions.by_name().items()):
            declared.setdefault(name, fn.to_json())
        local["functions"] = declared
    if local:
        out["local"] = local
        origins.extra["/x-apigwc/local"] = "/Resources"
    return out


def _method_setting(ms: dict, ms_out: dict[str, Any], resolver: Resolver) -> None:
    """An x-apigwc method setting from a Stage's ``MethodSettings`` entry (``ms``)."""
    # CloudFormation's ResourcePath is "/" + the resource path with "/" written "~1"
    # ("/~1items" is /items); "/*" is every resource [Doc: AWS::ApiGateway::Stage MethodSetting]
    raw = str(ms.get("ResourcePath", "/*"))
    verb = str(ms.get("HttpMethod", "*")).upper()
    if raw in ("/*", "*"):
        rp = "*"
    else:
        rp = (raw[1:] if raw.startswith("/") else raw).replace("~1", "/")
        rp = rp if rp.startswith("/") else "/" + rp
    key = f"{rp}/{verb}"
    entry: dict[str, Any] = {}
    if "ThrottlingBurstLimit" in ms or "ThrottlingRateLimit" in ms:
        entry["throttling"] = {
            k2: v2
            for k2, v2 in (
                ("burstLimit", _number(resolver.resolve(ms.get("ThrottlingBurstLimit"), keep_resources=False))),
                ("rateLimit", _number(resolver.resolve(ms.get("ThrottlingRateLimit"), keep_resources=False))),
            )
            if v2 is not None
        }
    for src, dst in (
        ("LoggingLevel", "loggingLevel"),
        ("DataTraceEnabled", "dataTraceEnabled"),
        ("MetricsEnabled", "metricsEnabled"),
        ("CachingEnabled", "cachingEnabled"),
        ("CacheTtlInSeconds", "cacheTtlInSeconds"),
        ("CacheDataEncrypted", "cacheDataEncrypted"),
    ):
        value = resolver.resolve(ms[src], keep_resources=False) if src in ms else None
        if dst == "cacheTtlInSeconds" and isinstance(value, str):
            value = _number(value)  # (a parameter's value is text: kept as the intrinsic it came from)
        if isinstance(value, (str, int, float, bool)):
            entry[dst] = value
    ms_out[key] = entry


def _number(value: Any) -> int | float | None:
    """A number, or the text of one (a parameter's value is text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return resolved_number(value, int(value))
        except ValueError:
            try:
                return resolved_number(value, float(value))
            except ValueError:
                return None
    return None


def _resource_or_event(template: Template, api_id: str, origins: Origins) -> str:
    if api_id in template.resources:
        return join("/Resources", api_id)
    return origins._first_event()


def _first(origins: Origins, candidates: list[str]) -> str:
    for c in candidates:
        if origins._exists(c):
            return c
    return candidates[-1]


def _stage(
    stages: dict[str, Any],
    stage_names: dict[str, str],
    rid: str,
    p: dict,
    written: str,
    resolver: Resolver,
    origins: Origins,
    report: Callable[[str, str, str], None],
) -> None:
    """The x-apigwc stage of an AWS::ApiGateway::Stage resource (``p``: its properties)."""
    name = resolver.resolve(p.get("StageName"), keep_resources=False)
    if not isinstance(name, str):
        return
    stage_names[rid] = name
    stage: dict[str, Any] = {}
    origins.extra[join("/x-apigwc/stages", name)] = _first(
        origins, [join(written, "Properties", "StageName"), join(written, "StageName"), written]
    )
    variables = p.get("Variables")
    if isinstance(variables, dict):
        vars_out = {}
        vptr = _first(
            origins,
            [
                join(written, "Properties", "Variables"),
                join(written, "Variables"),
                "/Globals/Api/Variables",
                written,
            ],
        )
        origins.extra[join("/x-apigwc/stages", name, "variables")] = vptr
        for k, v in variables.items():
            with resolver.near(vptr):
                r = resolver.resolve(v, keep_resources=False)
            if isinstance(r, Unknown):
                report(
                    join(vptr, k) if origins._exists(join(vptr, k)) else vptr,
                    f"stage variable {k} of stage {name}: {r.what}",
                    r.flag,
                )
            elif isinstance(r, (str, int, float)) and not isinstance(r, bool):
                vars_out[k] = r if isinstance(r, str) else str(r)
        stage["variables"] = vars_out
    settings = p.get("MethodSettings")
    if isinstance(settings, list):
        ms_out: dict[str, Any] = {}
        msptr = origins.extra[join("/x-apigwc/stages", name, "methodSettings")] = _first(
            origins,
            [
                join(written, "Properties", "MethodSettings"),
                join(written, "MethodSettings"),
                "/Globals/Api/MethodSettings",
                written,
            ],
        )
        for i, ms in enumerate(settings):
            if not isinstance(ms, dict):
                continue
            with resolver.near(join(msptr, i)):
                _method_setting(ms, ms_out, resolver)
        stage["methodSettings"] = ms_out
    if isinstance(p.get("TracingEnabled"), bool):
        stage["tracingEnabled"] = p["TracingEnabled"]
    log = p.get("AccessLogSetting")
    if isinstance(log, dict) and isinstance(log.get("Format"), str):
        stage["accessLog"] = {"format": log["Format"]}
        dest = resolver.resolve(log.get("DestinationArn"), keep_resources=False)  # often !GetAtt LogGroup.Arn
        if isinstance(dest, str):
            stage["accessLog"]["destinationArn"] = dest
    if isinstance(p.get("CacheClusterEnabled"), bool):
        stage["cacheClusterEnabled"] = p["CacheClusterEnabled"]
    if isinstance(p.get("Description"), str):
        stage["description"] = p["Description"]
    stages.setdefault(name, stage)


def _usage_plans(
    out: dict,
    api_id: str,
    resources: dict,
    template: Template,
    resolver: Resolver,
    stage_names: dict[str, str],
    origins: Origins,
    report: Callable[[str, str, str], None],
) -> None:
    plans: dict[str, Any] = dict(out.get("usagePlans") or {})
    keys: dict[str, Any] = dict(out.get("apiKeys") or {})
    plan_ids: dict[str, str] = {}
    for rid in sorted(resources):
        res = resources[rid]
        if not isinstance(res, dict) or res.get("Type") != "AWS::ApiGateway::UsagePlan":
            continue
        p = res.get("Properties") or {}
        stages = []
        for s in p.get("ApiStages") or []:
            if isinstance(s, dict) and _points_at(s.get("ApiId"), api_id):
                st = s.get("Stage")
                target = _ref_target(st)
                name = stage_names.get(target) if target else resolver.resolve(st, keep_resources=False)
                if isinstance(name, str):
                    stages.append(name)
        if not stages:
            continue
        name = resolver.resolve(p.get("UsagePlanName"), keep_resources=False)
        name = name if isinstance(name, str) else rid
        plan: dict[str, Any] = {"stages": stages}
        th = p.get("Throttle")
        if isinstance(th, dict):
            plan["throttle"] = {
                k2: v2
                for k2, v2 in (("burstLimit", th.get("BurstLimit")), ("rateLimit", th.get("RateLimit")))
                if isinstance(v2, (int, float))
            }
        q = p.get("Quota")
        if isinstance(q, dict) and isinstance(q.get("Limit"), int) and isinstance(q.get("Period"), str):
            plan["quota"] = {
                "limit": q["Limit"],
                "period": q["Period"],
                **({"offset": q["Offset"]} if isinstance(q.get("Offset"), int) else {}),
            }
        plans[name] = plan
        plan_ids[rid] = name
        written = (
            join("/Resources", rid)
            if rid in template.resources
            else (origins._sam("Auth", "UsagePlan") or join("/Resources", api_id))
        )
        origins.extra[join("/x-apigwc/usagePlans", name)] = written
    for rid in sorted(resources):
        res = resources[rid]
        if not isinstance(res, dict) or res.get("Type") != "AWS::ApiGateway::UsagePlanKey":
            continue
        p = res.get("Properties") or {}
        plan = plan_ids.get(_ref_target(p.get("UsagePlanId")) or "")
        key_id = _ref_target(p.get("KeyId"))
        key_res = resources.get(key_id or "")
        if plan is None or not isinstance(key_res, dict):
            continue
        kp = key_res.get("Properties") or {}
        kname = resolver.resolve(kp.get("Name"), keep_resources=False)
        kname = kname if isinstance(kname, str) else key_id
        entry: dict[str, Any] = {"enabled": kp.get("Enabled") is True}
        written = (
            join("/Resources", key_id)
            if key_id in template.resources
            else (origins._sam("Auth", "UsagePlan") or join("/Resources", api_id))
        )
        value = resolver.values.params.get(f"{key_id}.Value")
        if value is None and "Value" in kp:
            value = resolver.resolve(kp["Value"], keep_resources=False)
        if isinstance(value, str):
            entry["value"] = value
        else:
            report(
                written,
                f"API key {key_id} has no value known locally (API Gateway generates one)",
                f"--param {key_id}.Value=VALUE",
            )
        keys[kname] = entry
        plans[plan].setdefault("apiKeys", []).append(kname)
        origins.extra[join("/x-apigwc/apiKeys", kname)] = written
    if plans:
        out["usagePlans"] = plans
    if keys:
        out["apiKeys"] = keys


def describe(template: Template) -> str:
    """What a template without an API holds, for the message."""
    counts: dict[str, int] = {}
    for res in template.resources.values():
        kind = res.get("Type") if isinstance(res, dict) else None
        if isinstance(kind, str):
            counts[kind] = counts.get(kind, 0) + 1
    if not counts:
        return "no resources"
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
