"""Structural check: the OpenAPI document, every API Gateway extension, and ``x-apigwc``.

* The base document is validated against openapi-spec-validator's OpenAPI 2.0 / 3.0
  JSON Schemas.  jsonschema-rs (which openapi-spec-validator also uses as its fast
  backend) screens the whole document; only when it finds errors are the failing
  subtrees re-validated with jsonschema, whose errors carry the context needed to
  report one clear message per mistake.  openapi-spec-validator's semantic walker is
  not run: it is quadratic on large specs (25 s on the GitHub spec), and apigwc's
  rules check the same facts (path parameters, duplicate operationIds...) on the IR.
* An operation whose ``responses`` is empty (``{}``, what the SAM translator writes for every
  event) is reported (AGW011) without jsonschema: in both schemas ``responses`` sits under
  ``paths./...`` → operation with no ``oneOf`` above it, so its only errors are the
  ``minProperties``/``not`` of an empty map, and validation is local.  The empty map is
  swapped for a valid one before screening, so a template's 400 generated operations do not
  send 400 path items through jsonschema (about a sixth of a cold lint at 200 functions).
  tests/unit/test_check_responses.py compares both ways on the corpus and on edge cases.
* Every ``x-amazon-apigateway-*`` extension is validated against the JSON Schema
  shipped in ``apigwc/schemas/`` (published in ``docs/schemas/``), at the place where
  API Gateway reads it; misplaced, misspelled and HTTP-API-only extensions are reported.
* CloudFormation intrinsics (``{"Fn::Sub": ...}``) standing where a string is expected
  are not errors (see `apigwc.intrinsics`).
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Iterable, Iterator

from .diagnostics import Code, Diagnostics, Severity
from .intrinsics import is_intrinsic
from .source import Sources, join

# --------------------------------------------------------------------------------------
# Codes emitted by this stage

OPENAPI_VERSION = Code(
    code="AGW009",
    name="openapi-version",
    severity=Severity.ERROR,
    stage="check",
    summary="The document is not OpenAPI 2.0 or 3.0.x.",
    doc="""What it checks: the root has `swagger: "2.0"` or `openapi: 3.0.x`.

Why: API Gateway REST APIs import only OpenAPI 2.0 and 3.0.x.  An OpenAPI 3.1 document is
rejected with `{"message":"Invalid OpenAPI input."}` (HTTP APIs accept 3.1; REST APIs do not).

Example:
    openapi: 3.1.0

Severity: error.  API Gateway imports only Swagger 2.0 and OpenAPI 3.0.x; OpenAPI 3.1 is
rejected with "Invalid OpenAPI input." [Obs: aws/aws-cli#8191; Doc: "Configuring a REST API
using OpenAPI"].

Fix: write the document as OpenAPI 3.0.3 (3.1-only features such as `type: [string, "null"]`
become `nullable: true`), or as Swagger 2.0.""",
)
OPENAPI_SCHEMA = Code(
    code="AGW010",
    name="openapi-schema",
    severity=Severity.ERROR,
    stage="check",
    summary="The document breaks the OpenAPI schema.",
    doc="""What it checks: the document validates against the OpenAPI 2.0 or 3.0 JSON Schema
shipped with openapi-spec-validator.  CloudFormation intrinsics where a string is expected
are accepted.

Why: a structurally broken document fails to import, or imports as something else.

Example:
    paths:
      /pets:
        get:
          parameters:
            - name: id
              in: body-json     # not a parameter location

Fix: follow the message; it names the key, the expected type or the allowed values.""",
)
OPENAPI_LENIENT = Code(
    code="AGW011",
    name="openapi-schema-lenient",
    severity=Severity.WARNING,
    stage="check",
    summary="The document breaks the OpenAPI schema in a way API Gateway tolerates.",
    doc="""What it checks: deviations from the OpenAPI schema that API Gateway's importer accepts but
other OpenAPI tools (code generators, documentation portals, validators) reject: a missing
`info.version`, a number where a version string is expected, an operation without (or with
empty) `responses`, `swagger: 2.0` written as a number, a schema with `type: 'null'`
(JSON Schema draft 4, which API Gateway models are; OpenAPI 3.0 has `nullable` instead).

Evidence: a model with `oneOf: [{type: 'null'}, {$ref: ...}]` imports and validates on
API Gateway [Obs: docs/conformance.md, request_validator_one_of_null-*].

Why: the API deploys, but the same file breaks the rest of your OpenAPI tool chain.

Example:
    info:
      title: Pets          # no version

Fix: add the missing key or quote the value.""",
)
EXTENSION_SCHEMA = Code(
    code="AGW012",
    name="extension-schema",
    severity=Severity.ERROR,
    stage="check",
    summary="An x-amazon-apigateway-* extension has a wrong type, value or missing key.",
    doc="""What it checks: each `x-amazon-apigateway-*` extension against its JSON Schema (shipped in
the package, published in docs/schemas/ for editors).

Why: API Gateway rejects the import ("Invalid OpenAPI input" or a per-method import error)
or silently drops the setting.

Example:
    x-amazon-apigateway-integration:
      type: aws_proxyy

Severity: error.  A malformed extension fails the import or the PutIntegration/PutMethod
call behind it [Obs: localstack's AWS-validated test_apigateway_api snapshot: "Invalid
HttpMethod specified", "Invalid null or empty value in responseTemplates"; Inf for the other
keys]. One case is only an import warning: a non-string requestParameters value ("Invalid
format for 'requestParameters' ... got 'true'", the parameters dropped) [Obs: localstack's
AWS-validated test_apigateway_import snapshot, oas30 server-url tests]; it is kept an error
because the integration then runs without the mapping the spec asked for.

Fix: use one of the values the message lists.""",
)
UNKNOWN_EXTENSION_KEY = Code(
    code="AGW013",
    name="unknown-extension-key",
    severity=Severity.WARNING,
    stage="check",
    summary="An x-amazon-apigateway-* extension holds a key API Gateway does not know.",
    doc="""What it checks: extension objects hold only the keys API Gateway defines (plus `x-` keys).

Why: a misspelled key is ignored on import: the setting you wrote never takes effect.

Example:
    x-amazon-apigateway-integration:
      passthroughBehaviour: never     # British spelling: ignored

Fix: use the key suggested in the message.""",
)
UNKNOWN_EXTENSION = Code(
    code="AGW014",
    name="unknown-extension",
    severity=Severity.WARNING,
    stage="check",
    summary="An x-amazon-apigateway-* key that is not an API Gateway extension.",
    doc="""What it checks: every `x-amazon-apigateway-*` key is one API Gateway defines.

Why: an unknown extension is ignored by the importer.

Example:
    x-amazon-apigateway-integation: {...}

Fix: correct the name (the message suggests the closest one).""",
)
HTTP_API_ONLY = Code(
    code="AGW015",
    name="http-api-only",
    severity=Severity.WARNING,
    stage="check",
    summary="An extension or field that only HTTP APIs (API Gateway v2) support.",
    doc="""What it checks: REST API specs do not use HTTP-API-only features:
`x-amazon-apigateway-cors`, `x-amazon-apigateway-integrations` (and `$ref` to them),
`x-amazon-apigateway-importexport-version`, `x-amazon-apigateway-tag-value`,
`payloadFormatVersion`, `integrationSubtype`, `tlsConfig.serverNameToVerify`, JWT
authorizers, `authorizerPayloadFormatVersion`, `enableSimpleResponses`.

Why: the REST importer ignores them, so the behaviour they describe (CORS, a shared
integration) is missing from the deployed API.

Example:
    x-amazon-apigateway-cors:
      allowOrigins: ["*"]

Fix: for CORS on a REST API, add OPTIONS methods (MOCK integrations) and gateway-response
headers; inline shared integrations into each operation.""",
)
MISPLACED_EXTENSION = Code(
    code="AGW016",
    name="misplaced-extension",
    severity=Severity.WARNING,
    stage="check",
    summary="An API Gateway extension in a place where API Gateway does not read it.",
    doc="""What it checks: each extension sits where API Gateway reads it (e.g. the integration on
an operation, the authorizer on a security scheme, the endpoint configuration on the root
in OpenAPI 2.0 and in a `servers[]` entry in OpenAPI 3.0).

Why: a misplaced extension is ignored on import.

Example:
    paths:
      /pets:
        x-amazon-apigateway-integration: {...}   # on the path item, not on get/post

Fix: move it to the place named in the message.""",
)
APIGWC_SCHEMA = Code(
    code="AGW017",
    name="apigwc-extension-schema",
    severity=Severity.ERROR,
    stage="check",
    summary="The x-apigwc extension does not match its schema.",
    doc="""What it checks: the root-level `x-apigwc` extension (stages, usage plans, API keys,
local-gateway settings) against its JSON Schema (docs/x-apigwc.md, docs/schemas/x-apigwc.json).

Why: apigwc would build stages or usage plans different from what you meant.

Example:
    x-apigwc:
      stages:
        prod:
          variable: {host: example.com}    # 'variables'

Severity: error.  [Inf] API Gateway ignores x-apigwc, but apigwc builds the stages, usage
plans and API keys it deploys from it; a value that breaks its schema leaves no deployable
stage definition, so the deploy it drives would fail or do something else than written.

Fix: follow the message.""",
)

CHECK_CODES: tuple[Code, ...] = (
    OPENAPI_VERSION,
    OPENAPI_SCHEMA,
    OPENAPI_LENIENT,
    EXTENSION_SCHEMA,
    UNKNOWN_EXTENSION_KEY,
    UNKNOWN_EXTENSION,
    HTTP_API_ONLY,
    MISPLACED_EXTENSION,
    APIGWC_SCHEMA,
)

# --------------------------------------------------------------------------------------
# Where API Gateway reads each extension

PREFIX = "x-amazon-apigateway-"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

ROOT_EXTENSIONS = frozenset(
    f"{PREFIX}{n}"
    for n in (
        "api-key-source binary-media-types minimum-compression-size policy gateway-responses "
        "request-validators request-validator documentation security-policy endpoint-access-mode"
    ).split()
)
OPERATION_EXTENSIONS = frozenset(f"{PREFIX}{n}" for n in ("integration", "auth", "request-validator"))
SCHEME_EXTENSIONS = frozenset(f"{PREFIX}{n}" for n in ("authorizer", "authtype"))
ENDPOINT_CONFIGURATION = f"{PREFIX}endpoint-configuration"
ANY_METHOD = f"{PREFIX}any-method"
HTTP_ONLY_EXTENSIONS = {
    f"{PREFIX}cors": "configure CORS on a REST API with OPTIONS methods and gateway-response headers",
    f"{PREFIX}integrations": "inline the integration into each operation",
    f"{PREFIX}importexport-version": "remove it",
    f"{PREFIX}tag-value": "set tags on the stack or stage instead",
}
KNOWN_EXTENSIONS = (
    ROOT_EXTENSIONS
    | OPERATION_EXTENSIONS
    | SCHEME_EXTENSIONS
    | {ENDPOINT_CONFIGURATION, ANY_METHOD}
    | set(HTTP_ONLY_EXTENSIONS)
)
SCHEMA_NAMES = ROOT_EXTENSIONS | OPERATION_EXTENSIONS | SCHEME_EXTENSIONS | {ENDPOINT_CONFIGURATION, ANY_METHOD}


@dataclass(frozen=True, slots=True)
class SpecVersion:
    """The OpenAPI major version of a checked document."""

    major: str  # "2.0" | "3.0"
    raw: str

    @property
    def is_v2(self) -> bool:
        return self.major == "2.0"


# --------------------------------------------------------------------------------------
# Schemas


def _schema_dir() -> str:
    spec = importlib.util.find_spec("openapi_spec_validator")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - declared dependency
        raise RuntimeError("openapi-spec-validator is not installed")
    return os.path.join(list(spec.submodule_search_locations)[0], "resources", "schemas")


@functools.cache
def openapi_schema(major: str) -> dict:
    """openapi-spec-validator's JSON Schema for OpenAPI 2.0 or 3.0."""
    with open(os.path.join(_schema_dir(), f"v{major}", "schema.json"), encoding="utf-8") as fh:
        return json.load(fh)


@functools.cache
def extension_schema(name: str) -> dict:
    """apigwc's JSON Schema for one extension (``x-amazon-apigateway-*`` or ``x-apigwc``)."""
    return json.loads(resources.files("apigwc.schemas").joinpath(f"{name}.json").read_text("utf-8"))


@functools.cache
def _py_validator(key: str) -> Any:
    from jsonschema.validators import validator_for

    schema = _schema_for(key)
    return validator_for(schema)(schema)


@functools.cache
def _rs_validator(key: str) -> Any:
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - declared dependency
        return None
    return jsonschema_rs.validator_for(_schema_for(key))


@functools.cache
def _schema_for(key: str) -> dict:
    if key.startswith("openapi:"):
        return openapi_schema(key.split(":", 1)[1])
    if key.startswith("operation:"):
        major = key.split(":", 1)[1]
        base = openapi_schema(major)
        name = "operation" if major == "2.0" else "Operation"
        return {"$schema": base.get("$schema"), "$ref": f"#/definitions/{name}", "definitions": base["definitions"]}
    return extension_schema(key)


def _is_valid_fast(key: str, instance: Any) -> bool | None:
    rs = _rs_validator(key)
    if rs is None:
        return None
    try:
        return bool(rs.is_valid(instance))
    except Exception:  # jsonschema-rs could not take this instance (e.g. NaN): use jsonschema
        return None


def _failing_paths(key: str, instance: Any) -> list[list[Any]] | None:
    rs = _rs_validator(key)
    if rs is None:
        return None
    try:
        return [list(e.instance_path) for e in rs.iter_errors(instance)]
    except Exception:
        return None


# --------------------------------------------------------------------------------------
# Entry point


def check(sources: Sources, diags: Diagnostics) -> SpecVersion | None:
    """Check the document's structure.  Returns its version, or None if it cannot be compiled."""
    data = sources.main.data
    version = _detect_version(data, diags)
    if version is None:
        return None
    sources.simple_ref_base = "#/definitions/" if version.is_v2 else "#/components/schemas/"
    _check_openapi(data, version, diags)
    _check_extensions(sources, version, diags)
    if "x-apigwc" in data:
        _validate("x-apigwc", data["x-apigwc"], "/x-apigwc", diags, APIGWC_SCHEMA, APIGWC_SCHEMA, "x-apigwc")
    return version


def _detect_version(data: dict, diags: Diagnostics) -> SpecVersion | None:
    if "openapi" in data:
        raw = data["openapi"]
        text = str(raw)
        if not isinstance(raw, str):
            diags.add(
                OPENAPI_LENIENT,
                f"openapi version {raw!r} is a number; write it as the string '{text}'",
                pointer="/openapi",
            )
        if re.fullmatch(r"3\.0(\.\d+)?", text):
            return SpecVersion("3.0", text)
        if re.fullmatch(r"3\.[1-9]\d*(\.\d+)?.*", text):
            diags.add(
                OPENAPI_VERSION,
                f"OpenAPI {text} is not supported by API Gateway REST APIs "
                "(import answers 'Invalid OpenAPI input.'); only 2.0 and 3.0.x are",
                pointer="/openapi",
                hint="write the document as OpenAPI 3.0.3",
            )
            return None
        diags.add(
            OPENAPI_VERSION,
            f"unsupported OpenAPI version {text!r}; API Gateway REST APIs import 'swagger: \"2.0\"' or 'openapi: 3.0.x'",
            pointer="/openapi",
        )
        return None
    if "swagger" in data:
        raw = data["swagger"]
        if raw == 2.0 and not isinstance(raw, str):
            diags.add(
                OPENAPI_LENIENT,
                'swagger version is the number 2.0; write it as the string "2.0"',
                pointer="/swagger",
                hint='quote it: swagger: "2.0"',
            )
            return SpecVersion("2.0", "2.0")
        if raw == "2.0":
            return SpecVersion("2.0", "2.0")
        diags.add(
            OPENAPI_VERSION,
            f'unsupported Swagger version {raw!r}; the only Swagger version is "2.0"',
            pointer="/swagger",
        )
        return None
    diags.add(
        OPENAPI_VERSION,
        "the document has neither 'openapi' nor 'swagger' at its root; is this an OpenAPI file?",
        pointer="",
        hint="add 'openapi: 3.0.3' (or 'swagger: \"2.0\"') at the top",
    )
    return None


# --------------------------------------------------------------------------------------
# The base document


def _check_openapi(data: dict, version: SpecVersion, diags: Diagnostics, *, shortcut: bool = True) -> None:
    key = f"openapi:{version.major}"
    target = data
    if version.is_v2 and data.get("swagger") != "2.0":
        target = dict(data, swagger="2.0")  # reported above as lenient
    if not isinstance(target.get("openapi", ""), str):
        target = dict(target, openapi=str(target["openapi"]))
    if shortcut:
        target = _without_empty_responses(target, version, diags)
    if _is_valid_fast(key, target):
        return
    failing = _failing_paths(key, target)
    pruned = _prune(target, failing) if failing else target
    errors = _py_validator(key).iter_errors(pruned)
    _report(errors, "", diags, OPENAPI_SCHEMA, OPENAPI_SCHEMA, key, lenient=True)


#: The methods each schema validates as operations on a path item (2.0 lists them as properties;
#: 3.0 by a pattern that includes trace).
_SCHEMA_METHODS = {"2.0": METHODS[:-1], "3.0": METHODS}
#: A ``responses`` map that both schemas accept, standing in for an empty one already reported.
_VALID_RESPONSES = {"default": {"description": ""}}


def _without_empty_responses(data: dict, version: SpecVersion, diags: Diagnostics) -> dict:
    """Report each operation's empty ``responses`` and return ``data`` with it swapped for a valid map.

    Exactly what jsonschema reports for it (see the module docstring), in linear time.
    """
    paths = data.get("paths")
    if not isinstance(paths, dict):
        return data
    methods = _SCHEMA_METHODS[version.major]
    swapped: dict[Any, Any] = {}
    for path, item in paths.items():
        if not isinstance(path, str) or not path.startswith("/") or not isinstance(item, dict):
            continue
        ops = {}
        for method in methods:
            op = item.get(method)
            if isinstance(op, dict) and _empty_responses(op):
                ops[method] = dict(op, responses=_VALID_RESPONSES)
                _add_no_responses(join("/paths", path, method, "responses"), diags)
        if ops:
            swapped[path] = dict(item, **ops)
    if not swapped:
        return data
    return dict(data, paths={k: swapped.get(k, v) for k, v in paths.items()})


def _empty_responses(op: dict) -> bool:
    responses = op.get("responses", _VALID_RESPONSES)
    return isinstance(responses, dict) and not responses


def _no_responses(pointer: str) -> tuple[str, str]:
    """AGW011's message and hint for the empty ``responses`` at ``pointer``."""
    owner = name_at(pointer.rsplit("/", 1)[0])
    return f"{owner} declares no responses", "declare at least the success response, e.g. '200': {description: OK}"


def _add_no_responses(pointer: str, diags: Diagnostics) -> None:
    message, hint = _no_responses(pointer)
    diags.add(OPENAPI_LENIENT, message, pointer=pointer, at_key=False, hint=hint)


_UNITS = {"paths": 1, "definitions": 1, "parameters": 1, "responses": 1, "securityDefinitions": 1, "components": 2}


def _prune(data: dict, failing: list[list[Any]]) -> dict:
    """Keep only the subtrees that jsonschema-rs found errors in (validation is local)."""
    keep: dict[str, set | None] = {}
    for path in failing:
        if not path:
            return data
        top = str(path[0])
        depth = _UNITS.get(top)
        if depth is None or len(path) <= depth:
            keep[top] = None
            continue
        unit = tuple(str(p) for p in path[1 : depth + 1])
        if keep.get(top, set()) is not None:
            keep.setdefault(top, set()).add(unit)  # type: ignore[union-attr]
    out = dict(data)
    for top, units in keep.items():
        if units is None or not isinstance(data.get(top), dict):
            continue
        if _UNITS[top] == 1:
            out[top] = {k: v for k, v in data[top].items() if (k,) in units}
        else:
            sub: dict[str, Any] = {}
            for kind, value in data[top].items():
                if isinstance(value, dict):
                    sub[kind] = {k: v for k, v in value.items() if (kind, k) in units}
                else:
                    sub[kind] = value
            out[top] = sub
    for top in ("paths", "definitions", "components"):
        if top in out and top not in keep and isinstance(out[top], dict):
            out[top] = {} if top != "components" else {}
    return out


# --------------------------------------------------------------------------------------
# Error reporting: one clear message per real mistake


def _error_path(err: Any) -> list[Any]:
    return list(err.absolute_path)


def _instance_is_intrinsic(err: Any) -> bool:
    return is_intrinsic(err.instance)


def _branches(err: Any) -> dict[Any, list[Any]]:
    groups: dict[Any, list[Any]] = {}
    for sub in err.context or ():
        groups.setdefault(sub.relative_schema_path[0] if sub.relative_schema_path else 0, []).append(sub)
    return groups


def _leaves(err: Any) -> list[Any]:
    """The errors worth reporting for ``err`` ([] if it is only caused by CloudFormation intrinsics)."""
    if _instance_is_intrinsic(err):
        return []
    if err.validator in ("oneOf", "anyOf") and err.context:
        branches = _branches(err)
        scored: list[tuple[tuple, list[Any]]] = []
        for index, subs in branches.items():
            leaves = [leaf for s in subs for leaf in _leaves(s)]
            if not leaves:
                return []  # this branch only failed because of intrinsics: treat as valid
            scored.append((_branch_score(err.instance, subs, leaves), leaves))
        if err.validator == "oneOf" and len(branches) < len(_schema_branches(err)):
            # some branch matched, so oneOf failed because several did: keep the original error
            return [err]
        scored.sort(key=lambda item: item[0])
        return _union_discriminators(scored[0][1], [leaves for _, leaves in scored])
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        extra = _additional(err)
        if extra and all(k in ("Fn::Transform",) or is_intrinsic({k: err.instance[k]}) for k in extra):
            return []
    return [err]


def _union_discriminators(chosen: list[Any], every: list[list[Any]]) -> list[Any]:
    """When every branch failed on the same one-value enum ('in: path', 'in: query'...), report
    the union of the values ("expected one of: path, query, header, cookie"), not one branch's."""
    import copy

    out = []
    for leaf in chosen:
        if not _is_discriminator_miss(leaf) or leaf.validator != "enum":
            out.append(leaf)
            continue
        where = list(leaf.absolute_path)
        values: list[Any] = []
        for leaves in every:
            same = [
                x
                for x in leaves
                if x.validator == "enum" and _is_discriminator_miss(x) and list(x.absolute_path) == where
            ]
            if not same:
                values = []
                break
            for x in same:
                values += [v for v in x.validator_value if v not in values]
        if len(values) > len(leaf.validator_value):
            leaf = copy.copy(leaf)
            leaf.validator_value = values
        out.append(leaf)
    return out


def _schema_branches(err: Any) -> list:
    value = err.validator_value
    return value if isinstance(value, list) else []


def _branch_score(instance: Any, subs: list[Any], leaves: list[Any]) -> tuple:
    """Lower is better: the branch the author most likely meant."""
    wants_ref = isinstance(instance, dict) and "$ref" in instance
    requires_ref = any(s.validator == "required" and "$ref" in (s.validator_value or ()) for s in subs)
    ref_mismatch = 1 if requires_ref != wants_ref else 0
    # a single-valued enum on a direct property ('in: query', 'type: apiKey') acts as a discriminator
    discriminator = 1 if any(_is_discriminator_miss(leaf) for leaf in leaves) else 0
    type_at_top = 1 if any(s.validator == "type" and len(s.relative_path) == 0 for s in subs) else 0
    depth = max((len(leaf.relative_path) for leaf in leaves), default=0)
    return (ref_mismatch, discriminator, type_at_top, -depth, len(leaves))


def _is_discriminator_miss(err: Any) -> bool:
    return (
        err.validator in ("enum", "const")
        and (err.validator != "enum" or len(err.validator_value) <= 1)
        and len(err.relative_path) >= 1
    )


def _additional(err: Any) -> list[str]:
    schema = err.schema
    props = schema.get("properties", {})
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return [k for k in err.instance if k not in props and not any(p.search(k) for p in patterns)]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _short(value: Any, limit: int = 40) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def name_at(pointer: str, instance: Any = None) -> str:
    """A human name for the node at a pointer: "operation GET /pets", "header 'X-Id'"..."""
    from .source import split

    try:
        toks = split(pointer)
    except ValueError:
        return "this object"
    if not toks:
        return "the document"
    last = toks[-1]
    parent = toks[-2] if len(toks) > 1 else None
    if toks[0] == "paths" and len(toks) == 2:
        return f"path '{last}'"
    if toks[0] == "paths" and len(toks) == 3:
        if last in METHODS:
            return f"operation {last.upper()} {toks[1]}"
        if last == ANY_METHOD:
            return f"operation ANY {toks[1]}"
    if parent == "parameters" and last.isdigit() and isinstance(instance, dict):
        where, name = instance.get("in"), instance.get("name")
        if isinstance(where, str) and isinstance(name, str):
            return f"{where} parameter '{name}'"
        return "parameter" + (f" '{name}'" if isinstance(name, str) else f" #{int(last) + 1}")
    labels = {
        "responses": "response",
        "headers": "header",
        "properties": "property",
        "schemas": "schema",
        "definitions": "schema",
        "securitySchemes": "security scheme",
        "securityDefinitions": "security scheme",
        "content": "media type",
        "stages": "stage",
        "usagePlans": "usage plan",
        "apiKeys": "API key",
        "methodSettings": "method setting",
        "x-amazon-apigateway-gateway-responses": "gateway response",
        "x-amazon-apigateway-request-validators": "request validator",
    }
    if parent in labels:
        return f"{labels[parent]} '{last}'"
    if len(toks) == 1:
        return f"'{last}'"
    return f"'{last}'"


#: Deviations from the OpenAPI schema that API Gateway's importer tolerates (seen deployed in the
#: real corpus, see docs/corpus-review.md); reported as OPENAPI_LENIENT warnings, not errors.
_LENIENT_REQUIRED = frozenset({"version", "title", "description", "responses", "schema", "type", "required"})
_LENIENT_PREFIXES = ("/info", "/servers", "/tags", "/externalDocs")


def _is_lenient(err: Any, pointer: str) -> bool:
    if pointer.startswith(_LENIENT_PREFIXES):
        return True
    v = err.validator
    if v == "additionalProperties":
        # unknown keys are ignored by the importer, except under /paths where they are not paths
        return pointer != "/paths"
    if v == "required" and isinstance(err.instance, dict):
        missing = {k for k in err.validator_value if k not in err.instance}
        return bool(missing) and missing <= _LENIENT_REQUIRED
    if v in ("not", "minProperties") and pointer.endswith("/responses"):
        return True
    if v == "enum" and pointer.endswith("/required"):
        return True  # path parameters are always required on import
    if v == "enum" and pointer.endswith("/type") and err.instance == "null":
        # models are JSON Schema draft 4, where "null" is a type: API Gateway imports and
        # validates with it [Obs: localstack's AWS-validated
        # test_api_gateway_request_validator_with_ref_one_ofmodels, docs/conformance.md]
        return True
    return False


def _report(
    errors: Iterable[Any],
    base: str,
    diags: Diagnostics,
    code: Code,
    unknown_key_code: Code,
    key: str,
    *,
    what: str = "object",
    lenient: bool = False,
) -> None:
    leaves: list[tuple[Any, str]] = []
    for top in errors:
        for err in _leaves(top):
            leaves.append((err, join(base, *_error_path(err))))
    seen: set[tuple] = set()
    for err, pointer, message, at, at_key, hint, is_unknown in _merged(leaves, key, what):
        ident = (at, message)
        if ident in seen:
            continue
        seen.add(ident)
        chosen = unknown_key_code if is_unknown else code
        if lenient and _is_lenient(err, pointer):
            chosen = OPENAPI_LENIENT
        diags.add(chosen, message, pointer=at, at_key=at_key, hint=hint)


def _merged(leaves: list[tuple[Any, str]], key: str, what: str) -> Iterator[tuple]:
    """Describe each leaf, folding the classic OpenAPI 2.0/3.0 mix-ups into one message."""
    by_pointer: dict[str, list[Any]] = {}
    for err, pointer in leaves:
        by_pointer.setdefault(pointer, []).append(err)
    folded: set[int] = set()
    for pointer, errs in by_pointer.items():
        inst = errs[0].instance
        if not isinstance(inst, dict):
            continue
        missing = {m for e in errs if e.validator == "required" for m in e.validator_value if m not in inst}
        extra = {x for e in errs if e.validator == "additionalProperties" for x in _additional(e)}
        name = name_at(pointer, inst)
        if "schema" in missing and "type" in extra:
            message = f"{name} uses OpenAPI 2.0 style 'type'; OpenAPI 3.0 puts it under 'schema'"
            hint = f"write: schema: {{type: {inst.get('type')}}}"
        elif "type" in missing and "schema" in extra and key.endswith("2.0"):
            message = f"{name} uses OpenAPI 3.0 style 'schema'; OpenAPI 2.0 puts 'type' on the parameter itself"
            inner = inst.get("schema")
            hint = f"write: type: {inner.get('type')}" if isinstance(inner, dict) and "type" in inner else None
        else:
            continue
        for e in errs:
            if e.validator in ("required", "additionalProperties"):
                folded.add(id(e))
        yield (errs[0], pointer, message, pointer, True, hint, False)
    for err, pointer in leaves:
        if id(err) in folded:
            continue
        for message, at, at_key, hint, is_unknown in _describe(err, pointer, key, what):
            yield (err, pointer, message, at, at_key, hint, is_unknown)


def _describe(err: Any, pointer: str, key: str, what: str) -> Iterator[tuple[str, str, bool, str | None, bool]]:
    """Yield (message, pointer, at_key, hint, is_unknown_key) for one leaf error."""
    v = err.validator
    inst = err.instance
    field = name_at(pointer, inst) if pointer != "" or what == "object" else what
    if v == "required":
        for missing in err.validator_value:
            if isinstance(inst, dict) and missing not in inst:
                hint = None
                if missing == "required" and isinstance(inst, dict) and inst.get("in") == "path":
                    hint = "path parameters must say required: true"
                yield (f"{field} is missing required key '{missing}'", pointer, True, hint, False)
    elif v == "additionalProperties" and isinstance(inst, dict):
        allowed = sorted(err.schema.get("properties", {}))
        for extra in _additional(err):
            if pointer == "/paths":
                yield (f"path '{extra}' must start with '/'", join(pointer, extra), True, None, False)
                continue
            close = difflib.get_close_matches(extra, allowed, n=1, cutoff=0.75)
            if extra == "any" and pointer.startswith("/paths/") and pointer.count("/") == 2:
                hint = "API Gateway's ANY method is written x-amazon-apigateway-any-method"
            elif close:
                hint = f"did you mean '{close[0]}'?"
            else:
                hint = "allowed keys: " + ", ".join(allowed) if allowed and len(allowed) <= 12 else None
            yield (f"unknown key '{extra}' in {field}", join(pointer, extra), True, hint, True)
    elif v == "type":
        expected = err.validator_value
        expected_text = " or ".join(expected) if isinstance(expected, list) else expected
        yield (
            f"{field} must be {_article(expected_text)}, found {_json_type(inst)} {_short(inst)}",
            pointer,
            False,
            None,
            False,
        )
    elif v == "enum":
        choices = list(err.validator_value)
        shown = ", ".join(
            str(c) for c in choices[:24] if not (isinstance(c, str) and c.islower() and c.upper() in choices)
        )
        close = (
            difflib.get_close_matches(str(inst), [str(c) for c in choices], n=1, cutoff=0.6)
            if isinstance(inst, str)
            else []
        )
        hint = f"did you mean '{close[0]}'?" if close else None
        if pointer.endswith("/required") and choices == [True]:
            yield ("path parameters must be required: true", pointer, False, None, False)
            return
        yield (f"{field} is {_short(inst)}; expected one of: {shown}", pointer, False, hint, False)
    elif v == "propertyNames":
        bad = inst if isinstance(inst, str) else None
        sub = err.validator_value if isinstance(err.validator_value, dict) else {}
        allowed = sub.get("enum")
        if bad is not None and allowed:
            close = difflib.get_close_matches(bad, [str(a) for a in allowed], n=1, cutoff=0.6)
            yield (
                f"{_short(bad)} is not a valid key here",
                join(pointer, bad),
                True,
                f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(allowed),
                False,
            )
        else:
            yield (
                f"{_short(bad)} is not allowed as a key here",
                join(pointer, bad) if bad else pointer,
                True,
                None,
                False,
            )
    elif v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = err.validator_value
        op = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[v]
        yield (f"{field} must be {op} {bound}, found {_short(inst)}", pointer, False, None, False)
    elif v == "pattern":
        yield (f"{field} {_short(inst)} does not match the pattern {err.validator_value}", pointer, False, None, False)
    elif (v == "minProperties" or v == "not") and pointer.endswith("/responses"):
        message, hint = _no_responses(pointer)
        yield (message, pointer, False, hint, False)
    elif v == "minProperties" and err.validator_value == 1:
        yield (f"{field} must not be empty", pointer, False, None, False)
    elif v == "uniqueItems":
        yield (f"{field} has duplicate items", pointer, False, None, False)
    elif v in ("oneOf", "anyOf"):
        yield (f"{field} matches none of the forms allowed here", pointer, False, None, False)
    else:
        yield (f"{field}: {err.message}", pointer, False, None, False)


def _article(text: str) -> str:
    return ("an " if text[:1] in "aeiou" else "a ") + text


# --------------------------------------------------------------------------------------
# Extensions


def _validate(name: str, value: Any, pointer: str, diags: Diagnostics, code: Code, unknown: Code, what: str) -> None:
    if is_intrinsic(value):
        return
    if _is_valid_fast(name, value):
        _report_http_only(name, value, pointer, diags)
        return
    _report(_py_validator(name).iter_errors(value), pointer, diags, code, unknown, name, what=what)
    _report_http_only(name, value, pointer, diags)


def _report_http_only(name: str, value: Any, pointer: str, diags: Diagnostics) -> None:
    if name not in (f"{PREFIX}integration", f"{PREFIX}authorizer") or not isinstance(value, dict):
        return
    schema = extension_schema(name)
    props = schema.get("properties", {})
    for k in value:
        if props.get(k, {}).get("x-apigwc-http-api-only"):
            diags.add(
                HTTP_API_ONLY,
                f"'{k}' is an HTTP API setting; REST APIs ignore it",
                pointer=join(pointer, k),
                at_key=True,
                hint="remove it",
            )
    tls = value.get("tlsConfig")
    if isinstance(tls, dict) and "serverNameToVerify" in tls:
        diags.add(
            HTTP_API_ONLY,
            "'serverNameToVerify' is an HTTP API setting; REST APIs ignore it",
            pointer=join(pointer, "tlsConfig", "serverNameToVerify"),
            at_key=True,
        )
    if name.endswith("authorizer") and str(value.get("type", "")).lower() == "jwt":
        diags.add(
            HTTP_API_ONLY,
            "JWT authorizers exist only for HTTP APIs; a REST API uses a cognito_user_pools or Lambda authorizer",
            pointer=join(pointer, "type"),
        )


def _check_extensions(sources: Sources, version: SpecVersion, diags: Diagnostics) -> None:
    data = sources.main.data
    if PREFIX not in sources.main.text and "x-apigwc" not in data:
        return
    visited: set[int] = set()

    def site(container: Any, pointer: str, allowed: frozenset[str] | set[str], where: str) -> None:
        if not isinstance(container, dict):
            return
        visited.add(id(container))
        for k, v in container.items():
            if not isinstance(k, str) or not k.startswith(PREFIX):
                continue
            ptr = join(pointer, k)
            if k in allowed:
                if k == ANY_METHOD:
                    _check_operation_like(v, ptr, version, diags)
                    site(v, ptr, OPERATION_EXTENSIONS, "an operation")
                    continue
                if k == f"{PREFIX}integration" and isinstance(v, dict) and "$ref" in v:
                    diags.add(
                        HTTP_API_ONLY,
                        "an integration given by $ref (x-amazon-apigateway-integrations) is an HTTP API feature; "
                        "the REST importer leaves this method without an integration",
                        pointer=join(ptr, "$ref"),
                        hint="inline the integration here",
                    )
                    continue
                _validate(k, v, ptr, diags, EXTENSION_SCHEMA, UNKNOWN_EXTENSION_KEY, k)
            else:
                _report_unplaced(k, ptr, where, version, diags)

    site(data, "", ROOT_EXTENSIONS | ({ENDPOINT_CONFIGURATION} if version.is_v2 else set()), "the document root")
    paths = data.get("paths")
    if isinstance(paths, dict):
        for path, item in paths.items():
            if not isinstance(item, dict):
                continue
            item_ptr = join("/paths", path)
            site(item, item_ptr, {ANY_METHOD}, "a path item")
            for method in METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    site(op, join(item_ptr, method), OPERATION_EXTENSIONS, "an operation")
    schemes_ptr = "/securityDefinitions" if version.is_v2 else "/components/securitySchemes"
    holder = data if version.is_v2 else data.get("components")
    schemes = (
        holder.get("securityDefinitions" if version.is_v2 else "securitySchemes") if isinstance(holder, dict) else None
    )
    if isinstance(schemes, dict):
        for name, scheme in schemes.items():
            site(scheme, join(schemes_ptr, name), SCHEME_EXTENSIONS, "a security scheme")
    if not version.is_v2:
        servers = data.get("servers")
        if isinstance(servers, list):
            for i, server in enumerate(servers):
                site(server, join("/servers", i), {ENDPOINT_CONFIGURATION}, "a servers[] entry")
        components = data.get("components")
        if isinstance(components, dict):
            site(components, "/components", set(), "components")
    tags = data.get("tags")
    if isinstance(tags, list):
        for i, tag in enumerate(tags):
            site(tag, join("/tags", i), set(), "a tag")
    # anything else that looks like an extension, anywhere in the document
    if sources.main.text.count(PREFIX) > 0:
        _sweep(data, "", visited, version, diags)


def _check_operation_like(
    value: Any, pointer: str, version: SpecVersion, diags: Diagnostics, *, shortcut: bool = True
) -> None:
    if not isinstance(value, dict):
        diags.add(EXTENSION_SCHEMA, f"{ANY_METHOD} must be an operation object", pointer=pointer)
        return
    key = f"operation:{version.major}"
    if shortcut and _empty_responses(value):
        _add_no_responses(join(pointer, "responses"), diags)
        value = dict(value, responses=_VALID_RESPONSES)
    if _is_valid_fast(key, value):
        return
    _report(
        _py_validator(key).iter_errors(value),
        pointer,
        diags,
        OPENAPI_SCHEMA,
        OPENAPI_SCHEMA,
        key,
        what="operation",
        lenient=True,
    )


_PLACEMENT_HINTS = {
    f"{PREFIX}integration": "put it on each operation (get, post, ...) or in x-amazon-apigateway-any-method",
    f"{PREFIX}auth": "put it on each operation",
    f"{PREFIX}authorizer": "put it on a security scheme (securityDefinitions / components.securitySchemes)",
    f"{PREFIX}authtype": "put it on a security scheme",
    f"{PREFIX}any-method": "put it on a path item, beside get/post",
    f"{PREFIX}request-validators": "put it at the document root",
    f"{PREFIX}gateway-responses": "put it at the document root",
}


def _report_unplaced(k: str, ptr: str, where: str, version: SpecVersion, diags: Diagnostics) -> None:
    if k in HTTP_ONLY_EXTENSIONS:
        diags.add(
            HTTP_API_ONLY,
            f"{k} is an HTTP API extension; REST APIs ignore it",
            pointer=ptr,
            at_key=True,
            hint=HTTP_ONLY_EXTENSIONS[k],
        )
        return
    if k not in KNOWN_EXTENSIONS:
        close = difflib.get_close_matches(k, sorted(KNOWN_EXTENSIONS), n=1, cutoff=0.8)
        diags.add(
            UNKNOWN_EXTENSION,
            f"{k} is not an API Gateway extension; it is ignored",
            pointer=ptr,
            at_key=True,
            hint=f"did you mean '{close[0]}'?" if close else None,
        )
        return
    if k == ENDPOINT_CONFIGURATION:
        hint = (
            "in OpenAPI 3.0 put it inside a servers[] entry"
            if not version.is_v2
            else "in OpenAPI 2.0 put it at the document root"
        )
    else:
        hint = _PLACEMENT_HINTS.get(k, "see the API Gateway extension reference for its place")
    diags.add(
        MISPLACED_EXTENSION,
        f"{k} is not read on {where}; API Gateway ignores it here",
        pointer=ptr,
        at_key=True,
        hint=hint,
    )


def _sweep(node: Any, pointer: str, visited: set[int], version: SpecVersion, diags: Diagnostics) -> None:
    if isinstance(node, dict):
        own = id(node) in visited
        for k, v in node.items():
            if not own and isinstance(k, str) and k.startswith(PREFIX):
                where = f"{name_at(pointer, node)} ({pointer or '/'})"
                _report_unplaced(k, join(pointer, k), where, version, diags)
                continue
            if isinstance(v, (dict, list)) and not (own and isinstance(k, str) and k.startswith(PREFIX)):
                _sweep(v, join(pointer, k), visited, version, diags)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if isinstance(v, (dict, list)):
                _sweep(v, join(pointer, i), visited, version, diags)


__all__ = ["check", "SpecVersion", "CHECK_CODES", "openapi_schema", "extension_schema"]
