"""Lower the IR (OpenAPI's words) to the gateway model (API Gateway's words).

`lower_api` is pure: the same IR always gives the same, equal `gateway.Gateway`.  It
does what API Gateway's OpenAPI import does (one resource per path segment, methods,
method and integration responses, models in JSON Schema draft 4...) and fills the
defaults the service stores.  Every choice that the AWS documentation leaves open is
listed in docs/lowering.md.

It assumes a spec without ERROR-level findings (the pipeline stops before lowering
otherwise) but never fails on odd input: what it cannot lower is left out, and the
targets report what they cannot express.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from pathlib import PurePath
from typing import Any, Mapping

from . import gateway as gw
from . import ir
from .intrinsics import STAGE_VARIABLE, Intrinsic, Value, fill_variables
from .logical_ids import allocate_ids, pascal, path_words, short_hash
from .mapping import OPENAPI_TO_METHOD_REQUEST, method_request_key
from .pathtemplate import SegmentKind, parameter_names, segments
from .source import MISSING, node_at, split

#: A function shared by more methods than this gets one API-wide permission instead of
#: one per method: a Lambda function's resource policy is limited to 20 KB (about 60
#: statements), and the function may serve other APIs too.
MAX_METHOD_PERMISSIONS_PER_FUNCTION = 20

#: The JSON Schema draft 4 keywords API Gateway models accept; any other keyword
#: (``example``, ``nullable``, ``discriminator``, ``x-*``...) makes CreateModel fail with
#: "Invalid model schema specified. Unsupported keyword(s)" [Obs: aws-cdk#14585,
#: aws-apigateway-importer#213], so lowering drops it as the import does.
DRAFT4_KEYWORDS = frozenset(
    "$schema id title description default multipleOf maximum exclusiveMaximum minimum "
    "exclusiveMinimum maxLength minLength pattern additionalItems items maxItems minItems "
    "uniqueItems maxProperties minProperties required additionalProperties definitions "
    "properties patternProperties dependencies enum type format allOf anyOf oneOf not $ref".split()
)
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_DRAFT4_TYPES = frozenset(("array", "boolean", "integer", "null", "number", "object", "string"))

_STATUS = re.compile(r"^[1-5]\d\d$")
_LAMBDA_URI = re.compile(
    r"^arn:[^:]+:apigateway:[^:]+:lambda:path/"
    r"(?:2015-03-31/functions/(?P<fn>.+)/invocations|2021-11-15/functions/(?P<sfn>.+)/response-streaming-invocations)$"
)
_FUNCTION_ARN = re.compile(r"^arn:[^:]+:lambda:[^:]+:[^:]+:function:(?P<name>[^:/]+)(?::(?P<qualifier>[^:/]+))?$")
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
_TOKEN = re.compile("\x00(\\d+)\x00")


def lower_api(api: ir.Api) -> gw.Gateway:
    """Lower one API to the gateway model."""
    return _Lowering(api).run()


# ----------------------------------------------------------------------------------------
# Paths (the logical ids are in logical_ids.py)


def resource_path(path: str) -> str:
    """The resource path of an OpenAPI path: ``/pets/`` -> ``/pets``."""
    return "/" + "/".join(s.text for s in segments(path))


def source_path(path: str) -> str:
    """The method-ARN path of a resource path: ``/pets/{petId}`` -> ``pets/*``."""
    return "/".join("*" if s.is_variable else s.text for s in segments(path))


# ----------------------------------------------------------------------------------------
# Schemas -> JSON Schema draft 4


def _model_name_of_ref(ref: str, models: Mapping[str, ir.Model]) -> tuple[str | None, list[str]]:
    """(model name, tokens below the model) of a local `$ref`; (None, []) if not a model."""
    if ref.startswith("#/"):
        try:
            toks = split(ref[1:])
        except ValueError:
            return None, []
        if toks[:2] == ["components", "schemas"] and len(toks) >= 3:
            return (toks[2], toks[3:]) if toks[2] in models else (None, [])
        if toks[:1] == ["definitions"] and len(toks) >= 2:
            return (toks[1], toks[2:]) if toks[1] in models else (None, [])
        return None, []
    if ref in models:  # a "simple" ref (`$ref: Pet`), which the importer accepts
        return ref, []
    return None, []


class _SchemaConverter:
    """OpenAPI schema objects -> draft 4 schemas with `model_ref` references."""

    def __init__(self, models: Mapping[str, ir.Model]) -> None:
        self.models = models

    def convert(self, schema: Any, refs: set[str], depth: int = 0) -> Any:
        if not isinstance(schema, dict) or depth > 64:
            return schema if isinstance(schema, bool) else {}
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name, rest = _model_name_of_ref(ref, self.models)
            if name is not None and not rest:
                refs.add(name)
                return {"$ref": gw.model_ref(name)}
            if name is not None:  # a reference into a model: inline the part it points at
                node = node_at(self.models[name].schema, rest, MISSING)
                return {} if node is MISSING else self.convert(node, refs, depth + 1)
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key not in DRAFT4_KEYWORDS or key == "$ref":
                continue
            if key in _SCHEMA_MAPS:
                if isinstance(value, dict):
                    out[key] = {k: self.convert(v, refs, depth + 1) for k, v in value.items()}
            elif key in _SCHEMA_LISTS:
                if isinstance(value, list) and value:
                    out[key] = [self.convert(v, refs, depth + 1) for v in value]
            elif key in ("items", "additionalItems"):
                if isinstance(value, list):
                    out[key] = [self.convert(v, refs, depth + 1) for v in value]
                elif isinstance(value, (dict, bool)):
                    out[key] = self.convert(value, refs, depth + 1)
            elif key in ("additionalProperties", "not"):
                if isinstance(value, (dict, bool)):
                    out[key] = self.convert(value, refs, depth + 1)
            elif key == "dependencies":
                if isinstance(value, dict):
                    out[key] = {
                        k: (v if isinstance(v, list) else self.convert(v, refs, depth + 1)) for k, v in value.items()
                    }
            elif key == "required":
                # draft 4: a non-empty array of strings (`required: []` is rejected)
                if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                    out[key] = value
            elif key == "enum":
                if isinstance(value, list) and value:
                    out[key] = value
            elif key == "type":
                if isinstance(value, str) and value in _DRAFT4_TYPES:
                    out[key] = value
                elif isinstance(value, list) and value and all(v in _DRAFT4_TYPES for v in value):
                    out[key] = value
            else:
                out[key] = value
        return out


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Intrinsic):
        return value.to_json()
    raise TypeError(type(value).__name__)


# ----------------------------------------------------------------------------------------
# Lambda invoke URIs


def lambda_function(uri: Value | None) -> gw.LambdaFunction | None:
    """The function behind a Lambda invoke URI (a string, ``Fn::Sub`` or ``Fn::Join``), or None."""
    if uri is None:
        return None
    if isinstance(uri, str):
        fn = _function_part(uri)
        return _function(fn) if fn is not None else None
    if uri.fn == "Fn::Sub":
        args = uri.args
        text, variables = (
            (args, {})
            if isinstance(args, str)
            else (
                (args[0], args[1] if len(args) > 1 and isinstance(args[1], dict) else {})
                if isinstance(args, list) and args and isinstance(args[0], str)
                else (None, {})
            )
        )
        if text is None:
            return None
        fn = _function_part(text)
        if fn is None:
            return None
        if "${" not in fn.replace("${AWS::", ""):
            return _function(fn)
        used = {k: v for k, v in variables.items() if "${" + k + "}" in fn or "${" + k + "." in fn}
        arn: Value = Intrinsic("Fn::Sub", [fn, used] if used else fn)
        return gw.LambdaFunction(arn=arn, name=None, qualifier=None)
    if uri.fn == "Fn::Join" and isinstance(uri.args, list) and len(uri.args) == 2 and isinstance(uri.args[1], list):
        sep, parts = uri.args
        if not isinstance(sep, str):
            return None
        pieces: list[Any] = []
        text = ""
        for i, part in enumerate(parts):
            if i:
                text += sep
            if isinstance(part, str):
                text += part
            else:
                pieces.append(part)
                text += f"\x00{len(pieces) - 1}\x00"
        fn = _function_part(text, tokens=True)
        if fn is None:
            return None
        chunks = [c for c in _TOKEN.split(fn)]
        # _TOKEN.split alternates text and token numbers
        rebuilt: list[Any] = []
        for i, chunk in enumerate(chunks):
            if i % 2:
                rebuilt.append(pieces[int(chunk)])
            elif chunk:
                rebuilt.append(chunk)
        if len(rebuilt) == 1 and not isinstance(rebuilt[0], str):
            only = rebuilt[0]
            arn = (
                Intrinsic.of(only)
                if isinstance(only, dict) and len(only) == 1
                else Intrinsic("Fn::Join", ["", rebuilt])
            )
        elif all(isinstance(r, str) for r in rebuilt):
            return _function("".join(rebuilt))
        else:
            arn = Intrinsic("Fn::Join", ["", rebuilt])
        return gw.LambdaFunction(arn=arn, name=None, qualifier=None)
    return None


def _function_part(text: str, tokens: bool = False) -> str | None:
    """The function ARN inside a Lambda invoke URI string (``${...}`` may stand anywhere)."""
    saved: list[str] = []

    def hide(m: re.Match) -> str:
        saved.append(m.group(0))
        return f"\x01{len(saved) - 1}\x01"

    probe = _PLACEHOLDER.sub(hide, text)
    m = _LAMBDA_URI.match(probe)
    if m is None:
        return None
    fn = m.group("fn") or m.group("sfn")
    return re.sub("\x01(\\d+)\x01", lambda t: saved[int(t.group(1))], fn)


def _function(arn: str) -> gw.LambdaFunction:
    m = _FUNCTION_ARN.match(
        _PLACEHOLDER.sub(lambda t: "x" * len(t.group(0)) if t.group(0).startswith("${AWS::") else t.group(0), arn)
    )
    name = qualifier = None
    if m is not None:
        start, end = m.span("name")
        raw_name = arn[start:end]
        if "${" not in raw_name:
            name = raw_name
        if m.group("qualifier") is not None:
            qs, qe = m.span("qualifier")
            qualifier = arn[qs:qe]
    stage_vars = tuple(dict.fromkeys(STAGE_VARIABLE.findall(arn)))
    return gw.LambdaFunction(arn=arn, name=name, qualifier=qualifier, stage_variables=stage_vars)


def _substitute_stage_variables(arn: str, variables: Mapping[str, str]) -> str | None:
    """The ARN with the stage's variables filled in; None when one of them has no value."""
    filled = fill_variables(arn, variables)
    return None if filled.missing else filled.text


# ----------------------------------------------------------------------------------------


class _Lowering:
    def __init__(self, api: ir.Api) -> None:
        self.api = api
        self.converter = _SchemaConverter(api.models)
        #: inline schemas turned into models: name -> (schema, references, pointer)
        self.generated: dict[str, tuple[Any, tuple[str, ...], str]] = {}

    def run(self) -> gw.Gateway:
        api = self.api
        resource_paths = self._resource_paths()
        # one op per (resource path, method): duplicates (`/a` and `/a/`, which AGW605
        # reports) keep the last one
        unique: dict[tuple[str, str], ir.Operation] = {
            (resource_path(o.path), o.method.value): o for o in api.operations
        }
        ops = [unique[k] for k in sorted(unique)]
        schemes = {
            n: s
            for n, s in sorted(api.security_schemes.items())
            if s.authorizer is not None and s.authorizer.type is not None
        }

        ids = allocate_ids(
            [("resource " + p, "Resource" + path_words(p)) for p in resource_paths]
            + [
                (
                    f"method {o.method.value} {resource_path(o.path)}",
                    "Method" + path_words(o.path) + pascal(o.method.value.lower()),
                )
                for o in ops
            ]
            + [
                ("validator " + n, "RequestValidator" + (pascal(n) or short_hash(n)))
                for n in sorted(api.request_validators)
            ]
            + [("authorizer " + n, "Authorizer" + (pascal(n) or short_hash(n))) for n in schemes]
            + [
                ("gwresponse " + t, "GatewayResponse" + (pascal(t.replace("_", "-").lower()) or short_hash(t)))
                for t in sorted(api.gateway_responses)
            ]
            + [("stage " + n, "Stage" + (pascal(n) or short_hash(n))) for n in sorted(api.stages)]
            + [("plan " + n, "UsagePlan" + (pascal(n) or short_hash(n))) for n in sorted(api.usage_plans)]
            + [("apikey " + n, "ApiKey" + (pascal(n) or short_hash(n))) for n in sorted(api.api_keys)]
        )
        path_pointers = dict(api.paths)
        resources = tuple(self._resource(p, ids, path_pointers.get(p, "")) for p in resource_paths)
        methods = tuple(self._method(o, ids) for o in ops)
        model_ids = allocate_ids(
            [
                (n, "Model" + (n if n.isalnum() and n.isascii() else pascal(n) + short_hash(n)))
                for n in sorted({*api.models, *self.generated})
            ],
            set(ids.values()),
        )
        ids.update({"model " + n: i for n, i in model_ids.items()})
        models = tuple(
            sorted(
                [self._model(m, model_ids[m.name]) for m in api.models.values()]
                + [
                    gw.Model(
                        id=model_ids[name],
                        name=name,
                        content_type=gw.MODEL_CONTENT_TYPE,
                        schema=schema,
                        references=refs,
                        generated=True,
                        pointer=pointer,
                    )
                    for name, (schema, refs, pointer) in self.generated.items()
                ],
                key=lambda m: m.name,
            )
        )
        authorizers = tuple(self._authorizer(s, ids["authorizer " + n]) for n, s in schemes.items())
        stages = tuple(self._stage(api.stages[n], ids["stage " + n]) for n in sorted(api.stages))
        gateway = dict(
            source=api.source,
            rest_api=self._rest_api(),
            resources=resources,
            methods=methods,
            models=models,
            request_validators=tuple(
                gw.RequestValidator(
                    id=ids["validator " + n],
                    name=n,
                    validate_request_body=v.validate_body,
                    validate_request_parameters=v.validate_parameters,
                    pointer=v.pointer,
                )
                for n, v in sorted(api.request_validators.items())
            ),
            authorizers=authorizers,
            gateway_responses=tuple(
                gw.GatewayResponse(
                    id=ids["gwresponse " + t],
                    response_type=t,
                    status_code=r.status_code,
                    response_parameters=dict(sorted(r.response_parameters.items())),
                    response_templates=dict(sorted(r.response_templates.items())),
                    pointer=r.pointer,
                )
                for t, r in sorted(api.gateway_responses.items())
            ),
            stages=stages,
            usage_plans=tuple(self._usage_plan(api.usage_plans[n], ids["plan " + n]) for n in sorted(api.usage_plans)),
            api_keys=tuple(
                gw.ApiKey(
                    id=ids["apikey " + n],
                    name=n,
                    value=k.value,
                    enabled=k.enabled,
                    description=k.description,
                    customer_id=k.customer_id,
                    pointer=k.pointer,
                )
                for n, k in sorted(api.api_keys.items())
            ),
            lambda_permissions=self._permissions(methods, authorizers, stages, set(ids.values())),
            local=self._local(),
        )
        return gw.Gateway.create(**gateway)

    # -- the API -------------------------------------------------------------------------

    def _rest_api(self) -> gw.RestApi:
        api = self.api
        ec = api.endpoint_configuration
        vpces = ec.vpc_endpoint_ids if ec is not None else ()
        # The endpoint type is an import parameter, not part of OpenAPI: x-apigwc.endpointType
        # sets it; otherwise VPC endpoints imply PRIVATE, and the import default (EDGE) applies.
        if api.endpoint_type in gw.EndpointType.__members__:
            types = (gw.EndpointType(api.endpoint_type),)
        else:
            types = (gw.EndpointType.PRIVATE,) if vpces else (gw.DEFAULT_ENDPOINT_TYPE,)
        name: Value = api.title if api.title not in (None, "") else PurePath(api.source).stem
        return gw.RestApi(
            name=name,
            description=api.description,
            version=api.version,
            endpoint_types=types,
            vpc_endpoint_ids=vpces,
            ip_address_type=ec.ip_address_type if ec is not None else None,
            disable_execute_api_endpoint=bool(ec is not None and ec.disable_execute_api_endpoint),
            binary_media_types=tuple(dict.fromkeys(api.binary_media_types)),
            api_key_source=api.api_key_source or ir.ApiKeySource.HEADER,
            minimum_compression_size=api.minimum_compression_size,
            policy=api.policy,
            security_policy=api.security_policy,
            endpoint_access_mode=api.endpoint_access_mode,
            documentation=api.documentation,
            pointer=api.pointer,
        )

    # -- resources -----------------------------------------------------------------------

    def _resource_paths(self) -> list[str]:
        """Every path and every prefix of a path (the intermediate resources), root first."""
        out = {"/"}
        for path, _ in self.api.paths:
            segs = segments(path)
            for i in range(1, len(segs) + 1):
                out.add("/" + "/".join(s.text for s in segs[:i]))
        for op in self.api.operations:
            segs = segments(op.path)
            for i in range(1, len(segs) + 1):
                out.add("/" + "/".join(s.text for s in segs[:i]))
        return sorted(out)

    def _resource(self, path: str, ids: Mapping[str, str], pointer: str) -> gw.Resource:
        segs = segments(path)
        if not segs:
            return gw.Resource(
                id=ids["resource /"], path="/", path_part="", parent=None, kind=gw.ResourceKind.ROOT, pointer=pointer
            )
        last = segs[-1]
        kind = {
            SegmentKind.LITERAL: gw.ResourceKind.LITERAL,
            SegmentKind.PARAM: gw.ResourceKind.PARAM,
            SegmentKind.GREEDY: gw.ResourceKind.GREEDY,
        }[last.kind]
        parent = "/" + "/".join(s.text for s in segs[:-1]) if len(segs) > 1 else "/"
        return gw.Resource(
            id=ids["resource " + path],
            path=path,
            path_part=last.text,
            parent=parent,
            kind=kind,
            param=last.name,
            pointer=pointer,
        )

    # -- methods -------------------------------------------------------------------------

    def _method(self, op: ir.Operation, ids: Mapping[str, str]) -> gw.Method:
        auth, authorizer, scopes, api_key = self._authorization(op)
        validator = self.api.effective_validator(op)
        return gw.Method(
            id=ids[f"method {op.method.value} {resource_path(op.path)}"],
            resource_id=ids["resource " + resource_path(op.path)],
            path=resource_path(op.path),
            http_method=op.method,
            authorization_type=auth,
            authorizer=authorizer,
            authorization_scopes=scopes,
            api_key_required=api_key,
            operation_name=op.operation_id,
            request_parameters=self._request_parameters(op),
            request_models=self._request_models(op),
            request_validator=validator if validator in self.api.request_validators else None,
            method_responses=tuple(self._method_responses(op)),
            integration=self._integration(op.integration)
            if op.integration is not None and op.integration.type is not None
            else None,
            pointer=op.pointer,
        )

    def _authorization(self, op: ir.Operation) -> tuple[gw.AuthorizationType, str | None, tuple[str, ...], bool]:
        """Method authorization from the operation's `security` (root-level security is ignored [Doc])."""
        auth = gw.AuthorizationType.NONE
        if op.auth_type_raw is not None and op.auth_type_raw.upper() == "AWS_IAM":
            auth = gw.AuthorizationType.AWS_IAM
        authorizer: str | None = None
        scopes: tuple[str, ...] = ()
        api_key = False
        for req in op.security or ():
            for name, req_scopes in req.schemes:
                scheme = self.api.security_schemes.get(name)
                if scheme is None:
                    continue
                a = scheme.authorizer
                if a is not None and a.type is not None:
                    if authorizer is None:  # a method has one authorizer (AGW307 reports more)
                        authorizer = name
                        if a.type is ir.AuthorizerType.COGNITO_USER_POOLS:
                            auth = gw.AuthorizationType.COGNITO_USER_POOLS
                            scopes = tuple(req_scopes)
                        else:
                            auth = gw.AuthorizationType.CUSTOM
                elif scheme.is_iam:
                    if authorizer is None:
                        auth = gw.AuthorizationType.AWS_IAM
                elif scheme.is_api_key:
                    api_key = True
        return auth, authorizer, scopes, api_key

    def _request_parameters(self, op: ir.Operation) -> dict[str, bool]:
        params: dict[str, bool] = {}
        # every placeholder of the path is a required method request parameter, declared
        # or not, so that mappings reading it always deploy [Inf]
        for name in parameter_names(op.path):
            params[method_request_key("path", name)] = True
        for p in op.parameters:
            if p.location is None:
                continue
            where = OPENAPI_TO_METHOD_REQUEST.get(p.location.value)
            if where is None:  # cookie, formData, body: not method request parameters
                continue
            params[method_request_key(where, p.name)] = True if where == "path" else p.required
        return dict(sorted(params.items()))

    def _model_for(self, schema: ir.SchemaRef | None) -> str | None:
        if schema is None:
            return None
        if schema.name is not None and schema.name in self.api.models:
            return schema.name
        refs: set[str] = set()
        converted = self.converter.convert(schema.schema, refs)
        if converted.keys() == {"$ref"}:  # an inline wrapper around one model reference
            named = gw.model_ref_name(converted["$ref"])
            if named is not None:
                return named
        name = "MODEL" + hashlib.sha256(_canonical(converted).encode()).hexdigest()[:12]
        if name not in self.generated:
            self.generated[name] = (converted, tuple(sorted(refs)), schema.pointer)
        return name

    def _request_models(self, op: ir.Operation) -> dict[str, str]:
        out: dict[str, str] = {}
        if op.request_body is not None:
            for media in op.request_body.content:
                name = self._model_for(media.schema)
                if name is not None:
                    out[media.media_type] = name
        return dict(sorted(out.items()))

    def _method_responses(self, op: ir.Operation) -> list[gw.MethodResponse]:
        out: dict[str, gw.MethodResponse] = {}
        for resp in op.responses:
            # only concrete status codes become method responses (AGW403 reports the rest)
            if not _STATUS.match(resp.status):
                continue
            models: dict[str, str] = {}
            for media in resp.content:
                name = self._model_for(media.schema)
                if name is not None:
                    models[media.media_type] = name
            out[resp.status] = gw.MethodResponse(
                status_code=resp.status,
                # headers are stored as not required [Inf]
                response_parameters={
                    f"method.response.header.{h.name}": False for h in sorted(resp.headers, key=lambda h: h.name)
                },
                response_models=dict(sorted(models.items())),
                pointer=resp.pointer,
            )
        return [out[k] for k in sorted(out)]

    def _integration(self, integ: ir.Integration) -> gw.Integration:
        assert integ.type is not None
        responses: dict[str, gw.IntegrationResponse] = {}
        for r in integ.responses:
            if r.status_code is None:
                continue
            # stored by status code: a second response for the same status replaces the first
            responses[r.status_code] = gw.IntegrationResponse(
                status_code=r.status_code,
                selection_pattern=r.selection_pattern,
                response_parameters=dict(sorted(r.response_parameters.items())),
                response_templates=dict(sorted(r.response_templates.items())),
                content_handling=r.content_handling,
                pointer=r.pointer,
            )
        http_method = integ.http_method
        lam = (
            lambda_function(integ.uri) if integ.type in (ir.IntegrationType.AWS, ir.IntegrationType.AWS_PROXY) else None
        )
        return gw.Integration(
            type=integ.type,
            http_method=http_method,
            uri=integ.uri,
            credentials=integ.credentials,
            request_parameters=dict(sorted(integ.request_parameters.items())),
            request_templates=dict(sorted(integ.request_templates.items())),
            passthrough_behavior=integ.passthrough_behavior or gw.DEFAULT_PASSTHROUGH,
            content_handling=integ.content_handling,
            timeout_in_millis=integ.timeout_in_millis
            if integ.timeout_in_millis is not None
            else gw.DEFAULT_TIMEOUT_MILLIS,
            cache_namespace=integ.cache_namespace,
            cache_key_parameters=tuple(integ.cache_key_parameters),
            connection_type=integ.connection_type or gw.DEFAULT_CONNECTION_TYPE,
            connection_id=integ.connection_id,
            integration_target=integ.integration_target,
            tls_insecure_skip_verification=integ.tls_insecure_skip_verification,
            response_transfer_mode=integ.response_transfer_mode or gw.DEFAULT_RESPONSE_TRANSFER_MODE,
            responses=tuple(responses[k] for k in sorted(responses)),
            lambda_function=lam,
            pointer=integ.pointer,
        )

    # -- models --------------------------------------------------------------------------

    def _model(self, model: ir.Model, id_: str) -> gw.Model:
        refs: set[str] = set()
        schema = self.converter.convert(model.schema, refs)
        return gw.Model(
            id=id_,
            name=model.name,
            content_type=model.content_type,
            schema=schema,
            references=tuple(sorted(refs)),
            pointer=model.pointer,
        )

    # -- authorizers ---------------------------------------------------------------------

    def _authorizer(self, scheme: ir.SecurityScheme, id_: str) -> gw.Authorizer:
        a = scheme.authorizer
        assert a is not None and a.type is not None
        source = (a.identity_source or "").strip() or None
        if source is None and scheme.param_name:
            # the importer derives the identity source from the scheme's name and `in`
            where = "querystring" if scheme.location == "query" and a.type is ir.AuthorizerType.REQUEST else "header"
            source = method_request_key(where, scheme.param_name)
        if source is not None:
            source = ", ".join(s.strip() for s in source.split(",") if s.strip())
        lam = lambda_function(a.authorizer_uri) if a.type is not ir.AuthorizerType.COGNITO_USER_POOLS else None
        return gw.Authorizer(
            id=id_,
            name=scheme.name,
            type=a.type,
            authorizer_uri=a.authorizer_uri,
            authorizer_credentials=a.authorizer_credentials,
            identity_source=source,
            identity_validation_expression=a.identity_validation_expression,
            result_ttl_in_seconds=a.result_ttl_in_seconds
            if a.result_ttl_in_seconds is not None
            else gw.DEFAULT_AUTHORIZER_TTL,
            provider_arns=tuple(a.provider_arns),
            auth_type=scheme.auth_type,
            lambda_function=lam,
            pointer=a.pointer,
        )

    # -- stages, plans -------------------------------------------------------------------

    def _stage(self, stage: ir.Stage, id_: str) -> gw.Stage:
        settings: dict[tuple[str, str], gw.MethodSetting] = {}
        for ms in stage.method_settings:
            path = "/*" if ms.resource_path in ("*", "/*") else ms.resource_path
            verb = ms.http_method.upper() if ms.http_method != "*" else "*"
            t = ms.throttle
            settings[(path, verb)] = gw.MethodSetting(
                resource_path=path,
                http_method=verb,
                metrics_enabled=ms.metrics_enabled,
                logging_level=ms.logging_level,
                data_trace_enabled=ms.data_trace_enabled,
                throttling_burst_limit=t.burst_limit if t else None,
                throttling_rate_limit=t.rate_limit if t else None,
                caching_enabled=ms.caching_enabled,
                cache_ttl_in_seconds=ms.cache_ttl_in_seconds,
                cache_data_encrypted=ms.cache_data_encrypted,
                require_authorization_for_cache_control=ms.require_authorization_for_cache_control,
                unauthorized_cache_control_header_strategy=ms.unauthorized_cache_control_header_strategy,
                pointer=ms.pointer,
            )
        if stage.throttle is not None:
            # stage-level throttling is the */* method setting [Doc: "default method throttling"]
            current = settings.get(("/*", "*")) or gw.MethodSetting(
                resource_path="/*", http_method="*", pointer=stage.throttle.pointer
            )
            settings[("/*", "*")] = replace(
                current,
                throttling_burst_limit=current.throttling_burst_limit
                if current.throttling_burst_limit is not None
                else stage.throttle.burst_limit,
                throttling_rate_limit=current.throttling_rate_limit
                if current.throttling_rate_limit is not None
                else stage.throttle.rate_limit,
            )
        log = stage.access_log
        return gw.Stage(
            id=id_,
            name=stage.name,
            description=stage.description,
            variables=dict(sorted(stage.variables.items())),
            method_settings=tuple(settings[k] for k in sorted(settings)),
            access_log=gw.AccessLogSetting(format=log.format, destination_arn=log.destination_arn, pointer=log.pointer)
            if log
            else None,
            tracing_enabled=stage.tracing_enabled,
            cache_cluster_enabled=stage.cache_cluster_enabled,
            cache_cluster_size=stage.cache_cluster_size,
            tags=dict(sorted(stage.tags.items())),
            pointer=stage.pointer,
        )

    def _usage_plan(self, plan: ir.UsagePlan, id_: str) -> gw.UsagePlan:
        throttle = {
            k: gw.Throttle(burst_limit=t.burst_limit, rate_limit=t.rate_limit)
            for k, t in sorted(plan.method_throttle.items())
        }
        return gw.UsagePlan(
            id=id_,
            name=plan.name,
            description=plan.description,
            throttle=gw.Throttle(burst_limit=plan.throttle.burst_limit, rate_limit=plan.throttle.rate_limit)
            if plan.throttle
            else None,
            quota=gw.Quota(limit=plan.quota.limit, offset=plan.quota.offset, period=plan.quota.period)
            if plan.quota
            else None,
            api_stages=tuple(gw.UsagePlanStage(stage=s, throttle=throttle) for s in sorted(dict.fromkeys(plan.stages))),
            api_keys=tuple(sorted(dict.fromkeys(plan.api_keys))),
            pointer=plan.pointer,
        )

    def _local(self) -> gw.LocalSettings | None:
        local = self.api.local
        if local is None:
            return None
        return gw.LocalSettings(
            lambdas=dict(sorted(local.lambdas.items())),
            jwks=dict(sorted(local.jwks.items())),
            endpoints=dict(sorted(local.endpoints.items())),
            python_path=tuple(local.python_path),
            lambda_timeout_seconds=local.lambda_timeout_seconds,
            pointer=local.pointer,
            functions={
                name: gw.LocalFunction(
                    name=fn.name,
                    runtime=fn.runtime,
                    handler=fn.handler,
                    code_uri=fn.code_uri,
                    environment=dict(sorted(fn.environment.items())),
                    timeout=fn.timeout,
                    memory_size=fn.memory_size,
                    layers=tuple(fn.layers),
                    reserved_concurrency=fn.reserved_concurrency,
                    pointer=fn.pointer,
                )
                for name, fn in sorted(local.functions.items())
            },
        )

    # -- Lambda permissions --------------------------------------------------------------

    def _resolved_functions(self, fn: gw.LambdaFunction, stages: tuple[gw.Stage, ...]) -> list[tuple[Value, str]]:
        """(function name, stage or "*") pairs: one per stage when the ARN reads stage variables."""
        if not fn.stage_variables:
            return [(fn.arn, "*")]
        if not isinstance(fn.arn, str):
            return []
        out = []
        for stage in stages:
            arn = _substitute_stage_variables(fn.arn, stage.variables)
            if arn is not None:
                out.append((arn, stage.name))
        return out

    def _permissions(
        self,
        methods: tuple[gw.Method, ...],
        authorizers: tuple[gw.Authorizer, ...],
        stages: tuple[gw.Stage, ...],
        taken: set[str],
    ) -> tuple[gw.LambdaPermission, ...]:
        # (function, stage) -> methods it serves
        grouped: dict[tuple[str, str], tuple[Value, list[gw.Method]]] = {}
        for m in methods:
            integ = m.integration
            if integ is None or integ.lambda_function is None or integ.credentials is not None:
                continue  # with credentials, API Gateway assumes a role instead
            for function, stage in self._resolved_functions(integ.lambda_function, stages):
                key = (_canonical(function), stage)
                grouped.setdefault(key, (function, []))[1].append(m)
        specs: list[tuple[str, str, Value, gw.ExecuteApiSource | gw.AuthorizerSource, tuple[str, ...], str]] = []
        for (fkey, stage), (function, served) in sorted(grouped.items()):
            stage_words = "" if stage == "*" else pascal(stage) or short_hash(stage)
            if len(served) > MAX_METHOD_PERMISSIONS_PER_FUNCTION:
                fn_name = _function_words(function)
                specs.append(
                    (
                        f"permission {fkey} {stage} */*",
                        "Permission" + fn_name + stage_words,
                        function,
                        gw.ExecuteApiSource(stage=stage, http_method="*", path="*"),
                        tuple(m.id for m in served),
                        served[0].integration.pointer if served[0].integration else served[0].pointer,
                    )
                )
                continue
            for m in served:
                verb = "*" if m.http_method is ir.HttpMethod.ANY else m.http_method.value
                specs.append(
                    (
                        f"permission {fkey} {stage} {m.id}",
                        "Permission" + m.id.removeprefix("Method") + stage_words,
                        function,
                        gw.ExecuteApiSource(stage=stage, http_method=verb, path=source_path(m.path)),
                        (m.id,),
                        m.integration.pointer if m.integration else m.pointer,
                    )
                )
        for a in authorizers:
            if a.lambda_function is None or a.authorizer_credentials is not None:
                continue
            functions = self._resolved_functions(a.lambda_function, stages)
            for function, stage in functions:
                stage_words = "" if stage == "*" or len(functions) == 1 else pascal(stage) or short_hash(stage)
                specs.append(
                    (
                        f"permission {_canonical(function)} authorizer {a.name} {stage}",
                        "Permission" + a.id + stage_words,
                        function,
                        gw.AuthorizerSource(authorizer=a.name),
                        (a.id,),
                        a.pointer,
                    )
                )
        ids = allocate_ids([(key, base) for key, base, *_ in specs], taken)
        perms = [
            gw.LambdaPermission(id=ids[key], function_name=function, source=source, covers=covers, pointer=pointer)
            for key, _, function, source, covers, pointer in specs
        ]
        return tuple(sorted(perms, key=lambda p: p.id))


def _function_words(function: Value) -> str:
    if isinstance(function, str):
        m = _FUNCTION_ARN.match(function)
        if m and "${" not in m.group("name"):
            return pascal(m.group("name")) or "Function"
    return "Function"


__all__ = ["lower_api", "lambda_function", "source_path", "DRAFT4_KEYWORDS"]
