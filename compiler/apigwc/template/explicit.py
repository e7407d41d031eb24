"""Lift explicit ``AWS::ApiGateway::*`` resources of a template into an OpenAPI document.

A template without OpenAPI describes its REST API resource by resource: a
``AWS::ApiGateway::RestApi``, a tree of ``Resource``\\ s (``ParentId`` + ``PathPart``),
``Method``\\ s with their ``Integration`` and ``MethodResponses``, ``Authorizer``\\ s,
``RequestValidator``\\ s, ``Model``\\ s, ``GatewayResponse``\\ s, and the deployment side
(``Stage``, ``Deployment`` with ``StageName``, ``ApiKey``, ``UsagePlan``,
``UsagePlanKey``).  `lift_rest_api` writes the same API as the OpenAPI 3.0 document API
Gateway would export for it (the shape of `apigwc.targets.openapi`), with the deployment
side in ``x-apigwc``, so the one pipeline (check, IR, rules, lowering, every target and
the local gateway) treats it exactly like an imported document.

Why a document and not IR directly: the IR is built only from documents (`apigwc.build`
is the one module that reads raw OpenAPI), every check and rule reports at JSON Pointers
of a document, and `origins` maps each pointer of the generated document back to the
template property it came from, so a finding lands on the template's line.

A RestApi with ``Body`` is the base document; the explicit resources pointing at it are
merged into it, as AWS does (CloudFormation imports the body, then creates the other
resources inside the same API).  What cannot be lifted is reported as located problems
(template pointers): references to resources that do not exist, cycles in the resource
tree, a resource or method whose parent belongs to another API, two definitions of one
route or stage.  docs/templates-explicit.md lists every property and choice.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from ..diagnostics import Code, Diagnostic, Diagnostics, Severity
from ..intrinsics import is_intrinsic
from ..pathtemplate import parameter_names
from ..source import join

# ----------------------------------------------------------------------------------------
# Codes (AGW040-AGW043): what cannot be lifted

UNKNOWN_REFERENCE = Code(
    code="AGW040",
    name="template-unknown-reference",
    severity=Severity.ERROR,
    stage="template",
    summary="An API Gateway resource refers to a resource the template does not have, or of the wrong type.",
    doc="""What it checks: every `Ref` / `Fn::GetAtt` that ties an explicit API Gateway resource to
its API (`ParentId`, `ResourceId`, `AuthorizerId`, `RequestValidatorId`, `ApiStages`,
`KeyId`, `UsagePlanId`, model names) names a resource of the template, of the right type.

Why: CloudFormation rejects the template ("Unresolved resource dependencies"), and apigwc
cannot place the method or setting in the API.

Example:
    ResourceId: !Ref PetsResource     # the template calls it PetResource

Fix: correct the logical id.""",
)
RESOURCE_TREE = Code(
    code="AGW041",
    name="template-resource-tree",
    severity=Severity.ERROR,
    stage="template",
    summary="The AWS::ApiGateway::Resource tree of an API has a cycle, or a parent in another API.",
    doc="""What it checks: following `ParentId` from every `AWS::ApiGateway::Resource` reaches the
API's root (`!GetAtt Api.RootResourceId`) without a cycle and without leaving the API named
by its `RestApiId`.

Why: CloudFormation reports a circular dependency, or CreateResource fails because the
parent id is not a resource of that API ("Invalid Resource identifier specified").

Example:
    RestApiId: !Ref PublicApi
    ParentId: !GetAtt AdminApi.RootResourceId

Fix: point `ParentId` at the root or at a resource of the same API.""",
)
NOT_LIFTED = Code(
    code="AGW042",
    name="template-not-lifted",
    severity=Severity.WARNING,
    stage="template",
    summary="A property of an explicit API Gateway resource cannot be read, so it is left out of the API.",
    doc="""What it checks: the properties apigwc needs to place a resource or method (`PathPart`,
`HttpMethod`, `StageName`, a model's `Schema`) are plain values, and settings have a shape
API Gateway accepts.

Why: a value only known once deployed (an unresolved intrinsic), a schema that is not JSON
or an unknown HTTP method leaves that part out of what apigwc checks and serves.

Example:
    PathPart: !ImportValue shared-path

Fix: write the value in the template, or give it with `--param`.""",
)
CONFLICT = Code(
    code="AGW043",
    name="template-api-conflict",
    severity=Severity.ERROR,
    stage="template",
    summary="Two template resources define the same route, resource path, stage or model of one API.",
    doc="""What it checks: in one API, each resource path, each (path, HTTP method), each stage
name and each model name is defined once, counting the API's `Body`.

Why: the second definition fails to deploy ("Another resource with the same parent already
has this name", "Method already exists for this resource", "Stage already exists").

Example:
    Deployment:
      Properties: {RestApiId: !Ref Api, StageName: prod}
    ProdStage:
      Type: AWS::ApiGateway::Stage
      Properties: {RestApiId: !Ref Api, StageName: prod, DeploymentId: !Ref Deployment}

Fix: remove one of the two (for stages: drop `StageName` from the Deployment).""",
)

LIFT_CODES: tuple[Code, ...] = (UNKNOWN_REFERENCE, RESOURCE_TREE, NOT_LIFTED, CONFLICT)

_VERBS = ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "ANY")
_WHERE = {"path": "path", "querystring": "query", "header": "header"}
_MODEL_URL = re.compile(r"^https://apigateway\.amazonaws\.com/restapis/[^/]+/models/([A-Za-z0-9]+)$")
_MODEL_SUB = re.compile(
    r"^https://apigateway\.amazonaws\.com/restapis/\$\{[^}]+\}/models/(?:\$\{([^}.]+)\}|([A-Za-z0-9]+))$"
)
#: a ``${...}`` that API Gateway's import does not resolve [Doc: "AWS variables for OpenAPI import"]
_NOT_IMPORT_VARIABLE = re.compile(r"\$\{(?!AWS::(?:AccountId|Partition|Region)\}|!)[^}]*\}")
_BUILTIN_MODELS = ("Empty", "Error")
_API_TYPES = {
    "Resource": "AWS::ApiGateway::Resource",
    "Method": "AWS::ApiGateway::Method",
    "Authorizer": "AWS::ApiGateway::Authorizer",
    "RequestValidator": "AWS::ApiGateway::RequestValidator",
    "Model": "AWS::ApiGateway::Model",
    "GatewayResponse": "AWS::ApiGateway::GatewayResponse",
    "Stage": "AWS::ApiGateway::Stage",
    "Deployment": "AWS::ApiGateway::Deployment",
}
#: StageDescription / MethodSetting properties -> x-apigwc method setting keys
_SETTING_KEYS = (
    ("LoggingLevel", "loggingLevel"),
    ("DataTraceEnabled", "dataTraceEnabled"),
    ("MetricsEnabled", "metricsEnabled"),
    ("CachingEnabled", "cachingEnabled"),
    ("CacheTtlInSeconds", "cacheTtlInSeconds"),
    ("CacheDataEncrypted", "cacheDataEncrypted"),
)


#: ``StageDescription``'s top-level settings: the stage's ``/*`` ``*`` method setting
#: [Doc: AWS::ApiGateway::Deployment StageDescription, "...for all methods in the stage"]
STAGE_SHORTHAND = (
    "CacheDataEncrypted",
    "CacheTtlInSeconds",
    "CachingEnabled",
    "DataTraceEnabled",
    "LoggingLevel",
    "MetricsEnabled",
    "ThrottlingBurstLimit",
    "ThrottlingRateLimit",
)


def stage_of_description(description: Mapping[str, Any]) -> dict:
    """The properties of the ``AWS::ApiGateway::Stage`` a Deployment's ``StageDescription``
    declares inline [Doc: AWS::ApiGateway::Deployment StageDescription]: its other properties
    are the Stage's own (same names and shapes; its ``CanarySetting`` lacks only the
    DeploymentId the stage has from its deployment), its top-level settings
    (`STAGE_SHORTHAND`) the ``/*`` ``*`` method setting, merged under an entry the user wrote
    for ``/*`` ``*`` (the entry wins).  Values are copied as written (intrinsics kept)."""
    props = {k: copy.deepcopy(v) for k, v in description.items() if k not in STAGE_SHORTHAND}
    top = {k: copy.deepcopy(description[k]) for k in STAGE_SHORTHAND if k in description}
    if top:
        settings = props.get("MethodSettings")
        settings = list(settings) if isinstance(settings, list) else []
        every = next(
            (
                i
                for i, ms in enumerate(settings)
                if isinstance(ms, dict) and ms.get("ResourcePath", "/*") == "/*" and ms.get("HttpMethod", "*") == "*"
            ),
            None,
        )
        if every is None:  # (last: the entries the user wrote keep their indexes)
            settings.append({"ResourcePath": "/*", "HttpMethod": "*", **top})
        else:
            settings[every] = {**top, **settings[every]}
        props["MethodSettings"] = settings
    return props


@dataclass(frozen=True)
class LiftedApi:
    """One REST API of a template as an OpenAPI document, and where each part came from."""

    document: dict
    #: JSON Pointer in `document` -> JSON Pointer in the template it came from
    origins: dict[str, str]
    #: located diagnostics (template pointers) for what cannot be lifted
    problems: tuple[Diagnostic, ...]
    #: logical id of each lifted template resource -> the gateway node it became, keyed as
    #: lowering keys them: "resource /pets", "method GET /pets", "model Pet", "authorizer
    #: tok", "validator body", "gateway-response DEFAULT_4XX", "stage prod", "deployment",
    #: "usage-plan gold", "api-key partner", "usage-plan-key gold partner"
    members: Mapping[str, str] = field(default_factory=dict)

    def template_pointer(self, pointer: str) -> str | None:
        """The template pointer of a document pointer: its own origin or its nearest ancestor's."""
        while True:
            found = self.origins.get(pointer)
            if found is not None:
                return found
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


def lift_rest_api(resources: Mapping[str, Any], api_id: str) -> LiftedApi:
    """Lift the RestApi ``api_id`` and the explicit resources that belong to it.

    ``resources`` is the template's ``Resources`` (after SAM expansion and intrinsic
    resolution; what could not be resolved stays an intrinsic such as ``{"Ref": ...}``).
    """
    return _Lifter(resources, api_id).run()


# ----------------------------------------------------------------------------------------
# Reading references


def _ref(value: Any) -> str | None:
    """The logical id of ``{"Ref": X}``."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Ref"), str):
        return value["Ref"]
    return None


def _get_att(value: Any) -> tuple[str, str] | None:
    """``(resource, attribute)`` of ``{"Fn::GetAtt": [R, A]}`` or ``{"Fn::GetAtt": "R.A"}``."""
    if not (isinstance(value, dict) and len(value) == 1 and "Fn::GetAtt" in value):
        return None
    args = value["Fn::GetAtt"]
    if isinstance(args, str) and "." in args:
        res, _, attr = args.partition(".")
        return res, attr
    if isinstance(args, list) and len(args) == 2 and all(isinstance(a, str) for a in args):
        return args[0], args[1]
    return None


def _bool(value: Any) -> bool | None:
    """CloudFormation booleans: true/false or the strings "true"/"false"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            f = float(value)
        except ValueError:
            return None
        return int(f) if f.is_integer() else f
    return None


def _text(value: Any) -> Any:
    """A string-typed property: strings as is, numbers as text, intrinsics kept (opaque)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    if is_intrinsic(value):
        return _unwrap_sub(value)
    return None


def _unwrap_sub(value: Any) -> Any:
    """``Fn::Sub`` naming only ``AWS::Region``, ``AccountId``, ``Partition`` -> the string the import reads.

    The CloudFormation target writes ``"arn:aws:apigateway:${AWS::Region}:..."`` (which
    the import resolves) as ``Fn::Sub`` with other ``${...}`` escaped as ``${!...}``;
    this is the inverse, so such a value means the same in the document.
    """
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Fn::Sub"), str):
        text = value["Fn::Sub"]
        if not _NOT_IMPORT_VARIABLE.search(text):
            return text.replace("${!", "${")
    return value


def _walk(node: Any, pointer: str) -> Iterator[str]:
    """Every pointer inside a JSON value (containers and leaves)."""
    yield pointer
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, join(pointer, str(k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, join(pointer, i))


def _unescape_path(path: str) -> str:
    """A MethodSetting ResourcePath as written in x-apigwc: ``/~1pets~1{id}`` -> ``/pets/{id}``."""
    if path in ("/*", "*"):
        return "*"
    if path.startswith("/~1"):  # escaped, as CloudFormation wants it [Doc: MethodSetting ResourcePath]
        return path[1:].replace("~1", "/").replace("~0", "~")
    return path  # written unescaped: taken as is


# ----------------------------------------------------------------------------------------


class _Lifter:
    def __init__(self, resources: Mapping[str, Any], api_id: str) -> None:
        self.resources = resources
        self.api_id = api_id
        self.diags = Diagnostics()
        self.origins: dict[str, str] = {}
        api = resources.get(api_id)
        self.api_props: dict = api.get("Properties") or {} if isinstance(api, dict) else {}
        if not isinstance(self.api_props, dict):
            self.api_props = {}
        body = self.api_props.get("Body")
        self.body_problem: str | None = None
        if isinstance(body, str):
            # CloudFormation's Body is a JSON object; a JSON text is read too [Inf]
            try:
                body = json.loads(body)
            except ValueError as exc:
                self.body_problem = f"the Body is not a JSON object: {exc}"
        if body is not None and (not isinstance(body, dict) or is_intrinsic(body)) and self.body_problem is None:
            self.body_problem = f"the Body cannot be read: {json.dumps(body)[:200]}"
        self.has_body = isinstance(body, dict) and not is_intrinsic(body)
        self.body: dict = body if self.has_body else {}
        self.doc: dict[str, Any] = copy.deepcopy(body) if self.has_body else {"openapi": "3.0.1"}
        if self.has_body:
            for p in _walk(body, ""):
                self.origins[p] = self._prop_ptr(api_id, "Body") + p
        self.v2 = isinstance(self.doc.get("swagger"), str) or "swagger" in self.doc
        self.ref_base = "#/definitions/" if self.v2 else "#/components/schemas/"
        self.mine = self._members()
        self.paths: dict[str, str] = {}  # Resource logical id -> path
        self.model_names: dict[str, str] = {}  # Model logical id -> name
        self.authorizer_names: dict[str, str] = {}
        self.validator_names: dict[str, str] = {}
        self.stage_names: dict[str, str] = {}  # Stage (or Deployment) logical id -> stage name
        self.key_names: dict[str, str] = {}
        self.members: dict[str, str] = {}

    # -- bookkeeping ---------------------------------------------------------------------

    @staticmethod
    def _prop_ptr(logical_id: str, *tokens: str | int) -> str:
        return join("/Resources", logical_id, "Properties", *tokens)

    def problem(self, code: Code, message: str, logical_id: str, *tokens: str | int, hint: str | None = None) -> None:
        pointer = self._prop_ptr(logical_id, *tokens) if tokens else join("/Resources", logical_id)
        self.diags.add(code, message, pointer=pointer, at_key=True, hint=hint)

    def origin(self, doc_pointer: str, logical_id: str, *tokens: str | int) -> None:
        self.origins[doc_pointer] = self._prop_ptr(logical_id, *tokens) if tokens else join("/Resources", logical_id)

    def origin_tree(self, value: Any, doc_pointer: str, logical_id: str, *tokens: str | int) -> None:
        """Map every pointer of a value copied as is (maps of parameters, schemas, policies)."""
        base = self._prop_ptr(logical_id, *tokens)
        for p in _walk(value, ""):
            self.origins[doc_pointer + p] = base + p

    def props(self, logical_id: str) -> dict:
        res = self.resources.get(logical_id)
        props = res.get("Properties") if isinstance(res, dict) else None
        return props if isinstance(props, dict) else {}

    def type_of(self, logical_id: str) -> str | None:
        res = self.resources.get(logical_id)
        kind = res.get("Type") if isinstance(res, dict) else None
        return kind if isinstance(kind, str) else None

    def target(self, value: Any) -> str | None:
        """A logical id from ``Ref`` (or a resolved string that is a logical id)."""
        found = _ref(value)
        if found is not None:
            return found
        if isinstance(value, str) and value in self.resources:
            return value
        return None

    def points_at_api(self, value: Any) -> bool:
        return self.target(value) == self.api_id

    def _members(self) -> dict[str, list[str]]:
        """Logical ids of this API's resources, by kind, sorted."""
        out: dict[str, list[str]] = {kind: [] for kind in _API_TYPES}
        by_type = {v: k for k, v in _API_TYPES.items()}
        for lid in sorted(self.resources):
            kind = by_type.get(self.type_of(lid) or "")
            if kind is not None and self.points_at_api(self.props(lid).get("RestApiId")):
                out[kind].append(lid)
        return out

    def resolve_ref(self, value: Any, expected: str, owner: str, *tokens: str | int) -> str | None:
        """The logical id of a ``Ref`` to a resource of type ``expected``, else a located problem."""
        lid = self.target(value)
        if lid is None:
            self.problem(
                NOT_LIFTED,
                f"{tokens[-1]} is not a Ref to a resource of this template: {json.dumps(value)}",
                owner,
                *tokens,
            )
            return None
        if lid not in self.resources:
            self.problem(
                UNKNOWN_REFERENCE, f"{tokens[-1]} refers to '{lid}', which the template does not define", owner, *tokens
            )
            return None
        if self.type_of(lid) != expected:
            self.problem(
                UNKNOWN_REFERENCE,
                f"{tokens[-1]} refers to '{lid}', a {self.type_of(lid)}, not an {expected}",
                owner,
                *tokens,
            )
            return None
        return lid

    # -- the whole document --------------------------------------------------------------

    def run(self) -> LiftedApi:
        if self.body_problem is not None:
            self.problem(NOT_LIFTED, self.body_problem + "; the API is lifted without it", self.api_id, "Body")
        self._rest_api()
        self._models()
        self._validators()
        self._authorizers()
        self._gateway_responses()
        self._resource_tree()
        self._methods()
        self._stages()
        self._usage_plans()
        self._prune()
        members = {self.api_id: "rest-api", **dict(sorted(self.members.items()))}
        return LiftedApi(document=self.doc, origins=self.origins, problems=tuple(self.diags), members=members)

    def _prune(self) -> None:
        """Drop the empty sections the lift opened (a Body's own empty sections stay)."""
        components = self.doc.get("components")
        if isinstance(components, dict):
            for key in ("schemas", "securitySchemes"):
                if components.get(key) == {} and not (self.has_body and key in (self.body.get("components") or {})):
                    del components[key]
            if components == {} and not (self.has_body and "components" in self.body):
                del self.doc["components"]
        for key in ("definitions", "securityDefinitions"):
            if self.doc.get(key) == {} and not (self.has_body and key in self.body):
                del self.doc[key]

    def section(self, *keys: str) -> dict:
        """A mapping of the document, created when missing."""
        node = self.doc
        for k in keys:
            child = node.get(k)
            if not isinstance(child, dict):
                child = node[k] = {}
            node = child
        return node

    def apigwc(self) -> dict:
        return self.section("x-apigwc")

    def schemas_key(self) -> tuple[str, ...]:
        return ("definitions",) if self.v2 else ("components", "schemas")

    def schemes_key(self) -> tuple[str, ...]:
        return ("securityDefinitions",) if self.v2 else ("components", "securitySchemes")

    # -- RestApi -------------------------------------------------------------------------

    def _rest_api(self) -> None:
        p, a = self.api_props, self.api_id
        info = self.section("info")
        if not self.has_body:
            self.origin("", a)
            self.origin("/info", a)
        name = _text(p.get("Name"))
        if name is not None:
            info["title"] = name
            self.origin("/info/title", a, "Name")
        elif "title" not in info:
            info["title"] = a  # CloudFormation requires Name without a Body
            self.origin("/info/title", a)
        description = _text(p.get("Description"))
        if description is not None:
            info["description"] = description
            self.origin("/info/description", a, "Description")
        if "version" not in info:
            # a template's API has no version; OpenAPI wants one (AGW011 is not the template's fault)
            info["x-apigwc-ignore"] = "AGW011"
        for prop, ext, convert in (
            (
                "BinaryMediaTypes",
                "x-amazon-apigateway-binary-media-types",
                lambda v: [x for x in v if isinstance(x, str)] if isinstance(v, list) else None,
            ),
            ("MinimumCompressionSize", "x-amazon-apigateway-minimum-compression-size", _int),
            ("ApiKeySourceType", "x-amazon-apigateway-api-key-source", lambda v: v if isinstance(v, str) else None),
            ("Policy", "x-amazon-apigateway-policy", self._policy),
        ):
            if prop in p:
                value = convert(p[prop])
                if value is None:
                    self.problem(NOT_LIFTED, f"{prop} cannot be read: {json.dumps(p[prop])}", a, prop)
                    continue
                self.doc[ext] = (
                    value  # the properties win over the body, as CloudFormation applies them after the import
                )
                self.origin_tree(value, join("", ext), a, prop)
        self._endpoint_configuration()

    def _policy(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return None
        return value if isinstance(value, dict) else None

    def _endpoint_configuration(self) -> None:
        p, a = self.api_props, self.api_id
        ec = p.get("EndpointConfiguration")
        config: dict[str, Any] = {}
        if isinstance(ec, dict):
            types = ec.get("Types")
            if isinstance(types, list) and types and isinstance(types[0], str):
                self.apigwc()["endpointType"] = types[0].upper()
                self.origin("/x-apigwc/endpointType", a, "EndpointConfiguration", "Types", 0)
            vpces = ec.get("VpcEndpointIds")
            if isinstance(vpces, list) and vpces:
                config["vpcEndpointIds"] = [_text(v) for v in vpces]
            if isinstance(ec.get("IpAddressType"), str):
                config["ipAddressType"] = ec["IpAddressType"]
        disable = _bool(p.get("DisableExecuteApiEndpoint"))
        if disable:
            config["disableExecuteApiEndpoint"] = True
        if not config:
            return
        if self.v2:
            target = self.section("x-amazon-apigateway-endpoint-configuration")
            at = "/x-amazon-apigateway-endpoint-configuration"
        else:
            servers = self.doc.setdefault("servers", [])
            if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
                servers = self.doc["servers"] = [{"url": "/"}]
            target = servers[0].setdefault("x-amazon-apigateway-endpoint-configuration", {})
            at = "/servers/0/x-amazon-apigateway-endpoint-configuration"
        target.update(config)
        self.origin(at, a, "EndpointConfiguration")
        if "disableExecuteApiEndpoint" in config:
            self.origin(at + "/disableExecuteApiEndpoint", a, "DisableExecuteApiEndpoint")

    # -- models, validators, authorizers, gateway responses ------------------------------

    def _models(self) -> None:
        names: dict[str, str] = {}
        for lid in self.mine["Model"]:
            p = self.props(lid)
            name = p.get("Name") if isinstance(p.get("Name"), str) else lid
            if name in names:
                self.problem(CONFLICT, f"model '{name}' is also defined by '{names[name]}'", lid, "Name")
                continue
            names[name] = lid
            self.model_names[lid] = name
            self.members[lid] = f"model {name}"
        schemas = self.section(*self.schemas_key())
        base = "/" + "/".join(self.schemas_key())
        for lid, name in self.model_names.items():
            p = self.props(lid)
            raw = p.get("Schema", {"type": "object"})
            schema = raw
            if isinstance(raw, str):
                try:
                    schema = json.loads(raw)
                except ValueError as exc:
                    self.problem(NOT_LIFTED, f"the Schema of model '{name}' is not JSON: {exc}", lid, "Schema")
                    continue
            if not isinstance(schema, dict):
                self.problem(NOT_LIFTED, f"the Schema of model '{name}' is not a JSON object", lid, "Schema")
                continue
            if name in schemas:
                self.problem(CONFLICT, f"model '{name}' is also defined in the API's Body", lid, "Name")
                continue
            content_type = p.get("ContentType")
            if isinstance(content_type, str) and content_type.lower() != "application/json":
                self.problem(
                    NOT_LIFTED,
                    f"model '{name}' has ContentType {content_type}; OpenAPI keeps no content type for a model, so apigwc reads it as application/json",
                    lid,
                    "ContentType",
                )
            ptr = join(base, name)
            schemas[name] = self._schema(schema, lid)
            if isinstance(p.get("Description"), str) and "description" not in schemas[name]:
                schemas[name]["description"] = p["Description"]
            self.origin(ptr, lid)
            if isinstance(raw, dict):
                self.origin_tree(schemas[name], ptr, lid, "Schema")
                self.origin(ptr, lid)

    def _schema(self, node: Any, owner: str) -> Any:
        """A model schema with model URLs (``.../restapis/{id}/models/Name``) as local `$ref`s."""
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                name = self._model_url_name(v) if k == "$ref" else None
                if name is not None and k == "$ref":
                    out[k] = self.ref_base + name
                else:
                    out[k] = self._schema(v, owner)
            return out
        if isinstance(node, list):
            return [self._schema(v, owner) for v in node]
        return node

    def _model_url_name(self, value: Any) -> str | None:
        if isinstance(value, str):
            m = _MODEL_URL.match(value)
            return m.group(1) if m else None
        if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Fn::Sub"), str):
            m = _MODEL_SUB.match(value["Fn::Sub"])
            if m:
                return self.model_names.get(m.group(1), m.group(1)) if m.group(1) else m.group(2)
        return None

    def model_name(self, value: Any, owner: str, *tokens: str | int) -> str | None:
        """A model named in RequestModels / ResponseModels: a name, or a Ref to a Model."""
        lid = _ref(value)
        if lid is not None:
            if lid in self.model_names:
                return self.model_names[lid]
            self.resolve_ref(value, "AWS::ApiGateway::Model", owner, *tokens)
            return None
        if isinstance(value, str):
            if value in self.model_names.values() or value in self.section(*self.schemas_key()):
                return value
            if value in _BUILTIN_MODELS:
                return value
            self.problem(UNKNOWN_REFERENCE, f"model '{value}' is not defined for this API", owner, *tokens)
            return None
        self.problem(NOT_LIFTED, f"a model name cannot be read: {json.dumps(value)}", owner, *tokens)
        return None

    def schema_for(self, model: str) -> dict | None:
        """The `$ref` to a model; None for an undefined built-in model (no schema in the document)."""
        if model in _BUILTIN_MODELS and model not in self.section(*self.schemas_key()):
            return None
        return {"$ref": self.ref_base + model}

    def _validators(self) -> None:
        validators = self.doc.get("x-amazon-apigateway-request-validators")
        for lid in self.mine["RequestValidator"]:
            p = self.props(lid)
            name = p.get("Name") if isinstance(p.get("Name"), str) else lid
            if isinstance(validators, dict) and name in validators:
                self.problem(CONFLICT, f"request validator '{name}' is also defined", lid, "Name")
                continue
            validators = self.section("x-amazon-apigateway-request-validators")
            validators[name] = {
                "validateRequestBody": _bool(p.get("ValidateRequestBody")) is True,
                "validateRequestParameters": _bool(p.get("ValidateRequestParameters")) is True,
            }
            ptr = join("/x-amazon-apigateway-request-validators", name)
            self.origin(ptr, lid)
            self.origin(ptr + "/validateRequestBody", lid, "ValidateRequestBody")
            self.origin(ptr + "/validateRequestParameters", lid, "ValidateRequestParameters")
            self.validator_names[lid] = name
            self.members[lid] = f"validator {name}"

    def _authorizers(self) -> None:
        for lid in self.mine["Authorizer"]:
            p = self.props(lid)
            name = p.get("Name") if isinstance(p.get("Name"), str) else lid
            schemes = self.section(*self.schemes_key())
            if name in schemes:
                self.problem(CONFLICT, f"authorizer '{name}' is also defined", lid, "Name")
                continue
            kind = p.get("Type")
            if not isinstance(kind, str) or kind.upper() not in ("TOKEN", "REQUEST", "COGNITO_USER_POOLS"):
                self.problem(
                    NOT_LIFTED,
                    f"authorizer '{name}' has Type {json.dumps(kind)}; expected TOKEN, REQUEST or COGNITO_USER_POOLS",
                    lid,
                    "Type",
                )
                continue
            source = p.get("IdentitySource")
            source = source if isinstance(source, str) else None
            first = (source or "").split(",")[0].strip()
            where, header = "header", "Unused"
            if first.startswith("method.request.header."):
                header = first.removeprefix("method.request.header.")
            elif first.startswith("method.request.querystring."):
                where, header = "query", first.removeprefix("method.request.querystring.")
            scheme: dict[str, Any] = {"type": "apiKey", "name": header, "in": where}
            if isinstance(p.get("AuthType"), str):
                scheme["x-amazon-apigateway-authtype"] = p["AuthType"]
            auth: dict[str, Any] = {"type": kind.lower()}
            base = join("/" + "/".join(self.schemes_key()), name)
            ext = base + "/x-amazon-apigateway-authorizer"
            for prop, key in (
                ("AuthorizerUri", "authorizerUri"),
                ("AuthorizerCredentials", "authorizerCredentials"),
                ("IdentitySource", "identitySource"),
                ("IdentityValidationExpression", "identityValidationExpression"),
            ):
                value = _text(p.get(prop))
                if value is not None:
                    auth[key] = value
                    self.origin(join(ext, key), lid, prop)
            ttl = _int(p.get("AuthorizerResultTtlInSeconds"))
            if ttl is not None:
                auth["authorizerResultTtlInSeconds"] = ttl
                self.origin(ext + "/authorizerResultTtlInSeconds", lid, "AuthorizerResultTtlInSeconds")
            arns = p.get("ProviderARNs")
            if isinstance(arns, list):
                auth["providerARNs"] = [_text(v) for v in arns]
                self.origin_tree(auth["providerARNs"], ext + "/providerARNs", lid, "ProviderARNs")
            scheme["x-amazon-apigateway-authorizer"] = auth
            schemes[name] = scheme
            self.origin(base, lid)
            self.origin(ext, lid)
            self.origin(ext + "/type", lid, "Type")
            self.authorizer_names[lid] = name
            self.members[lid] = f"authorizer {name}"

    def _gateway_responses(self) -> None:
        for lid in self.mine["GatewayResponse"]:
            p = self.props(lid)
            rtype = p.get("ResponseType")
            if not isinstance(rtype, str):
                self.problem(NOT_LIFTED, f"ResponseType cannot be read: {json.dumps(rtype)}", lid, "ResponseType")
                continue
            responses = self.section("x-amazon-apigateway-gateway-responses")
            if rtype in responses:
                self.problem(CONFLICT, f"gateway response {rtype} is also defined", lid, "ResponseType")
                continue
            out: dict[str, Any] = {}
            ptr = join("/x-amazon-apigateway-gateway-responses", rtype)
            self.origin(ptr, lid)
            if "StatusCode" in p:
                out["statusCode"] = _text(p["StatusCode"])
                self.origin(ptr + "/statusCode", lid, "StatusCode")
            for prop, key in (("ResponseParameters", "responseParameters"), ("ResponseTemplates", "responseTemplates")):
                if isinstance(p.get(prop), dict):
                    out[key] = {k: _text(v) for k, v in p[prop].items()}
                    self.origin_tree(out[key], join(ptr, key), lid, prop)
            responses[rtype] = out
            self.members[lid] = f"gateway-response {rtype}"

    # -- the resource tree ---------------------------------------------------------------

    def _parent(self, lid: str) -> tuple[str, str | None] | None:
        """("root", None) or ("resource", parent id); None (with a problem) if it cannot be told."""
        value = self.props(lid).get("ParentId")
        att = _get_att(value)
        if att is not None:
            res, attr = att
            if res not in self.resources:
                self.problem(
                    UNKNOWN_REFERENCE,
                    f"ParentId refers to '{res}', which the template does not define",
                    lid,
                    "ParentId",
                )
                return None
            if attr != "RootResourceId" or self.type_of(res) != "AWS::ApiGateway::RestApi":
                self.problem(
                    UNKNOWN_REFERENCE,
                    f"ParentId is {res}.{attr}; expected a RestApi's RootResourceId or a Ref to a Resource",
                    lid,
                    "ParentId",
                )
                return None
            if res != self.api_id:
                self.problem(
                    RESOURCE_TREE,
                    f"resource '{lid}' belongs to API '{self.api_id}' (RestApiId) but its ParentId is the root of API '{res}'",
                    lid,
                    "ParentId",
                )
                return None
            return ("root", None)
        parent = self.resolve_ref(value, "AWS::ApiGateway::Resource", lid, "ParentId")
        if parent is None:
            return None
        if not self.points_at_api(self.props(parent).get("RestApiId")):
            other = self.target(self.props(parent).get("RestApiId")) or "another API"
            self.problem(
                RESOURCE_TREE,
                f"resource '{lid}' belongs to API '{self.api_id}' (RestApiId) but its parent '{parent}' belongs to '{other}'",
                lid,
                "ParentId",
            )
            return None
        return ("resource", parent)

    def _resource_tree(self) -> None:
        parents: dict[str, str | None] = {}
        for lid in self.mine["Resource"]:
            part = self.props(lid).get("PathPart")
            if not isinstance(part, str) or not part or "/" in part:
                self.problem(
                    NOT_LIFTED,
                    f"PathPart of resource '{lid}' must be one path segment; found {json.dumps(part)}",
                    lid,
                    "PathPart",
                )
                continue
            found = self._parent(lid)
            if found is not None:
                parents[lid] = found[1]
        state: dict[str, str] = {}  # lid -> path, or "" while being resolved / failed

        def resolve(lid: str) -> str | None:
            chain: list[str] = []
            node: str | None = lid
            while node is not None and node not in state:
                if node in chain:
                    cycle = chain[chain.index(node) :] + [node]
                    for member in chain[chain.index(node) :]:
                        self.problem(
                            RESOURCE_TREE,
                            f"the ParentId chain of resource '{member}' is a cycle: {' -> '.join(cycle)}",
                            member,
                            "ParentId",
                        )
                        state[member] = ""
                    break
                if node not in parents:
                    state[node] = ""  # its own problem was reported
                    break
                chain.append(node)
                node = parents[node]
            for member in reversed(chain):
                if member in state:
                    continue
                parent = parents[member]
                base = "" if parent is None else state.get(parent, "")
                if parent is not None and not base:
                    state[member] = ""
                    continue
                state[member] = base + "/" + self.props(member)["PathPart"]
            return state.get(lid) or None

        taken: dict[str, str] = {}
        body_paths = self.doc.get("paths") if self.has_body and isinstance(self.doc.get("paths"), dict) else {}
        body_prefixes = {
            ("/" + "/".join(p.strip("/").split("/")[: i + 1]))
            for p in body_paths
            for i in range(len(p.strip("/").split("/")))
            if p.strip("/")
        }
        for lid in self.mine["Resource"]:
            path = resolve(lid) if lid in parents else None
            if path is None:
                continue
            if path in taken:
                self.problem(CONFLICT, f"resource '{lid}' and '{taken[path]}' both create {path}", lid, "PathPart")
                continue
            if path in body_prefixes:
                self.problem(
                    CONFLICT, f"resource '{lid}' creates {path}, which the API's Body already has", lid, "PathPart"
                )
                continue
            taken[path] = lid
            self.paths[lid] = path
            self.members[lid] = f"resource {path}"

    # -- methods -------------------------------------------------------------------------

    def _method_path(self, lid: str) -> str | None:
        value = self.props(lid).get("ResourceId")
        att = _get_att(value)
        if att is not None:
            if att == (self.api_id, "RootResourceId"):
                return "/"
            if att[0] not in self.resources:
                self.problem(
                    UNKNOWN_REFERENCE,
                    f"ResourceId refers to '{att[0]}', which the template does not define",
                    lid,
                    "ResourceId",
                )
            else:
                self.problem(
                    RESOURCE_TREE,
                    f"method '{lid}' belongs to API '{self.api_id}' but its ResourceId is {att[0]}.{att[1]}",
                    lid,
                    "ResourceId",
                )
            return None
        res = self.resolve_ref(value, "AWS::ApiGateway::Resource", lid, "ResourceId")
        if res is None:
            return None
        if not self.points_at_api(self.props(res).get("RestApiId")):
            self.problem(
                RESOURCE_TREE,
                f"method '{lid}' belongs to API '{self.api_id}' but its resource '{res}' belongs to another API",
                lid,
                "ResourceId",
            )
            return None
        return self.paths.get(res)  # None: the resource's own problem was reported

    def _methods(self) -> None:
        paths = self.section("paths")
        if not self.has_body:
            self.origin("/paths", self.api_id)
        seen: dict[tuple[str, str], str] = {}
        for lid in self.mine["Method"]:
            p = self.props(lid)
            verb = p.get("HttpMethod")
            if not isinstance(verb, str) or verb.upper() not in _VERBS:
                self.problem(
                    NOT_LIFTED,
                    f"HttpMethod of method '{lid}' must be one of {', '.join(_VERBS)}; found {json.dumps(verb)}",
                    lid,
                    "HttpMethod",
                )
                continue
            verb = verb.upper()
            path = self._method_path(lid)
            if path is None:
                continue
            key = "x-amazon-apigateway-any-method" if verb == "ANY" else verb.lower()
            item = paths.setdefault(path, {})
            if (path, verb) in seen or key in item:
                other = seen.get((path, verb), "the API's Body")
                self.problem(CONFLICT, f"{verb} {path} is also defined by {other}", lid, "HttpMethod")
                continue
            seen[(path, verb)] = lid
            self.members[lid] = f"method {verb} {path}"
            ptr = join("/paths", path, key)
            self.origin(ptr, lid)
            item[key] = self._operation(lid, p, path, ptr)
        for lid, path in self.paths.items():
            if path in paths:
                self.origin(join("/paths", path), lid)
            else:
                # a leaf resource without methods still exists in the gateway
                if not any(other.startswith(path + "/") for other in self.paths.values()):
                    paths[path] = {}
                    self.origin(join("/paths", path), lid)

    def _operation(self, lid: str, p: dict, path: str, ptr: str) -> dict:
        op: dict[str, Any] = {}
        if isinstance(p.get("OperationName"), str):
            op["operationId"] = p["OperationName"]
            self.origin(ptr + "/operationId", lid, "OperationName")
        self._parameters(lid, p, path, ptr, op)
        self._request_body(lid, p, ptr, op)
        self._responses(lid, p, ptr, op)
        self._security(lid, p, ptr, op)
        validator = p.get("RequestValidatorId")
        if validator is not None:
            vid = self.resolve_ref(validator, "AWS::ApiGateway::RequestValidator", lid, "RequestValidatorId")
            if vid is not None and vid in self.validator_names:
                op["x-amazon-apigateway-request-validator"] = self.validator_names[vid]
                self.origin(ptr + "/x-amazon-apigateway-request-validator", lid, "RequestValidatorId")
            elif vid is not None:
                self.problem(
                    RESOURCE_TREE, f"RequestValidatorId '{vid}' belongs to another API", lid, "RequestValidatorId"
                )
        if isinstance(p.get("Integration"), dict):
            op["x-amazon-apigateway-integration"] = self._integration(
                lid, p["Integration"], ptr + "/x-amazon-apigateway-integration"
            )
        return op

    def _parameters(self, lid: str, p: dict, path: str, ptr: str, op: dict) -> None:
        params: dict[tuple[str, str], dict] = {}
        origins: dict[tuple[str, str], tuple[str, ...]] = {}
        for name in parameter_names(path):
            params[("path", name)] = {"name": name, "in": "path", "required": True}
            origins[("path", name)] = ()
        raw = p.get("RequestParameters")
        if isinstance(raw, dict):
            for key, required in raw.items():
                parts = key.split(".", 3) if isinstance(key, str) else []
                if len(parts) != 4 or parts[:2] != ["method", "request"] or parts[2] not in _WHERE:
                    self.problem(
                        NOT_LIFTED,
                        f"request parameter {key!r} is not method.request.{{path|querystring|header}}.NAME",
                        lid,
                        "RequestParameters",
                        key,
                    )
                    continue
                where = _WHERE[parts[2]]
                entry: dict[str, Any] = {"name": parts[3], "in": where}
                if where == "path" or _bool(required) is True:
                    entry["required"] = True
                params[(where, parts[3])] = entry
                origins[(where, parts[3])] = ("RequestParameters", key)
        out = []
        for i, (k, entry) in enumerate(params.items()):
            if self.v2:
                entry["type"] = "string"
            else:
                entry["schema"] = {"type": "string"}
            out.append(entry)
            self.origin(join(ptr, "parameters", i), lid, *origins[k])
        if out:
            op["parameters"] = out

    def _request_body(self, lid: str, p: dict, ptr: str, op: dict) -> None:
        raw = p.get("RequestModels")
        if not isinstance(raw, dict) or not raw:
            return
        content: dict[str, Any] = {}
        for mime, value in raw.items():
            name = self.model_name(value, lid, "RequestModels", mime)
            if name is None:
                continue
            schema = self.schema_for(name)
            content[mime] = {"schema": schema} if schema is not None else {}
        if not content:
            return
        if self.v2:
            first = next((m for m in content if content[m]), None)
            op["consumes"] = list(content)
            if first is not None:
                params = op.setdefault("parameters", [])
                params.append({"in": "body", "name": "body", "required": True, "schema": content[first]["schema"]})
                self.origin(join(ptr, "parameters", len(params) - 1), lid, "RequestModels", first)
            return
        op["requestBody"] = {"content": content, "required": True}
        self.origin(ptr + "/requestBody", lid, "RequestModels")
        for mime in content:
            self.origin(join(ptr, "requestBody", "content", mime), lid, "RequestModels", mime)

    def _responses(self, lid: str, p: dict, ptr: str, op: dict) -> None:
        raw = p.get("MethodResponses")
        responses: dict[str, Any] = {}
        if isinstance(raw, list):
            for i, entry in enumerate(raw):
                if not isinstance(entry, dict):
                    continue
                status = _text(entry.get("StatusCode"))
                if not isinstance(status, str):
                    self.problem(
                        NOT_LIFTED,
                        f"StatusCode of a method response cannot be read: {json.dumps(entry.get('StatusCode'))}",
                        lid,
                        "MethodResponses",
                        i,
                        "StatusCode",
                    )
                    continue
                rptr = join(ptr, "responses", status)
                if status in responses:
                    self.problem(
                        CONFLICT, f"method response {status} is defined twice", lid, "MethodResponses", i, "StatusCode"
                    )
                    continue
                out: dict[str, Any] = {"description": f"{status} response"}
                self.origin(rptr, lid, "MethodResponses", i)
                headers: dict[str, Any] = {}
                params = entry.get("ResponseParameters")
                for key in params if isinstance(params, dict) else {}:
                    if not isinstance(key, str) or not key.startswith("method.response.header."):
                        self.problem(
                            NOT_LIFTED,
                            f"response parameter {key!r} is not method.response.header.NAME",
                            lid,
                            "MethodResponses",
                            i,
                            "ResponseParameters",
                            key,
                        )
                        continue
                    header = key.removeprefix("method.response.header.")
                    headers[header] = {"type": "string"} if self.v2 else {"schema": {"type": "string"}}
                    self.origin(join(rptr, "headers", header), lid, "MethodResponses", i, "ResponseParameters", key)
                if headers:
                    out["headers"] = headers
                models = entry.get("ResponseModels")
                if isinstance(models, dict) and models:
                    content: dict[str, Any] = {}
                    for mime, value in models.items():
                        name = self.model_name(value, lid, "MethodResponses", i, "ResponseModels", mime)
                        if name is None:
                            continue
                        schema = self.schema_for(name)
                        content[mime] = {"schema": schema} if schema is not None else {}
                        self.origin(join(rptr, "content", mime), lid, "MethodResponses", i, "ResponseModels", mime)
                    if self.v2:
                        first = next((m for m in content if content[m]), None)
                        if first is not None:
                            out["schema"] = content[first]["schema"]
                            op.setdefault("produces", list(content))
                    elif content:
                        out["content"] = content
                responses[status] = out
        op["responses"] = responses
        if not responses:
            # a method without MethodResponses is normal in a template (proxy integrations)
            op["x-apigwc-ignore"] = "AGW011"

    def _security(self, lid: str, p: dict, ptr: str, op: dict) -> None:
        kind = p.get("AuthorizationType", "NONE")
        kind = kind.upper() if isinstance(kind, str) else kind
        requirement: dict[str, list] = {}
        schemes = self.section(*self.schemes_key())
        if kind in ("CUSTOM", "COGNITO_USER_POOLS"):
            aid = (
                self.resolve_ref(p.get("AuthorizerId"), "AWS::ApiGateway::Authorizer", lid, "AuthorizerId")
                if "AuthorizerId" in p
                else None
            )
            if "AuthorizerId" not in p:
                self.problem(NOT_LIFTED, f"AuthorizationType {kind} needs an AuthorizerId", lid, "AuthorizationType")
            elif aid is not None and aid not in self.authorizer_names:
                self.problem(RESOURCE_TREE, f"authorizer '{aid}' belongs to another API", lid, "AuthorizerId")
            elif aid is not None:
                scopes = p.get("AuthorizationScopes")
                requirement[self.authorizer_names[aid]] = (
                    [s for s in scopes if isinstance(s, str)] if isinstance(scopes, list) else []
                )
        elif kind == "AWS_IAM":
            name = self._free_scheme("sigv4", schemes)
            schemes.setdefault(
                name,
                {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"},
            )
            requirement[name] = []
        elif kind != "NONE":
            self.problem(
                NOT_LIFTED,
                f"AuthorizationType {json.dumps(kind)} is not NONE, AWS_IAM, CUSTOM or COGNITO_USER_POOLS",
                lid,
                "AuthorizationType",
            )
        api_key = None
        if _bool(p.get("ApiKeyRequired")) is True:
            api_key = self._free_scheme("api_key", schemes)
            schemes.setdefault(api_key, {"type": "apiKey", "name": "x-api-key", "in": "header"})
            requirement[api_key] = []
        if requirement:
            op["security"] = [requirement]
            self.origin(ptr + "/security", lid, "AuthorizationType")
            if api_key is not None:
                self.origin(join(ptr, "security", 0, api_key), lid, "ApiKeyRequired")

    def _free_scheme(self, name: str, schemes: dict) -> str:
        """The scheme name for IAM / API keys, not taken by an authorizer of the same name."""
        candidate, n = name, 2
        authorizers = set(self.authorizer_names.values())
        while candidate in authorizers:
            candidate, n = f"{name}{n}", n + 1
        return candidate

    def _integration(self, lid: str, raw: dict, ptr: str) -> dict:
        base = ("Integration",)
        self.origin(ptr, lid, *base)
        out: dict[str, Any] = {}
        kind = raw.get("Type")
        if isinstance(kind, str):
            out["type"] = kind.lower()
            self.origin(ptr + "/type", lid, *base, "Type")
        for prop, key in (
            ("IntegrationHttpMethod", "httpMethod"),
            ("Uri", "uri"),
            ("Credentials", "credentials"),
            ("ContentHandling", "contentHandling"),
            ("CacheNamespace", "cacheNamespace"),
            ("ConnectionType", "connectionType"),
            ("ConnectionId", "connectionId"),
            ("IntegrationTarget", "integrationTarget"),
            ("ResponseTransferMode", "responseTransferMode"),
        ):
            value = _text(raw.get(prop))
            if value is not None:
                out[key] = value
                self.origin(join(ptr, key), lid, *base, prop)
        if isinstance(raw.get("PassthroughBehavior"), str):
            out["passthroughBehavior"] = raw["PassthroughBehavior"].lower()
            self.origin(ptr + "/passthroughBehavior", lid, *base, "PassthroughBehavior")
        timeout = _int(raw.get("TimeoutInMillis"))
        if timeout is not None:
            out["timeoutInMillis"] = timeout
            self.origin(ptr + "/timeoutInMillis", lid, *base, "TimeoutInMillis")
        if isinstance(raw.get("CacheKeyParameters"), list):
            out["cacheKeyParameters"] = [v for v in raw["CacheKeyParameters"] if isinstance(v, str)]
            self.origin_tree(out["cacheKeyParameters"], ptr + "/cacheKeyParameters", lid, *base, "CacheKeyParameters")
        for prop, key in (("RequestParameters", "requestParameters"), ("RequestTemplates", "requestTemplates")):
            if isinstance(raw.get(prop), dict):
                out[key] = {k: _text(v) if v is not None else None for k, v in raw[prop].items()}
                self.origin_tree(out[key], join(ptr, key), lid, *base, prop)
        responses = raw.get("IntegrationResponses")
        if isinstance(responses, list):
            mapped: dict[str, Any] = {}
            for i, entry in enumerate(responses):
                if not isinstance(entry, dict):
                    continue
                pattern = entry.get("SelectionPattern")
                key = pattern if isinstance(pattern, str) else "default"
                if key in mapped:
                    self.problem(
                        CONFLICT,
                        f"two integration responses have the selection pattern {key!r}",
                        lid,
                        *base,
                        "IntegrationResponses",
                        i,
                    )
                    continue
                rptr = join(ptr, "responses", key)
                at = (*base, "IntegrationResponses", i)
                self.origin(rptr, lid, *at)
                r: dict[str, Any] = {"statusCode": _text(entry.get("StatusCode"))}
                self.origin(rptr + "/statusCode", lid, *at, "StatusCode")
                for prop, rkey in (
                    ("ResponseParameters", "responseParameters"),
                    ("ResponseTemplates", "responseTemplates"),
                ):
                    if isinstance(entry.get(prop), dict):
                        r[rkey] = {k: _text(v) if v is not None else None for k, v in entry[prop].items()}
                        self.origin_tree(r[rkey], join(rptr, rkey), lid, *at, prop)
                if isinstance(entry.get("ContentHandling"), str):
                    r["contentHandling"] = entry["ContentHandling"]
                    self.origin(rptr + "/contentHandling", lid, *at, "ContentHandling")
                mapped[key] = r
            if mapped:
                out["responses"] = mapped
        return out

    # -- stages, keys, usage plans -------------------------------------------------------

    def _stage_entry(self, lid: str, props: dict, name: str, prefix: tuple[str, ...]) -> dict:
        """x-apigwc.stages entry from a Stage's properties or a Deployment's StageDescription."""
        ptr = join("/x-apigwc/stages", name)
        self.origin(ptr, lid, *prefix) if prefix else self.origin(ptr, lid)
        out: dict[str, Any] = {}
        if isinstance(props.get("Description"), str):
            out["description"] = props["Description"]
        variables = props.get("Variables")
        if isinstance(variables, dict) and variables:
            out["variables"] = {k: _text(v) for k, v in variables.items()}
            self.origin_tree(out["variables"], ptr + "/variables", lid, *prefix, "Variables")
        settings: dict[str, Any] = {}
        # a Deployment's StageDescription holds the */* settings at its top level
        top = self._method_setting(props)
        if top:
            settings["*/*"] = top
            self.origin(ptr + "/methodSettings/*~1*", lid, *prefix)
        raw = props.get("MethodSettings")
        for i, ms in enumerate(raw if isinstance(raw, list) else []):
            if not isinstance(ms, dict):
                continue
            path = ms.get("ResourcePath", "/*")
            verb = ms.get("HttpMethod", "*")
            if not isinstance(path, str) or not isinstance(verb, str):
                self.problem(
                    NOT_LIFTED,
                    "ResourcePath and HttpMethod of a method setting must be strings",
                    lid,
                    *prefix,
                    "MethodSettings",
                    i,
                )
                continue
            key = f"{_unescape_path(path)}/{verb.upper() if verb != '*' else '*'}"
            entry = self._method_setting(ms)
            settings[key] = {**settings.get(key, {}), **entry}
            self.origin(join(ptr, "methodSettings", key), lid, *prefix, "MethodSettings", i)
        if settings:
            out["methodSettings"] = settings
        log = props.get("AccessLogSetting")
        if isinstance(log, dict) and isinstance(log.get("Format"), str):
            out["accessLog"] = {"format": log["Format"]}
            if log.get("DestinationArn") is not None:
                out["accessLog"]["destinationArn"] = _text(log["DestinationArn"])
            self.origin(ptr + "/accessLog", lid, *prefix, "AccessLogSetting")
            self.origin(ptr + "/accessLog/format", lid, *prefix, "AccessLogSetting", "Format")
        for prop, key in (("TracingEnabled", "tracingEnabled"), ("CacheClusterEnabled", "cacheClusterEnabled")):
            if _bool(props.get(prop)) is True:
                out[key] = True
                self.origin(join(ptr, key), lid, *prefix, prop)
        if props.get("CacheClusterSize") is not None:
            out["cacheClusterSize"] = _text(props["CacheClusterSize"])
            self.origin(ptr + "/cacheClusterSize", lid, *prefix, "CacheClusterSize")
        tags = props.get("Tags")
        if isinstance(tags, list):
            out_tags = {
                t["Key"]: t["Value"]
                for t in tags
                if isinstance(t, dict) and isinstance(t.get("Key"), str) and isinstance(t.get("Value"), str)
            }
            if out_tags:
                out["tags"] = out_tags
        return out

    @staticmethod
    def _method_setting(raw: dict) -> dict:
        out: dict[str, Any] = {}
        burst, rate = _int(raw.get("ThrottlingBurstLimit")), _number(raw.get("ThrottlingRateLimit"))
        if burst is not None or rate is not None:
            out["throttling"] = {k: v for k, v in (("burstLimit", burst), ("rateLimit", rate)) if v is not None}
        for prop, key in _SETTING_KEYS:
            if prop not in raw:
                continue
            value = raw[prop]
            if key == "cacheTtlInSeconds":
                value = _int(value)
            elif key != "loggingLevel":
                value = _bool(value)
            if value is not None:
                out[key] = value
        return out

    def _stages(self) -> None:
        stages: dict[str, Any] = {}
        defined: dict[str, str] = {}

        def add(lid: str, name: Any, props: dict, prefix: tuple[str, ...], name_at: tuple[str, ...]) -> None:
            if not isinstance(name, str) or not name:
                self.problem(NOT_LIFTED, f"the stage name cannot be read: {json.dumps(name)}", lid, *name_at)
                return
            if name in defined:
                self.problem(CONFLICT, f"stage '{name}' is also created by '{defined[name]}'", lid, *name_at)
                return
            defined[name] = lid
            self.stage_names[lid] = name
            self.members[lid] = f"stage {name}" if self.type_of(lid) == "AWS::ApiGateway::Stage" else "deployment"
            stages[name] = self._stage_entry(lid, props, name, prefix)

        for lid in self.mine["Deployment"]:
            p = self.props(lid)
            if "StageName" in p:
                description = p.get("StageDescription")
                add(
                    lid,
                    p["StageName"],
                    description if isinstance(description, dict) else {},
                    ("StageDescription",),
                    ("StageName",),
                )
                if isinstance(p["StageName"], str) and p["StageName"] in stages:
                    self.origin(join("/x-apigwc/stages", p["StageName"]), lid, "StageName")
        for lid in self.mine["Deployment"]:
            self.members.setdefault(lid, "deployment")
        for lid in self.mine["Stage"]:
            p = self.props(lid)
            add(lid, p.get("StageName"), p, (), ("StageName",))
        if stages:
            self.apigwc()["stages"] = stages

    def _usage_plans(self) -> None:
        plans: dict[str, Any] = {}
        members: dict[str, list[str]] = {}  # plan logical id -> key logical ids
        for lid in sorted(self.resources):
            if self.type_of(lid) != "AWS::ApiGateway::UsagePlanKey":
                continue
            p = self.props(lid)
            plan, key = self.target(p.get("UsagePlanId")), self.target(p.get("KeyId"))
            if plan is not None and key is not None:
                members.setdefault(plan, []).append(lid)
        keys: dict[str, Any] = {}
        for lid in sorted(self.resources):
            if self.type_of(lid) != "AWS::ApiGateway::UsagePlan":
                continue
            p = self.props(lid)
            raw_stages = p.get("ApiStages")
            stages: list[str] = []
            method_throttle: dict[str, Any] = {}
            for i, entry in enumerate(raw_stages if isinstance(raw_stages, list) else []):
                if not isinstance(entry, dict) or not self.points_at_api(entry.get("ApiId")):
                    continue
                stage = entry.get("Stage")
                sid = self.target(stage)
                if sid is not None and sid in self.stage_names:
                    name = self.stage_names[sid]
                elif isinstance(stage, str) and stage in self.stage_names.values():
                    name = stage
                elif sid is not None and sid in self.resources:
                    self.problem(
                        UNKNOWN_REFERENCE,
                        f"usage plan stage '{sid}' is not a stage of API '{self.api_id}'",
                        lid,
                        "ApiStages",
                        i,
                        "Stage",
                    )
                    continue
                else:
                    self.problem(
                        UNKNOWN_REFERENCE,
                        f"usage plan stage {json.dumps(stage)} is not a stage of API '{self.api_id}'",
                        lid,
                        "ApiStages",
                        i,
                        "Stage",
                    )
                    continue
                stages.append(name)
                throttle = entry.get("Throttle")
                for key, t in throttle.items() if isinstance(throttle, dict) else ():
                    if isinstance(t, dict):
                        method_throttle[key] = self._throttle(t)
            if not stages:
                continue
            name = p.get("UsagePlanName") if isinstance(p.get("UsagePlanName"), str) else lid
            if name in plans:
                name = lid
            ptr = join("/x-apigwc/usagePlans", name)
            self.origin(ptr, lid)
            self.origin(ptr + "/stages", lid, "ApiStages")
            plan: dict[str, Any] = {}
            if isinstance(p.get("Description"), str):
                plan["description"] = p["Description"]
            if isinstance(p.get("Throttle"), dict):
                plan["throttle"] = self._throttle(p["Throttle"])
                self.origin(ptr + "/throttle", lid, "Throttle")
            quota = p.get("Quota")
            if isinstance(quota, dict):
                plan["quota"] = {"limit": _int(quota.get("Limit")), "period": quota.get("Period")}
                if _int(quota.get("Offset")) is not None:
                    plan["quota"]["offset"] = _int(quota.get("Offset"))
                self.origin(ptr + "/quota", lid, "Quota")
            if method_throttle:
                plan["methodThrottle"] = method_throttle
            plan["stages"] = stages
            plan_keys: list[str] = []
            for mlid in members.get(lid, []):
                kid = self.resolve_ref(self.props(mlid).get("KeyId"), "AWS::ApiGateway::ApiKey", mlid, "KeyId")
                if kid is None:
                    continue
                kname = self._api_key(kid, keys)
                if kname not in plan_keys:
                    plan_keys.append(kname)
                    self.origin(join(ptr, "apiKeys", len(plan_keys) - 1), mlid)
            if plan_keys:
                plan["apiKeys"] = plan_keys
            plans[name] = plan
            self.members[lid] = f"usage-plan {name}"
            for mlid in members.get(lid, []):
                kid = self.target(self.props(mlid).get("KeyId"))
                if kid in self.key_names:
                    self.members[mlid] = f"usage-plan-key {name} {self.key_names[kid]}"
        for lid in sorted(self.resources):
            # keys of no plan that name this API in StageKeys (the older way to attach them)
            if self.type_of(lid) == "AWS::ApiGateway::ApiKey" and lid not in self.key_names:
                sk = self.props(lid).get("StageKeys")
                if isinstance(sk, list) and any(
                    isinstance(e, dict) and self.points_at_api(e.get("RestApiId")) for e in sk
                ):
                    self._api_key(lid, keys)
        if plans:
            self.apigwc()["usagePlans"] = plans
        if keys:
            self.apigwc()["apiKeys"] = keys

    @staticmethod
    def _throttle(raw: dict) -> dict:
        out: dict[str, Any] = {}
        if _int(raw.get("BurstLimit")) is not None:
            out["burstLimit"] = _int(raw.get("BurstLimit"))
        if _number(raw.get("RateLimit")) is not None:
            out["rateLimit"] = _number(raw.get("RateLimit"))
        return out

    def _api_key(self, lid: str, keys: dict) -> str:
        if lid in self.key_names:
            return self.key_names[lid]
        p = self.props(lid)
        name = p.get("Name") if isinstance(p.get("Name"), str) else lid
        if name in keys:
            name = lid
        entry: dict[str, Any] = {}
        if isinstance(p.get("Value"), str):
            entry["value"] = p["Value"]
        # CloudFormation's Enabled defaults to false [Doc: AWS::ApiGateway::ApiKey]
        entry["enabled"] = _bool(p.get("Enabled")) is True
        if isinstance(p.get("Description"), str):
            entry["description"] = p["Description"]
        if isinstance(p.get("CustomerId"), str):
            entry["customerId"] = p["CustomerId"]
        keys[name] = entry
        ptr = join("/x-apigwc/apiKeys", name)
        self.origin(ptr, lid)
        for prop, key in (
            ("Value", "value"),
            ("Enabled", "enabled"),
            ("Description", "description"),
            ("CustomerId", "customerId"),
        ):
            if prop in p:
                self.origin(join(ptr, key), lid, prop)
        self.key_names[lid] = name
        self.members[lid] = f"api-key {name}"
        return name


__all__ = ["LiftedApi", "lift_rest_api", "LIFT_CODES"]
